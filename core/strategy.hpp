// How a pool picks one rep among its eligible members (step 8 of routing),
// and how the fairness ledger moves when such a pick is committed.
//
//   std::vector<StrategyEntry> eligible = ...;        // non-empty
//   std::size_t won = pick_rep(pool.strategy, eligible, context);
//   // eligible[won] gets the lead; every entry's score says how close it came.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/policy.hpp"
#include "core/rep.hpp"
#include "core/roster.hpp"

namespace leadrouter::core {

// One eligible pool member as a strategy sees it.
struct StrategyEntry {
  std::size_t index = 0;  // position in Roster::reps()
  const Rep* rep = nullptr;
  const RepState* state = nullptr;
  const TrackRecord* record = nullptr;  // in the lead's segment; null: no history there
  double score = 0;                     // set by the strategy; higher is better
};

struct StrategyContext {
  const PoolLedger* ledger = nullptr;  // null: the pool has no history yet
  double combined_score = 0;           // 0..100
  double pool_conversion_rate = 0.5;   // see pool_conversion_rate()
  BestMatchConfig best_match;
};

// Picks the winner among `eligible` (non-empty) and scores every entry.
// Deterministic: ties go to the smaller rep id.
//  - round-robin: the next rep id after the ledger's last served one, in id
//    order (stable when reps join or leave);
//  - weighted round-robin: smooth WRR over the ledger's credits;
//  - least-loaded: lowest open load relative to capacity, then longest idle;
//  - best-match: combined/100 x affinity - load_penalty x load ratio.
std::size_t pick_rep(Strategy strategy, std::span<StrategyEntry> eligible,
                     const StrategyContext& context);

// Open load as a share of capacity. A rep without max_open is measured
// against `fallback_capacity` (the pool's largest cap, or its busiest load).
double load_ratio(const Rep& rep, const RepState& state, double fallback_capacity);
double fallback_capacity(std::span<const StrategyEntry> eligible);

// The pool's conversion rate in a segment, Laplace-smoothed so an empty
// history reads as 0.5 rather than 0 or undefined.
double pool_conversion_rate(std::int64_t assigned, std::int64_t converted);

// A rep's conversion rate in a segment shrunk toward the pool rate by a
// Beta prior worth `prior_strength` assignments.
double shrunk_conversion_rate(const TrackRecord& record, double pool_rate, double prior_strength);

// Best-match affinity: the shrunk rate relative to the pool rate (1 = typical,
// 2 = converts this segment twice as often as the pool).
double affinity(const TrackRecord& record, double pool_rate, double prior_strength);

// Smooth weighted round-robin ledger step, shared by the pick (on a copy of
// the credits) and by Roster::commit: every eligible member earns its weight,
// the chosen one pays the total. A member without an entry (new, or never
// eligible before) starts at the mean credit of those that have one, so it
// neither bursts ahead nor starts in debt.
double starting_credit(const PoolLedger* ledger,
                       std::span<const std::pair<std::string_view, double>> eligible);
void apply_weighted_round_robin(PoolLedger& ledger,
                                std::span<const std::pair<std::string_view, double>> eligible,
                                std::string_view chosen);

}  // namespace leadrouter::core
