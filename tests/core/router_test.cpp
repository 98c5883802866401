#include "core/router.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/working_time.hpp"
#include "tests/core/routing_fixtures.hpp"

namespace leadrouter::core {
namespace {

using std::chrono::minutes;
using testing::at;
using testing::field_eq;
using testing::field_is;
using testing::make_lead;
using testing::make_rep;

// Monday 10:00 in New York.
const Timestamp kNow = at("2026-03-09T14:00:00Z");

Policy explained_policy() {
  Policy p = testing::basic_policy(Strategy::kBestMatch);
  p.pools[0].name = "emea-enterprise";
  p.routes[0].destination.target = "emea-enterprise";
  p.fit.base = 82;
  p.intent.signals = {{"demo_request", 64, 24 * 7}};
  p.weights = {0.5, 0.5, 0};
  p.tiers[0].min_score = 70;
  return p;
}

TEST(RouterTest, ExplainsTheChoiceInPlainLanguage) {
  const Router router = testing::make_router(explained_policy());
  std::vector<Rep> reps = {make_rep("u1", "Ana Ruiz"), make_rep("u2", "Ben Ode")};
  reps[1].capacity.max_per_day = 15;
  RosterSnapshot snap;
  snap.reps["u2"].day_key = local_day_key(nullptr, kNow);
  snap.reps["u2"].assigned_in_day = 15;
  const Roster roster(reps, snap);
  Lead lead = make_lead("L1");
  lead.events = {{"demo_request", kNow}};
  const Decision d = router.route(lead, roster, kNow);
  EXPECT_EQ(d.assignee_kind, AssigneeKind::kRep);
  EXPECT_EQ(d.assignee_id, "u1");
  EXPECT_EQ(d.tier, "A");
  EXPECT_EQ(d.task_priority, "HIGH");
  EXPECT_DOUBLE_EQ(d.scores.fit, 82);
  EXPECT_DOUBLE_EQ(d.scores.intent, 64);
  EXPECT_DOUBLE_EQ(d.scores.combined, 73);
  EXPECT_EQ(d.sla_deadline, kNow + minutes{30});
  EXPECT_EQ(d.explanation,
            "Routed to Ana Ruiz (pool emea-enterprise, best match, route everyone): fit 82, "
            "intent 64, tier A, SLA 30 min (due 2026-03-09T14:30:00Z). "
            "Ben Ode excluded: daily cap 15 reached.");
  ASSERT_EQ(d.candidates.size(), 2U);
  EXPECT_TRUE(d.candidates[0].eligible());
  EXPECT_EQ(d.candidates[1].rep_id, "u2");
  EXPECT_EQ(d.candidates[1].exclusions.at(0).reason, ExclusionReason::kDailyCap);
  EXPECT_EQ(d.pool, "emea-enterprise");
  EXPECT_EQ(d.strategy, Strategy::kBestMatch);
  EXPECT_FALSE(d.used_fallback);
  EXPECT_EQ(d.policy_name, "test");
  EXPECT_EQ(d.policy_version, 3);
  EXPECT_EQ(d.facts.email_domain, "acme.example");
}

TEST(RouterTest, SameInputsSameDecisionAndNoSideEffects) {
  const Policy policy = testing::basic_policy();
  const Router first = testing::make_router(policy);
  const Router second = testing::make_router(policy);
  std::vector<Rep> reps;
  for (const char* id : {"d", "a", "c", "b"}) {
    reps.push_back(make_rep(id, id));
  }
  reps[2].active = false;
  const Roster roster(reps);
  const Decision a = first.route(make_lead("L1"), roster, kNow);
  const Decision b = first.route(make_lead("L1"), roster, kNow);
  const Decision c = second.route(make_lead("L1"), roster, kNow);
  for (const Decision* other : {&b, &c}) {
    EXPECT_EQ(a.assignee_id, other->assignee_id);
    EXPECT_EQ(a.explanation, other->explanation);
    ASSERT_EQ(a.candidates.size(), other->candidates.size());
    for (std::size_t i = 0; i < a.candidates.size(); ++i) {
      EXPECT_EQ(a.candidates[i].rep_id, other->candidates[i].rep_id);
      EXPECT_EQ(a.candidates[i].strategy_score, other->candidates[i].strategy_score);
    }
  }
  EXPECT_TRUE(roster.snapshot().reps.empty());
  EXPECT_TRUE(roster.snapshot().pools.empty());
}

TEST(RouterTest, NurtureTierGoesToItsDestinationWithoutARep) {
  Policy policy = testing::basic_policy();
  policy.fit.base = 10;
  policy.tiers[2].nurture = Destination{DestinationKind::kWorkflow, "drip-campaign"};
  const Router router = testing::make_router(policy);
  const Roster roster({make_rep("a", "A")});
  const Decision d = router.route(make_lead("L1"), roster, kNow);
  EXPECT_EQ(d.assignee_kind, AssigneeKind::kWorkflow);
  EXPECT_EQ(d.assignee_id, "drip-campaign");
  EXPECT_EQ(d.tier, "C");
  EXPECT_EQ(d.route, "tier:C nurture");
  EXPECT_TRUE(d.candidates.empty());
  EXPECT_FALSE(d.sla_deadline.has_value());
  EXPECT_EQ(d.explanation,
            "Sent to workflow 'drip-campaign' (tier:C nurture): fit 10, intent 0, tier C.");
}

Policy two_pool_policy() {
  Policy p = testing::basic_policy();
  p.pools = {Pool{"ent", {"ent"}, {}, Strategy::kRoundRobin},
             Pool{"smb", {"smb"}, {}, Strategy::kLeastLoaded}};
  p.routes[0].destination = {DestinationKind::kPool, "ent"};
  p.routes[0].fallbacks = {{DestinationKind::kPool, "smb"}};
  return p;
}

TEST(RouterTest, FallbackChainEndsInTheFinalQueue) {
  const Router router = testing::make_router(two_pool_policy());
  std::vector<Rep> reps = {make_rep("e1", "Eve", {"ent"}), make_rep("s1", "Sam", {"smb"})};
  reps[0].active = false;
  reps[1].capacity.max_open = 0;
  const Roster roster(reps);
  const Decision d = router.route(make_lead("L1"), roster, kNow);
  EXPECT_EQ(d.assignee_kind, AssigneeKind::kQueue);
  EXPECT_EQ(d.assignee_id, "triage");
  EXPECT_TRUE(d.used_fallback);
  EXPECT_EQ(d.route, "final_fallback");
  ASSERT_EQ(d.trail.size(), 3U);
  EXPECT_EQ(d.trail[0].route, "everyone");
  EXPECT_EQ(d.trail[0].outcome, "no eligible rep in pool 'ent' (1 excluded)");
  EXPECT_EQ(d.trail[1].route, "everyone fallback 1");
  EXPECT_EQ(d.trail[2].route, "final_fallback");
  EXPECT_EQ(d.trail[2].outcome, "matched");
  ASSERT_EQ(d.candidates.size(), 2U);
  EXPECT_EQ(d.candidates[0].pool, "ent");
  EXPECT_EQ(d.candidates[0].exclusions.at(0).reason, ExclusionReason::kInactive);
  EXPECT_EQ(d.candidates[1].exclusions.at(0).reason, ExclusionReason::kOpenLoadCap);
  EXPECT_NE(d.explanation.find("Sent to queue 'triage' (final fallback)"), std::string::npos);
  EXPECT_NE(d.explanation.find("Eve excluded: inactive."), std::string::npos);
}

TEST(RouterTest, RouteFallbackPoolTakesTheLead) {
  const Router router = testing::make_router(two_pool_policy());
  std::vector<Rep> reps = {make_rep("e1", "Eve", {"ent"}), make_rep("s1", "Sam", {"smb"})};
  reps[0].active = false;
  const Roster roster(reps);
  const Decision d = router.route(make_lead("L1"), roster, kNow);
  EXPECT_EQ(d.assignee_id, "s1");
  EXPECT_EQ(d.pool, "smb");
  EXPECT_EQ(d.strategy, Strategy::kLeastLoaded);
  EXPECT_TRUE(d.used_fallback);
  EXPECT_EQ(d.route, "everyone");
  EXPECT_NE(d.explanation.find("(pool smb, least loaded, fallback of route everyone)"),
            std::string::npos);
}

TEST(RouterTest, NoEligibleRepAnywhereStillQueuesTheLead) {
  Policy policy = two_pool_policy();
  policy.final_fallback = {DestinationKind::kPool, "smb"};
  const Router router = testing::make_router(policy);
  std::vector<Rep> reps = {make_rep("e1", "Eve", {"ent"}), make_rep("s1", "Sam", {"smb"})};
  reps[0].active = false;
  reps[1].active = false;
  const Roster roster(reps);
  const Decision d = router.route(make_lead("L1"), roster, kNow);
  EXPECT_EQ(d.assignee_kind, AssigneeKind::kQueue);
  EXPECT_EQ(d.assignee_id, std::string(kUnassignedQueue));
  EXPECT_EQ(d.trail.back().route, "unassigned");
  // An empty roster too.
  const Decision empty = router.route(make_lead("L2"), Roster{}, kNow);
  EXPECT_EQ(empty.assignee_id, std::string(kUnassignedQueue));
}

TEST(RouterTest, NoMatchingRouteUsesTheFinalFallback) {
  Policy policy = testing::basic_policy();
  policy.routes[0].when = field_eq("country", std::string("DE"));
  const Router router = testing::make_router(policy);
  const Decision d = router.route(make_lead("L1"), Roster({make_rep("a", "A")}), kNow);
  EXPECT_EQ(d.assignee_id, "triage");
  EXPECT_EQ(d.route, "final_fallback");
  EXPECT_EQ(d.trail.size(), 1U);
}

TEST(RouterTest, PolicyWithoutFinalFallbackQueuesUnassigned) {
  Policy policy = testing::basic_policy();
  policy.routes[0].when = field_eq("country", std::string("DE"));
  policy.final_fallback = Destination{};  // what parse_policy leaves when the key is absent
  const Router router = testing::make_router(policy);
  const Decision d = router.route(make_lead("L1"), Roster({make_rep("a", "A")}), kNow);
  EXPECT_EQ(d.assignee_kind, AssigneeKind::kQueue);
  EXPECT_EQ(d.assignee_id, std::string(kUnassignedQueue));
  EXPECT_FALSE(d.assignee_id.empty());
}

TEST(RouterTest, RouteConditionsSeeTierTerritoryAndAccount) {
  Policy policy = testing::basic_policy();
  policy.territories = {
      {"EMEA", field_is("country", Op::kIn, {std::string("DE"), std::string("FR")})},
      {"US", field_eq("country", std::string("US"))}};
  policy.pools.push_back(Pool{"vip", {"vip"}, {}, Strategy::kRoundRobin});
  Route owner;
  owner.name = "named-account";
  owner.when = field_eq("account_matched", true);
  owner.destination = {DestinationKind::kAccountOwner, ""};
  owner.fallbacks = {{DestinationKind::kPool, "vip"}};
  Route vip;
  vip.name = "us-tier-b";
  Condition both;
  both.kind = Condition::Kind::kAll;
  both.children = {field_eq("tier", std::string("B")), field_eq("territory", std::string("US"))};
  vip.when = both;
  vip.destination = {DestinationKind::kPool, "vip"};
  policy.routes.insert(policy.routes.begin(), {owner, vip});
  const Router router = testing::make_router(policy);
  const Roster roster({make_rep("a", "A"), make_rep("v", "V", {"vip"}), make_rep("o", "Owner")});

  const Decision us = router.route(make_lead("L1"), roster, kNow);
  EXPECT_EQ(us.territory, "US");
  EXPECT_EQ(us.route, "us-tier-b");
  EXPECT_EQ(us.assignee_id, "v");

  Lead de = make_lead("L2");
  de.country = "de";
  const Decision emea = router.route(de, roster, kNow);
  EXPECT_EQ(emea.territory, "EMEA");
  EXPECT_EQ(emea.route, "everyone");

  Enrichment account;
  account.account = AccountMatch{"acc1", "Acme Corp", "o", 0.97, "email domain"};
  const Decision owned = router.route(de, account, roster, kNow);
  EXPECT_EQ(owned.route, "named-account");
  EXPECT_EQ(owned.assignee_id, "o");
  EXPECT_TRUE(owned.pool.empty());
  EXPECT_NE(owned.explanation.find("(owner of account Acme Corp, route named-account)"),
            std::string::npos);

  // The owner is away: the route's fallback pool, not the next route.
  std::vector<Rep> reps = roster.reps();
  reps[2].time_off = {{kNow - minutes{60}, kNow + minutes{60}, "vacation"}};
  const Decision away = router.route(de, account, Roster(reps), kNow);
  EXPECT_EQ(away.assignee_id, "v");
  EXPECT_TRUE(away.used_fallback);
  EXPECT_EQ(away.candidates.at(0).rep_id, "o");
  EXPECT_EQ(away.candidates.at(0).exclusions.at(0).reason, ExclusionReason::kOutOfOffice);
}

TEST(RouterTest, DuplicateOwnerDestination) {
  Policy policy = testing::basic_policy();
  Route dup;
  dup.name = "duplicate";
  dup.when = field_eq("duplicate_found", true);
  dup.destination = {DestinationKind::kDuplicateOwner, ""};
  policy.routes.insert(policy.routes.begin(), dup);
  const Router router = testing::make_router(policy);
  const Roster roster({make_rep("a", "A"), make_rep("o", "Olga")});
  Enrichment enrichment;
  enrichment.duplicate = DuplicateMatch{"00Q9", "lead", "o", "same email"};
  const Decision d = router.route(make_lead("L1"), enrichment, roster, kNow);
  EXPECT_EQ(d.assignee_id, "o");
  EXPECT_EQ(d.route, "duplicate");
  EXPECT_NE(d.explanation.find("Routed to Olga (owner of the duplicate record, route duplicate)"),
            std::string::npos);
  // An owner who is not on the roster: the policy's final fallback.
  enrichment.duplicate->owner_id = "gone";
  const Decision gone = router.route(make_lead("L1"), enrichment, roster, kNow);
  EXPECT_EQ(gone.assignee_id, "triage");
  EXPECT_EQ(gone.trail.at(0).outcome, "duplicate owner 'gone' is not on the roster");
}

TEST(RouterTest, AnOwnedDuplicateIsNeverGivenToASecondRep) {
  // No duplicate route at all: the pool is skipped, the final fallback
  // queue takes the lead (flagged in the trail and the explanation).
  const Router router = testing::make_router(testing::basic_policy());
  const Roster roster({make_rep("a", "A"), make_rep("o", "Olga")});
  Enrichment enrichment;
  enrichment.duplicate = DuplicateMatch{"003C9", "contact", "o", "same email"};
  const Decision d = router.route(make_lead("L1"), enrichment, roster, kNow);
  EXPECT_EQ(d.assignee_kind, AssigneeKind::kQueue);
  EXPECT_EQ(d.assignee_id, "triage");
  EXPECT_EQ(d.trail.at(0).outcome, "skipped: duplicate of contact '003C9', owned by 'o'");
  EXPECT_NE(d.explanation.find("Possible duplicate of contact 003C9 (same email), owned by o."),
            std::string::npos)
      << d.explanation;

  // An account owner who is not the duplicate's owner is refused too.
  Policy policy = testing::basic_policy();
  Route named;
  named.name = "named-account";
  named.when = field_eq("account_matched", true);
  named.destination = {DestinationKind::kAccountOwner, ""};
  policy.routes.insert(policy.routes.begin(), named);
  const Router accounts = testing::make_router(policy);
  enrichment.account = AccountMatch{"001A", "Acme Corp", "a", 0.95, "email domain acme.example"};
  const Decision refused = accounts.route(make_lead("L1"), enrichment, roster, kNow);
  EXPECT_EQ(refused.assignee_id, "triage");
  EXPECT_EQ(refused.trail.at(0).outcome, "account owner 'a' is not the duplicate's owner 'o'");
  // ... and accepted when it is the same rep.
  enrichment.account->owner_id = "o";
  const Decision same = accounts.route(make_lead("L1"), enrichment, roster, kNow);
  EXPECT_EQ(same.assignee_id, "o");
  EXPECT_NE(same.explanation.find("Matched account Acme Corp by email domain acme.example, "
                                  "confidence 0.95."),
            std::string::npos)
      << same.explanation;

  // A duplicate whose record has no owner yet routes normally.
  enrichment.account.reset();
  enrichment.duplicate->owner_id.clear();
  const Decision unowned = router.route(make_lead("L1"), enrichment, roster, kNow);
  EXPECT_EQ(unowned.assignee_kind, AssigneeKind::kRep);
  EXPECT_NE(unowned.explanation.find("which has no owner yet"), std::string::npos);
}

TEST(RouterTest, RouteConstraintsSkillsLanguageTerritory) {
  Policy policy = testing::basic_policy(Strategy::kRoundRobin);
  policy.territories = {{"EMEA", field_eq("country", std::string("DE"))}};
  policy.routes[0].required_skills = {"security"};
  policy.routes[0].match_language = true;
  policy.routes[0].match_territory = true;
  const Router router = testing::make_router(policy);
  std::vector<Rep> reps = {make_rep("a", "A"), make_rep("b", "B"), make_rep("c", "C"),
                           make_rep("d", "D")};
  for (Rep& r : reps) {
    r.skills = {"security"};
    r.languages = {"de"};
    r.territories = {"EMEA"};
  }
  reps[0].skills.clear();
  reps[1].languages = {"en"};
  reps[2].territories = {"US"};
  const Roster roster(reps);
  Lead lead = make_lead("L1");
  lead.country = "DE";
  lead.language = "de-DE";
  const Decision d = router.route(lead, roster, kNow);
  EXPECT_EQ(d.assignee_id, "d");
  std::map<std::string, ExclusionReason> why;
  for (const Candidate& c : d.candidates) {
    if (!c.eligible()) {
      why[c.rep_id] = c.exclusions.at(0).reason;
    }
  }
  EXPECT_EQ(why.at("a"), ExclusionReason::kMissingSkill);
  EXPECT_EQ(why.at("b"), ExclusionReason::kMissingLanguage);
  EXPECT_EQ(why.at("c"), ExclusionReason::kTerritoryMismatch);
}

class FixedModel : public ModelScorer {
 public:
  explicit FixedModel(std::expected<ModelScore, Error> result) : result_(std::move(result)) {}
  std::expected<ModelScore, Error> score(const Lead&, const LeadFacts&, const Enrichment&,
                                         Timestamp) const override {
    return result_;
  }

 private:
  std::expected<ModelScore, Error> result_;
};

TEST(RouterTest, ModelHookScoresAndItsFailureIsNotFatal) {
  Policy policy = testing::basic_policy();
  policy.fit.base = 40;
  policy.weights = {0, 0, 1};
  policy.routes[0].when = field_is("model_probability", Op::kGte, {0.5});
  const Roster roster({make_rep("a", "Ann")});

  ModelScore score;
  score.probability = 0.9;
  score.model_version = "xgb-7";
  const Router with_model = testing::make_router(policy, std::make_shared<const FixedModel>(score));
  const Decision d = with_model.route(make_lead("L1"), roster, kNow);
  ASSERT_TRUE(d.scores.model.has_value());
  EXPECT_DOUBLE_EQ(d.scores.combined, 90);
  EXPECT_EQ(d.tier, "A");
  EXPECT_EQ(d.assignee_id, "a");
  EXPECT_NE(d.explanation.find("model 90%"), std::string::npos);

  const Router failing = testing::make_router(
      policy, std::make_shared<const FixedModel>(std::unexpected(Error::internal("no booster"))));
  const Decision f = failing.route(make_lead("L1"), roster, kNow);
  EXPECT_FALSE(f.scores.model.has_value());
  EXPECT_EQ(f.scores.model_error, "no booster");
  EXPECT_DOUBLE_EQ(f.scores.combined, 20);  // (fit 40 + intent 0) / 2
  EXPECT_EQ(f.assignee_id, "triage");       // the model condition no longer holds
  EXPECT_NE(f.explanation.find("model unavailable"), std::string::npos);
}

TEST(RouterTest, BusinessHoursTierNeedsRepsInHoursAndCountsWorkingTime) {
  Policy policy = testing::basic_policy();
  policy.fit.base = 90;  // tier A: business hours, 30 min
  const Router router = testing::make_router(policy);
  Rep ny = make_rep("ny", "Nia");
  ny.working_hours = testing::office_hours("America/New_York");
  const Roster roster({ny});
  // Monday 16:45 EDT: 15 minutes today, 15 on Tuesday from 09:00 EDT.
  const Decision late = router.route(make_lead("L1"), roster, at("2026-03-09T20:45:00Z"));
  EXPECT_EQ(late.assignee_id, "ny");
  EXPECT_EQ(late.sla_deadline, at("2026-03-10T13:15:00Z"));
  EXPECT_EQ(late.sla_minutes, 30);
  // 17:05 EDT: out of hours, so the lead queues instead (SLA by the clock).
  const Decision night = router.route(make_lead("L2"), roster, at("2026-03-09T21:05:00Z"));
  EXPECT_EQ(night.assignee_id, "triage");
  EXPECT_EQ(night.candidates.at(0).exclusions.at(0).reason, ExclusionReason::kOutsideWorkingHours);
  EXPECT_EQ(night.sla_deadline, at("2026-03-09T21:35:00Z"));
  // Tier B does not need business hours: the rep takes it, SLA by the clock.
  policy.fit.base = 60;
  const Decision b =
      testing::make_router(policy).route(make_lead("L3"), roster, at("2026-03-09T21:05:00Z"));
  EXPECT_EQ(b.assignee_id, "ny");
  EXPECT_EQ(b.sla_deadline, at("2026-03-09T22:05:00Z"));
}

TEST(RouterTest, BusinessHoursSlaAcrossBerlinSpringForward) {
  Policy policy = testing::basic_policy();
  policy.fit.base = 90;
  const Router router = testing::make_router(policy);
  Rep de = make_rep("de", "Dora");
  de.working_hours = testing::office_hours("Europe/Berlin");
  // Friday 16:45 CET + 30 working minutes: Monday 09:15 CEST.
  const Decision d = router.route(make_lead("L1"), Roster({de}), at("2026-03-27T15:45:00Z"));
  EXPECT_EQ(d.assignee_id, "de");
  EXPECT_EQ(d.sla_deadline, at("2026-03-30T07:15:00Z"));
}

TEST(RouterTest, SegmentKeyFromDimensions) {
  Policy policy = testing::basic_policy();
  policy.segments = {{"industry", {}}, {"employees", {50, 500}}, {"custom.plan", {}}};
  const Router router = testing::make_router(policy);
  Lead lead = make_lead("L1");
  lead.industry = "Software";
  lead.employees = 120;
  const Roster roster({make_rep("a", "A")});
  EXPECT_EQ(router.route(lead, roster, kNow).segment,
            "industry=software|employees=50-500|custom.plan=unknown");
  lead.employees = 20;
  EXPECT_EQ(router.route(lead, roster, kNow).segment,
            "industry=software|employees=<50|custom.plan=unknown");
  lead.employees = 500;
  lead.custom["plan"] = "Pro";
  EXPECT_EQ(router.route(lead, roster, kNow).segment,
            "industry=software|employees=500+|custom.plan=pro");
}

TEST(RouterTest, CandidateListsAreBoundedExceptForWeightedRoundRobin) {
  std::vector<Rep> reps;
  for (int i = 0; i < 30; ++i) {
    reps.push_back(make_rep("r" + std::to_string(100 + i), "Rep"));
  }
  reps[0].active = false;
  // Distinct loads, so best-match ranks every rep differently.
  RosterSnapshot snap;
  std::vector<std::pair<int, std::string>> by_load;
  for (int i = 1; i < 30; ++i) {
    const int load = (i * 7) % 29;
    snap.reps[reps[static_cast<std::size_t>(i)].id].open_load = load;
    by_load.emplace_back(load, reps[static_cast<std::size_t>(i)].id);
  }
  std::sort(by_load.begin(), by_load.end());
  const Roster roster(reps, snap);
  const Decision best = testing::make_router(testing::basic_policy(Strategy::kBestMatch))
                            .route(make_lead("L"), roster, kNow);
  ASSERT_EQ(best.candidates.size(), 6U + 1U);  // winner, 5 runners-up, 1 excluded
  EXPECT_FALSE(best.candidates.back().eligible());
  EXPECT_EQ(best.candidates.front().rep_id, best.assignee_id);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(best.candidates[i].rep_id, by_load[i].second) << i;
  }
  const Decision wrr =
      testing::make_router(testing::basic_policy()).route(make_lead("L"), roster, kNow);
  EXPECT_EQ(wrr.candidates.size(), 30U);
}

}  // namespace
}  // namespace leadrouter::core
