// The SLA watches of the state store (schema 3): upserted with the routing
// commit, skipped with a duplicate decision, queried by due time and state.
#include <gtest/gtest.h>

#include "sidecar/store/state_store.hpp"
#include "tests/sidecar/pipeline_fixtures.hpp"

namespace leadrouter::sidecar {
namespace {

using namespace std::chrono_literals;
using testing::ms_at;

DecisionRow initial(const std::string& lead) {
  DecisionRow row;
  row.decision_id = "hs:" + lead + ":1";
  row.connector = "hs";
  row.lead_id = lead;
  row.kind = "initial";
  row.source = "poll";
  row.mode = "live";
  row.decided_at = ms_at("2026-03-09T15:00:00Z");
  row.assignee_kind = "rep";
  row.assignee_id = "r1";
  row.decision_json = "{}";
  row.lead_json = "{}";
  return row;
}

SlaWatch watch(const std::string& lead, std::string_view due) {
  SlaWatch w;
  w.connector = "hs";
  w.lead_id = lead;
  w.decision_id = "hs:" + lead + ":1";
  w.owner_id = "r1";
  w.tier = "A";
  w.started_at = ms_at("2026-03-09T15:00:00Z");
  w.deadline = ms_at(due);
  w.due_at = w.deadline;
  w.previous_owners = {"r1"};
  return w;
}

class StateStoreSlaTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::unique_ptr<StateStore> store = testing::open_store(dir);
};

TEST_F(StateStoreSlaTest, AWatchCommitsWithItsDecisionAndRoundTrips) {
  Commit c;
  c.connector = "hs";
  c.decisions = {initial("101")};
  SlaWatch w = watch("101", "2026-03-09T15:30:00Z");
  w.previous_owners = {"r1", "r2"};
  w.breached_at = ms_at("2026-03-09T15:31:00Z");
  w.evidence = "x";
  c.sla_watches = {w};
  ASSERT_TRUE(store->commit(c));
  const auto stored = store->sla_watch("hs", "101").value();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->decision_id, "hs:101:1");
  EXPECT_EQ(stored->deadline, ms_at("2026-03-09T15:30:00Z"));
  EXPECT_EQ(stored->previous_owners, (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(stored->breached_at, ms_at("2026-03-09T15:31:00Z"));
  EXPECT_FALSE(stored->closed_at.has_value());
  EXPECT_EQ(stored->state, SlaState::kOpen);
  EXPECT_EQ(stored->evidence, "x");
}

TEST_F(StateStoreSlaTest, AWatchOfADuplicateDecisionIsSkippedWithIt) {
  Commit first;
  first.connector = "hs";
  first.decisions = {initial("101")};
  first.sla_watches = {watch("101", "2026-03-09T15:30:00Z")};
  ASSERT_TRUE(store->commit(first));
  // The same lead decided again by a racing path: the stored watch stays.
  Commit again = first;
  again.sla_watches = {watch("101", "2026-03-09T18:00:00Z")};
  again.sla_watches[0].owner_id = "r9";
  const auto result = store->commit(again).value();
  EXPECT_EQ(result.skipped_duplicates, std::vector<std::string>{"hs:101:1"});
  EXPECT_EQ(store->sla_watch("hs", "101").value()->owner_id, "r1");
}

TEST_F(StateStoreSlaTest, DueWatchesAreOpenOnesEarliestFirst) {
  Commit c;
  c.connector = "hs";
  c.sla_watches = {watch("1", "2026-03-09T15:30:00Z"), watch("2", "2026-03-09T15:10:00Z"),
                   watch("3", "2026-03-09T15:20:00Z"), watch("4", "2026-03-09T16:00:00Z")};
  c.sla_watches[2].state = SlaState::kMet;
  ASSERT_TRUE(store->commit(c));
  const auto due = store->due_sla_watches(ms_at("2026-03-09T15:30:00Z"), 10).value();
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].lead_id, "2");
  EXPECT_EQ(due[1].lead_id, "1");
  EXPECT_EQ(store->due_sla_watches(ms_at("2026-03-09T15:30:00Z"), 1).value().size(), 1u);
  EXPECT_EQ(store->next_sla_deadline().value(), ms_at("2026-03-09T15:10:00Z"));
  EXPECT_EQ(store->open_sla_watch_count().value(), 3);
  EXPECT_EQ(store->sla_watches({.state = SlaState::kMet}).value().size(), 1u);
  EXPECT_EQ(store->sla_watches({}).value().size(), 4u);
  EXPECT_EQ(store->sla_watches({.connector = "other"}).value().size(), 0u);
}

TEST_F(StateStoreSlaTest, StateNamesRoundTrip) {
  for (const SlaState s :
       {SlaState::kOpen, SlaState::kMet, SlaState::kBreached, SlaState::kCancelled}) {
    EXPECT_EQ(parse_sla_state(to_string(s)), s);
  }
  EXPECT_FALSE(parse_sla_state("late").has_value());
}

TEST_F(StateStoreSlaTest, NoOpenWatchMeansNoDeadline) {
  EXPECT_FALSE(store->next_sla_deadline().value().has_value());
  EXPECT_EQ(store->open_sla_watch_count().value(), 0);
}

}  // namespace
}  // namespace leadrouter::sidecar
