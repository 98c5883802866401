#include "core/policy.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/field_value.hpp"

namespace leadrouter::core {
namespace {

using ::testing::HasSubstr;

// A valid policy with `body` spliced in at the end of the top-level object.
std::string doc(const std::string& body = "") {
  std::string out = R"({"version": 1, "name": "test",
    "pools": [{"name": "emea", "teams": ["emea-ent"], "strategy": "best_match"},
              {"name": "us", "reps": ["r1"]}])";
  if (!body.empty()) {
    out += ", " + body;
  }
  return out + "}";
}

std::string route_when(const std::string& when) {
  return R"("routes": [{"name": "r", "when": )" + when + R"(, "destination": {"pool": "emea"}}])";
}

ValidationErrors policy_errors(const std::string& json) {
  const auto p = parse_policy(json);
  EXPECT_FALSE(p.has_value()) << "expected errors for: " << json;
  return p ? ValidationErrors{} : p.error();
}

ValidationErrors roster_errors(const std::string& json) {
  const auto r = parse_roster(json);
  EXPECT_FALSE(r.has_value()) << "expected errors for: " << json;
  return r ? ValidationErrors{} : r.error();
}

// Passes when some error has exactly `path` and a reason containing `reason`.
::testing::AssertionResult has_error(const ValidationErrors& errors, const std::string& path,
                                     const std::string& reason) {
  for (const auto& e : errors) {
    if (e.path == path && e.reason.find(reason) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "no error at '" << path << "' containing '" << reason << "'; got:\n"
         << format_errors(errors);
}

std::string rep_doc(const std::string& rep_body) {
  return R"({"reps": [{"id": "r1", )" + rep_body + "}]}";
}

// --- a valid policy -----------------------------------------------------------------

TEST(ParsePolicyTest, ParsesAValidPolicy) {
  const auto p = parse_policy(R"({
    "version": 1, "name": "acme", "description": "test policy",
    "fit": {"base": 10, "rules": [
      {"name": "software", "when": {"field": "industry", "op": "eq", "value": "Software"}, "points": 30},
      {"when": {"field": "title", "op": "regex", "value": "^vp"}, "points": 5}]},
    "intent": {"signals": [{"type": "demo_request", "weight": 40, "half_life_hours": 72}],
               "full_scale": 80, "lookback_days": 30},
    "weights": {"fit": 0.6, "intent": 0.4, "model": 0},
    "tiers": [{"name": "A", "min_score": 70, "sla_minutes": 30, "business_hours": true, "task_priority": "high"},
              {"name": "B", "min_score": 40},
              {"name": "nurture", "min_score": 0, "nurture": {"workflow": "wf-n"}}],
    "territories": [{"name": "EMEA", "when": {"field": "country", "op": "in", "value": ["DE", "GB"]}}],
    "pools": [{"name": "emea", "teams": ["emea-ent"], "reps": ["r9"], "strategy": "least_loaded"}],
    "routes": [
      {"name": "owner", "when": {"field": "account_matched", "op": "eq", "value": true},
       "destination": {"account_owner": true}, "fallbacks": [{"pool": "emea"}, {"queue": "Q1"}]},
      {"name": "dup", "when": {"not": {"field": "duplicate_found", "op": "exists", "value": false}},
       "destination": {"duplicate_owner": true}},
      {"name": "emea", "when": {"all": [{"field": "territory", "op": "eq", "value": "EMEA"},
                                        {"any": [{"field": "employees", "op": "between", "value": [100, 5000]}]}]},
       "destination": {"pool": "emea"}, "required_skills": ["german"], "match_territory": true,
       "match_language": true},
      {"name": "rest", "destination": {"queue": "inbound"}}],
    "final_fallback": {"queue": "unassigned"},
    "segments": [{"field": "industry"}, {"field": "employees", "bands": [50, 500]}],
    "best_match": {"prior_strength": 10, "load_penalty": 0.5},
    "free_mail_domains": ["Corp-Mail.example"],
    "reps": [{"id": "r9", "skills": ["german"]}]
  })");
  ASSERT_TRUE(p.has_value()) << format_errors(p.error());
  EXPECT_EQ(p->version, 1);
  EXPECT_EQ(p->name, "acme");
  EXPECT_EQ(p->fit.base, 10);
  ASSERT_EQ(p->fit.rules.size(), 2u);
  EXPECT_EQ(p->fit.rules[0].name, "software");
  EXPECT_EQ(p->fit.rules[1].name, "/fit/rules/1");
  EXPECT_EQ(p->fit.rules[0].when.field.id, FieldId::kIndustry);
  EXPECT_NE(p->fit.rules[1].when.field.pattern, nullptr);
  EXPECT_EQ(p->intent.signals.at(0).half_life_hours, 72);
  EXPECT_EQ(p->intent.full_scale, 80);
  EXPECT_EQ(p->intent.lookback_days, 30);
  EXPECT_EQ(p->weights.fit, 0.6);
  ASSERT_EQ(p->tiers.size(), 3u);
  EXPECT_EQ(p->tiers[0].task_priority, "HIGH");
  EXPECT_EQ(p->tiers[1].task_priority, "MEDIUM");
  EXPECT_TRUE(p->tiers[0].business_hours);
  ASSERT_TRUE(p->tiers[2].nurture.has_value());
  EXPECT_EQ(p->tiers[2].nurture->kind, DestinationKind::kWorkflow);
  EXPECT_EQ(p->pools.at(0).strategy, Strategy::kLeastLoaded);
  ASSERT_EQ(p->routes.size(), 4u);
  EXPECT_EQ(p->routes[0].destination.kind, DestinationKind::kAccountOwner);
  ASSERT_EQ(p->routes[0].fallbacks.size(), 2u);
  EXPECT_EQ(p->routes[0].fallbacks[0].kind, DestinationKind::kPool);
  EXPECT_EQ(p->routes[0].fallbacks[1].target, "Q1");
  EXPECT_EQ(p->routes[1].destination.kind, DestinationKind::kDuplicateOwner);
  EXPECT_EQ(p->routes[1].when.kind, Condition::Kind::kNot);
  EXPECT_EQ(p->routes[2].when.kind, Condition::Kind::kAll);
  EXPECT_EQ(p->routes[2].when.children[1].children[0].field.values.size(), 2u);
  EXPECT_TRUE(p->routes[2].match_territory);
  EXPECT_EQ(p->routes[2].required_skills, std::vector<std::string>{"german"});
  EXPECT_EQ(p->routes[3].when.kind, Condition::Kind::kAlways);
  EXPECT_EQ(p->final_fallback.kind, DestinationKind::kQueue);
  EXPECT_EQ(p->final_fallback.target, "unassigned");
  EXPECT_EQ(p->segments.at(1).bands, (std::vector<double>{50, 500}));
  EXPECT_EQ(p->best_match.load_penalty, 0.5);
  EXPECT_EQ(p->extra_free_mail_domains, std::vector<std::string>{"corp-mail.example"});
  EXPECT_EQ(p->reps.at(0).id, "r9");
  EXPECT_EQ(p->reps.at(0).name, "r9");
  ASSERT_NE(p->find_pool("emea"), nullptr);
  EXPECT_EQ(p->find_pool("emea")->teams, std::vector<std::string>{"emea-ent"});
  EXPECT_EQ(p->find_pool("nope"), nullptr);
}

TEST(ParsePolicyTest, DefaultsWhenSectionsAreAbsent) {
  const auto p = parse_policy(R"({"version": 1, "name": "min"})");
  ASSERT_TRUE(p.has_value()) << format_errors(p.error());
  EXPECT_EQ(p->weights.fit, 0.5);
  EXPECT_EQ(p->weights.intent, 0.5);
  EXPECT_EQ(p->best_match.prior_strength, 20);
  EXPECT_TRUE(p->routes.empty());
  EXPECT_TRUE(p->final_fallback.target.empty());
}

// --- document-level errors ----------------------------------------------------

TEST(ParsePolicyErrorsTest, SyntaxErrorHasLineAndColumn) {
  const auto errors = policy_errors("{\n  \"version\": 1,\n  \"name\": \"x\"\n  \"routes\": []\n}");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "line 4, column 3");
  EXPECT_THAT(errors[0].reason, HasSubstr("invalid JSON"));
}

TEST(ParsePolicyErrorsTest, EmptyDocument) {
  EXPECT_TRUE(has_error(policy_errors(""), "line 1, column 1", "invalid JSON"));
}

TEST(ParsePolicyErrorsTest, TopLevelMustBeAnObject) {
  EXPECT_TRUE(has_error(policy_errors("[]"), "", "expected an object, got an array"));
}

TEST(ParsePolicyErrorsTest, MissingVersion) {
  EXPECT_TRUE(has_error(policy_errors(R"({"name": "x"})"), "", "missing required key 'version'"));
}

TEST(ParsePolicyErrorsTest, UnsupportedVersion) {
  EXPECT_TRUE(has_error(policy_errors(R"({"version": 2, "name": "x"})"), "/version",
                        "unsupported version 2"));
}

TEST(ParsePolicyErrorsTest, VersionNotAWholeNumber) {
  EXPECT_TRUE(has_error(policy_errors(R"({"version": "1", "name": "x"})"), "/version",
                        "expected a whole number, got a string"));
  EXPECT_TRUE(has_error(policy_errors(R"({"version": 1.5, "name": "x"})"), "/version",
                        "expected a whole number"));
}

TEST(ParsePolicyErrorsTest, MissingOrEmptyName) {
  EXPECT_TRUE(has_error(policy_errors(R"({"version": 1})"), "", "missing required key 'name'"));
  EXPECT_TRUE(
      has_error(policy_errors(R"({"version": 1, "name": ""})"), "/name", "must not be empty"));
}

TEST(ParsePolicyErrorsTest, WrongTypeNamesBothTypes) {
  EXPECT_TRUE(has_error(policy_errors(R"({"version": 1, "name": 7})"), "/name",
                        "expected a string, got a number"));
  EXPECT_TRUE(has_error(policy_errors(doc(R"("routes": {})")), "/routes",
                        "expected an array of routes, got an object"));
}

TEST(ParsePolicyErrorsTest, UnknownTopLevelKeySuggestsTheRightOne) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("rotues": [])")), "/rotues",
                        "unknown key 'rotues' (did you mean 'routes'?)"));
}

TEST(ParsePolicyErrorsTest, UnknownKeyFarFromAnyListsTheKnownKeys) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("colour": "red")")), "/colour",
                        "unknown key 'colour' (expected one of: version, name"));
}

TEST(ParsePolicyErrorsTest, DuplicateKey) {
  EXPECT_TRUE(has_error(policy_errors(R"({"version": 1, "name": "a", "name": "b"})"), "/name",
                        "given more than once"));
}

// --- routes and destinations ----------------------------------------------------------

TEST(ParsePolicyErrorsTest, TypoInRouteKey) {
  const auto errors =
      policy_errors(doc(R"("routes": [{"name": "r", "destinaton": {"pool": "emea"}}])"));
  EXPECT_TRUE(has_error(errors, "/routes/0/destinaton",
                        "unknown key 'destinaton' (did you mean 'destination'?)"));
  EXPECT_TRUE(has_error(errors, "/routes/0", "missing required key 'destination'"));
}

TEST(ParsePolicyErrorsTest, RouteToUnknownPool) {
  EXPECT_TRUE(
      has_error(policy_errors(doc(R"("routes": [{"name": "r", "destination": {"pool": "emae"}}])")),
                "/routes/0/destination/pool", "unknown pool 'emae' (did you mean 'emea'?)"));
}

TEST(ParsePolicyErrorsTest, FallbackToUnknownPool) {
  EXPECT_TRUE(has_error(policy_errors(doc(
                            R"("routes": [{"name": "r", "destination": {"pool": "emea"},
                                           "fallbacks": [{"queue": "q"}, {"pool": "apac"}]}])")),
                        "/routes/0/fallbacks/1/pool", "unknown pool 'apac'"));
}

TEST(ParsePolicyErrorsTest, DestinationWithTwoKinds) {
  EXPECT_TRUE(has_error(
      policy_errors(
          doc(R"("routes": [{"name": "r", "destination": {"pool": "emea", "queue": "q"}}])")),
      "/routes/0/destination", "exactly one of 'pool'"));
}

TEST(ParsePolicyErrorsTest, DestinationWithUnknownKind) {
  const auto errors =
      policy_errors(doc(R"("routes": [{"name": "r", "destination": {"team": "emea"}}])"));
  EXPECT_TRUE(has_error(errors, "/routes/0/destination/team", "unknown key 'team'"));
  EXPECT_TRUE(has_error(errors, "/routes/0/destination", "exactly one of"));
}

TEST(ParsePolicyErrorsTest, AccountOwnerMustBeTrue) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(R"("routes": [{"name": "r", "destination": {"account_owner": false}}])")),
      "/routes/0/destination/account_owner", "expected true"));
}

TEST(ParsePolicyErrorsTest, EmptyQueueId) {
  EXPECT_TRUE(
      has_error(policy_errors(doc(R"("routes": [{"name": "r", "destination": {"queue": ""}}])")),
                "/routes/0/destination/queue", "must not be empty"));
}

TEST(ParsePolicyErrorsTest, FinalFallbackMustBeQueueOrWorkflow) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("final_fallback": {"pool": "emea"})")),
                        "/final_fallback", "must be a queue or a workflow"));
}

TEST(ParsePolicyErrorsTest, DuplicateRouteName) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("routes": [
      {"name": "r", "destination": {"queue": "a"}}, {"name": "r", "destination": {"queue": "b"}}])")),
                        "/routes/1/name", "duplicate route name 'r'"));
}

TEST(ParsePolicyErrorsTest, RouteWithoutName) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("routes": [{"destination": {"queue": "a"}}])")),
                        "/routes/0", "missing required key 'name'"));
}

TEST(ParsePolicyErrorsTest, RequiredSkillsMustBeStrings) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("routes": [{"name": "r", "destination": {"queue": "a"},
                                                        "required_skills": ["ok", 3]}])")),
                        "/routes/0/required_skills/1", "expected a string, got a number"));
}

TEST(ParsePolicyErrorsTest, MatchTerritoryMustBeBoolean) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("routes": [{"name": "r", "destination": {"queue": "a"},
                                                        "match_territory": "yes"}])")),
                        "/routes/0/match_territory", "expected a boolean"));
}

// --- conditions ------------------------------------------------------------------

TEST(ParsePolicyErrorsTest, UnknownOperator) {
  EXPECT_TRUE(has_error(policy_errors(doc(route_when(
                            R"({"all": [{"field": "country", "op": "equals", "value": "DE"}]})"))),
                        "/routes/0/when/all/0/op", "unknown operator 'equals'"));
}

TEST(ParsePolicyErrorsTest, MisspelledOperatorGetsSuggestion) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "country", "op": "not_inn", "value": ["DE"]})"))),
      "/routes/0/when/op", "did you mean 'not_in'?"));
}

TEST(ParsePolicyErrorsTest, MissingOperator) {
  EXPECT_TRUE(has_error(policy_errors(doc(route_when(R"({"field": "country", "value": "DE"})"))),
                        "/routes/0/when", "missing required key 'op'"));
}

TEST(ParsePolicyErrorsTest, UnknownFieldSuggestsTheRightOne) {
  EXPECT_TRUE(
      has_error(policy_errors(doc(route_when(R"({"field": "contry", "op": "eq", "value": "DE"})"))),
                "/routes/0/when/field", "unknown field 'contry' (did you mean 'country'?)"));
}

TEST(ParsePolicyErrorsTest, EmptyCustomFieldKey) {
  EXPECT_TRUE(
      has_error(policy_errors(doc(route_when(R"({"field": "custom.", "op": "eq", "value": "x"})"))),
                "/routes/0/when/field", "unknown field 'custom.'"));
}

TEST(ParsePolicyErrorsTest, RoutingFieldInFitRule) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("fit": {"rules": [{"points": 5,
      "when": {"field": "tier", "op": "eq", "value": "A"}}]})")),
                        "/fit/rules/0/when/field", "only known when routing"));
}

TEST(ParsePolicyErrorsTest, RoutingFieldInTerritory) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("territories": [{"name": "t",
      "when": {"not": {"field": "score", "op": "gt", "value": 5}}}])")),
                        "/territories/0/when/not/field", "only known when routing"));
}

TEST(ParsePolicyErrorsTest, BetweenNeedsTwoValues) {
  EXPECT_TRUE(has_error(policy_errors(doc(route_when(
                            R"({"field": "employees", "op": "between", "value": [1, 2, 3]})"))),
                        "/routes/0/when/value", "exactly 2 values"));
}

TEST(ParsePolicyErrorsTest, BetweenNeedsAnArray) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "employees", "op": "between", "value": 5})"))),
      "/routes/0/when/value", "needs an array of 2 numbers"));
}

TEST(ParsePolicyErrorsTest, BetweenLowAboveHigh) {
  EXPECT_TRUE(has_error(policy_errors(doc(route_when(
                            R"({"field": "employees", "op": "between", "value": [500, 50]})"))),
                        "/routes/0/when/value", "low <= high"));
}

TEST(ParsePolicyErrorsTest, InNeedsAnArray) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "country", "op": "in", "value": "DE"})"))),
      "/routes/0/when/value", "needs an array of values"));
}

TEST(ParsePolicyErrorsTest, InNeedsAtLeastOneValue) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "country", "op": "not_in", "value": []})"))),
      "/routes/0/when/value", "at least one value"));
}

TEST(ParsePolicyErrorsTest, EqTakesOneValue) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "country", "op": "eq", "value": ["DE", "AT"]})"))),
      "/routes/0/when/value", "use 'in' for a list"));
}

TEST(ParsePolicyErrorsTest, MissingValue) {
  EXPECT_TRUE(has_error(policy_errors(doc(route_when(R"({"field": "country", "op": "eq"})"))),
                        "/routes/0/when", "operator 'eq' needs a 'value'"));
}

TEST(ParsePolicyErrorsTest, ExistsTakesABoolean) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "country", "op": "exists", "value": "yes"})"))),
      "/routes/0/when/value", "takes true or false"));
}

TEST(ParsePolicyErrorsTest, InvalidRegex) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "title", "op": "regex", "value": "(vp|head"})"))),
      "/routes/0/when/value", "invalid regular expression '(vp|head'"));
}

TEST(ParsePolicyErrorsTest, TextOperatorOnNumberField) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "employees", "op": "contains", "value": "5"})"))),
      "/routes/0/when/op", "needs a text field; 'employees' is a number"));
}

TEST(ParsePolicyErrorsTest, OrderingOperatorOnBooleanField) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "is_free_mail", "op": "gt", "value": 0})"))),
      "/routes/0/when/op", "'is_free_mail' is a boolean"));
}

TEST(ParsePolicyErrorsTest, OrderingOperatorNeedsANumber) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "employees", "op": "gte", "value": "100"})"))),
      "/routes/0/when/value", "operator 'gte' needs a number, got a string"));
}

TEST(ParsePolicyErrorsTest, TextOperatorNeedsNonEmptyString) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "title", "op": "contains", "value": 5})"))),
      "/routes/0/when/value", "needs a string, got a number"));
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "title", "op": "starts_with", "value": ""})"))),
      "/routes/0/when/value", "non-empty string"));
}

TEST(ParsePolicyErrorsTest, NumberFieldComparedWithString) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "employees", "op": "in", "value": [5, "many"]})"))),
      "/routes/0/when/value/1", "'employees' is a number"));
}

TEST(ParsePolicyErrorsTest, BooleanFieldComparedWithNumber) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "account_matched", "op": "eq", "value": 1})"))),
      "/routes/0/when/value", "'account_matched' is a boolean"));
}

TEST(ParsePolicyErrorsTest, TextFieldComparedWithBoolean) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "country", "op": "eq", "value": true})"))),
      "/routes/0/when/value", "'country' is text"));
  // Custom fields may hold "true"/"false".
  EXPECT_TRUE(parse_policy(doc(route_when(R"({"field": "custom.vip", "op": "eq", "value": true})")))
                  .has_value());
}

TEST(ParsePolicyErrorsTest, ValueOfWrongKind) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "country", "op": "eq", "value": null})"))),
      "/routes/0/when/value", "expected a string, number or boolean, got null"));
}

TEST(ParsePolicyErrorsTest, CaseSensitiveMustBeBoolean) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(
          route_when(R"({"field": "country", "op": "eq", "value": "DE", "case_sensitive": 1})"))),
      "/routes/0/when/case_sensitive", "expected a boolean"));
}

TEST(ParsePolicyErrorsTest, ConditionWithTwoForms) {
  EXPECT_TRUE(has_error(policy_errors(doc(route_when(
                            R"({"all": [], "field": "country", "op": "eq", "value": "DE"})"))),
                        "/routes/0/when", "exactly one of 'all', 'any', 'not' or 'field'"));
}

TEST(ParsePolicyErrorsTest, ConditionWithNoForm) {
  const auto errors = policy_errors(doc(route_when(R"({"al": []})")));
  EXPECT_TRUE(has_error(errors, "/routes/0/when", "needs one of 'all', 'any', 'not' or 'field'"));
  EXPECT_TRUE(has_error(errors, "/routes/0/when/al", "did you mean 'all'?"));
}

TEST(ParsePolicyErrorsTest, AllNeedsAnArray) {
  EXPECT_TRUE(has_error(policy_errors(doc(route_when(R"({"any": {"field": "country"}})"))),
                        "/routes/0/when/any", "expected an array of conditions, got an object"));
}

TEST(ParsePolicyErrorsTest, ConditionMustBeAnObject) {
  EXPECT_TRUE(has_error(policy_errors(doc(route_when(R"({"not": "country"})"))),
                        "/routes/0/when/not", "expected an object, got a string"));
}

TEST(ParsePolicyErrorsTest, FieldKeyInsideConditionIsChecked) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(route_when(R"({"field": "country", "op": "eq", "valeu": "DE"})"))),
      "/routes/0/when/valeu", "did you mean 'value'?"));
}

TEST(ParsePolicyErrorsTest, ConditionOnUnknownTier) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(R"("tiers": [{"name": "A", "min_score": 0}], )" +
                        route_when(R"({"field": "tier", "op": "in", "value": ["A", "AA"]})"))),
      "/routes/0/when/value/1", "unknown tier 'AA' (did you mean 'A'?)"));
}

TEST(ParsePolicyErrorsTest, ConditionOnUnknownTerritory) {
  const std::string territories =
      R"("territories": [{"name": "EMEA", "when": {"field": "country", "op": "eq", "value": "DE"}}], )";
  EXPECT_TRUE(has_error(
      policy_errors(
          doc(territories + route_when(R"({"field": "territory", "op": "eq", "value": "EMAE"})"))),
      "/routes/0/when/value", "unknown territory 'EMAE' (did you mean 'EMEA'?)"));
  // Names fold case like the comparison itself.
  EXPECT_TRUE(
      parse_policy(
          doc(territories + route_when(R"({"field": "territory", "op": "eq", "value": "emea"})")))
          .has_value());
}

TEST(ParsePolicyErrorsTest, ConditionsNestedTooDeep) {
  std::string when = R"({"field": "country", "op": "eq", "value": "DE"})";
  for (int i = 0; i < 40; ++i) {
    when = R"({"not": )" + when + "}";
  }
  const auto errors = policy_errors(doc(route_when(when)));
  ASSERT_EQ(errors.size(), 1u) << format_errors(errors);
  EXPECT_THAT(errors[0].reason, HasSubstr("deeper than 32 levels"));
}

// --- fit and intent --------------------------------------------------------------

TEST(ParsePolicyErrorsTest, FitRuleNeedsWhenAndPoints) {
  const auto errors = policy_errors(doc(R"("fit": {"rules": [{"name": "x"}]})"));
  EXPECT_TRUE(has_error(errors, "/fit/rules/0", "missing required key 'when'"));
  EXPECT_TRUE(has_error(errors, "/fit/rules/0", "missing required key 'points'"));
}

TEST(ParsePolicyErrorsTest, FitBaseMustBeNumber) {
  EXPECT_TRUE(
      has_error(policy_errors(doc(R"("fit": {"base": "ten"})")), "/fit/base", "expected a number"));
}

TEST(ParsePolicyErrorsTest, HalfLifeMustBePositive) {
  EXPECT_TRUE(has_error(
      policy_errors(
          doc(R"("intent": {"signals": [{"type": "demo", "weight": 1, "half_life_hours": 0}]})")),
      "/intent/signals/0/half_life_hours", "greater than 0"));
}

TEST(ParsePolicyErrorsTest, DuplicateSignalType) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("intent": {"signals": [{"type": "demo", "weight": 1},
                                                                    {"type": "demo", "weight": 2}]})")),
                        "/intent/signals/1/type", "duplicate signal type 'demo'"));
}

TEST(ParsePolicyErrorsTest, FullScaleMustBePositive) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("intent": {"full_scale": -5})")), "/intent/full_scale",
                        "greater than 0"));
}

TEST(ParsePolicyErrorsTest, LookbackMustNotBeNegative) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("intent": {"lookback_days": -1})")),
                        "/intent/lookback_days", "0 or more"));
}

// --- weights and tiers --------------------------------------------------------------

TEST(ParsePolicyErrorsTest, NegativeWeight) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("weights": {"fit": -0.5, "intent": 1})")),
                        "/weights/fit", "0 or more"));
}

TEST(ParsePolicyErrorsTest, AllWeightsZero) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("weights": {"fit": 0, "intent": 0, "model": 0})")),
                        "/weights", "at least one of fit, intent and model"));
}

TEST(ParsePolicyErrorsTest, TiersOutOfOrder) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("tiers": [{"name": "B", "min_score": 40},
                                                       {"name": "A", "min_score": 70}])")),
                        "/tiers/1/min_score", "highest min_score to the lowest"));
}

TEST(ParsePolicyErrorsTest, TiersWithSameMinScore) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("tiers": [{"name": "A", "min_score": 40},
                                                       {"name": "B", "min_score": 40}])")),
                        "/tiers/1/min_score", "same min_score 40 as tier 'A'"));
}

TEST(ParsePolicyErrorsTest, DuplicateTierName) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("tiers": [{"name": "A", "min_score": 70},
                                                       {"name": "A", "min_score": 40}])")),
                        "/tiers/1/name", "duplicate tier name 'A'"));
}

TEST(ParsePolicyErrorsTest, TierMinScoreOutOfRange) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("tiers": [{"name": "A", "min_score": 170}])")),
                        "/tiers/0/min_score", "between 0 and 100"));
}

TEST(ParsePolicyErrorsTest, TierBadPriority) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(R"("tiers": [{"name": "A", "min_score": 0, "task_priority": "URGENT"}])")),
      "/tiers/0/task_priority", "expected HIGH, MEDIUM or LOW"));
}

TEST(ParsePolicyErrorsTest, TierNegativeSla) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(R"("tiers": [{"name": "A", "min_score": 0, "sla_minutes": -30}])")),
      "/tiers/0/sla_minutes", "0 or more"));
}

TEST(ParsePolicyErrorsTest, TierNurtureMustBeQueueOrWorkflow) {
  EXPECT_TRUE(has_error(
      policy_errors(
          doc(R"("tiers": [{"name": "n", "min_score": 0, "nurture": {"pool": "emea"}}])")),
      "/tiers/0/nurture", "must be a queue or a workflow"));
}

// --- territories, pools, segments, misc ---------------------------------------------

TEST(ParsePolicyErrorsTest, DuplicateTerritoryName) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("territories": [
      {"name": "EMEA", "when": {"field": "country", "op": "eq", "value": "DE"}},
      {"name": "EMEA", "when": {"field": "country", "op": "eq", "value": "FR"}}])")),
                        "/territories/1/name", "duplicate territory name 'EMEA'"));
}

TEST(ParsePolicyErrorsTest, TerritoryNeedsWhen) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("territories": [{"name": "EMEA"}])")),
                        "/territories/0", "missing required key 'when'"));
}

TEST(ParsePolicyErrorsTest, DuplicatePoolName) {
  EXPECT_TRUE(has_error(
      policy_errors(R"({"version": 1, "name": "t", "pools": [{"name": "p", "teams": ["a"]},
                                                             {"name": "p", "teams": ["b"]}]})"),
      "/pools/1/name", "duplicate pool name 'p'"));
}

TEST(ParsePolicyErrorsTest, PoolWithoutMembers) {
  EXPECT_TRUE(has_error(policy_errors(R"({"version": 1, "name": "t", "pools": [{"name": "p"}]})"),
                        "/pools/0", "needs at least one of 'teams' or 'reps'"));
  EXPECT_TRUE(has_error(
      policy_errors(R"({"version": 1, "name": "t", "pools": [{"name": "p", "teams": []}]})"),
      "/pools/0", "needs at least one team or rep"));
}

TEST(ParsePolicyErrorsTest, UnknownStrategy) {
  EXPECT_TRUE(has_error(policy_errors(R"({"version": 1, "name": "t",
      "pools": [{"name": "p", "teams": ["a"], "strategy": "round-robin"}]})"),
                        "/pools/0/strategy",
                        "unknown strategy 'round-robin' (did you mean 'round_robin'?)"));
}

TEST(ParsePolicyErrorsTest, SegmentWithRoutingField) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("segments": [{"field": "tier"}])")),
                        "/segments/0/field", "only known when routing"));
}

TEST(ParsePolicyErrorsTest, SegmentWithUnknownField) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("segments": [{"field": "industy"}])")),
                        "/segments/0/field", "did you mean 'industry'?"));
}

TEST(ParsePolicyErrorsTest, SegmentBandsNotAscending) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(R"("segments": [{"field": "employees", "bands": [50, 500, 500]}])")),
      "/segments/0/bands/2", "strictly ascending"));
}

TEST(ParsePolicyErrorsTest, SegmentBandsOnTextField) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("segments": [{"field": "industry", "bands": [1]}])")),
                        "/segments/0/bands", "need a number field; 'industry' is text"));
}

TEST(ParsePolicyErrorsTest, SegmentListedTwice) {
  EXPECT_TRUE(
      has_error(policy_errors(doc(R"("segments": [{"field": "industry"}, {"field": "industry"}])")),
                "/segments/1/field", "listed twice"));
}

TEST(ParsePolicyErrorsTest, BestMatchNegative) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("best_match": {"load_penalty": -1})")),
                        "/best_match/load_penalty", "0 or more"));
}

TEST(ParsePolicyErrorsTest, FreeMailDomainNotADomain) {
  EXPECT_TRUE(has_error(
      policy_errors(doc(R"("free_mail_domains": ["gmail.com", "https://x.com/a", "nodot"])")),
      "/free_mail_domains/2", "not a domain name"));
  EXPECT_TRUE(has_error(policy_errors(doc(R"("free_mail_domains": ["https://x.com/a"])")),
                        "/free_mail_domains/0", "not a domain name"));
}

TEST(ParsePolicyErrorsTest, RepErrorsInsidePolicy) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("reps": [{"id": "r1", "weight": 0}])")),
                        "/reps/0/weight", "greater than 0"));
}

// --- all errors at once -------------------------------------------------------------

TEST(ParsePolicyErrorsTest, ReportsEveryErrorAtOnce) {
  const auto errors = policy_errors(R"({
    "version": 3, "name": "x",
    "weights": {"fit": -1},
    "tiers": [{"name": "B", "min_score": 10}, {"name": "A", "min_score": 90}],
    "pools": [{"name": "p", "teams": ["t"], "strategy": "random"}],
    "routes": [
      {"name": "r1", "when": {"field": "contry", "op": "eq", "value": "US"}, "destination": {"pool": "q"}},
      {"name": "r2", "destinaton": {"queue": "x"}}],
    "final_fallback": {"pool": "p"}
  })");
  EXPECT_TRUE(has_error(errors, "/version", "unsupported version 3"));
  EXPECT_TRUE(has_error(errors, "/weights/fit", "0 or more"));
  EXPECT_TRUE(has_error(errors, "/tiers/1/min_score", "highest"));
  EXPECT_TRUE(has_error(errors, "/pools/0/strategy", "unknown strategy 'random'"));
  EXPECT_TRUE(has_error(errors, "/routes/0/when/field", "unknown field 'contry'"));
  EXPECT_TRUE(has_error(errors, "/routes/0/destination/pool", "unknown pool 'q'"));
  EXPECT_TRUE(has_error(errors, "/routes/1/destinaton", "did you mean 'destination'?"));
  EXPECT_TRUE(has_error(errors, "/final_fallback", "must be a queue or a workflow"));
  EXPECT_GE(errors.size(), 9u);
}

TEST(ParsePolicyErrorsTest, FormatErrorsGivesOneLinePerError) {
  const auto errors = policy_errors(R"({"version": 2, "name": ""})");
  EXPECT_EQ(format_errors(errors),
            "/version: unsupported version 2 (this leadrouter reads version 1)\n"
            "/name: must not be empty\n");
}

TEST(ParsePolicyErrorsTest, JsonPointerEscapesKeys) {
  EXPECT_TRUE(has_error(policy_errors(doc(R"("a/b~c": 1)")), "/a~1b~0c", "unknown key 'a/b~c'"));
}

// --- roster -------------------------------------------------------------------------------

TEST(ParseRosterTest, ParsesReps) {
  const auto reps = parse_roster(R"({"reps": [
    {"id": "r1", "name": "Ana", "email": "ana@acme.example", "teams": ["emea-ent"],
     "territories": ["EMEA"], "skills": ["enterprise"], "languages": ["en", "de"], "weight": 1.5,
     "capacity": {"max_open": 40, "max_per_day": 15, "max_per_hour": 4},
     "working_hours": {"time_zone": "Europe/Berlin", "windows": [
        {"days": ["mon", "Tuesday", "WED"], "start": "09:00", "end": "17:30"},
        {"days": ["sat"], "start": "22:00", "end": "24:00"}]},
     "time_off": [{"start": "2026-03-09T12:00:00Z", "end": "2026-03-10T00:00:00+01:00", "reason": "dentist"}],
     "active": false, "manager_id": "m1"},
    {"id": "r2"}]})");
  ASSERT_TRUE(reps.has_value()) << format_errors(reps.error());
  ASSERT_EQ(reps->size(), 2u);
  const Rep& ana = (*reps)[0];
  EXPECT_EQ(ana.name, "Ana");
  EXPECT_EQ(ana.weight, 1.5);
  EXPECT_EQ(ana.capacity.max_open, 40);
  EXPECT_EQ(ana.capacity.max_per_day, 15);
  EXPECT_EQ(ana.capacity.max_per_hour, 4);
  ASSERT_TRUE(ana.working_hours.has_value());
  EXPECT_EQ(ana.working_hours->time_zone, "Europe/Berlin");
  ASSERT_EQ(ana.working_hours->windows.size(), 4u);
  EXPECT_EQ(ana.working_hours->windows[0].weekday, 1);
  EXPECT_EQ(ana.working_hours->windows[1].weekday, 2);
  EXPECT_EQ(ana.working_hours->windows[2].weekday, 3);
  EXPECT_EQ(ana.working_hours->windows[0].start_minute, 9 * 60);
  EXPECT_EQ(ana.working_hours->windows[0].end_minute, 17 * 60 + 30);
  EXPECT_EQ(ana.working_hours->windows[3].weekday, 6);
  EXPECT_EQ(ana.working_hours->windows[3].end_minute, 1440);
  ASSERT_EQ(ana.time_off.size(), 1u);
  EXPECT_EQ(format_iso8601(ana.time_off[0].end), "2026-03-09T23:00:00Z");
  EXPECT_EQ(ana.time_off[0].reason, "dentist");
  EXPECT_FALSE(ana.active);
  EXPECT_EQ(ana.manager_id, "m1");
  const Rep& r2 = (*reps)[1];
  EXPECT_EQ(r2.name, "r2");
  EXPECT_EQ(r2.weight, 1.0);
  EXPECT_TRUE(r2.active);
  EXPECT_FALSE(r2.capacity.max_open.has_value());
  EXPECT_FALSE(r2.working_hours.has_value());
}

TEST(ParseRosterErrorsTest, MissingRepsKey) {
  EXPECT_TRUE(has_error(roster_errors(R"({"rep": []})"), "", "missing required key 'reps'"));
}

TEST(ParseRosterErrorsTest, RepsMustBeAnArray) {
  EXPECT_TRUE(has_error(roster_errors(R"({"reps": {}})"), "/reps", "expected an array of reps"));
}

TEST(ParseRosterErrorsTest, MissingId) {
  EXPECT_TRUE(has_error(roster_errors(R"({"reps": [{"name": "x"}]})"), "/reps/0",
                        "missing required key 'id'"));
}

TEST(ParseRosterErrorsTest, DuplicateId) {
  EXPECT_TRUE(has_error(roster_errors(R"({"reps": [{"id": "a"}, {"id": "a"}]})"), "/reps/1/id",
                        "duplicate rep id 'a'"));
}

TEST(ParseRosterErrorsTest, UnknownRepKey) {
  EXPECT_TRUE(has_error(roster_errors(rep_doc(R"("skils": ["x"])")), "/reps/0/skils",
                        "did you mean 'skills'?"));
}

TEST(ParseRosterErrorsTest, WeightMustBePositive) {
  EXPECT_TRUE(
      has_error(roster_errors(rep_doc(R"("weight": 0)")), "/reps/0/weight", "greater than 0"));
  EXPECT_TRUE(
      has_error(roster_errors(rep_doc(R"("weight": -2)")), "/reps/0/weight", "greater than 0"));
}

TEST(ParseRosterErrorsTest, NegativeCaps) {
  const auto errors = roster_errors(
      rep_doc(R"("capacity": {"max_open": -1, "max_per_day": -2, "max_per_hour": -3})"));
  EXPECT_TRUE(has_error(errors, "/reps/0/capacity/max_open", "0 or more, got -1"));
  EXPECT_TRUE(has_error(errors, "/reps/0/capacity/max_per_day", "0 or more, got -2"));
  EXPECT_TRUE(has_error(errors, "/reps/0/capacity/max_per_hour", "0 or more, got -3"));
}

TEST(ParseRosterErrorsTest, CapMustBeWholeNumber) {
  EXPECT_TRUE(has_error(roster_errors(rep_doc(R"("capacity": {"max_open": 2.5})")),
                        "/reps/0/capacity/max_open", "whole number"));
}

TEST(ParseRosterErrorsTest, UnknownTimeZone) {
  EXPECT_TRUE(has_error(roster_errors(rep_doc(R"("working_hours": {"time_zone": "Europe/Berlln",
      "windows": [{"days": ["mon"], "start": "09:00", "end": "17:00"}]})")),
                        "/reps/0/working_hours/time_zone", "unknown time zone 'Europe/Berlln'"));
}

TEST(ParseRosterErrorsTest, WindowStartNotBeforeEnd) {
  EXPECT_TRUE(has_error(roster_errors(rep_doc(R"("working_hours": {"time_zone": "UTC",
      "windows": [{"days": ["mon"], "start": "17:00", "end": "09:00"}]})")),
                        "/reps/0/working_hours/windows/0/end", "two windows"));
  EXPECT_TRUE(has_error(roster_errors(rep_doc(R"("working_hours": {"time_zone": "UTC",
      "windows": [{"days": ["mon"], "start": "09:00", "end": "09:00"}]})")),
                        "/reps/0/working_hours/windows/0/end", "before or when it starts"));
}

TEST(ParseRosterErrorsTest, BadWeekday) {
  EXPECT_TRUE(has_error(roster_errors(rep_doc(R"("working_hours": {"time_zone": "UTC",
      "windows": [{"days": ["mon", "mnd"], "start": "09:00", "end": "17:00"}]})")),
                        "/reps/0/working_hours/windows/0/days/1", "unknown day 'mnd'"));
}

TEST(ParseRosterErrorsTest, NoWeekdays) {
  EXPECT_TRUE(has_error(roster_errors(rep_doc(R"("working_hours": {"time_zone": "UTC",
      "windows": [{"days": [], "start": "09:00", "end": "17:00"}]})")),
                        "/reps/0/working_hours/windows/0/days", "at least one day"));
}

TEST(ParseRosterErrorsTest, BadClockTimes) {
  const auto errors = roster_errors(rep_doc(R"("working_hours": {"time_zone": "UTC",
      "windows": [{"days": ["mon"], "start": "9:00", "end": "25:00"},
                  {"days": ["tue"], "start": "24:00", "end": "24:00"}]})"));
  EXPECT_TRUE(has_error(errors, "/reps/0/working_hours/windows/0/start", "got '9:00'"));
  EXPECT_TRUE(has_error(errors, "/reps/0/working_hours/windows/0/end", "got '25:00'"));
  EXPECT_TRUE(has_error(errors, "/reps/0/working_hours/windows/1/start", "got '24:00'"));
}

TEST(ParseRosterErrorsTest, WorkingHoursNeedZoneAndWindows) {
  const auto errors = roster_errors(rep_doc(R"("working_hours": {})"));
  EXPECT_TRUE(has_error(errors, "/reps/0/working_hours", "missing required key 'time_zone'"));
  EXPECT_TRUE(has_error(errors, "/reps/0/working_hours", "missing required key 'windows'"));
}

TEST(ParseRosterErrorsTest, TimeOffEndsBeforeItStarts) {
  EXPECT_TRUE(has_error(roster_errors(rep_doc(R"("time_off": [
      {"start": "2026-03-10T00:00:00Z", "end": "2026-03-09T00:00:00Z"}])")),
                        "/reps/0/time_off/0/end", "must end after it starts"));
  EXPECT_TRUE(has_error(roster_errors(rep_doc(R"("time_off": [
      {"start": "2026-03-10T00:00:00Z", "end": "2026-03-10T00:00:00Z"}])")),
                        "/reps/0/time_off/0/end", "must end after it starts"));
}

TEST(ParseRosterErrorsTest, TimeOffBadTimestamp) {
  EXPECT_TRUE(has_error(roster_errors(rep_doc(R"("time_off": [
      {"start": "2026-03-10 09:00", "end": "2026-03-11T00:00:00Z"}])")),
                        "/reps/0/time_off/0/start", "ISO 8601"));
}

TEST(ParseRosterErrorsTest, ActiveMustBeBoolean) {
  EXPECT_TRUE(has_error(roster_errors(rep_doc(R"("active": "yes")")), "/reps/0/active",
                        "expected a boolean"));
}

TEST(ParseRosterErrorsTest, SyntaxError) {
  EXPECT_TRUE(has_error(roster_errors("{\"reps\": [\n{\"id\": \"a\",}\n]}"), "line 2, column 12",
                        "invalid JSON"));
}

}  // namespace
}  // namespace leadrouter::core
