#include "core/strategy.hpp"

#include <algorithm>

namespace leadrouter::core {
namespace {

double credit_of(const PoolLedger* ledger, const std::string& rep_id, double start) {
  if (ledger == nullptr) {
    return start;
  }
  const auto it = ledger->credit.find(rep_id);
  return it == ledger->credit.end() ? start : it->second;
}

// The mean credit of the members that already have one: where a member
// without an entry starts. One definition for the pick and the commit, so a
// preview and the ledger it leads to always agree.
template <class Members, class IdOf>
double mean_known_credit(const PoolLedger* ledger, const Members& members, IdOf id_of) {
  if (ledger == nullptr) {
    return 0;
  }
  double sum = 0;
  int known = 0;
  for (const auto& member : members) {
    const auto it = ledger->credit.find(id_of(member));
    if (it != ledger->credit.end()) {
      sum += it->second;
      ++known;
    }
  }
  return known == 0 ? 0 : sum / known;
}

// Index of the best entry by score, ties to the smaller rep id.
std::size_t best_by_score(std::span<const StrategyEntry> eligible) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < eligible.size(); ++i) {
    const StrategyEntry& e = eligible[i];
    const StrategyEntry& b = eligible[best];
    if (e.score > b.score || (e.score == b.score && e.rep->id < b.rep->id)) {
      best = i;
    }
  }
  return best;
}

std::size_t pick_round_robin(std::span<StrategyEntry> eligible, const PoolLedger* ledger) {
  const std::string empty;
  const std::string& last = ledger == nullptr ? empty : ledger->last_rep_id;
  // Order of service: ids after the last served one, then wrap around.
  std::vector<std::size_t> order(eligible.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const std::string& ia = eligible[a].rep->id;
    const std::string& ib = eligible[b].rep->id;
    const bool wrap_a = !(ia > last);
    const bool wrap_b = !(ib > last);
    return wrap_a != wrap_b ? wrap_b : ia < ib;
  });
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    eligible[order[rank]].score = static_cast<double>(order.size() - rank);
  }
  return order.front();
}

std::size_t pick_weighted_round_robin(std::span<StrategyEntry> eligible, const PoolLedger* ledger) {
  const double start = mean_known_credit(
      ledger, eligible, [](const StrategyEntry& e) -> const std::string& { return e.rep->id; });
  for (StrategyEntry& e : eligible) {
    e.score = credit_of(ledger, e.rep->id, start) + e.rep->weight;
  }
  return best_by_score(eligible);
}

bool idle_longer(const RepState& a, const RepState& b) {
  if (!a.last_assigned_at || !b.last_assigned_at) {
    return !a.last_assigned_at && b.last_assigned_at;
  }
  return *a.last_assigned_at < *b.last_assigned_at;
}

std::size_t pick_least_loaded(std::span<StrategyEntry> eligible) {
  const double capacity = fallback_capacity(eligible);
  for (StrategyEntry& e : eligible) {
    e.score = -load_ratio(*e.rep, *e.state, capacity);
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < eligible.size(); ++i) {
    const StrategyEntry& e = eligible[i];
    const StrategyEntry& b = eligible[best];
    if (e.score != b.score) {
      if (e.score > b.score) {
        best = i;
      }
      continue;
    }
    if (idle_longer(*e.state, *b.state) ||
        (!idle_longer(*b.state, *e.state) && e.rep->id < b.rep->id)) {
      best = i;
    }
  }
  return best;
}

std::size_t pick_best_match(std::span<StrategyEntry> eligible, const StrategyContext& context) {
  const double capacity = fallback_capacity(eligible);
  const double value = context.combined_score / 100.0;
  const TrackRecord none;
  for (StrategyEntry& e : eligible) {
    const TrackRecord& record = e.record == nullptr ? none : *e.record;
    const double a =
        affinity(record, context.pool_conversion_rate, context.best_match.prior_strength);
    e.score = value * a - context.best_match.load_penalty * load_ratio(*e.rep, *e.state, capacity);
  }
  return best_by_score(eligible);
}

}  // namespace

std::size_t pick_rep(Strategy strategy, std::span<StrategyEntry> eligible,
                     const StrategyContext& context) {
  switch (strategy) {
    case Strategy::kRoundRobin:
      return pick_round_robin(eligible, context.ledger);
    case Strategy::kWeightedRoundRobin:
      return pick_weighted_round_robin(eligible, context.ledger);
    case Strategy::kLeastLoaded:
      return pick_least_loaded(eligible);
    case Strategy::kBestMatch:
      return pick_best_match(eligible, context);
  }
  return 0;
}

double fallback_capacity(std::span<const StrategyEntry> eligible) {
  int largest_cap = 0;
  int busiest = 0;
  for (const StrategyEntry& e : eligible) {
    largest_cap = std::max(largest_cap, e.rep->capacity.max_open.value_or(0));
    busiest = std::max(busiest, e.state->open_load);
  }
  return static_cast<double>(std::max({largest_cap, busiest, 1}));
}

double load_ratio(const Rep& rep, const RepState& state, double fallback) {
  const int cap = rep.capacity.max_open.value_or(0);
  const double capacity = cap > 0 ? static_cast<double>(cap) : fallback;
  return static_cast<double>(state.open_load) / capacity;
}

double pool_conversion_rate(std::int64_t assigned, std::int64_t converted) {
  return (static_cast<double>(converted) + 1.0) / (static_cast<double>(assigned) + 2.0);
}

double shrunk_conversion_rate(const TrackRecord& record, double pool_rate, double prior_strength) {
  const double k = std::max(prior_strength, 0.0);
  const double assigned = static_cast<double>(std::max<std::int64_t>(record.assigned, 0));
  const double converted =
      std::clamp(static_cast<double>(record.converted), 0.0, std::max(assigned, 0.0));
  if (assigned + k <= 0) {
    return pool_rate;
  }
  return (converted + k * pool_rate) / (assigned + k);
}

double affinity(const TrackRecord& record, double pool_rate, double prior_strength) {
  if (pool_rate <= 0) {
    return 1.0;
  }
  return shrunk_conversion_rate(record, pool_rate, prior_strength) / pool_rate;
}

double starting_credit(const PoolLedger* ledger,
                       std::span<const std::pair<std::string_view, double>> eligible) {
  return mean_known_credit(ledger, eligible, [](const std::pair<std::string_view, double>& e) {
    return std::string(e.first);
  });
}

void apply_weighted_round_robin(PoolLedger& ledger,
                                std::span<const std::pair<std::string_view, double>> eligible,
                                std::string_view chosen) {
  const double start = starting_credit(&ledger, eligible);
  double total = 0;
  for (const auto& [id, weight] : eligible) {
    auto [it, inserted] = ledger.credit.try_emplace(std::string(id), start);
    it->second += weight;
    total += weight;
  }
  ledger.credit[std::string(chosen)] -= total;
  ledger.last_rep_id = std::string(chosen);
  ++ledger.round_robin_cursor;
}

}  // namespace leadrouter::core
