// Router::route with RouteOptions: a re-route (SLA reassignment) never hands
// the lead back to a rep who already had it, through any destination kind.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/router.hpp"
#include "tests/core/routing_fixtures.hpp"

namespace leadrouter::core {
namespace {

using testing::at;
using testing::make_lead;
using testing::make_rep;

const Timestamp kNow = at("2026-03-09T15:00:00Z");

RouteOptions excluding(std::vector<std::string> reps) {
  RouteOptions options;
  options.exclude_reps = std::move(reps);
  return options;
}

const Candidate* candidate(const Decision& d, std::string_view rep) {
  const auto it = std::ranges::find(d.candidates, rep, &Candidate::rep_id);
  return it == d.candidates.end() ? nullptr : &*it;
}

bool had_lead(const Candidate& c) {
  return std::ranges::any_of(c.exclusions, [](const Exclusion& e) {
    return e.reason == ExclusionReason::kAlreadyHadLead;
  });
}

TEST(RouterRerouteTest, APoolSkipsRepsWhoAlreadyHadTheLead) {
  const Router router = testing::make_router(testing::basic_policy(Strategy::kRoundRobin));
  const Roster roster({make_rep("r1", "Rita"), make_rep("r2", "Raj"), make_rep("r3", "Rui")});
  const Decision first = router.route(make_lead("L1"), {}, roster, kNow, RouteOptions{});
  ASSERT_EQ(first.assignee_kind, AssigneeKind::kRep);
  const Decision again =
      router.route(make_lead("L1"), {}, roster, kNow, excluding({first.assignee_id}));
  ASSERT_EQ(again.assignee_kind, AssigneeKind::kRep);
  EXPECT_NE(again.assignee_id, first.assignee_id);
  const Candidate* previous = candidate(again, first.assignee_id);
  ASSERT_NE(previous, nullptr);
  EXPECT_TRUE(had_lead(*previous));
  EXPECT_FALSE(previous->eligible());
}

TEST(RouterRerouteTest, EveryoneExcludedFallsBackToTheQueue) {
  const Router router = testing::make_router(testing::basic_policy());
  const Roster roster({make_rep("r1", "Rita"), make_rep("r2", "Raj")});
  const Decision d = router.route(make_lead("L1"), {}, roster, kNow, excluding({"r1", "r2"}));
  EXPECT_EQ(d.assignee_kind, AssigneeKind::kQueue);
  EXPECT_EQ(d.assignee_id, "triage");
  ASSERT_NE(candidate(d, "r1"), nullptr);
  ASSERT_NE(candidate(d, "r2"), nullptr);
  EXPECT_TRUE(had_lead(*candidate(d, "r1")));
  EXPECT_TRUE(had_lead(*candidate(d, "r2")));
}

TEST(RouterRerouteTest, AnExcludedAccountOwnerFallsThroughToThePool) {
  Policy policy = testing::basic_policy(Strategy::kRoundRobin);
  Route owner;
  owner.name = "account owner";
  owner.destination = {DestinationKind::kAccountOwner, ""};
  owner.fallbacks = {{DestinationKind::kPool, "sales"}};
  policy.routes.insert(policy.routes.begin(), owner);
  const Router router = testing::make_router(policy);
  const Roster roster({make_rep("r1", "Rita"), make_rep("r2", "Raj")});
  Enrichment enrichment;
  enrichment.account = AccountMatch{"A1", "Acme", "r1", 0.95, "email domain acme.example"};

  const Decision first = router.route(make_lead("L1"), enrichment, roster, kNow, RouteOptions{});
  EXPECT_EQ(first.assignee_id, "r1");
  const Decision again = router.route(make_lead("L1"), enrichment, roster, kNow, excluding({"r1"}));
  EXPECT_EQ(again.assignee_kind, AssigneeKind::kRep);
  EXPECT_EQ(again.assignee_id, "r2");
  ASSERT_NE(candidate(again, "r1"), nullptr);
  EXPECT_TRUE(had_lead(*candidate(again, "r1")));
}

TEST(RouterRerouteTest, ADuplicatesOwnerWhoHadTheLeadSendsItToAQueueNotASecondRep) {
  Policy policy = testing::basic_policy(Strategy::kRoundRobin);
  Route dup;
  dup.name = "duplicate owner";
  dup.destination = {DestinationKind::kDuplicateOwner, ""};
  dup.fallbacks = {{DestinationKind::kPool, "sales"}};
  policy.routes.insert(policy.routes.begin(), dup);
  const Router router = testing::make_router(policy);
  const Roster roster({make_rep("r1", "Rita"), make_rep("r2", "Raj")});
  Enrichment enrichment;
  enrichment.duplicate = DuplicateMatch{"C9", "contact", "r1", "same email"};

  const Decision first = router.route(make_lead("L1"), enrichment, roster, kNow, RouteOptions{});
  EXPECT_EQ(first.assignee_id, "r1");
  const Decision again = router.route(make_lead("L1"), enrichment, roster, kNow, excluding({"r1"}));
  EXPECT_EQ(again.assignee_kind, AssigneeKind::kQueue);
  EXPECT_NE(again.assignee_id, "r2");
}

TEST(RouterRerouteTest, NoOptionsMeansNoExclusion) {
  const Router router = testing::make_router(testing::basic_policy());
  const Roster roster({make_rep("r1", "Rita")});
  const Decision d = router.route(make_lead("L1"), {}, roster, kNow, RouteOptions{});
  EXPECT_EQ(d.assignee_id, "r1");
  const Decision excluded_other =
      router.route(make_lead("L1"), {}, roster, kNow, excluding({"someone-else"}));
  EXPECT_EQ(excluded_other.assignee_id, "r1");
}

}  // namespace
}  // namespace leadrouter::core
