#include "sidecar/pipeline/outcome_tracker.hpp"

#include <gtest/gtest.h>

#include "sidecar/store/roster_state_json.hpp"
#include "tests/sidecar/fake_crm_connector.hpp"
#include "tests/sidecar/pipeline_fixtures.hpp"

namespace leadrouter::sidecar {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;
using testing::FakeCrmConnector;
using testing::make_lead;
using testing::make_rep;
using testing::make_setup;
using testing::poll_item;

connectors::Outcome outcome(std::string id, bool converted, std::string_view at_iso) {
  connectors::Outcome o;
  o.record_id = std::move(id);
  o.converted = converted;
  o.at = std::chrono::floor<std::chrono::seconds>(testing::time_at(at_iso));
  o.detail = converted ? "lifecyclestage=customer" : "lifecyclestage=lead";
  return o;
}

class OutcomeTrackerTest : public ::testing::Test {
 protected:
  OutcomeTrackerTest() { crm.set_users({make_rep("r1"), make_rep("r2")}); }

  std::unique_ptr<DecisionEngine> make_engine() {
    auto engine =
        std::make_unique<DecisionEngine>(*store, metrics, Mode::kLive, IngestConfig{}, clock.fn());
    auto added = engine->add_connector(crm, make_setup({make_rep("r1"), make_rep("r2")}), true);
    EXPECT_TRUE(added) << (added ? "" : added.error().message);
    engine->update_crm_users("hs", *crm.list_reps());
    return engine;
  }

  // Leads 1..n decided round-robin: odd ids to r1, even ids to r2.
  void decide(DecisionEngine& engine, int n) {
    std::vector<IngestItem> items;
    for (int i = 1; i <= n; ++i) {
      items.push_back(poll_item("hs", make_lead(std::to_string(i), "2026-03-09T14:00:00Z")));
    }
    auto result = engine.process(std::move(items));
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->decided, n);
  }

  OutcomeBatchResult poll(OutcomeTracker& tracker) {
    auto result = tracker.poll_once();
    EXPECT_TRUE(result) << (result ? "" : result.error().message);
    return result.value_or(OutcomeBatchResult{});
  }

  // Conversions in a rep's track record over every segment.
  std::int64_t stored_conversions(const std::string& rep) {
    auto json = store->roster_state("hs").value();
    if (!json) {
      return 0;
    }
    auto snapshot = roster_state_from_json(*json).value();
    std::int64_t total = 0;
    if (auto it = snapshot.reps.find(rep); it != snapshot.reps.end()) {
      for (const auto& [segment, record] : it->second.track_record) {
        total += record.converted;
      }
    }
    return total;
  }

  testing::TempDir dir;
  std::unique_ptr<StateStore> store = testing::open_store(dir);
  MetricsRegistry metrics;
  FakeClock clock{"2026-03-09T15:00:00Z"};
  FakeCrmConnector crm{"hs"};
};

TEST_F(OutcomeTrackerTest, ReadsNothingBeforeTheFirstDecision) {
  auto engine = make_engine();
  OutcomeTracker tracker(crm, *store, *engine, metrics, clock.fn());
  const auto result = poll(tracker);
  EXPECT_EQ(result.recorded, 0);
  EXPECT_TRUE(crm.outcome_since().empty());
  EXPECT_EQ(store->outcome_cursor("hs").value(), std::nullopt);
}

TEST_F(OutcomeTrackerTest, CountsEachConversionOnceInTheAssignedRepsTrackRecord) {
  auto engine = make_engine();
  decide(*engine, 4);
  OutcomeTracker tracker(crm, *store, *engine, metrics, clock.fn());
  crm.set_outcome(outcome("1", true, "2026-03-10T09:00:00Z"));
  crm.set_outcome(outcome("2", false, "2026-03-10T09:30:00Z"));
  crm.set_outcome(outcome("3", true, "2026-03-10T10:00:00Z"));
  crm.set_outcome(outcome("999", true, "2026-03-10T10:00:00Z"));  // never decided by us

  auto first = poll(tracker);
  EXPECT_EQ(first.recorded, 3);
  EXPECT_EQ(first.conversions, 2);
  EXPECT_EQ(first.unknown, 1);
  EXPECT_EQ(stored_conversions("r1"), 2);
  EXPECT_EQ(stored_conversions("r2"), 0);
  // The first read starts where the connector's decisions start.
  ASSERT_EQ(crm.outcome_since().size(), 1u);
  EXPECT_EQ(crm.outcome_since()[0], std::chrono::floor<std::chrono::seconds>(clock.now()));

  auto row = store->outcome("hs", "1").value();
  ASSERT_TRUE(row.has_value());
  EXPECT_TRUE(row->converted);
  EXPECT_TRUE(row->counted);
  EXPECT_EQ(row->decision_id, "hs:1:1");
  EXPECT_EQ(row->detail, "lifecyclestage=customer");
  auto open = store->outcome("hs", "2").value();
  ASSERT_TRUE(open.has_value());
  EXPECT_FALSE(open->converted);
  EXPECT_FALSE(open->counted);
  EXPECT_FALSE(store->outcome("hs", "999").value().has_value());

  // The cursor is now the newest label's time: only that second is read
  // again, and what is read again changes nothing and counts nothing twice.
  auto again = poll(tracker);
  EXPECT_EQ(again.recorded, 0);
  EXPECT_EQ(again.conversions, 0);
  EXPECT_EQ(again.unchanged, 1);  // lead 3
  EXPECT_EQ(again.unknown, 1);
  EXPECT_EQ(store->outcome_cursor("hs").value(), testing::ms_at("2026-03-10T10:00:00Z"));
  EXPECT_EQ(stored_conversions("r1"), 2);

  // Lead 2 converts later; lead 1 leaves the customer stage (a clean-up in
  // the CRM), which takes nothing back.
  crm.set_outcome(outcome("2", true, "2026-03-11T08:00:00Z"));
  crm.set_outcome(outcome("1", false, "2026-03-11T08:00:00Z"));
  auto later = poll(tracker);
  EXPECT_EQ(later.recorded, 1);
  EXPECT_EQ(later.conversions, 1);
  EXPECT_EQ(stored_conversions("r2"), 1);
  EXPECT_EQ(stored_conversions("r1"), 2);
  EXPECT_TRUE(store->outcome("hs", "1").value()->converted);
  EXPECT_EQ(metrics.counter("leadrouter_track_record_conversions_total", "", {{"connector", "hs"}})
                .value(),
            3);
}

TEST_F(OutcomeTrackerTest, TheCursorFollowsTheCrmsTimesAndSurvivesARestart) {
  auto engine = make_engine();
  decide(*engine, 2);
  {
    OutcomeTracker tracker(crm, *store, *engine, metrics, clock.fn());
    crm.set_outcome(outcome("1", true, "2026-03-12T10:00:00Z"));
    poll(tracker);
    EXPECT_EQ(store->outcome_cursor("hs").value(), testing::ms_at("2026-03-12T10:00:00Z"));
  }
  // A new engine over the same store: the roster comes back with the
  // conversion, and reading resumes at the stored cursor.
  auto restarted = make_engine();
  OutcomeTracker tracker(crm, *store, *restarted, metrics, clock.fn());
  crm.set_outcome(outcome("2", true, "2026-03-12T11:00:00Z"));
  auto result = poll(tracker);
  EXPECT_EQ(result.conversions, 1);
  EXPECT_EQ(result.unchanged, 1);  // lead 1, at the cursor's second, read again
  ASSERT_GE(crm.outcome_since().size(), 2u);
  EXPECT_EQ(crm.outcome_since().back(),
            std::chrono::floor<std::chrono::seconds>(testing::time_at("2026-03-12T10:00:00Z")));
  EXPECT_EQ(stored_conversions("r1"), 1);
  EXPECT_EQ(stored_conversions("r2"), 1);
}

TEST_F(OutcomeTrackerTest, AFailedReadChangesNothing) {
  auto engine = make_engine();
  decide(*engine, 1);
  OutcomeTracker tracker(crm, *store, *engine, metrics, clock.fn());
  crm.set_outcome(outcome("1", true, "2026-03-12T10:00:00Z"));
  crm.fail_next_fetch_outcomes(Error{ErrorKind::kRetryable, "503 from the CRM"});
  auto failed = tracker.poll_once();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(store->outcome_cursor("hs").value(), std::nullopt);
  EXPECT_FALSE(store->outcome("hs", "1").value().has_value());
  EXPECT_EQ(poll(tracker).conversions, 1);
}

TEST_F(OutcomeTrackerTest, ConversionsFeedBestMatch) {
  // r2 converts what it gets, r1 never does: best-match then prefers r2.
  auto engine =
      std::make_unique<DecisionEngine>(*store, metrics, Mode::kLive, IngestConfig{}, clock.fn());
  ASSERT_TRUE(engine->add_connector(
      crm, make_setup({make_rep("r1"), make_rep("r2")}, core::Strategy::kBestMatch), true));
  engine->update_crm_users("hs", *crm.list_reps());
  decide(*engine, 40);
  OutcomeTracker tracker(crm, *store, *engine, metrics, clock.fn());
  const auto rows = store->decisions({.connector = "hs", .limit = 1000}).value();
  for (const DecisionRow& row : rows) {
    crm.set_outcome(outcome(row.lead_id, row.assignee_id == "r2", "2026-03-12T10:00:00Z"));
  }
  ASSERT_GT(poll(tracker).conversions, 0);
  auto preview = engine->preview("hs", make_lead("new", "2026-03-12T11:00:00Z").lead);
  ASSERT_TRUE(preview) << preview.error().message;
  EXPECT_EQ(preview->assignee_id, "r2");
}

}  // namespace
}  // namespace leadrouter::sidecar
