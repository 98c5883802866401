#include "core/backtest/summary.hpp"

#include <algorithm>
#include <cmath>

namespace leadrouter::backtest {

double gini(std::span<const std::int64_t> counts) {
  if (counts.empty()) {
    return 0;
  }
  std::vector<std::int64_t> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end());
  double total = 0;
  double weighted = 0;  // sum of rank * value, ranks from 1
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    total += static_cast<double>(sorted[i]);
    weighted += static_cast<double>(i + 1) * static_cast<double>(sorted[i]);
  }
  if (total <= 0) {
    return 0;
  }
  const double n = static_cast<double>(sorted.size());
  return std::max(0.0, (2 * weighted) / (n * total) - (n + 1) / n);
}

std::size_t score_bin(double score) {
  if (!(score > 0)) {
    return 0;
  }
  return std::min<std::size_t>(9, static_cast<std::size_t>(std::floor(score / 10)));
}

PolicySummary summarize(const Replay& replay, std::size_t run_index) {
  const PolicyRun& run = replay.runs.at(run_index);
  PolicySummary s;
  s.label = run.label;
  s.policy_name = run.policy_name;
  std::map<std::string, std::int64_t> per_rep;
  double expected = 0;
  for (std::size_t i = 0; i < run.assignments.size(); ++i) {
    const Assignment& a = run.assignments[i];
    ++s.leads;
    switch (a.kind) {
      case core::AssigneeKind::kRep:
        ++s.to_reps;
        ++per_rep[a.assignee_id];
        break;
      case core::AssigneeKind::kQueue:
        ++s.to_queues;
        break;
      case core::AssigneeKind::kWorkflow:
        ++s.to_workflows;
        break;
    }
    s.via_fallback += a.used_fallback ? 1 : 0;
    s.open_cap_hits += a.open_cap_hits;
    s.daily_cap_hits += a.daily_cap_hits;
    s.hourly_cap_hits += a.hourly_cap_hits;
    s.leads_hitting_a_cap += (a.open_cap_hits + a.daily_cap_hits + a.hourly_cap_hits) > 0 ? 1 : 0;
    s.outside_working_hours += a.outside_working_hours ? 1 : 0;
    ++s.tiers[a.tier.empty() ? "(none)" : a.tier];
    ++s.routes[a.route.empty() ? "(none)" : a.route];
    ++s.scores[score_bin(a.score)];
    const auto& converted = replay.leads.at(i).converted;
    if (a.expected_conversion) {
      expected += *a.expected_conversion;
      ++s.estimated_leads;
      s.actual_conversions_estimated += converted.value_or(false) ? 1 : 0;
    }
    if (converted) {
      ++s.known_outcomes;
      s.actual_conversions += *converted ? 1 : 0;
    }
  }
  if (replay.has_outcomes) {
    s.expected_conversions = expected;
  }
  std::vector<std::int64_t> active_counts;
  for (const auto& rep : run.reps) {
    const auto it = per_rep.find(rep.id);
    const std::int64_t n = it == per_rep.end() ? 0 : it->second;
    s.volume.push_back({rep.id, rep.name, n});
    if (rep.active) {
      active_counts.push_back(n);
    }
  }
  s.load_gini = gini(active_counts);
  return s;
}

std::int64_t changed_count(const Replay& replay, std::size_t a, std::size_t b) {
  const auto& x = replay.runs.at(a).assignments;
  const auto& y = replay.runs.at(b).assignments;
  std::int64_t changed = 0;
  for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
    changed += same_assignee(x[i], y[i]) ? 0 : 1;
  }
  return changed;
}

double changed_share(const Replay& replay, std::size_t a, std::size_t b) {
  const auto n = replay.leads.size();
  return n == 0 ? 0.0 : static_cast<double>(changed_count(replay, a, b)) / static_cast<double>(n);
}

}  // namespace leadrouter::backtest
