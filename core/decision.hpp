// The router's output: who gets the lead and why, with everything needed to
// audit the choice later and to write it back to the CRM.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/lead_facts.hpp"
#include "core/model_scorer.hpp"
#include "core/policy.hpp"
#include "core/time.hpp"

namespace leadrouter::core {

struct FitHit {
  std::string rule;  // FitRule::name
  double points = 0;
};

struct IntentPart {
  std::string signal;  // event type
  int events = 0;
  double points = 0;  // decayed, weighted sum before scaling
};

struct Scores {
  double fit = 0;  // 0..100
  std::vector<FitHit> fit_hits;
  double intent = 0;  // 0..100
  std::vector<IntentPart> intent_parts;
  std::optional<ModelScore> model;  // absent: no model configured, or it failed (see model_error)
  std::string model_error;
  double combined = 0;  // 0..100
};

enum class ExclusionReason {
  kInactive,
  kOutOfOffice,
  kOutsideWorkingHours,
  kOpenLoadCap,
  kDailyCap,
  kHourlyCap,
  kMissingSkill,
  kMissingLanguage,
  kTerritoryMismatch,
  kAlreadyHadLead,  // SLA reassignment never returns a lead to a previous owner
};

const char* to_string(ExclusionReason reason);

struct Exclusion {
  ExclusionReason reason;
  std::string detail;  // "daily cap 15 reached", "missing skill 'spanish'"
};

struct Candidate {
  std::string rep_id;
  std::string rep_name;
  std::string pool;  // the pool it was considered in; "" for an account / duplicate owner
  std::vector<Exclusion> exclusions;  // empty: eligible
  double strategy_score = 0;          // higher wins; meaning depends on the strategy
  std::string note;                   // why it won or lost among the eligible
  bool eligible() const { return exclusions.empty(); }
};

// One step of the route / fallback walk, for the audit trail.
struct RouteStep {
  std::string route;  // route name, "tier:<name> nurture" or "final_fallback"
  Destination destination;
  std::string outcome;  // "matched", "no eligible rep in pool 'emea'", ...
};

enum class AssigneeKind { kRep, kQueue, kWorkflow };

struct Decision {
  std::string lead_id;
  std::string policy_name;
  int policy_version = 0;
  Timestamp decided_at;

  AssigneeKind assignee_kind = AssigneeKind::kQueue;
  std::string assignee_id;    // rep id, queue id or workflow id
  std::string assignee_name;  // rep name when known
  std::string route;          // the route whose destination (or fallback) was used
  std::string pool;           // pool name when a pool chose the rep
  std::optional<Strategy> strategy;
  bool used_fallback = false;
  std::vector<RouteStep> trail;

  LeadFacts facts;
  Enrichment enrichment;
  std::string territory;  // "" when none matched
  std::string segment;    // track-record key, e.g. "industry=software|employees=50-500"
  std::string tier;
  std::string task_priority;
  Scores scores;
  std::optional<Timestamp> sla_deadline;
  int sla_minutes = 0;  // the tier's SLA; the deadline is later when only working time counts
  std::int64_t sla_seconds = 0;  // the same to the second (sla_minutes is it rounded up)

  // Per pool tried, in order: the eligible reps best first, then the excluded
  // ones. Every excluded rep is listed; of the eligible losers only the best
  // few (all of them for weighted round-robin, whose ledger needs them).
  std::vector<Candidate> candidates;
  std::string explanation;  // plain language, fit for a CRM task body
};

}  // namespace leadrouter::core
