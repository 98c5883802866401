// The reps and their live state: open loads, per-day / per-hour counters,
// round-robin cursors and the fairness ledger. The router only reads a
// Roster; state changes happen through commit(), so previews have no effect.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decision.hpp"
#include "core/rep.hpp"

namespace leadrouter::core {

struct TrackRecord {
  std::int64_t assigned = 0;
  std::int64_t converted = 0;
};

struct RepState {
  int open_load = 0;
  // Counters are keyed by the period they count, so a new day or hour starts
  // at zero without anyone resetting them.
  std::int64_t day_key = -1;   // local calendar day (days since epoch, rep's time zone)
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

 private:
  std::vector<Rep> reps_;
  std::map<std::string, std::size_t, std::less<>> index_;
  RosterSnapshot state_;
};

}  // namespace leadrouter::core
