// The reps and their live state: open loads, per-day / per-hour counters,
// round-robin cursors and the fairness ledger. The router only reads a
// Roster; state changes happen through commit(), so previews have no effect.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/decision.hpp"
#include "core/rep.hpp"

namespace date {
class time_zone;
}

namespace leadrouter::core {

struct TrackRecord {
  std::int64_t assigned = 0;
  std::int64_t converted = 0;
};

struct RepState {
  int open_load = 0;
  // Counters are keyed by the period they count, so a new day or hour starts
  // at zero without anyone resetting them.
  std::int64_t day_key = -1;  // local calendar day (days since epoch, rep's time zone)
  int assigned_in_day = 0;
  std::int64_t hour_key = -1;  // UTC hours since epoch
  int assigned_in_hour = 0;
  std::optional<Timestamp> last_assigned_at;
  std::map<std::string, TrackRecord> track_record;  // by segment key
};

// Per-pool fairness: how much each member has received against what its
// weight entitles it to. A ledger, not a counter: members joining, leaving or
// returning keep everyone else's standing.
struct PoolLedger {
  std::map<std::string, double> credit;  // rep id -> accumulated credit (smooth WRR)
  std::uint64_t round_robin_cursor = 0;  // strict round-robin position
  std::string last_rep_id;               // strict round-robin: last rep served
};

struct RosterSnapshot {
  std::map<std::string, RepState> reps;
  std::map<std::string, PoolLedger> pools;
};

class Roster {
 public:
  Roster() = default;
  explicit Roster(std::vector<Rep> reps, RosterSnapshot state = {});
  // Copies rebuild the internal indexes, which point into the copy's own state.
  Roster(const Roster& other);
  Roster(Roster&& other) noexcept;
  Roster& operator=(const Roster& other);
  Roster& operator=(Roster&& other) noexcept;
  ~Roster() = default;

  const std::vector<Rep>& reps() const { return reps_; }
  const Rep* find(std::string_view rep_id) const;
  // State of a rep; a default (empty) state for reps never assigned.
  const RepState& state(std::string_view rep_id) const;
  const PoolLedger* ledger(std::string_view pool) const;

  int assigned_today(const Rep& rep, Timestamp now) const;
  int assigned_this_hour(const Rep& rep, Timestamp now) const;

  // Applies a decision: load, counters, ledger, track-record "assigned".
  // A decision to a queue or workflow changes nothing.
  void commit(const Decision& decision);
  // The lead was worked, closed or reassigned away from this rep.
  void release(std::string_view rep_id);
  void record_outcome(std::string_view rep_id, const std::string& segment, bool converted);
  // Replaces the rep list (CRM refresh); state and ledgers of reps that stay
  // are kept, so nobody's fairness standing resets.
  void set_reps(std::vector<Rep> reps);

  const RosterSnapshot& snapshot() const { return state_; }

  // Position-based access for the router's hot path (positions index reps()).
  std::optional<std::size_t> index_of(std::string_view rep_id) const;
  // Positions of the reps in `team`, ascending; empty for an unknown team.
  std::span<const std::size_t> team_members(std::string_view team) const;
  const RepState& state_at(std::size_t index) const;
  // The rep's resolved time zone; null means UTC (no working hours, or a zone
  // name the time-zone database does not know).
  const date::time_zone* zone_at(std::size_t index) const { return zones_[index]; }

  // Track records by interned segment id, for best-match's hot path: one
  // hash lookup per decision, then a short search per rep instead of a
  // string-keyed map lookup (and its cache misses) per rep. Kept in step with
  // RepState::track_record by commit() and record_outcome().
  std::optional<std::uint32_t> segment_id(std::string_view segment) const;
  const TrackRecord* track_record_at(std::size_t index, std::uint32_t segment_id) const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using RecordsById = std::vector<std::pair<std::uint32_t, TrackRecord>>;  // sorted by id

  std::uint32_t intern_segment(const std::string& segment);
  void add_to_track_record(std::size_t index, const std::string& segment, std::int64_t assigned,
                           std::int64_t converted);
  void rebuild_indexes();
  RepState& mutable_state(std::size_t index);

  std::vector<Rep> reps_;
  std::map<std::string, std::size_t, std::less<>> index_;
  RosterSnapshot state_;
  std::map<std::string, std::vector<std::size_t>, std::less<>> teams_;
  std::vector<const RepState*> states_;  // into state_.reps; null: no state yet
  std::vector<const date::time_zone*> zones_;
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> segment_ids_;
  std::vector<RecordsById> records_;  // by rep position
};

}  // namespace leadrouter::core
