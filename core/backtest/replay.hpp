// Replaying lead history through one or more policies: "what would this
// policy have done?". Leads are decided in created_at order (ties by id), each
// at its own created_at, so daily and hourly caps, open loads, round-robin
// fairness and working hours apply as they would have at the time. Every
// policy starts from a fresh roster and commits each of its decisions to it;
// a lead assigned to a rep is released from the rep's open load
// `ReplayOptions::open_for` after its decision.
//
//   std::vector<backtest::PolicyUnderTest> runs = {baseline, candidate};
//   auto replay = backtest::replay(leads, runs, {.outcomes = &outcomes});
//
// Outcomes. A lead's outcome (converted or not) becomes known
// `ReplayOptions::outcome_delay` after it was created. From then on it counts
// in each policy's roster as a track record of the rep that policy chose
// (Roster::record_outcome), which best-match learns from, as it would live.
// The replay assumes a lead converts or not whoever gets it.
//
// Accounts and duplicates. Given the CRM's accounts, each lead is matched to
// one (core/matching) as the sidecar matches it live, so routes to the
// account owner fire; an account joins only once the replay reaches its
// created_at. A lead that repeats an earlier lead of the history (the same
// email, or the same first and last name at the same normalized company) is
// that lead's duplicate: it goes to the owner this policy gave the earlier
// lead, or to a queue, never to a second rep, as it would live.
//
// Expected conversion. With outcomes, each decision gets an estimate of how
// likely the lead was to convert with the owner that policy chose: the model's
// probability when the policy scores with a model, otherwise the chosen rep's
// conversion rate in the lead's segment, shrunk toward the segment's rate by
// the policy's best-match prior (as best-match itself does). The track records
// behind that rate hold only outcomes known before the lead was decided (so
// only EARLIER leads'), each credited to the rep the first policy (the
// reference: the baseline, which stands for who actually worked the history)
// gave it, so that every policy is judged against the same evidence and no
// estimate sees its own outcome or a later one.
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/backtest/accounts_file.hpp"
#include "core/backtest/history.hpp"
#include "core/decision.hpp"
#include "core/error.hpp"
#include "core/lead.hpp"
#include "core/lead_facts.hpp"
#include "core/matching/account_index.hpp"
#include "core/matching/public_suffix.hpp"
#include "core/model_scorer.hpp"
#include "core/policy.hpp"
#include "core/rep.hpp"

namespace leadrouter::backtest {

struct PolicyUnderTest {
  std::string label;  // "baseline", "new": column headings of the reports
  std::shared_ptr<const core::Policy> policy;
  std::shared_ptr<const core::FreeMailDomains> free_mail;
  std::shared_ptr<const core::ModelScorer> model;  // may be null
  std::vector<core::Rep> reps;                     // the roster it starts from
};

// What a policy did with one lead, kept small so long histories fit in memory.
struct Assignment {
  core::AssigneeKind kind = core::AssigneeKind::kQueue;
  std::string assignee_id;
  std::string route;
  std::string pool;
  std::string tier;
  std::string segment;
  double score = 0;  // combined, 0..100
  bool used_fallback = false;
  // Candidates excluded by a cap in this decision, per cap.
  int open_cap_hits = 0;
  int daily_cap_hits = 0;
  int hourly_cap_hits = 0;
  // Given to a rep whose working hours did not include the decision time.
  bool outside_working_hours = false;
  std::optional<double> model_probability;
  // See "Expected conversion" above; absent without outcomes, and for leads
  // decided before any outcome was known (unless the policy has a model).
  std::optional<double> expected_conversion;
  std::string account_id;    // the matched account, "" when none
  std::string duplicate_of;  // the earlier lead this one repeats, "" when none

  bool to_rep() const { return kind == core::AssigneeKind::kRep; }
};

// "005US01" for a rep, "queue:us-inbound", "workflow:wf-nurture".
std::string assignee_label(const Assignment& a);
bool same_assignee(const Assignment& a, const Assignment& b);

struct PolicyRun {
  std::string label;
  std::string policy_name;
  int policy_version = 0;
  std::vector<core::Rep> reps;
  std::vector<Assignment> assignments;  // parallel to Replay::leads
};

struct ReplayedLead {
  std::string id;
  Timestamp created_at;
  std::optional<bool> converted;  // from the outcomes, when known
};

struct Replay {
  std::vector<ReplayedLead> leads;  // in replay order
  std::vector<PolicyRun> runs;      // in the order given
  bool has_outcomes = false;        // at least one lead has a known outcome
};

struct ReplayOptions {
  const Outcomes* outcomes = nullptr;  // may be null
  // How long an assigned lead counts toward its rep's open load before it is
  // taken as worked (history rarely says when each lead was). nullopt: never
  // released, so max_open caps fill up for good.
  std::optional<std::chrono::seconds> open_for = std::chrono::hours{48};
  // How long after its creation a lead's outcome is known. 0: right after
  // its decision.
  std::chrono::seconds outcome_delay{0};
  // The CRM's accounts to match leads against; empty: no account matching.
  // `suffixes` must be set when there are accounts.
  std::span<const HistoricalAccount> accounts;
  std::shared_ptr<const matching::PublicSuffixList> suffixes;
  matching::MatchOptions match_options;
  // Whether repeats of earlier leads count as their duplicates.
  bool detect_duplicates = true;
  // Called after every `progress_every` leads with (done, total).
  std::function<void(std::size_t, std::size_t)> progress;
  std::size_t progress_every = 10000;
};

// Errors: no policy, a lead without created_at (named by id), accounts
// without suffixes, or an account the index refuses.
std::expected<Replay, Error> replay(std::span<const core::Lead> leads,
                                    std::span<const PolicyUnderTest> policies,
                                    const ReplayOptions& options = {});

}  // namespace leadrouter::backtest
