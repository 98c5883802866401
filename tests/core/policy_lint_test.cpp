#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "core/policy.hpp"

namespace leadrouter::core {
namespace {

using Severity = LintFinding::Severity;

std::string read_file(const std::string& relative) {
  std::ifstream in(std::string(LEADROUTER_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in) << relative;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Policy policy_from(const std::string& json) {
  auto p = parse_policy(json);
  EXPECT_TRUE(p.has_value()) << (p ? "" : format_errors(p.error()));
  return p ? *p : Policy{};
}

Rep rep(std::string id, std::vector<std::string> teams, std::vector<std::string> skills = {},
        bool active = true) {
  Rep r;
  r.id = std::move(id);
  r.name = r.id;
  r.teams = std::move(teams);
  r.skills = std::move(skills);
  r.active = active;
  return r;
}

// A clean baseline: one territory, one pool, one route, tiers down to 0.
std::string policy_json(const std::string& routes, const std::string& extra = "") {
  return R"({"version": 1, "name": "t",
    "tiers": [{"name": "A", "min_score": 60}, {"name": "B", "min_score": 0}],
    "territories": [{"name": "EMEA", "when": {"field": "country", "op": "eq", "value": "DE"}}],
    "pools": [{"name": "emea", "teams": ["emea"]}],
    "routes": )" +
         routes + R"(, "final_fallback": {"queue": "unassigned"})" + extra + "}";
}

const std::string kOneRoute = R"([{"name": "all", "destination": {"pool": "emea"}}])";

std::vector<LintFinding> find(const std::vector<LintFinding>& findings, Severity severity,
                              const std::string& path, const std::string& text) {
  std::vector<LintFinding> out;
  for (const auto& f : findings) {
    if (f.severity == severity && f.path == path && f.message.find(text) != std::string::npos) {
      out.push_back(f);
    }
  }
  return out;
}

std::string dump(const std::vector<LintFinding>& findings) {
  std::string out;
  for (const auto& f : findings) {
    out +=
        (f.severity == Severity::kError ? "error " : "warning ") + f.path + ": " + f.message + "\n";
  }
  return out;
}

#define EXPECT_FINDING(findings, severity, path, text) \
  EXPECT_EQ(find(findings, severity, path, text).size(), 1u) << dump(findings)

TEST(LintPolicyTest, CleanPolicyHasNoFindings) {
  const auto findings = lint_policy(policy_from(policy_json(kOneRoute)), {rep("r1", {"emea"})});
  EXPECT_TRUE(findings.empty()) << dump(findings);
}

TEST(LintPolicyTest, RouteAfterCatchAllIsUnreachable) {
  const auto findings = lint_policy(policy_from(policy_json(R"([
      {"name": "everything", "destination": {"pool": "emea"}},
      {"name": "germany", "when": {"field": "country", "op": "eq", "value": "DE"},
       "destination": {"queue": "q"}}])")),
                                    {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kError, "/routes/1", "unreachable: route 'everything'");
}

TEST(LintPolicyTest, EmptyAllIsACatchAllToo) {
  const auto findings = lint_policy(policy_from(policy_json(R"([
      {"name": "everything", "when": {"all": []}, "destination": {"pool": "emea"}},
      {"name": "later", "destination": {"queue": "q"}}])")),
                                    {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kError, "/routes/1", "matches every lead");
}

TEST(LintPolicyTest, RouteWithSameConditionAsEarlierIsUnreachable) {
  const auto findings = lint_policy(policy_from(policy_json(R"([
      {"name": "de", "when": {"field": "country", "op": "eq", "value": "DE"}, "destination": {"pool": "emea"}},
      {"name": "de again", "when": {"field": "country", "op": "eq", "value": "DE"}, "destination": {"queue": "q"}}])")),
                                    {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kError, "/routes/1", "has the same condition");
}

TEST(LintPolicyTest, DifferentConditionsAreReachable) {
  const auto findings = lint_policy(policy_from(policy_json(R"([
      {"name": "de", "when": {"field": "country", "op": "eq", "value": "DE"}, "destination": {"pool": "emea"}},
      {"name": "fr", "when": {"field": "country", "op": "eq", "value": "FR"}, "destination": {"queue": "q"}}])")),
                                    {rep("r1", {"emea"})});
  EXPECT_TRUE(findings.empty()) << dump(findings);
}

TEST(LintPolicyTest, RouteThatCanNeverMatch) {
  const auto findings = lint_policy(policy_from(policy_json(R"([
      {"name": "never", "when": {"any": []}, "destination": {"queue": "q"}},
      {"name": "all", "destination": {"pool": "emea"}}])")),
                                    {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kError, "/routes/0/when", "can never match");
}

TEST(LintPolicyTest, PoolWithNoReps) {
  const auto findings = lint_policy(policy_from(policy_json(kOneRoute)), {rep("r1", {"us"})});
  EXPECT_FINDING(findings, Severity::kError, "/pools/0", "pool 'emea' has no reps");
}

TEST(LintPolicyTest, PoolWithOnlyInactiveReps) {
  const auto findings =
      lint_policy(policy_from(policy_json(kOneRoute)), {rep("r1", {"emea"}, {}, false)});
  EXPECT_FINDING(findings, Severity::kWarning, "/pools/0", "no active reps");
}

TEST(LintPolicyTest, PoolListsUnknownRep) {
  Policy p = policy_from(policy_json(kOneRoute));
  p.pools[0].reps.push_back("ghost");
  const auto findings = lint_policy(p, {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kWarning, "/pools/0/reps/0", "rep 'ghost'");
}

TEST(LintPolicyTest, PoolUsedByNoRoute) {
  const auto findings =
      lint_policy(policy_from(policy_json(R"([{"name": "q", "destination": {"queue": "q"}}])")),
                  {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kWarning, "/pools/0", "not used by any route");
}

TEST(LintPolicyTest, ActiveRepInNoPool) {
  const auto findings =
      lint_policy(policy_from(policy_json(kOneRoute)),
                  {rep("r1", {"emea"}), rep("r2", {"apac"}), rep("r3", {"apac"}, {}, false)});
  EXPECT_FINDING(findings, Severity::kWarning, "roster:r2", "in no pool");
  EXPECT_TRUE(find(findings, Severity::kWarning, "roster:r3", "in no pool").empty());
}

TEST(LintPolicyTest, PolicyRepsCountAsRosterWithTheirPath) {
  const auto findings = lint_policy(
      policy_from(policy_json(kOneRoute, R"(, "reps": [{"id": "p1", "teams": ["x"]}])")),
      {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kWarning, "/reps/0", "in no pool");
}

TEST(LintPolicyTest, RepTerritoryNotDefined) {
  Rep r = rep("r1", {"emea"});
  r.territories = {"EMEA", "APAC"};
  const auto findings = lint_policy(policy_from(policy_json(kOneRoute)), {r});
  EXPECT_FINDING(findings, Severity::kWarning, "roster:r1", "territory 'APAC'");
}

TEST(LintPolicyTest, NoFinalFallback) {
  Policy p = policy_from(policy_json(kOneRoute));
  p.final_fallback = Destination{};
  const auto findings = lint_policy(p, {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kWarning, "/final_fallback", "no final_fallback");
}

TEST(LintPolicyTest, TierGapAtTheBottom) {
  Policy p = policy_from(policy_json(kOneRoute));
  p.tiers[1].min_score = 20;
  const auto findings = lint_policy(p, {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kWarning, "/tiers/1", "scores below 20 fall in no tier");
}

TEST(LintPolicyTest, TierOverlap) {
  Policy p = policy_from(policy_json(kOneRoute));
  p.tiers[1].min_score = 60;  // built in code: parse_policy would reject it
  const auto findings = lint_policy(p, {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kError, "/tiers/1", "overlap");
}

TEST(LintPolicyTest, NoTiers) {
  Policy p = policy_from(policy_json(kOneRoute));
  p.tiers.clear();
  const auto findings = lint_policy(p, {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kWarning, "/tiers", "no tiers");
}

TEST(LintPolicyTest, NurtureTierAboveRoutingTier) {
  Policy p = policy_from(policy_json(kOneRoute));
  p.tiers[0].nurture = Destination{DestinationKind::kWorkflow, "wf"};
  const auto findings = lint_policy(p, {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kWarning, "/tiers/0", "sends leads to nurture");
}

TEST(LintPolicyTest, SkillNoRepHas) {
  const auto findings = lint_policy(policy_from(policy_json(R"([
      {"name": "all", "destination": {"pool": "emea"}, "required_skills": ["klingon"]}])")),
                                    {rep("r1", {"emea"}, {"german"})});
  EXPECT_FINDING(findings, Severity::kError, "/routes/0/required_skills/0",
                 "no rep has skill 'klingon'");
}

TEST(LintPolicyTest, SkillNoPoolMemberHas) {
  const auto findings = lint_policy(policy_from(policy_json(R"([
      {"name": "all", "destination": {"pool": "emea"}, "required_skills": ["german"],
       "fallbacks": [{"pool": "emea"}]}])")),
                                    {rep("r1", {"emea"}), rep("r2", {"us"}, {"german"})});
  EXPECT_FINDING(findings, Severity::kError, "/routes/0/required_skills/0",
                 "no rep in pool 'emea' has skill 'german'");
  EXPECT_FINDING(findings, Severity::kWarning, "/routes/0/fallbacks/0", "fallback pool 'emea'");
}

TEST(LintPolicyTest, UnknownFieldInHandBuiltPolicy) {
  Policy p = policy_from(policy_json(kOneRoute));
  p.routes[0].when.kind = Condition::Kind::kField;
  p.routes[0].when.field.field = "contry";
  const auto findings = lint_policy(p, {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kError, "/routes/0/when/field", "unknown field 'contry'");
}

TEST(LintPolicyTest, RoutingFieldInHandBuiltTerritory) {
  Policy p = policy_from(policy_json(kOneRoute));
  Condition tier;
  tier.kind = Condition::Kind::kField;
  tier.field.field = "tier";
  p.territories[0].when.kind = Condition::Kind::kAll;
  p.territories[0].when.children = {tier};
  const auto findings = lint_policy(p, {rep("r1", {"emea"})});
  EXPECT_FINDING(findings, Severity::kError, "/territories/0/when/all/0/field",
                 "only known when routing");
}

TEST(LintPolicyTest, WithoutRepsRepChecksAreSkipped) {
  const auto findings = lint_policy(policy_from(policy_json(kOneRoute)), {});
  ASSERT_EQ(findings.size(), 1u) << dump(findings);
  EXPECT_FINDING(findings, Severity::kWarning, "/reps", "checks skipped");
}

TEST(ExamplesTest, PolicyAndRosterLoadAndLintClean) {
  const auto policy = parse_policy(read_file("examples/policy.json"));
  ASSERT_TRUE(policy.has_value()) << format_errors(policy.error());
  const auto roster = parse_roster(read_file("examples/roster.json"));
  ASSERT_TRUE(roster.has_value()) << format_errors(roster.error());
  EXPECT_GE(roster->size(), 12u);
  EXPECT_EQ(policy->tiers.size(), 4u);
  EXPECT_TRUE(policy->tiers.back().nurture.has_value());

  // The example is meant to show every strategy in a sensible place.
  std::set<Strategy> strategies;
  for (const auto& pool : policy->pools) {
    strategies.insert(pool.strategy);
  }
  EXPECT_EQ(strategies.size(), 4u);

  const auto findings = lint_policy(*policy, *roster);
  EXPECT_TRUE(findings.empty()) << dump(findings);
}

}  // namespace
}  // namespace leadrouter::core
