#include "core/roster.hpp"

#include <gtest/gtest.h>

#include "tests/core/routing_fixtures.hpp"

namespace leadrouter::core {
namespace {

using testing::at;
using testing::make_rep;

Decision to_rep(const std::string& rep, Timestamp when, std::string segment = "industry=saas") {
  Decision d;
  d.decided_at = when;
  d.assignee_kind = AssigneeKind::kRep;
  d.assignee_id = rep;
  d.segment = std::move(segment);
  d.pool = "sales";
  d.strategy = Strategy::kRoundRobin;
  return d;
}

TEST(RosterTest, FindsRepsAndTeams) {
  const Roster roster({make_rep("a", "A", {"emea", "ent"}), make_rep("b", "B", {"ent"})});
  ASSERT_NE(roster.find("b"), nullptr);
  EXPECT_EQ(roster.find("b")->name, "B");
  EXPECT_EQ(roster.find("zz"), nullptr);
  EXPECT_EQ(roster.index_of("b"), 1U);
  const auto ent = roster.team_members("ent");
  EXPECT_EQ(std::vector<std::size_t>(ent.begin(), ent.end()), (std::vector<std::size_t>{0, 1}));
  EXPECT_TRUE(roster.team_members("apac").empty());
  EXPECT_EQ(roster.state("a").open_load, 0);
}

TEST(RosterTest, CommitUpdatesLoadCountersLedgerAndTrackRecord) {
  Roster roster({make_rep("a", "A"), make_rep("b", "B")});
  const Timestamp t = at("2026-03-09T14:10:00Z");
  roster.commit(to_rep("a", t));
  roster.commit(to_rep("a", t + std::chrono::minutes{5}));
  const RepState& s = roster.state("a");
  EXPECT_EQ(s.open_load, 2);
  EXPECT_EQ(roster.assigned_today(*roster.find("a"), t), 2);
  EXPECT_EQ(roster.assigned_this_hour(*roster.find("a"), t), 2);
  EXPECT_EQ(roster.assigned_this_hour(*roster.find("a"), t + std::chrono::hours{1}), 0);
  EXPECT_EQ(s.last_assigned_at, t + std::chrono::minutes{5});
  EXPECT_EQ(s.track_record.at("industry=saas").assigned, 2);
  ASSERT_NE(roster.ledger("sales"), nullptr);
  EXPECT_EQ(roster.ledger("sales")->last_rep_id, "a");
  EXPECT_EQ(roster.ledger("sales")->round_robin_cursor, 2U);
  EXPECT_EQ(roster.state("b").open_load, 0);
}

TEST(RosterTest, QueueDecisionsChangeNothing) {
  Roster roster({make_rep("a", "A")});
  Decision d;
  d.decided_at = at("2026-03-09T14:10:00Z");
  d.assignee_kind = AssigneeKind::kQueue;
  d.assignee_id = "a";  // even when the id looks like a rep's
  roster.commit(d);
  EXPECT_TRUE(roster.snapshot().reps.empty());
  EXPECT_TRUE(roster.snapshot().pools.empty());
}

TEST(RosterTest, DailyCounterFollowsTheRepsMidnight) {
  Rep rep = make_rep("a", "A");
  rep.working_hours = testing::office_hours("America/New_York");
  Roster roster({rep});
  // 23:30 and 23:50 local on the 8th, then 00:10 local on the 9th (EDT).
  roster.commit(to_rep("a", at("2026-03-09T03:30:00Z")));
  roster.commit(to_rep("a", at("2026-03-09T03:50:00Z")));
  EXPECT_EQ(roster.assigned_today(rep, at("2026-03-09T03:59:00Z")), 2);
  EXPECT_EQ(roster.assigned_today(rep, at("2026-03-09T04:00:00Z")), 0);
  roster.commit(to_rep("a", at("2026-03-09T04:10:00Z")));
  EXPECT_EQ(roster.assigned_today(rep, at("2026-03-09T04:10:00Z")), 1);
  EXPECT_EQ(roster.state("a").open_load, 3);
}

TEST(RosterTest, ReleaseAndOutcomes) {
  Roster roster({make_rep("a", "A")});
  roster.commit(to_rep("a", at("2026-03-09T14:10:00Z")));
  roster.release("a");
  roster.release("a");  // never below zero
  EXPECT_EQ(roster.state("a").open_load, 0);
  roster.record_outcome("a", "industry=saas", true);
  roster.record_outcome("a", "industry=saas", false);
  EXPECT_EQ(roster.state("a").track_record.at("industry=saas").converted, 1);
  EXPECT_EQ(roster.state("a").track_record.at("industry=saas").assigned, 1);
  roster.release("nobody");
  roster.record_outcome("nobody", "x", true);
  EXPECT_EQ(roster.snapshot().reps.count("nobody"), 0U);
}

TEST(RosterTest, SetRepsKeepsStateOfStayersAndOfLeaversForTheirReturn) {
  Roster roster({make_rep("a", "A"), make_rep("b", "B")});
  roster.commit(to_rep("a", at("2026-03-09T14:10:00Z")));
  roster.commit(to_rep("b", at("2026-03-09T14:11:00Z")));
  roster.set_reps({make_rep("a", "A (renamed)")});
  EXPECT_EQ(roster.find("a")->name, "A (renamed)");
  EXPECT_EQ(roster.state("a").open_load, 1);
  EXPECT_EQ(roster.find("b"), nullptr);
  EXPECT_EQ(roster.ledger("sales")->last_rep_id, "b");
  roster.set_reps({make_rep("b", "B"), make_rep("a", "A")});
  EXPECT_EQ(roster.state("b").open_load, 1);
  EXPECT_EQ(roster.index_of("a"), 1U);
  EXPECT_EQ(roster.state_at(1).open_load, 1);
}

TEST(RosterTest, CopiesAreIndependent) {
  Roster original({make_rep("a", "A")});
  original.commit(to_rep("a", at("2026-03-09T14:10:00Z")));
  Roster copy = original;
  copy.commit(to_rep("a", at("2026-03-09T14:11:00Z")));
  EXPECT_EQ(original.state_at(0).open_load, 1);
  EXPECT_EQ(copy.state_at(0).open_load, 2);
  Roster moved = std::move(copy);
  EXPECT_EQ(moved.state_at(0).open_load, 2);
  copy = moved;
  EXPECT_EQ(copy.state_at(0).open_load, 2);
}

TEST(RosterTest, RestoresFromASnapshot) {
  Roster first({make_rep("a", "A")});
  first.commit(to_rep("a", at("2026-03-09T14:10:00Z")));
  const Roster restored({make_rep("a", "A")}, first.snapshot());
  EXPECT_EQ(restored.state_at(0).open_load, 1);
  EXPECT_EQ(restored.ledger("sales")->last_rep_id, "a");
}

TEST(RosterTest, CommitForARepNoLongerOnTheRosterIsIgnored) {
  Roster roster({make_rep("a", "A")});
  roster.commit(to_rep("ghost", at("2026-03-09T14:10:00Z")));
  EXPECT_TRUE(roster.snapshot().reps.empty());
  EXPECT_EQ(roster.ledger("sales"), nullptr);
}

}  // namespace
}  // namespace leadrouter::core
