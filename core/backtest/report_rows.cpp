#include "core/backtest/report_rows.hpp"

#include <fmt/core.h>

#include <cmath>
#include <map>
#include <set>

#include "core/time.hpp"

namespace leadrouter::backtest {

namespace {

std::string signed_count(std::int64_t d) {
  return d == 0 ? "0" : fmt::format("{:+d}", d);
}

std::string signed_fixed(double d, int precision) {
  const std::string s = fmt::format("{:+.{}f}", d, precision);
  // "-0.000" and "+0.000" both read as no change.
  return s.find_first_not_of("+-0.") == std::string::npos ? fmt::format("{:.{}f}", 0.0, precision)
                                                          : s;
}

class RowBuilder {
 public:
  explicit RowBuilder(std::size_t runs) : runs_(runs) {}

  ReportRow counts(std::string label, const std::vector<std::int64_t>& values) const {
    ReportRow row{std::move(label), {}};
    for (const auto v : values) {
      row.cells.push_back(fmt::format("{}", v));
    }
    if (runs_ == 2) {
      row.cells.push_back(signed_count(values[1] - values[0]));
    }
    return row;
  }

  ReportRow fixed(std::string label, const std::vector<double>& values, int precision) const {
    ReportRow row{std::move(label), {}};
    for (const auto v : values) {
      row.cells.push_back(fmt::format("{:.{}f}", v, precision));
    }
    if (runs_ == 2) {
      // The change of the shown (rounded) values, so the row adds up.
      const double scale = std::pow(10.0, precision);
      row.cells.push_back(signed_fixed(
          (std::round(values[1] * scale) - std::round(values[0] * scale)) / scale, precision));
    }
    return row;
  }

 private:
  std::size_t runs_;
};

template <typename Fn>
auto per_run(const std::vector<PolicySummary>& summaries, Fn&& fn) {
  std::vector<decltype(fn(summaries.front()))> values;
  for (const auto& s : summaries) {
    values.push_back(fn(s));
  }
  return values;
}

std::int64_t count_in(const std::map<std::string, std::int64_t>& map, const std::string& key) {
  const auto it = map.find(key);
  return it == map.end() ? 0 : it->second;
}

}  // namespace

std::string score_bin_label(std::size_t bin) {
  return bin == 9 ? "[90,100]" : fmt::format("[{},{})", bin * 10, bin * 10 + 10);
}

ReportTables build_report_tables(const Replay& replay) {
  ReportTables t;
  const std::size_t runs = replay.runs.size();
  for (std::size_t r = 0; r < runs; ++r) {
    t.summaries.push_back(summarize(replay, r));
    t.heads.push_back(replay.runs[r].label);
  }
  if (runs == 2) {
    t.heads.emplace_back("change");
  }
  const RowBuilder rows(runs);
  const auto& s = t.summaries;

  t.heading = replay.leads.empty()
                  ? "Backtest of 0 leads"
                  : fmt::format("Backtest of {} leads created {} to {}", replay.leads.size(),
                                format_iso8601(replay.leads.front().created_at),
                                format_iso8601(replay.leads.back().created_at));

  ReportRow policy{"policy", {}};
  for (const auto& run : replay.runs) {
    policy.cells.push_back(fmt::format("{} v{}", run.policy_name, run.policy_version));
  }
  if (runs == 2) {
    policy.cells.emplace_back("");
  }
  t.summary.push_back(std::move(policy));
  t.summary.push_back(rows.counts("leads to reps", per_run(s, [](auto& x) { return x.to_reps; })));
  t.summary.push_back(
      rows.counts("leads to queues", per_run(s, [](auto& x) { return x.to_queues; })));
  t.summary.push_back(
      rows.counts("leads to workflows", per_run(s, [](auto& x) { return x.to_workflows; })));
  t.summary.push_back(
      rows.counts("via a fallback", per_run(s, [](auto& x) { return x.via_fallback; })));
  t.summary.push_back(
      rows.fixed("load Gini (active reps)", per_run(s, [](auto& x) { return x.load_gini; }), 3));
  t.summary.push_back(rows.counts("cap exclusions: open load",
                                  per_run(s, [](auto& x) { return x.open_cap_hits; })));
  t.summary.push_back(
      rows.counts("cap exclusions: daily", per_run(s, [](auto& x) { return x.daily_cap_hits; })));
  t.summary.push_back(
      rows.counts("cap exclusions: hourly", per_run(s, [](auto& x) { return x.hourly_cap_hits; })));
  t.summary.push_back(rows.counts("leads that met a cap",
                                  per_run(s, [](auto& x) { return x.leads_hitting_a_cap; })));
  t.summary.push_back(rows.counts("assigned outside working hours",
                                  per_run(s, [](auto& x) { return x.outside_working_hours; })));
  if (runs >= 2) {
    ReportRow changed{"owner differs from " + replay.runs[0].label, {}};
    for (std::size_t r = 0; r < runs; ++r) {
      changed.cells.push_back(r == 0
                                  ? "-"
                                  : fmt::format("{:.1f}% ({})", 100 * changed_share(replay, 0, r),
                                                changed_count(replay, 0, r)));
    }
    if (runs == 2) {
      changed.cells.emplace_back("");
    }
    t.summary.push_back(std::move(changed));
  }
  if (replay.has_outcomes) {
    t.summary.push_back(
        rows.fixed("expected conversions",
                   per_run(s, [](auto& x) { return x.expected_conversions.value_or(0.0); }), 1));
    t.summary.push_back(rows.counts("  over leads with evidence",
                                    per_run(s, [](auto& x) { return x.estimated_leads; })));
    t.summary.push_back(rows.counts("  of which converted (history)", per_run(s, [](auto& x) {
                                      return x.actual_conversions_estimated;
                                    })));
    ReportRow actual{"converted in history (all leads)", {}};
    for (std::size_t r = 0; r < runs; ++r) {
      actual.cells.push_back(fmt::format("{} of {}", s[r].actual_conversions, s[r].known_outcomes));
    }
    if (runs == 2) {
      actual.cells.emplace_back("");
    }
    t.summary.push_back(std::move(actual));
    t.notes.emplace_back(
        "Expected conversions: per lead, the model's probability when the policy has a model,\n"
        "else the chosen rep's shrunk conversion rate in the lead's segment, learned only from\n"
        "outcomes known before the lead arrived (credited to the " +
        replay.runs[0].label +
        " owner), summed over\nthe leads decided once some outcome was known.");
  }
  t.notes.emplace_back(
      "Cap exclusions count reps passed over because a cap was reached; a lead may meet\n"
      "several. Load Gini: 0 = every active rep got the same number of leads.");

  // Reps: the first run's roster order, then any rep only a later run knows.
  std::map<std::string, std::size_t> rep_position;
  for (std::size_t r = 0; r < runs; ++r) {
    for (const auto& v : s[r].volume) {
      auto [it, inserted] = rep_position.emplace(v.rep_id, t.rep_ids.size());
      if (inserted) {
        t.rep_ids.push_back(v.rep_id);
        t.rep_names.push_back(v.name);
        t.rep_volume.emplace_back(runs, 0);
      }
      t.rep_volume[it->second][r] = v.leads;
    }
  }
  for (std::size_t i = 0; i < t.rep_ids.size(); ++i) {
    const std::string label =
        t.rep_names[i].empty() ? t.rep_ids[i] : fmt::format("{} {}", t.rep_ids[i], t.rep_names[i]);
    t.volume.push_back(rows.counts(label, t.rep_volume[i]));
  }

  std::set<std::string> tiers;
  std::set<std::string> routes;
  for (const auto& x : s) {
    for (const auto& [name, n] : x.tiers) {
      tiers.insert(name);
    }
    for (const auto& [name, n] : x.routes) {
      routes.insert(name);
    }
  }
  for (const auto& tier : tiers) {
    t.tiers.push_back(
        rows.counts(tier, per_run(s, [&](auto& x) { return count_in(x.tiers, tier); })));
  }
  for (const auto& route : routes) {
    t.routes.push_back(
        rows.counts(route, per_run(s, [&](auto& x) { return count_in(x.routes, route); })));
  }
  for (std::size_t bin = 0; bin < 10; ++bin) {
    t.scores.push_back(
        rows.counts(score_bin_label(bin), per_run(s, [&](auto& x) { return x.scores[bin]; })));
  }
  return t;
}

}  // namespace leadrouter::backtest
