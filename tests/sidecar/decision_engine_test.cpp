#include "sidecar/pipeline/decision_engine.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

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
using testing::webhook_item;

class DecisionEngineTest : public ::testing::Test {
 protected:
  DecisionEngineTest() { crm.set_users({make_rep("r1"), make_rep("r2"), make_rep("r3")}); }

  std::unique_ptr<DecisionEngine> make_engine(Mode mode = Mode::kLive, IngestConfig ingest = {},
                                              bool write_back = true,
                                              std::vector<core::Rep> reps = {}) {
    if (reps.empty()) {
      reps = {make_rep("r1"), make_rep("r2"), make_rep("r3")};
    }
    auto engine = std::make_unique<DecisionEngine>(*store, metrics, mode, ingest, clock.fn());
    auto added = engine->add_connector(crm, make_setup(reps), write_back);
    EXPECT_TRUE(added) << (added ? "" : added.error().message);
    engine->update_crm_users("hs", *crm.list_reps());
    return engine;
  }

  BatchResult process(DecisionEngine& engine, std::vector<IngestItem> items) {
    auto result = engine.process(std::move(items));
    EXPECT_TRUE(result) << (result ? "" : result.error().message);
    return result.value_or(BatchResult{});
  }

  std::vector<DecisionRow> decisions(const std::string& lead = {}) {
    return store->decisions({.connector = "hs", .lead_id = lead, .limit = 1000}).value();
  }
  std::vector<OutboxRow> outbox() {
    return store->outbox({.connector = "hs", .limit = 1000}).value();
  }
  std::string assignee(const std::string& lead) {
    auto rows = decisions(lead);
    return rows.empty() ? "" : rows.back().assignee_id;
  }
  // What the outbox writer does once the CRM took the writes.
  void mark_written() {
    for (const OutboxRow& row : outbox()) {
      if (row.state == OutboxState::kPending) {
        ASSERT_TRUE(store->mark_done(row.id, "T-" + row.record_id, clock.now_ms()));
      }
    }
  }
  core::RosterSnapshot stored_roster() {
    auto json = store->roster_state("hs").value();
    EXPECT_TRUE(json.has_value());
    return roster_state_from_json(json.value_or("{}")).value();
  }

  testing::TempDir dir;
  std::unique_ptr<StateStore> store = testing::open_store(dir);
  MetricsRegistry metrics;
  FakeClock clock{"2026-03-09T15:00:00Z"};
  FakeCrmConnector crm{"hs"};
};

TEST_F(DecisionEngineTest, DecidesALeadAndStoresEverythingItImplies) {
  auto engine = make_engine();
  auto lead = make_lead("101", "2026-03-09T14:59:00Z");
  crm.put_lead(lead);
  const BatchResult result = process(*engine, {poll_item("hs", lead, "v1:1:101")});
  EXPECT_EQ(result.decided, 1);

  const auto rows = decisions();
  ASSERT_EQ(rows.size(), 1u);
  const DecisionRow& row = rows[0];
  EXPECT_EQ(row.decision_id, "hs:101:1");
  EXPECT_EQ(row.kind, "initial");
  EXPECT_EQ(row.source, "poll");
  EXPECT_EQ(row.mode, "live");
  EXPECT_EQ(row.assignee_kind, "rep");
  EXPECT_EQ(row.assignee_id, "r1");
  EXPECT_EQ(row.route, "everyone");
  EXPECT_EQ(row.tier, "B");
  EXPECT_DOUBLE_EQ(row.score, 50);
  EXPECT_EQ(row.policy_name, "pipeline-test");
  EXPECT_EQ(row.policy_version, 7);
  EXPECT_EQ(row.decided_at, clock.now_ms());
  EXPECT_EQ(row.lead_created_at, testing::ms_at("2026-03-09T14:59:00Z"));
  EXPECT_NE(row.decision_json.find(R"("assignee":{"kind":"rep","id":"r1")"), std::string::npos)
      << row.decision_json;
  EXPECT_NE(row.lead_json.find("\"id\":\"101\""), std::string::npos) << row.lead_json;

  const auto out = outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].decision_id, "hs:101:1");
  EXPECT_EQ(out[0].record_id, "101");
  EXPECT_EQ(out[0].write.owner_id, "r1");
  ASSERT_TRUE(out[0].write.task.has_value());
  EXPECT_EQ(out[0].write.task->subject, "Follow up: Ada Buyer 101 (Acme)");
  EXPECT_EQ(out[0].state, OutboxState::kPending);

  EXPECT_EQ(store->cursor("hs").value(), "v1:1:101");
  EXPECT_EQ(stored_roster().reps.at("r1").open_load, 1);

  EXPECT_EQ(metrics
                .counter("leadrouter_leads_decided_total", "",
                         {{"connector", "hs"}, {"route", "everyone"}, {"mode", "live"}})
                .value(),
            1);
  EXPECT_EQ(
      metrics
          .counter("leadrouter_leads_ingested_total", "", {{"connector", "hs"}, {"source", "poll"}})
          .value(),
      1);
  EXPECT_EQ(metrics
                .histogram("leadrouter_decision_latency_seconds", "", latency_buckets_seconds(),
                           {{"connector", "hs"}})
                .snapshot()
                .count,
            1u);
}

TEST_F(DecisionEngineTest, DecidesEachLeadOnceAcrossDuplicatesAndRepeatedBatches) {
  auto engine = make_engine();
  auto a = make_lead("1", "2026-03-09T14:00:00Z");
  auto b = make_lead("2", "2026-03-09T14:01:00Z");
  BatchResult first =
      process(*engine, {poll_item("hs", a), poll_item("hs", a), poll_item("hs", b)});
  EXPECT_EQ(first.decided, 2);
  EXPECT_EQ(first.duplicates, 1);

  BatchResult again = process(*engine, {poll_item("hs", a), poll_item("hs", b)});
  EXPECT_EQ(again.decided, 0);
  EXPECT_EQ(again.duplicates, 2);

  EXPECT_EQ(decisions().size(), 2u);
  EXPECT_EQ(outbox().size(), 2u);
  // Duplicates do not move the roster: two leads, two units of load.
  const auto roster = stored_roster();
  EXPECT_EQ(roster.reps.at("r1").open_load, 1);
  EXPECT_EQ(roster.reps.at("r2").open_load, 1);
  EXPECT_FALSE(roster.reps.contains("r3") && roster.reps.at("r3").open_load > 0);
  EXPECT_EQ(metrics.counter("leadrouter_leads_duplicate_total", "", {{"connector", "hs"}}).value(),
            3);
}

TEST_F(DecisionEngineTest, WebhookAndPollRaceDecidesOnce) {
  auto engine = make_engine();
  auto lead = make_lead("7", "2026-03-09T14:00:00Z");
  crm.put_lead(lead);

  // Both arrivals in one batch, webhook first.
  BatchResult result = process(*engine, {webhook_item("hs", "7", "e1"), poll_item("hs", lead)});
  EXPECT_EQ(result.decided, 1);
  EXPECT_EQ(result.duplicates, 1);
  EXPECT_EQ(decisions("7").front().source, "webhook");

  // The other order, across batches.
  auto other = make_lead("8", "2026-03-09T14:00:00Z");
  crm.put_lead(other);
  EXPECT_EQ(process(*engine, {poll_item("hs", other)}).decided, 1);
  BatchResult late = process(*engine, {webhook_item("hs", "8", "e2")});
  EXPECT_EQ(late.decided, 0);
  EXPECT_EQ(late.duplicates, 1);

  EXPECT_EQ(decisions().size(), 2u);
  EXPECT_EQ(outbox().size(), 2u);
  EXPECT_TRUE(store->webhook_event_seen("hs", "e1").value());
  EXPECT_TRUE(store->webhook_event_seen("hs", "e2").value());
}

TEST_F(DecisionEngineTest, WebhookFetchesTheLeadAndSkipsReplayedEvents) {
  auto engine = make_engine();
  crm.put_lead(make_lead("42", "2026-03-09T14:00:00Z"));
  EXPECT_EQ(process(*engine, {webhook_item("hs", "42", "evt-1")}).decided, 1);
  EXPECT_EQ(crm.fetch_lead_calls(), 1);
  EXPECT_EQ(decisions("42").front().lead_id, "42");

  // The same delivery again: not even fetched.
  BatchResult replay = process(*engine, {webhook_item("hs", "42", "evt-1")});
  EXPECT_EQ(replay.skipped, 1);
  EXPECT_EQ(replay.decided, 0);
  EXPECT_EQ(crm.fetch_lead_calls(), 1);

  // Two events about one record in a batch: one read.
  crm.put_lead(make_lead("43", "2026-03-09T14:00:00Z"));
  BatchResult pair =
      process(*engine, {webhook_item("hs", "43", "evt-2"), webhook_item("hs", "43", "evt-3")});
  EXPECT_EQ(pair.decided, 1);
  EXPECT_EQ(pair.duplicates, 1);
  EXPECT_EQ(crm.fetch_lead_calls(), 2);
  EXPECT_TRUE(store->webhook_event_seen("hs", "evt-3").value());
}

TEST_F(DecisionEngineTest, WebhookForAMissingRecordIsSkippedAndAFailedFetchIsLeftForThePoller) {
  auto engine = make_engine();
  BatchResult missing = process(*engine, {webhook_item("hs", "404", "e-missing")});
  EXPECT_EQ(missing.skipped, 1);
  EXPECT_TRUE(store->webhook_event_seen("hs", "e-missing").value());

  crm.put_lead(make_lead("5", "2026-03-09T14:00:00Z"));
  crm.fail_next_fetch_lead(Error{ErrorKind::kRetryable, "503 from the CRM"});
  BatchResult failed = process(*engine, {webhook_item("hs", "5", "e-5")});
  EXPECT_EQ(failed.failed, 1);
  EXPECT_TRUE(decisions("5").empty());
  // Not marked handled, so a redelivery is processed.
  EXPECT_FALSE(store->webhook_event_seen("hs", "e-5").value());
  EXPECT_EQ(process(*engine, {webhook_item("hs", "5", "e-5")}).decided, 1);
}

TEST_F(DecisionEngineTest, ShadowModeRecordsDecisionsButWritesNothing) {
  auto engine = make_engine(Mode::kShadow);
  int callbacks = 0;
  engine->on_committed([&](const std::string&) { ++callbacks; });
  EXPECT_EQ(process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T14:00:00Z"))}).decided, 1);
  ASSERT_EQ(decisions().size(), 1u);
  EXPECT_EQ(decisions().front().mode, "shadow");
  EXPECT_TRUE(outbox().empty());
  EXPECT_EQ(callbacks, 0);
  EXPECT_EQ(metrics
                .counter("leadrouter_leads_decided_total", "",
                         {{"connector", "hs"}, {"route", "everyone"}, {"mode", "shadow"}})
                .value(),
            1);
}

TEST_F(DecisionEngineTest, WriteBackOffRecordsDecisionsButWritesNothing) {
  auto engine = make_engine(Mode::kLive, {}, /*write_back=*/false);
  EXPECT_EQ(process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T14:00:00Z"))}).decided, 1);
  EXPECT_EQ(decisions().size(), 1u);
  EXPECT_TRUE(outbox().empty());
}

TEST_F(DecisionEngineTest, CallsBackAfterCommitsThatCreatedOutboxRows) {
  auto engine = make_engine();
  std::vector<std::string> called;
  engine->on_committed([&](const std::string& connector) { called.push_back(connector); });
  process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T14:00:00Z"))});
  EXPECT_EQ(called, std::vector<std::string>{"hs"});
  process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T14:00:00Z"))});
  EXPECT_EQ(called.size(), 1u) << "a duplicate creates no outbox row";
}

// Holds SQLite's write lock from a second connection, as another process
// (or a long backup) would.
class WriteLock {
 public:
  explicit WriteLock(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  ~WriteLock() {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
  }
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;

 private:
  sqlite3* db_ = nullptr;
};

TEST_F(DecisionEngineTest, AFailedCommitStoresNothingAndLeavesTheRosterAsItWas) {
  store.reset();
  StoreOptions options;
  options.busy_timeout = 20ms;
  store = testing::open_store(dir, options);
  auto engine = make_engine();
  auto a = make_lead("1", "2026-03-09T14:00:00Z");
  auto b = make_lead("2", "2026-03-09T14:01:00Z");
  {
    WriteLock lock(store->path());
    auto failed = engine->process({poll_item("hs", a), poll_item("hs", b, "v1:2:2")});
    ASSERT_FALSE(failed);
  }
  // The decision and its cursor go together: neither is there.
  EXPECT_TRUE(decisions().empty());
  EXPECT_FALSE(store->cursor("hs").value().has_value());

  // The retry decides as if the failed attempt never happened: r1 first.
  BatchResult retry = process(*engine, {poll_item("hs", a), poll_item("hs", b, "v1:2:2")});
  EXPECT_EQ(retry.decided, 2);
  EXPECT_EQ(assignee("1"), "r1");
  EXPECT_EQ(assignee("2"), "r2");
  EXPECT_EQ(store->cursor("hs").value(), "v1:2:2");
}

TEST_F(DecisionEngineTest, TheCursorIsStoredInTheSameCommitAsTheDecisions) {
  auto engine = make_engine();
  std::vector<IngestItem> page;
  for (int i = 1; i <= 3; ++i) {
    page.push_back(poll_item("hs", make_lead(std::to_string(i), "2026-03-09T14:00:00Z")));
  }
  page.back().cursor_after = "v1:1773064800000:3";
  process(*engine, std::move(page));
  EXPECT_EQ(decisions().size(), 3u);
  EXPECT_EQ(store->cursor("hs").value(), "v1:1773064800000:3");

  // A page whose leads were all decided before still moves the cursor.
  std::vector<IngestItem> repeat{
      poll_item("hs", make_lead("3", "2026-03-09T14:00:00Z"), "v1:1773064900000:3")};
  process(*engine, std::move(repeat));
  EXPECT_EQ(store->cursor("hs").value(), "v1:1773064900000:3");
}

TEST_F(DecisionEngineTest, ARestartRestoresRosterLoads) {
  const std::vector<core::Rep> capped{make_rep("r1", 1), make_rep("r2", 1)};
  crm.set_users(capped);
  {
    auto engine = make_engine(Mode::kLive, {}, true, capped);
    process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T14:00:00Z")),
                      poll_item("hs", make_lead("2", "2026-03-09T14:00:00Z"))});
  }
  auto restarted = make_engine(Mode::kLive, {}, true, capped);
  process(*restarted, {poll_item("hs", make_lead("3", "2026-03-09T14:00:00Z"))});
  // Both reps are at their cap of one open lead, as before the restart.
  EXPECT_EQ(assignee("3"), "triage");
  EXPECT_EQ(decisions("3").front().assignee_kind, "queue");
  auto preview = restarted->preview("hs", make_lead("4", "2026-03-09T14:00:00Z").lead);
  ASSERT_TRUE(preview);
  EXPECT_EQ(preview->assignee_id, "triage");
}

TEST_F(DecisionEngineTest, RoundRobinContinuesFairlyAcrossARestart) {
  {
    auto engine = make_engine();
    process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T14:00:00Z")),
                      poll_item("hs", make_lead("2", "2026-03-09T14:00:00Z"))});
  }
  auto restarted = make_engine();
  process(*restarted, {poll_item("hs", make_lead("3", "2026-03-09T14:00:00Z")),
                       poll_item("hs", make_lead("4", "2026-03-09T14:00:00Z"))});
  EXPECT_EQ(assignee("1"), "r1");
  EXPECT_EQ(assignee("2"), "r2");
  EXPECT_EQ(assignee("3"), "r3");
  EXPECT_EQ(assignee("4"), "r1");
}

TEST_F(DecisionEngineTest, AnOwnerChangeInTheCrmReleasesOurRepsLoadOnce) {
  const std::vector<core::Rep> capped{make_rep("r1", 1), make_rep("r2", 1)};
  crm.set_users(capped);
  auto engine = make_engine(Mode::kLive, {}, true, capped);
  process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T14:00:00Z")),
                    poll_item("hs", make_lead("2", "2026-03-09T14:00:00Z"))});
  ASSERT_EQ(assignee("1"), "r1");
  ASSERT_EQ(assignee("2"), "r2");
  mark_written();

  // Our own write coming back changes nothing.
  clock.advance(1min);
  process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T15:00:30Z", "r1"))});
  EXPECT_EQ(decisions("1").size(), 1u);

  // A manager moves lead 1 to someone else: r1 has room again.
  clock.advance(1min);
  BatchResult moved =
      process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T15:01:30Z", "u-manager"))});
  EXPECT_EQ(moved.decided, 0);
  auto rows = decisions("1");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows.front().kind, "owner_changed");
  EXPECT_EQ(rows.front().assignee_id, "u-manager");
  EXPECT_EQ(stored_roster().reps.at("r1").open_load, 0);
  EXPECT_EQ(outbox().size(), 2u) << "an owner change writes nothing back";

  process(*engine, {poll_item("hs", make_lead("3", "2026-03-09T15:01:00Z"))});
  EXPECT_EQ(assignee("3"), "r1");

  // Seen again (and again changed): released once only.
  clock.advance(1min);
  process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T15:02:30Z", "u-manager")),
                    poll_item("hs", make_lead("1", "2026-03-09T15:02:40Z", "u-other"))});
  EXPECT_EQ(decisions("1").size(), 2u);
  EXPECT_EQ(stored_roster().reps.at("r1").open_load, 1);
  process(*engine, {poll_item("hs", make_lead("4", "2026-03-09T15:02:00Z"))});
  EXPECT_EQ(assignee("4"), "triage");
}

TEST_F(DecisionEngineTest, AnOwnerSeenBeforeOurDecisionIsNotAChange) {
  auto engine = make_engine();
  process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T14:00:00Z"))});
  // The CRM still shows the owner the lead arrived with: our write is pending.
  clock.advance(1min);
  process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T15:00:30Z", "u-default"))});
  EXPECT_EQ(decisions("1").size(), 1u);
  // Written now, but this page was read before the write landed.
  clock.advance(1min);
  mark_written();
  process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T15:00:30Z", "u-default"))});
  EXPECT_EQ(decisions("1").size(), 1u);
  EXPECT_EQ(stored_roster().reps.at("r1").open_load, 1);
}

TEST_F(DecisionEngineTest, OwnedLeadsAreLeftAloneWhenConfigured) {
  IngestConfig ingest;
  ingest.route_owned_leads = false;
  ingest.unassigned_owner_ids = {"u-integration"};
  auto engine = make_engine(Mode::kLive, ingest);
  BatchResult result =
      process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T14:00:00Z", "u-human")),
                        poll_item("hs", make_lead("2", "2026-03-09T14:00:00Z", "u-integration")),
                        poll_item("hs", make_lead("3", "2026-03-09T14:00:00Z"))});
  EXPECT_EQ(result.skipped, 1);
  EXPECT_EQ(result.decided, 2);
  EXPECT_TRUE(decisions("1").empty());
  EXPECT_EQ(assignee("2"), "r1");
  EXPECT_EQ(assignee("3"), "r2");
}

TEST_F(DecisionEngineTest, OwnedLeadsAreRoutedByDefault) {
  auto engine = make_engine();
  EXPECT_EQ(process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T14:00:00Z", "u-human"))})
                .decided,
            1);
}

TEST_F(DecisionEngineTest, RoutesOnlyToCrmUsersMergedWithConfiguredAttributes) {
  auto engine = make_engine();
  core::Rep inactive = make_rep("r1");
  inactive.active = false;
  // r3 is gone from the CRM; r1 is deactivated there; r4 has no attributes.
  engine->update_crm_users("hs", {inactive, make_rep("r2"), make_rep("r4")});
  process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T14:00:00Z")),
                    poll_item("hs", make_lead("2", "2026-03-09T14:00:00Z")),
                    poll_item("hs", make_lead("3", "2026-03-09T14:00:00Z"))});
  for (const char* lead : {"1", "2", "3"}) {
    const std::string rep = assignee(lead);
    EXPECT_TRUE(rep == "r2" || rep == "r4") << lead << " went to " << rep;
  }
}

TEST_F(DecisionEngineTest, ReplacedRoutingKeepsEveryRepsState) {
  auto engine = make_engine();
  process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T14:00:00Z"))});
  auto replaced =
      engine->replace_routing("hs", make_setup({make_rep("r1"), make_rep("r2"), make_rep("r3")}));
  ASSERT_TRUE(replaced);
  process(*engine, {poll_item("hs", make_lead("2", "2026-03-09T14:00:00Z"))});
  EXPECT_EQ(assignee("2"), "r2");
  EXPECT_FALSE(engine->replace_routing("nope", make_setup({})));
}

TEST_F(DecisionEngineTest, EachConnectorOfABatchCommitsOnItsOwn) {
  FakeCrmConnector sf("sf");
  sf.set_users({make_rep("s1")});
  auto engine = make_engine();
  ASSERT_TRUE(engine->add_connector(sf, make_setup({make_rep("s1")}), true));
  EXPECT_FALSE(engine->add_connector(sf, make_setup({make_rep("s1")}), true)) << "added twice";
  BatchResult result =
      process(*engine, {poll_item("hs", make_lead("1", "2026-03-09T14:00:00Z"), "v1:1:1"),
                        poll_item("sf", make_lead("1", "2026-03-09T14:00:00Z"), "v1:2:1"),
                        poll_item("nope", make_lead("9", "2026-03-09T14:00:00Z"))});
  EXPECT_EQ(result.decided, 2);
  EXPECT_EQ(result.failed, 1);
  EXPECT_EQ(store->cursor("hs").value(), "v1:1:1");
  EXPECT_EQ(store->cursor("sf").value(), "v1:2:1");
  EXPECT_EQ(store->decision("sf:1:1").value()->assignee_id, "s1");
  EXPECT_EQ(engine->connectors(), (std::vector<std::string>{"hs", "sf"}));
}

TEST_F(DecisionEngineTest, PreviewChangesNothing) {
  auto engine = make_engine();
  auto first = engine->preview("hs", make_lead("1", "2026-03-09T14:00:00Z").lead);
  auto second = engine->preview("hs", make_lead("2", "2026-03-09T14:00:00Z").lead);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->assignee_id, "r1");
  EXPECT_EQ(second->assignee_id, "r1");
  EXPECT_TRUE(decisions().empty());
  EXPECT_FALSE(engine->preview("nope", make_lead("1", "2026-03-09T14:00:00Z").lead));
}

// --- write_back_for ----------------------------------------------------------

core::Decision rep_decision() {
  core::Decision d;
  d.lead_id = "101";
  d.decided_at = *parse_iso8601("2026-03-09T15:00:00Z");
  d.assignee_kind = core::AssigneeKind::kRep;
  d.assignee_id = "r1";
  d.assignee_name = "Rep One";
  d.route = "emea";
  d.tier = "A";
  d.task_priority = "HIGH";
  d.scores.combined = 87.4;
  d.sla_deadline = *parse_iso8601("2026-03-09T15:30:00Z");
  d.sla_minutes = 30;
  d.explanation = "Routed to Rep One (pool emea, route emea): fit 87, intent 0, tier A.";
  return d;
}

TEST(WriteBackFor, ARepGetsTheOwnerATaskAndANotification) {
  core::Lead lead;
  lead.id = "101";
  lead.first_name = "Ada";
  lead.last_name = "Lovelace";
  lead.email = "ada@acme.example";
  lead.company = "Acme";
  auto write = write_back_for(rep_decision(), lead, "hs:101:1", "101");
  ASSERT_TRUE(write);
  EXPECT_EQ(write->decision_id, "hs:101:1");
  EXPECT_EQ(write->record_id, "101");
  EXPECT_EQ(write->owner_id, "r1");
  EXPECT_EQ(write->tier, "A");
  ASSERT_TRUE(write->score);
  EXPECT_DOUBLE_EQ(*write->score, 87.4);
  EXPECT_EQ(write->reason,
            "Routed to Rep One via emea; tier A; score 87; SLA due 2026-03-09T15:30:00Z");
  ASSERT_TRUE(write->task);
  EXPECT_EQ(write->task->owner_id, "r1");
  EXPECT_EQ(write->task->due, *parse_iso8601("2026-03-09T15:30:00Z"));
  EXPECT_EQ(write->task->priority, "high");
  EXPECT_EQ(write->task->subject, "Follow up: Ada Lovelace (Acme)");
  EXPECT_EQ(write->task->body, rep_decision().explanation);
  ASSERT_TRUE(write->notification);
  EXPECT_EQ(write->notification->recipient_id, "r1");
  EXPECT_EQ(write->notification->title, "New A lead: Ada Lovelace");
  EXPECT_EQ(write->notification->body, "Route emea, score 87, SLA due 2026-03-09T15:30:00Z");
}

TEST(WriteBackFor, WithoutAnSlaTheTaskIsDueInADayAndNamesTheEmail) {
  core::Decision d = rep_decision();
  d.sla_deadline.reset();
  d.task_priority = "";
  core::Lead lead;
  lead.id = "101";
  lead.email = "ada@acme.example";
  auto write = write_back_for(d, lead, "hs:101:1", "101");
  ASSERT_TRUE(write && write->task);
  EXPECT_EQ(write->task->due, *parse_iso8601("2026-03-10T15:00:00Z"));
  EXPECT_EQ(write->task->priority, "medium");
  EXPECT_EQ(write->task->subject, "Follow up: ada@acme.example");
  EXPECT_EQ(write->notification->body, "Route emea, score 87, SLA none");
}

TEST(WriteBackFor, TheTaskBodyCarriesTheModelsTopFactors) {
  core::Decision d = rep_decision();
  core::ModelScore model;
  model.probability = 0.8;
  model.model_version = "m-3";
  model.top_positive = {{"Lead Source", "Reference", 0.8}};
  model.top_negative = {{"Employees", "2", -0.25}};
  d.scores.model = model;
  auto write = write_back_for(d, "hs:101:1", "101");
  ASSERT_TRUE(write && write->task);
  EXPECT_EQ(write->task->body, d.explanation +
                                   "\nModel m-3 factors:\n- Lead Source = Reference: +0.80"
                                   "\n- Employees = 2: -0.25");
  EXPECT_EQ(write->task->subject, "Follow up: 101");
}

TEST(WriteBackFor, AQueueGetsNoOwnerTaskOrNotificationButTheFields) {
  core::Decision d = rep_decision();
  d.assignee_kind = core::AssigneeKind::kQueue;
  d.assignee_id = "triage";
  d.assignee_name.clear();
  auto write = write_back_for(d, "hs:101:1", "101");
  ASSERT_TRUE(write);
  EXPECT_TRUE(write->owner_id.empty());
  EXPECT_FALSE(write->task);
  EXPECT_FALSE(write->notification);
  EXPECT_EQ(write->tier, "A");
  EXPECT_TRUE(write->score);
  EXPECT_EQ(write->reason,
            "Sent to queue 'triage' via emea; tier A; score 87; SLA due "
            "2026-03-09T15:30:00Z");
}

TEST(WriteBackFor, TheReasonFitsACrmTextFieldWithoutBreakingUtf8) {
  core::Decision d = rep_decision();
  d.assignee_name.clear();
  for (int i = 0; i < 200; ++i) {
    d.assignee_name += "\xC3\xA9";  // é: two bytes each
  }
  auto write = write_back_for(d, "hs:101:1", "101");
  ASSERT_TRUE(write);
  EXPECT_LE(write->reason.size(), 255u);
  EXPECT_GE(write->reason.size(), 250u);
  // Every é is whole: "Routed to " is 10 bytes, then pairs.
  EXPECT_EQ((write->reason.size() - 10) % 2, 0u);
  EXPECT_EQ(write->reason.find('\n'), std::string::npos);
}

TEST(MakeDecisionId, IsStable) {
  EXPECT_EQ(make_decision_id("hs", "101", 1), "hs:101:1");
}

}  // namespace
}  // namespace leadrouter::sidecar
