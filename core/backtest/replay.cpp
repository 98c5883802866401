#include "core/backtest/replay.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <queue>
#include <utility>

#include "core/backtest/history_enrichment.hpp"
#include "core/roster.hpp"
#include "core/router.hpp"
#include "core/strategy.hpp"
#include "core/working_time.hpp"

namespace leadrouter::backtest {

namespace {

Assignment summarize_decision(const core::Decision& d, const core::Roster& roster) {
  Assignment a;
  a.kind = d.assignee_kind;
  a.assignee_id = d.assignee_id;
  a.route = d.route;
  a.pool = d.pool;
  a.tier = d.tier;
  a.segment = d.segment;
  a.score = d.scores.combined;
  a.used_fallback = d.used_fallback;
  if (d.scores.model) {
    a.model_probability = d.scores.model->probability;
  }
  for (const auto& candidate : d.candidates) {
    for (const auto& exclusion : candidate.exclusions) {
      switch (exclusion.reason) {
        case core::ExclusionReason::kOpenLoadCap:
          ++a.open_cap_hits;
          break;
        case core::ExclusionReason::kDailyCap:
          ++a.daily_cap_hits;
          break;
        case core::ExclusionReason::kHourlyCap:
          ++a.hourly_cap_hits;
          break;
        default:
          break;
      }
    }
  }
  if (a.to_rep()) {
    const auto index = roster.index_of(d.assignee_id);
    if (index) {
      const core::Rep& rep = roster.reps()[*index];
      a.outside_working_hours =
          rep.working_hours.has_value() &&
          !core::in_working_hours(rep.working_hours->windows, roster.zone_at(*index), d.decided_at);
    }
  }
  return a;
}

// Track records built from the outcomes of the leads replayed so far, shared
// by every policy (see replay.hpp).
class Evidence {
 public:
  // How likely `lead` was to convert with the owner `a` chose, judged on
  // earlier leads only. `segment` is the reference policy's segment.
  // nullopt before any outcome is known: a rate from nothing but the prior
  // would only add noise to the sum.
  std::optional<double> estimate(const Assignment& a, const std::string& segment,
                                 double prior_strength) const {
    if (a.model_probability) {
      return *a.model_probability;
    }
    if (all_.assigned == 0) {
      return std::nullopt;
    }
    const double overall = core::pool_conversion_rate(all_.assigned, all_.converted);
    const double segment_rate =
        core::shrunk_conversion_rate(find(segments_, segment), overall, prior_strength);
    if (!a.to_rep()) {
      return segment_rate;
    }
    return core::shrunk_conversion_rate(find(reps_, std::pair{a.assignee_id, segment}),
                                        segment_rate, prior_strength);
  }

  void add(const Assignment& reference, bool converted) {
    const core::TrackRecord one{1, converted ? 1 : 0};
    add_to(all_, one);
    add_to(segments_[reference.segment], one);
    if (reference.to_rep()) {
      add_to(reps_[{reference.assignee_id, reference.segment}], one);
    }
  }

 private:
  static void add_to(core::TrackRecord& r, const core::TrackRecord& one) {
    r.assigned += one.assigned;
    r.converted += one.converted;
  }
  template <typename Map, typename Key>
  static core::TrackRecord find(const Map& map, const Key& key) {
    const auto it = map.find(key);
    return it == map.end() ? core::TrackRecord{} : it->second;
  }

  core::TrackRecord all_;
  std::map<std::string, core::TrackRecord> segments_;
  std::map<std::pair<std::string, std::string>, core::TrackRecord> reps_;
};

}  // namespace

std::string assignee_label(const Assignment& a) {
  switch (a.kind) {
    case core::AssigneeKind::kRep:
      return a.assignee_id;
    case core::AssigneeKind::kQueue:
      return "queue:" + a.assignee_id;
    case core::AssigneeKind::kWorkflow:
      return "workflow:" + a.assignee_id;
  }
  return a.assignee_id;
}

bool same_assignee(const Assignment& a, const Assignment& b) {
  return a.kind == b.kind && a.assignee_id == b.assignee_id;
}

std::expected<Replay, Error> replay(std::span<const core::Lead> leads,
                                    std::span<const PolicyUnderTest> policies,
                                    const ReplayOptions& options) {
  if (policies.empty()) {
    return std::unexpected(Error::invalid_input("backtest: no policy to replay"));
  }
  for (const auto& p : policies) {
    if (!p.policy || !p.free_mail) {
      return std::unexpected(
          Error::invalid_input(fmt::format("backtest: policy '{}' is not loaded", p.label)));
    }
  }
  for (const auto& lead : leads) {
    if (!lead.created_at) {
      return std::unexpected(Error::invalid_input(fmt::format(
          "backtest: lead '{}' has no created_at, so there is no moment to decide it at",
          lead.id)));
    }
  }

  // Time order, ties by id, so the file's order never changes the result.
  std::vector<std::size_t> order(leads.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (*leads[a].created_at != *leads[b].created_at) {
      return *leads[a].created_at < *leads[b].created_at;
    }
    return leads[a].id < leads[b].id;
  });

  auto enrichment =
      HistoryEnrichment::create(options.accounts, options.suffixes, policies.front().free_mail,
                                options.match_options, options.detect_duplicates);
  if (!enrichment) {
    return std::unexpected(enrichment.error());
  }

  Replay result;
  const bool with_outcomes = options.outcomes != nullptr && !options.outcomes->empty();
  std::vector<core::Router> routers;
  std::vector<core::Roster> rosters;
  for (const auto& p : policies) {
    routers.emplace_back(p.policy, p.free_mail, p.model);
    rosters.emplace_back(p.reps);
    PolicyRun run;
    run.label = p.label;
    run.policy_name = p.policy->name;
    run.policy_version = p.policy->version;
    run.reps = p.reps;
    run.assignments.reserve(leads.size());
    result.runs.push_back(std::move(run));
  }
  result.leads.reserve(leads.size());

  // Per run: (release time, rep id) of the open leads, soonest first.
  using OpenLead = std::pair<Timestamp, std::string>;
  std::vector<std::priority_queue<OpenLead, std::vector<OpenLead>, std::greater<>>> open(
      policies.size());

  Evidence evidence;
  // Outcomes not known yet: (when known, position in replay order).
  using PendingOutcome = std::pair<Timestamp, std::size_t>;
  std::priority_queue<PendingOutcome, std::vector<PendingOutcome>, std::greater<>> pending;
  const auto learn = [&](std::size_t position) {
    const bool converted = *result.leads[position].converted;
    evidence.add(result.runs.front().assignments[position], converted);
    for (std::size_t p = 0; p < policies.size(); ++p) {
      const Assignment& a = result.runs[p].assignments[position];
      if (a.to_rep()) {
        rosters[p].record_outcome(a.assignee_id, a.segment, converted);
      }
    }
  };

  std::size_t done = 0;
  for (const std::size_t i : order) {
    const core::Lead& lead = leads[i];
    ReplayedLead replayed{lead.id, *lead.created_at, std::nullopt};
    if (options.outcomes != nullptr) {
      if (const auto it = options.outcomes->find(lead.id); it != options.outcomes->end()) {
        replayed.converted = it->second;
        result.has_outcomes = true;
      }
    }
    while (!pending.empty() && pending.top().first <= *lead.created_at) {
      learn(pending.top().second);
      pending.pop();
    }
    const std::optional<core::AccountMatch> account = enrichment->match_account(lead);
    const auto repeat = enrichment->earlier_duplicate(lead);
    for (std::size_t p = 0; p < policies.size(); ++p) {
      while (!open[p].empty() && open[p].top().first <= *lead.created_at) {
        rosters[p].release(open[p].top().second);
        open[p].pop();
      }
      core::Enrichment known;
      known.account = account;
      if (repeat) {
        // The earlier lead's owner is whoever THIS policy gave it to.
        const Assignment& earlier = result.runs[p].assignments[repeat->position];
        known.duplicate =
            core::DuplicateMatch{result.leads[repeat->position].id, "lead",
                                 earlier.to_rep() ? earlier.assignee_id : "", repeat->reason};
      }
      const core::Decision d = routers[p].route(lead, known, rosters[p], *lead.created_at);
      rosters[p].commit(d);
      if (options.open_for && d.assignee_kind == core::AssigneeKind::kRep) {
        open[p].emplace(*lead.created_at + *options.open_for, d.assignee_id);
      }
      Assignment& a = result.runs[p].assignments.emplace_back(summarize_decision(d, rosters[p]));
      if (account) {
        a.account_id = account->account_id;
      }
      if (repeat) {
        a.duplicate_of = result.leads[repeat->position].id;
      }
    }
    enrichment->remember(lead, result.leads.size());
    if (with_outcomes) {
      const std::string& segment = result.runs.front().assignments.back().segment;
      for (std::size_t p = 0; p < policies.size(); ++p) {
        Assignment& a = result.runs[p].assignments.back();
        a.expected_conversion =
            evidence.estimate(a, segment, policies[p].policy->best_match.prior_strength);
      }
    }
    if (replayed.converted) {
      // Only after every policy decided and was judged does this lead's
      // outcome start to count, and for the leads after it only.
      pending.emplace(*lead.created_at + options.outcome_delay, result.leads.size());
    }
    result.leads.push_back(std::move(replayed));
    ++done;
    if (options.progress && options.progress_every > 0 && done % options.progress_every == 0) {
      options.progress(done, leads.size());
    }
  }
  return result;
}

}  // namespace leadrouter::backtest
