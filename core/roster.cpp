#include "core/roster.hpp"

#include <algorithm>
#include <utility>

#include "core/strategy.hpp"
#include "core/working_time.hpp"

namespace leadrouter::core {
namespace {

const RepState& empty_state() {
  static const RepState kEmpty;
  return kEmpty;
}

}  // namespace

Roster::Roster(std::vector<Rep> reps, RosterSnapshot state)
    : reps_(std::move(reps)), state_(std::move(state)) {
  rebuild_indexes();
}

Roster::Roster(const Roster& other) : reps_(other.reps_), state_(other.state_) {
  rebuild_indexes();
}

Roster::Roster(Roster&& other) noexcept
    : reps_(std::move(other.reps_)), state_(std::move(other.state_)) {
  rebuild_indexes();
}

Roster& Roster::operator=(const Roster& other) {
  if (this != &other) {
    reps_ = other.reps_;
    state_ = other.state_;
    rebuild_indexes();
  }
  return *this;
}

Roster& Roster::operator=(Roster&& other) noexcept {
  if (this != &other) {
    reps_ = std::move(other.reps_);
    state_ = std::move(other.state_);
    rebuild_indexes();
  }
  return *this;
}

void Roster::rebuild_indexes() {
  index_.clear();
  teams_.clear();
  segment_ids_.clear();
  states_.assign(reps_.size(), nullptr);
  records_.assign(reps_.size(), {});
  zones_.assign(reps_.size(), nullptr);
  for (std::size_t i = 0; i < reps_.size(); ++i) {
    const Rep& rep = reps_[i];
    // A duplicated id keeps its first entry, as find() always did.
    index_.try_emplace(rep.id, i);
    for (const std::string& team : rep.teams) {
      std::vector<std::size_t>& members = teams_[team];
      if (members.empty() || members.back() != i) {
        members.push_back(i);
      }
    }
    if (const auto it = state_.reps.find(rep.id); it != state_.reps.end()) {
      states_[i] = &it->second;
      for (const auto& [segment, record] : it->second.track_record) {
        records_[i].emplace_back(intern_segment(segment), record);
      }
      std::sort(records_[i].begin(), records_[i].end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    if (rep.working_hours) {
      zones_[i] = find_time_zone(rep.working_hours->time_zone);
    }
  }
}

const Rep* Roster::find(std::string_view rep_id) const {
  const auto it = index_.find(rep_id);
  return it == index_.end() ? nullptr : &reps_[it->second];
}

const RepState& Roster::state(std::string_view rep_id) const {
  const auto it = index_.find(rep_id);
  if (it != index_.end()) {
    return state_at(it->second);
  }
  // A rep no longer on the roster may still have state worth reading.
  const auto kept = state_.reps.find(std::string(rep_id));
  return kept == state_.reps.end() ? empty_state() : kept->second;
}

const PoolLedger* Roster::ledger(std::string_view pool) const {
  const auto it = state_.pools.find(std::string(pool));
  return it == state_.pools.end() ? nullptr : &it->second;
}

std::optional<std::size_t> Roster::index_of(std::string_view rep_id) const {
  const auto it = index_.find(rep_id);
  if (it == index_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::span<const std::size_t> Roster::team_members(std::string_view team) const {
  const auto it = teams_.find(team);
  if (it == teams_.end()) {
    return {};
  }
  return it->second;
}

const RepState& Roster::state_at(std::size_t index) const {
  const RepState* s = states_[index];
  return s == nullptr ? empty_state() : *s;
}

std::uint32_t Roster::intern_segment(const std::string& segment) {
  const auto [it, inserted] =
      segment_ids_.try_emplace(segment, static_cast<std::uint32_t>(segment_ids_.size()));
  return it->second;
}

std::optional<std::uint32_t> Roster::segment_id(std::string_view segment) const {
  const auto it = segment_ids_.find(segment);
  if (it == segment_ids_.end()) {
    return std::nullopt;
  }
  return it->second;
}

const TrackRecord* Roster::track_record_at(std::size_t index, std::uint32_t segment_id) const {
  // A rep has records in a few dozen segments at most: a straight scan reads
  // them in order, which the prefetcher likes better than binary search's
  // dependent jumps.
  for (const auto& [id, record] : records_[index]) {
    if (id >= segment_id) {
      return id == segment_id ? &record : nullptr;
    }
  }
  return nullptr;
}

void Roster::add_to_track_record(std::size_t index, const std::string& segment,
                                 std::int64_t assigned, std::int64_t converted) {
  TrackRecord& record = mutable_state(index).track_record[segment];
  record.assigned += assigned;
  record.converted += converted;
  const std::uint32_t id = intern_segment(segment);
  RecordsById& copies = records_[index];
  auto pos = std::lower_bound(copies.begin(), copies.end(), id,
                              [](const auto& e, std::uint32_t i) { return e.first < i; });
  if (pos == copies.end() || pos->first != id) {
    pos = copies.insert(pos, {id, TrackRecord{}});
  }
  pos->second = record;
}

RepState& Roster::mutable_state(std::size_t index) {
  RepState& s = state_.reps[reps_[index].id];
  states_[index] = &s;
  return s;
}

int Roster::assigned_today(const Rep& rep, Timestamp now) const {
  const auto index = index_of(rep.id);
  const date::time_zone* zone = index ? zones_[*index] : nullptr;
  const RepState& s = state(rep.id);
  return s.day_key == local_day_key(zone, now) ? s.assigned_in_day : 0;
}

int Roster::assigned_this_hour(const Rep& rep, Timestamp now) const {
  const RepState& s = state(rep.id);
  return s.hour_key == utc_hour_key(now) ? s.assigned_in_hour : 0;
}

void Roster::commit(const Decision& decision) {
  if (decision.assignee_kind != AssigneeKind::kRep) {
    return;
  }
  const auto index = index_of(decision.assignee_id);
  if (!index) {
    // The rep left the roster between route and commit; there is no one to
    // charge, and charging the pool's ledger would skew the others.
    return;
  }
  const Timestamp at = decision.decided_at;
  RepState& s = mutable_state(*index);
  ++s.open_load;
  const std::int64_t day = local_day_key(zones_[*index], at);
  if (s.day_key != day) {
    s.day_key = day;
    s.assigned_in_day = 0;
  }
  ++s.assigned_in_day;
  const std::int64_t hour = utc_hour_key(at);
  if (s.hour_key != hour) {
    s.hour_key = hour;
    s.assigned_in_hour = 0;
  }
  ++s.assigned_in_hour;
  s.last_assigned_at = at;
  add_to_track_record(*index, decision.segment, 1, 0);

  if (decision.pool.empty()) {
    return;
  }
  PoolLedger& ledger = state_.pools[decision.pool];
  if (decision.strategy == Strategy::kWeightedRoundRobin) {
    std::vector<std::pair<std::string_view, double>> eligible;
    for (const Candidate& c : decision.candidates) {
      if (c.pool != decision.pool || !c.eligible()) {
        continue;
      }
      const Rep* rep = find(c.rep_id);
      if (rep != nullptr) {
        eligible.emplace_back(rep->id, rep->weight);
      }
    }
    apply_weighted_round_robin(ledger, eligible, decision.assignee_id);
  } else {
    ledger.last_rep_id = decision.assignee_id;
    ++ledger.round_robin_cursor;
  }
}

void Roster::release(std::string_view rep_id) {
  const auto index = index_of(rep_id);
  if (!index) {
    return;
  }
  RepState& s = mutable_state(*index);
  s.open_load = std::max(0, s.open_load - 1);
}

void Roster::record_outcome(std::string_view rep_id, const std::string& segment, bool converted) {
  const auto index = index_of(rep_id);
  if (!index || !converted) {
    return;
  }
  add_to_track_record(*index, segment, 0, 1);
}

void Roster::set_reps(std::vector<Rep> reps) {
  reps_ = std::move(reps);
  rebuild_indexes();
}

}  // namespace leadrouter::core
