// The SLA keys of a tier: sla_minutes / sla_seconds and the on_breach steps,
// their validation by JSON path, the lint findings about them, and the
// deadline the router computes from them.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/policy.hpp"
#include "core/router.hpp"
#include "tests/core/routing_fixtures.hpp"

namespace leadrouter::core {
namespace {

using std::chrono::seconds;
using testing::at;

// A valid policy whose only tier is `tier` (a JSON object body).
std::string with_tier(const std::string& tier) {
  return R"({"version": 1, "name": "sla",
    "pools": [{"name": "sales", "teams": ["sales"]}],
    "routes": [{"name": "all", "destination": {"pool": "sales"}}],
    "final_fallback": {"queue": "triage"},
    "tiers": [{"name": "A", "min_score": 0, )" +
         tier + "}]}";
}

::testing::AssertionResult has_error(const std::string& json, const std::string& path,
                                     const std::string& reason) {
  const auto p = parse_policy(json);
  if (p) {
    return ::testing::AssertionFailure() << "expected errors for: " << json;
  }
  for (const auto& e : p.error()) {
    if (e.path == path && e.reason.find(reason) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "no error at '" << path << "' containing '" << reason << "'; got:\n"
         << format_errors(p.error());
}

Tier only_tier(const std::string& tier) {
  auto p = parse_policy(with_tier(tier));
  EXPECT_TRUE(p.has_value()) << (p ? "" : format_errors(p.error()));
  return p && !p->tiers.empty() ? p->tiers.front() : Tier{};
}

TEST(SlaPolicyTest, ParsesTheStepsOfTheIssueExample) {
  const Tier t = only_tier(R"("sla_minutes": 30, "business_hours": true, "on_breach": [
      {"action": "remind"},
      {"action": "reassign", "after_minutes": 30},
      {"action": "escalate", "to": "manager", "queue": "sales-managers", "after_minutes": 60}])");
  EXPECT_EQ(t.sla_minutes, 30);
  EXPECT_EQ(t.sla_seconds, 1800);
  EXPECT_TRUE(t.business_hours);
  ASSERT_EQ(t.on_breach.size(), 3u);
  EXPECT_EQ(t.on_breach[0].action, BreachAction::kRemind);
  EXPECT_EQ(t.on_breach[0].after_seconds, 0);
  EXPECT_EQ(t.on_breach[1].action, BreachAction::kReassign);
  EXPECT_EQ(t.on_breach[1].after_seconds, 1800);
  EXPECT_EQ(t.on_breach[2].action, BreachAction::kEscalate);
  EXPECT_EQ(t.on_breach[2].to, EscalateTo::kManager);
  EXPECT_EQ(t.on_breach[2].queue, "sales-managers");
  EXPECT_EQ(t.on_breach[2].after_seconds, 3600);
  EXPECT_STREQ(to_string(BreachAction::kReassign), "reassign");
}

TEST(SlaPolicyTest, SecondsAreThePreciseAlternative) {
  const Tier t = only_tier(R"("sla_seconds": 90, "on_breach": [
      {"action": "reassign", "after_seconds": 2},
      {"action": "escalate", "to": "queue", "queue": "leads-desk", "after_seconds": 3}])");
  EXPECT_EQ(t.sla_seconds, 90);
  EXPECT_EQ(t.sla_minutes, 2);  // rounded up, for display
  EXPECT_EQ(t.on_breach[0].after_seconds, 2);
  EXPECT_EQ(t.on_breach[1].to, EscalateTo::kQueue);
  EXPECT_EQ(t.on_breach[1].after_seconds, 3);
}

TEST(SlaPolicyTest, ATierWithoutStepsOnlyMeasures) {
  const Tier t = only_tier(R"("sla_minutes": 15)");
  EXPECT_TRUE(t.on_breach.empty());
  EXPECT_EQ(t.sla_duration_seconds(), 900);
}

TEST(SlaPolicyTest, RejectsBothUnitsInOnePlace) {
  EXPECT_TRUE(has_error(with_tier(R"("sla_minutes": 1, "sla_seconds": 60)"), "/tiers/0/sla_seconds",
                        "not both"));
  EXPECT_TRUE(has_error(with_tier(R"("sla_seconds": 60, "on_breach": [
      {"action": "remind", "after_minutes": 1, "after_seconds": 5}])"),
                        "/tiers/0/on_breach/0/after_seconds", "not both"));
}

TEST(SlaPolicyTest, RejectsNegativeDurations) {
  EXPECT_TRUE(has_error(with_tier(R"("sla_seconds": -1)"), "/tiers/0/sla_seconds", "0 or more"));
  EXPECT_TRUE(has_error(with_tier(R"("sla_minutes": 5, "on_breach": [
      {"action": "remind", "after_minutes": -2}])"),
                        "/tiers/0/on_breach/0/after_minutes", "0 or more"));
}

TEST(SlaPolicyTest, RejectsBadSteps) {
  EXPECT_TRUE(has_error(with_tier(R"("sla_minutes": 5, "on_breach": [{"action": "nag"}])"),
                        "/tiers/0/on_breach/0/action", "remind, reassign or escalate"));
  EXPECT_TRUE(has_error(with_tier(R"("sla_minutes": 5, "on_breach": [{"after_minutes": 5}])"),
                        "/tiers/0/on_breach/0", "missing required key 'action'"));
  EXPECT_TRUE(has_error(with_tier(R"("sla_minutes": 5, "on_breach": [{"action": "escalate"}])"),
                        "/tiers/0/on_breach/0", "missing required key 'queue'"));
  EXPECT_TRUE(
      has_error(with_tier(R"("sla_minutes": 5, "on_breach": [{"action": "escalate", "to": "ceo",
                   "queue": "q"}])"),
                "/tiers/0/on_breach/0/to", "manager or queue"));
  EXPECT_TRUE(has_error(with_tier(R"("sla_minutes": 5, "on_breach": [
      {"action": "escalate", "queue": "q"}, {"action": "remind"}])"),
                        "/tiers/0/on_breach/1/action", "must be the last step"));
  EXPECT_TRUE(has_error(with_tier(R"("sla_minutes": 5, "on_breach": [{"action": "remind",
                   "afterminutes": 3}])"),
                        "/tiers/0/on_breach/0/afterminutes", ""));
  EXPECT_TRUE(has_error(with_tier(R"("sla_minutes": 5, "on_breach": {"action": "remind"})"),
                        "/tiers/0/on_breach", "array"));
}

TEST(SlaPolicyTest, EscalationKeysBelongToEscalateSteps) {
  EXPECT_TRUE(has_error(with_tier(R"("sla_minutes": 5, "on_breach": [
      {"action": "reassign", "queue": "q"}])"),
                        "/tiers/0/on_breach/0/queue", "only escalate steps"));
  // A misspelt action is reported once, not again for its escalation keys.
  const auto p = parse_policy(with_tier(R"("sla_minutes": 5, "on_breach": [
      {"action": "escalte", "to": "queue", "queue": "q"}])"));
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().size(), 1u) << format_errors(p.error());
}

TEST(SlaPolicyTest, StepsNeedAnSla) {
  EXPECT_TRUE(has_error(with_tier(R"("on_breach": [{"action": "remind"}])"), "/tiers/0/on_breach",
                        "need an SLA"));
}

TEST(SlaPolicyTest, LintWarnsWhenNoRepHasAManagerToEscalateTo) {
  auto p = parse_policy(with_tier(R"("sla_minutes": 5, "on_breach": [
      {"action": "escalate", "to": "manager", "queue": "desk"}])"));
  ASSERT_TRUE(p.has_value());
  Rep r1 = testing::make_rep("r1", "Rita");
  auto findings = lint_policy(*p, {r1});
  const auto it =
      std::ranges::find(findings, std::string("/tiers/0/on_breach/0"), &LintFinding::path);
  ASSERT_NE(it, findings.end());
  EXPECT_NE(it->message.find("queue 'desk'"), std::string::npos);
  r1.manager_id = "boss";
  findings = lint_policy(*p, {r1, testing::make_rep("boss", "Bo", {"mgmt"})});
  EXPECT_EQ(std::ranges::find(findings, std::string("/tiers/0/on_breach/0"), &LintFinding::path),
            findings.end());
}

TEST(SlaPolicyTest, LintWarnsThatANurtureTierNeverRunsItsSteps) {
  auto p = parse_policy(with_tier(R"("sla_minutes": 5, "nurture": {"queue": "nurture"},
      "on_breach": [{"action": "remind"}])"));
  ASSERT_TRUE(p.has_value());
  const auto findings = lint_policy(*p, {testing::make_rep("r1", "Rita")});
  const auto it =
      std::ranges::find(findings, std::string("/tiers/0/on_breach"), &LintFinding::path);
  ASSERT_NE(it, findings.end());
  EXPECT_NE(it->message.find("never run"), std::string::npos);
}

TEST(SlaPolicyTest, SecondsSlaGivesAnExactDeadlineAndSaysSoInTheExplanation) {
  Policy policy = testing::basic_policy();
  policy.fit.base = 60;  // tier B
  policy.tiers[1].sla_seconds = 90;
  policy.tiers[1].sla_minutes = 2;
  const Router router = testing::make_router(policy);
  const Roster roster({testing::make_rep("r1", "Rita")});
  const Decision d = router.route(testing::make_lead("L1"), roster, at("2026-03-09T15:00:00Z"));
  EXPECT_EQ(d.sla_deadline, at("2026-03-09T15:01:30Z"));
  EXPECT_EQ(d.sla_minutes, 2);
  EXPECT_EQ(d.sla_seconds, 90);
  EXPECT_NE(d.explanation.find("SLA 90 s"), std::string::npos) << d.explanation;
}

TEST(SlaPolicyTest, MinuteSlaExplanationIsUnchanged) {
  Policy policy = testing::basic_policy();
  policy.fit.base = 60;
  const Decision d = testing::make_router(policy).route(testing::make_lead("L1"),
                                                        Roster({testing::make_rep("r1", "Rita")}),
                                                        at("2026-03-09T15:00:00Z"));
  EXPECT_EQ(d.sla_seconds, 3600);
  EXPECT_NE(d.explanation.find("SLA 60 min"), std::string::npos) << d.explanation;
}

TEST(SlaPolicyTest, BusinessHoursSecondsSlaAcrossTheNewYorkSpringForward) {
  Policy policy = testing::basic_policy();
  policy.fit.base = 90;  // tier A: business hours
  policy.tiers[0].sla_seconds = 45;
  const Router router = testing::make_router(policy);
  Rep ny = testing::make_rep("ny", "Nia");
  ny.working_hours = testing::office_hours("America/New_York");
  // Friday 2026-03-06 16:59:30 EST: 30 s on Friday, 15 s on Monday from
  // 09:00 EDT (clocks went forward on Sunday 2026-03-08).
  const Decision d =
      router.route(testing::make_lead("L1"), Roster({ny}), at("2026-03-06T21:59:30Z"));
  EXPECT_EQ(d.assignee_id, "ny");
  EXPECT_EQ(d.sla_deadline, at("2026-03-09T13:00:15Z"));
}

}  // namespace
}  // namespace leadrouter::core
