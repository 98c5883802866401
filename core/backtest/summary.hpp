// The figures a backtest reports per policy, and the comparison between two
// policies, computed from a Replay.
//
//   auto s = backtest::summarize(replay, 1);           // the second policy
//   double moved = backtest::changed_share(replay, 0, 1);
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/backtest/replay.hpp"

namespace leadrouter::backtest {

// The Gini coefficient of a distribution of counts: 0 when everyone has the
// same, approaching 1 when one holds everything. 0 for an empty list or an
// all-zero one.
double gini(std::span<const std::int64_t> counts);

// Combined scores in ten bands of ten points: [0,10), [10,20) ... [90,100].
using ScoreHistogram = std::array<std::int64_t, 10>;
std::size_t score_bin(double score);

struct RepVolume {
  std::string rep_id;
  std::string name;
  std::int64_t leads = 0;
};

struct PolicySummary {
  std::string label;
  std::string policy_name;
  std::int64_t leads = 0;
  std::int64_t to_reps = 0;
  std::int64_t to_queues = 0;
  std::int64_t to_workflows = 0;
  std::int64_t via_fallback = 0;
  std::vector<RepVolume> volume;  // every rep of the roster, in roster order
  double load_gini = 0;           // over the active reps' lead counts
  std::int64_t open_cap_hits = 0;
  std::int64_t daily_cap_hits = 0;
  std::int64_t hourly_cap_hits = 0;
  std::int64_t leads_hitting_a_cap = 0;  // decisions with at least one cap exclusion
  std::int64_t outside_working_hours = 0;
  std::map<std::string, std::int64_t> tiers;
  std::map<std::string, std::int64_t> routes;
  ScoreHistogram scores{};
  // With outcomes only: the sum of the per-lead estimates over the leads
  // that have one, and what actually happened to those same leads.
  std::optional<double> expected_conversions;
  std::int64_t estimated_leads = 0;
  std::int64_t actual_conversions_estimated = 0;
  // Over all leads with a known outcome.
  std::int64_t known_outcomes = 0;
  std::int64_t actual_conversions = 0;

  std::int64_t cap_hits() const { return open_cap_hits + daily_cap_hits + hourly_cap_hits; }
};

PolicySummary summarize(const Replay& replay, std::size_t run);

// The share (0..1) of leads whose owner differs between two runs.
double changed_share(const Replay& replay, std::size_t a, std::size_t b);
std::int64_t changed_count(const Replay& replay, std::size_t a, std::size_t b);

}  // namespace leadrouter::backtest
