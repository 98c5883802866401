// The routing policy: what an admin writes in policy.json, parsed and
// validated into plain structs. docs/policy.md documents every key.
//
//   auto policy = core::parse_policy(text);          // all errors at once
//   if (!policy) { std::cerr << format_errors(policy.error()); }
//
// Field names that conditions may use (see field_value.hpp):
//   lead fields  id source_system object_type email first_name last_name title
//                company website country state city industry employees
//                annual_revenue lead_source language custom.<key>
//   derived      email_domain is_free_mail company_normalized website_domain
//   routing only territory tier score fit_score intent_score model_probability
//                account_matched account_owner_id duplicate_found segment
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "core/rep.hpp"

namespace leadrouter::core {

enum class Op {
  kEq,
  kNe,
  kIn,
  kNotIn,
  kGt,
  kGte,
  kLt,
  kLte,
  kBetween,
  kContains,
  kStartsWith,
  kRegex,
  kExists,
};

// A literal in a condition. Numbers are doubles; comparisons between a string
// field and a number parse the field as a number.
using Value = std::variant<bool, double, std::string>;

// The field a condition reads, resolved from its name once (parse_policy does
// it) so that evaluation switches on an id instead of comparing strings.
// clang-format off
enum class FieldId : std::uint8_t {
  kUnresolved,  // not resolved yet: evaluate() looks the name up on each call
  kId, kSourceSystem, kObjectType, kEmail, kFirstName, kLastName, kTitle, kCompany, kWebsite,
  kCountry, kState, kCity, kIndustry, kEmployees, kAnnualRevenue, kLeadSource, kLanguage,
  kCustom,  // custom.<key>; the key is FieldCondition::custom_key
  kEmailDomain, kIsFreeMail, kCompanyNormalized, kWebsiteDomain,
  kTerritory, kTier, kScore, kFitScore, kIntentScore, kModelProbability, kAccountMatched,
  kAccountOwnerId, kDuplicateFound, kSegment,
  kUnknown,  // the name is not a field
};
// clang-format on

struct FieldCondition {
  std::string field;
  Op op = Op::kEq;
  std::vector<Value>
      values;  // eq/ne/gt/...: 1; in/not_in: >= 1; between: 2 (inclusive); exists: 0 or 1 bool
  bool case_sensitive = false;  // string eq/ne/in/contains/starts_with fold case unless set
  std::shared_ptr<const std::regex> pattern;  // compiled at load time for kRegex
  FieldId id = FieldId::kUnresolved;          // set by parse_policy / resolve_field()
  std::string custom_key;                     // for FieldId::kCustom
};

// A boolean tree over field conditions. `kAlways` is the empty condition
// (a route with no "when").
struct Condition {
  enum class Kind { kAlways, kAll, kAny, kNot, kField };
  Kind kind = Kind::kAlways;
  std::vector<Condition> children;  // kAll / kAny: any number; kNot: exactly 1
  FieldCondition field;             // kField
};

struct FitRule {
  std::string name;  // shown in explanations; defaults to the rule's JSON path
  Condition when;
  double points = 0;  // may be negative
};

struct FitConfig {
  double base = 0;  // starting points before rules; result clamped to [0, 100]
  std::vector<FitRule> rules;
};

// Each event of `type` contributes weight * 0.5^(age / half_life).
struct IntentSignal {
  std::string type;
  double weight = 0;
  double half_life_hours = 24 * 7;
};

struct IntentConfig {
  std::vector<IntentSignal> signals;
  double full_scale = 100;  // decayed points that map to intent 100 (clamped)
  int lookback_days = 90;   // older events are ignored
};

// Combined score = weighted mean of the available parts (0-100 each; the
// model's probability is scaled to 0-100). Without a model its weight is
// dropped and the others renormalized. {0, 0, 1} means "model only".
struct ScoreWeights {
  double fit = 0.5;
  double intent = 0.5;
  double model = 0.0;
};

enum class DestinationKind { kPool, kAccountOwner, kDuplicateOwner, kQueue, kWorkflow };

struct Destination {
  DestinationKind kind = DestinationKind::kQueue;
  std::string target;  // pool name, queue id or workflow id; empty for the owner kinds
};

// What the sidecar does when a lead of a tier is not worked by its SLA
// deadline (docs/sla.md). Step 1 fires at the deadline plus its `after`, each
// later step `after` its predecessor fired, counted in working time when the
// tier says business_hours.
enum class BreachAction { kRemind, kReassign, kEscalate };
const char* to_string(BreachAction action);

enum class EscalateTo { kManager, kQueue };

struct BreachStep {
  BreachAction action = BreachAction::kRemind;
  std::int64_t after_seconds = 0;  // "after_minutes" x 60 or "after_seconds"
  EscalateTo to = EscalateTo::kManager;
  std::string queue;  // escalate: the queue, and where "manager" goes when there is none
};

struct Tier {
  std::string name;
  double min_score = 0;                  // tiers are sorted by min_score, highest first
  int sla_minutes = 0;                   // 0: no SLA; with sla_seconds: it rounded up, for display
  bool business_hours = false;           // SLA counts working time only, and reps must be in hours
  std::string task_priority = "MEDIUM";  // HIGH / MEDIUM / LOW
  std::optional<Destination> nurture;    // set: leads of this tier skip routes and go here
  // The SLA to the second: "sla_minutes" x 60 or "sla_seconds" (one of them
  // per tier). Later members than the rest, so positional initializers of
  // the fields above keep working.
  std::int64_t sla_seconds = 0;
  std::vector<BreachStep> on_breach;  // empty: the SLA is only measured

  // The SLA in seconds; a Tier built in code with only sla_minutes counts too.
  std::int64_t sla_duration_seconds() const {
    return sla_seconds > 0 ? sla_seconds : std::int64_t{sla_minutes} * 60;
  }
};

struct Territory {
  std::string name;
  Condition when;  // first matching territory wins
};

enum class Strategy { kRoundRobin, kWeightedRoundRobin, kLeastLoaded, kBestMatch };

struct Pool {
  std::string name;
  std::vector<std::string> teams;  // members: reps in any of these teams ...
  std::vector<std::string> reps;   // ... plus these rep ids
  Strategy strategy = Strategy::kWeightedRoundRobin;
};

struct Route {
  std::string name;
  Condition when;
  Destination destination;
  std::vector<Destination> fallbacks;  // tried in order when the destination yields no one
  std::vector<std::string> required_skills;
  bool match_territory = false;  // rep must cover the lead's territory
  bool match_language = false;   // rep must speak the lead's language (when known)
};

// Segments key track records: e.g. industry x employee band. Numeric
// dimensions use `bands` as ascending bucket edges.
struct SegmentDimension {
  std::string field;
  std::vector<double> bands;
};

struct BestMatchConfig {
  double prior_strength = 20;  // pseudo-assignments of the Beta prior toward the team rate
  double load_penalty = 0.3;   // subtracted per unit of open load / max_open
};

struct Policy {
  int version = 1;
  std::string name;
  FitConfig fit;
  IntentConfig intent;
  ScoreWeights weights;
  std::vector<Tier> tiers;
  std::vector<Territory> territories;
  std::vector<Pool> pools;
  std::vector<Route> routes;
  Destination final_fallback;
  std::vector<SegmentDimension> segments;
  BestMatchConfig best_match;
  std::vector<std::string> extra_free_mail_domains;
  std::vector<Rep> reps;  // rep attributes kept in the policy (merged over the CRM's users)

  const Pool* find_pool(std::string_view name) const;
};

// Parses and validates policy JSON. Every problem is reported, each with the
// JSON path ("/routes/3/destination/pool") and the reason.
std::expected<Policy, ValidationErrors> parse_policy(std::string_view json_text);

// Parses a roster document: {"reps": [ {rep...}, ... ]} (schema in docs/policy.md).
std::expected<std::vector<Rep>, ValidationErrors> parse_roster(std::string_view json_text);

// Lint findings: the policy is valid but probably not what the admin meant.
struct LintFinding {
  enum class Severity { kWarning, kError };
  Severity severity = Severity::kWarning;
  std::string path;
  std::string message;
};

// Unreachable routes, pools with no reps, reps in no pool, no final fallback,
// tier gaps/overlaps, unknown fields, skills no rep has.
std::vector<LintFinding> lint_policy(const Policy& policy, const std::vector<Rep>& roster);

}  // namespace leadrouter::core
