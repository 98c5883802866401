#include "sidecar/pipeline/sla_watcher.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>

#include "tests/sidecar/fake_crm_connector.hpp"
#include "tests/sidecar/pipeline_fixtures.hpp"

namespace leadrouter::sidecar {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;
using testing::FakeCrmConnector;
using testing::make_lead;
using testing::make_rep;
using testing::poll_item;

core::BreachStep step(core::BreachAction action, std::int64_t after_seconds = 0) {
  core::BreachStep s;
  s.action = action;
  s.after_seconds = after_seconds;
  s.queue = "sales-managers";
  return s;
}

// Tier B (every US lead of the fixture policy): a 10-minute SLA with `steps`.
RoutingSetup sla_setup(std::vector<core::Rep> reps, std::vector<core::BreachStep> steps) {
  RoutingSetup setup = testing::make_setup(std::move(reps));
  core::Policy policy = *setup.policy;
  policy.tiers[1].sla_seconds = 600;
  policy.tiers[1].sla_minutes = 10;
  policy.tiers[1].on_breach = std::move(steps);
  setup.policy = std::make_shared<const core::Policy>(std::move(policy));
  return setup;
}

std::vector<core::Rep> two_reps_and_a_manager() {
  core::Rep r1 = make_rep("r1");
  r1.manager_id = "m1";
  core::Rep r2 = make_rep("r2");
  r2.manager_id = "m1";
  core::Rep m1 = make_rep("m1");
  m1.name = "Manager One";
  m1.teams = {"managers"};
  return {r1, r2, m1};
}

std::vector<core::BreachStep> remind_reassign_escalate() {
  return {step(core::BreachAction::kRemind), step(core::BreachAction::kReassign, 300),
          step(core::BreachAction::kEscalate, 300)};
}

class SlaWatcherTest : public ::testing::Test {
 protected:
  SlaWatcherTest() { crm.set_users(two_reps_and_a_manager()); }

  void start(std::vector<core::BreachStep> steps = remind_reassign_escalate(),
             SlaConfig config = {}) {
    steps_ = steps;
    engine =
        std::make_unique<DecisionEngine>(*store, metrics, Mode::kLive, IngestConfig{}, clock.fn());
    auto added = engine->add_connector(crm, sla_setup(two_reps_and_a_manager(), steps), true);
    ASSERT_TRUE(added) << (added ? "" : added.error().message);
    engine->update_crm_users("hs", *crm.list_reps());
    watcher = std::make_unique<SlaWatcher>(*store, *engine, metrics, config, clock.fn());
  }

  // The process restarts: everything in memory is rebuilt from the store.
  void restart() {
    watcher.reset();
    engine.reset();
    store.reset();
    store = testing::open_store(dir);
    start(steps_);
  }

  void decide(const std::string& lead_id) {
    auto lead = make_lead(lead_id, "2026-03-09T14:59:00Z");
    crm.put_lead(lead);
    auto result = engine->process({poll_item("hs", lead)});
    ASSERT_TRUE(result) << result.error().message;
    ASSERT_EQ(result->decided, 1);
    mark_written();
  }

  SlaTickResult tick() {
    auto result = watcher->tick();
    EXPECT_TRUE(result) << (result ? "" : result.error().message);
    mark_written();
    return result.value_or(SlaTickResult{});
  }

  // What the outbox writer does once the CRM took the writes: each row
  // with a task gets a task id.
  void mark_written() {
    const std::vector<OutboxRow> rows = store->outbox({.connector = "hs", .limit = 1000}).value();
    for (const OutboxRow& row : rows) {
      if (row.state == OutboxState::kPending) {
        const std::string task = row.write.task ? "T-" + row.decision_id : "";
        ASSERT_TRUE(store->mark_done(row.id, task, clock.now_ms()));
      }
    }
  }

  std::vector<DecisionRow> decisions(const std::string& lead) {
    auto rows = store->decisions({.connector = "hs", .lead_id = lead, .limit = 100}).value();
    std::ranges::reverse(rows);  // oldest first
    return rows;
  }
  OutboxRow outbox_of(const std::string& decision_id) {
    auto rows = store->outbox({.connector = "hs", .decision_id = decision_id}).value();
    EXPECT_EQ(rows.size(), 1u) << decision_id;
    return rows.empty() ? OutboxRow{} : rows.front();
  }
  SlaWatch watch(const std::string& lead) {
    auto w = store->sla_watch("hs", lead).value();
    EXPECT_TRUE(w.has_value()) << lead;
    return w.value_or(SlaWatch{});
  }
  double counter(const std::string& name, const Labels& labels) {
    return metrics.counter(name, "", labels).value();
  }

  testing::TempDir dir;
  std::unique_ptr<StateStore> store = testing::open_store(dir);
  MetricsRegistry metrics;
  FakeClock clock{"2026-03-09T15:00:00Z"};
  FakeCrmConnector crm{"hs"};
  std::unique_ptr<DecisionEngine> engine;
  std::unique_ptr<SlaWatcher> watcher;
  std::vector<core::BreachStep> steps_;
};

TEST_F(SlaWatcherTest, AnInitialDecisionToARepOpensAWatchInTheSameCommit) {
  start();
  decide("101");
  const SlaWatch w = watch("101");
  EXPECT_EQ(w.decision_id, "hs:101:1");
  EXPECT_EQ(w.owner_id, decisions("101").front().assignee_id);
  EXPECT_EQ(w.tier, "B");
  EXPECT_EQ(w.state, SlaState::kOpen);
  EXPECT_EQ(w.started_at, testing::ms_at("2026-03-09T15:00:00Z"));
  EXPECT_EQ(w.deadline, testing::ms_at("2026-03-09T15:10:00Z"));
  EXPECT_EQ(w.due_at, w.deadline);
  EXPECT_EQ(w.previous_owners, std::vector<std::string>{w.owner_id});
  EXPECT_EQ(store->open_sla_watch_count().value(), 1);
  EXPECT_EQ(store->next_sla_deadline().value(), w.deadline);
}

TEST_F(SlaWatcherTest, NothingIsCheckedBeforeTheDeadline) {
  start();
  decide("101");
  clock.advance(9min + 59s);
  const SlaTickResult r = tick();
  EXPECT_EQ(r.checked, 0);
  EXPECT_TRUE(crm.work_checks().empty());
  EXPECT_EQ(decisions("101").size(), 1u);
}

TEST_F(SlaWatcherTest, BreachRemindsThenReassignsThenEscalatesEachAsADecision) {
  start();
  decide("101");
  const std::string first = decisions("101").front().assignee_id;
  ASSERT_TRUE(first == "r1" || first == "r2");
  const std::string second = first == "r1" ? "r2" : "r1";

  // At the deadline, not worked: the SLA is breached and the owner reminded.
  clock.advance(10min);
  SlaTickResult r = tick();
  EXPECT_EQ(r.breached, 1);
  EXPECT_EQ(r.steps, 1);
  auto rows = decisions("101");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].decision_id, "hs:101:2");
  EXPECT_EQ(rows[1].kind, "remind");
  EXPECT_EQ(rows[1].assignee_id, first);
  OutboxRow out = outbox_of("hs:101:2");
  EXPECT_TRUE(out.write.owner_id.empty());
  EXPECT_FALSE(out.write.task.has_value());
  ASSERT_TRUE(out.write.notification.has_value());
  EXPECT_EQ(out.write.notification->recipient_id, first);
  SlaWatch w = watch("101");
  EXPECT_EQ(w.step, 1);
  EXPECT_EQ(w.decision_id, "hs:101:1");  // the task to watch is still the first owner's
  EXPECT_EQ(w.due_at, clock.now_ms() + 5min);

  // The work check names our task, the decision and when the watch started.
  ASSERT_FALSE(crm.work_checks().empty());
  const connectors::WorkCheck check = crm.work_checks().back();
  EXPECT_EQ(check.record_id, "101");
  EXPECT_EQ(check.decision_id, "hs:101:1");
  EXPECT_EQ(check.task_id, "T-hs:101:1");
  EXPECT_EQ(check.since, testing::ms_at("2026-03-09T15:00:00Z"));
  EXPECT_TRUE(check.task_completed);

  // Five minutes later, still not worked: a new owner, never the first one.
  clock.advance(4min);
  EXPECT_EQ(tick().steps, 0);
  clock.advance(1min);
  r = tick();
  EXPECT_EQ(r.breached, 0);  // counted once per lead
  EXPECT_EQ(r.steps, 1);
  rows = decisions("101");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].decision_id, "hs:101:3");
  EXPECT_EQ(rows[2].kind, "reassign");
  EXPECT_EQ(rows[2].assignee_id, second);
  EXPECT_NE(rows[2].decision_json.find("already_had_lead"), std::string::npos);
  // Speed-to-lead is about the first assignment: steps carry no create time.
  EXPECT_TRUE(rows[0].lead_created_at.has_value());
  EXPECT_FALSE(rows[2].lead_created_at.has_value());
  out = outbox_of("hs:101:3");
  EXPECT_EQ(out.write.owner_id, second);
  ASSERT_TRUE(out.write.task.has_value());
  EXPECT_EQ(out.write.task->owner_id, second);
  ASSERT_TRUE(out.write.notification.has_value());
  EXPECT_EQ(out.write.notification->recipient_id, second);
  w = watch("101");
  EXPECT_EQ(w.decision_id, "hs:101:3");
  EXPECT_EQ(w.owner_id, second);
  EXPECT_EQ(w.previous_owners, (std::vector<std::string>{first, second}));

  // The next check looks at the new owner's task.
  clock.advance(5min);
  r = tick();
  EXPECT_EQ(crm.work_checks().back().task_id, "T-hs:101:3");
  EXPECT_EQ(crm.work_checks().back().decision_id, "hs:101:3");
  rows = decisions("101");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[3].decision_id, "hs:101:4");
  EXPECT_EQ(rows[3].kind, "escalate");
  EXPECT_EQ(rows[3].assignee_kind, "rep");
  EXPECT_EQ(rows[3].assignee_id, "m1");
  out = outbox_of("hs:101:4");
  EXPECT_EQ(out.write.owner_id, "m1");
  ASSERT_TRUE(out.write.task.has_value());
  EXPECT_EQ(out.write.task->priority, "high");
  ASSERT_TRUE(out.write.notification.has_value());
  EXPECT_EQ(out.write.notification->recipient_id, "m1");

  // Escalation is the last step: the watch ends breached.
  w = watch("101");
  EXPECT_EQ(w.state, SlaState::kBreached);
  EXPECT_TRUE(w.closed_at.has_value());
  EXPECT_EQ(store->open_sla_watch_count().value(), 0);
  clock.advance(1h);
  EXPECT_EQ(tick().checked, 0);

  EXPECT_EQ(counter("leadrouter_sla_breached_total", {{"connector", "hs"}, {"tier", "B"}}), 1);
  EXPECT_EQ(counter("leadrouter_sla_steps_total", {{"connector", "hs"}, {"action", "remind"}}), 1);
  EXPECT_EQ(counter("leadrouter_sla_steps_total", {{"connector", "hs"}, {"action", "reassign"}}),
            1);
  EXPECT_EQ(counter("leadrouter_sla_steps_total", {{"connector", "hs"}, {"action", "escalate"}}),
            1);
  EXPECT_EQ(metrics.gauge("leadrouter_sla_open", "").value(), 0);
}

TEST_F(SlaWatcherTest, ReassignmentNeverReturnsTheLeadToAPreviousOwnerEvenWithTwoReps) {
  start({step(core::BreachAction::kReassign), step(core::BreachAction::kReassign, 60),
         step(core::BreachAction::kReassign, 60)});
  decide("101");
  clock.advance(10min);
  tick();
  clock.advance(1min);
  tick();
  auto rows = decisions("101");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[1].assignee_id, rows[0].assignee_id);
  // Both reps of the pool had it: the lead goes to the fallback queue.
  EXPECT_EQ(rows[2].kind, "reassign");
  EXPECT_EQ(rows[2].assignee_kind, "queue");
  EXPECT_EQ(rows[2].assignee_id, "triage");
  rapidjson::Document doc;
  doc.Parse(rows[2].decision_json.c_str());
  ASSERT_TRUE(doc.IsObject());
  int already_had = 0;
  for (const auto& c : doc["candidates"].GetArray()) {
    for (const auto& e : c["exclusions"].GetArray()) {
      if (std::string(e["reason"].GetString()) == "already_had_lead") {
        ++already_had;
      }
    }
  }
  EXPECT_EQ(already_had, 2);
  // A queue is not a rep: it has no load to release and is not an owner.
  EXPECT_EQ(watch("101").previous_owners.size(), 2u);
  // A third reassignment still never picks a previous owner.
  clock.advance(1min);
  tick();
  rows = decisions("101");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[3].assignee_kind, "queue");
  EXPECT_EQ(watch("101").state, SlaState::kBreached);
}

TEST_F(SlaWatcherTest, WorkedBeforeTheDeadlineIsMetAndRecordsTimeToFirstTouch) {
  start();
  decide("101");
  crm.set_work_status("101", {true, testing::ms_at("2026-03-09T15:04:00Z"), "task done"});
  clock.advance(10min);
  const SlaTickResult r = tick();
  EXPECT_EQ(r.met, 1);
  EXPECT_EQ(r.steps, 0);
  EXPECT_EQ(decisions("101").size(), 1u);
  const SlaWatch w = watch("101");
  EXPECT_EQ(w.state, SlaState::kMet);
  EXPECT_EQ(w.first_touch_at, testing::ms_at("2026-03-09T15:04:00Z"));
  EXPECT_EQ(w.evidence, "task done");
  EXPECT_EQ(counter("leadrouter_sla_met_total", {{"connector", "hs"}, {"tier", "B"}}), 1);
  EXPECT_EQ(counter("leadrouter_sla_breached_total", {{"connector", "hs"}, {"tier", "B"}}), 0);
  const auto snap =
      metrics
          .histogram("leadrouter_time_to_first_touch_seconds", "", first_touch_buckets_seconds(),
                     {{"connector", "hs"}, {"tier", "B"}})
          .snapshot();
  EXPECT_DOUBLE_EQ(snap.sum, 240.0);
}

TEST_F(SlaWatcherTest, WorkedAfterTheDeadlineIsBreachedWithoutAStep) {
  start();
  decide("101");
  crm.set_work_status("101", {true, testing::ms_at("2026-03-09T15:10:30Z"), "task done"});
  clock.advance(11min);
  const SlaTickResult r = tick();
  EXPECT_EQ(r.met, 0);
  EXPECT_EQ(r.breached, 1);
  EXPECT_EQ(r.steps, 0);
  EXPECT_EQ(decisions("101").size(), 1u);
  EXPECT_EQ(watch("101").state, SlaState::kBreached);
}

TEST_F(SlaWatcherTest, ACrmErrorLeavesTheWatchDueAndTheNextTickTakesTheStep) {
  start();
  decide("101");
  clock.advance(10min);
  crm.fail_next_work_status(Error{ErrorKind::kRetryable, "HubSpot 503"});
  SlaTickResult r = tick();
  EXPECT_EQ(r.errors, 1);
  EXPECT_EQ(r.steps, 0);
  EXPECT_EQ(decisions("101").size(), 1u);
  EXPECT_EQ(watch("101").step, 0);
  EXPECT_EQ(counter("leadrouter_sla_check_errors_total", {{"connector", "hs"}}), 1);
  r = tick();
  EXPECT_EQ(r.errors, 0);
  EXPECT_EQ(r.steps, 1);
  EXPECT_EQ(decisions("101").back().kind, "remind");
}

TEST_F(SlaWatcherTest, ARestartResumesMidSequenceFromTheStore) {
  start();
  decide("101");
  clock.advance(10min);
  tick();  // remind
  const std::string first = decisions("101").front().assignee_id;
  restart();
  clock.advance(5min);
  const SlaTickResult r = tick();
  EXPECT_EQ(r.steps, 1);
  auto rows = decisions("101");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].decision_id, "hs:101:3");
  EXPECT_EQ(rows[2].kind, "reassign");
  EXPECT_NE(rows[2].assignee_id, first);
  EXPECT_EQ(rows[2].assignee_kind, "rep");
}

TEST_F(SlaWatcherTest, TheWorkedCriteriaComeFromTheConnectorsConfig) {
  SlaConfig config;
  config.worked.field = "Status";
  SlaWorkedConfig hubspot;
  hubspot.task_completed = false;
  hubspot.field = "hs_lead_status";
  hubspot.untouched_values = {"NEW", ""};
  config.worked_by_connector["hs"] = hubspot;
  start(remind_reassign_escalate(), config);
  decide("101");
  clock.advance(10min);
  tick();
  ASSERT_EQ(crm.work_checks().size(), 1u);
  const connectors::WorkCheck check = crm.work_checks().front();
  EXPECT_FALSE(check.task_completed);
  EXPECT_EQ(check.field, "hs_lead_status");
  EXPECT_EQ(check.untouched_values, (std::vector<std::string>{"NEW", ""}));
}

TEST_F(SlaWatcherTest, AnOwnerChangedInTheCrmCancelsTheWatch) {
  start();
  decide("101");
  const std::string first = decisions("101").front().assignee_id;
  const std::string other = first == "r1" ? "r2" : "r1";
  clock.advance(2min);
  auto moved = make_lead("101", "2026-03-09T15:02:00Z", other);
  auto result = engine->process({poll_item("hs", moved)});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(decisions("101").back().kind, "owner_changed");
  const SlaWatch w = watch("101");
  EXPECT_EQ(w.state, SlaState::kCancelled);
  clock.advance(1h);
  EXPECT_EQ(tick().checked, 0);
}

TEST_F(SlaWatcherTest, ShadowModeOpensNoWatch) {
  engine =
      std::make_unique<DecisionEngine>(*store, metrics, Mode::kShadow, IngestConfig{}, clock.fn());
  ASSERT_TRUE(engine->add_connector(crm, sla_setup(two_reps_and_a_manager(), {}), false));
  auto lead = make_lead("101", "2026-03-09T14:59:00Z");
  ASSERT_TRUE(engine->process({poll_item("hs", lead)}));
  EXPECT_FALSE(store->sla_watch("hs", "101").value().has_value());
}

TEST_F(SlaWatcherTest, BusinessHoursStepsCountTheOwnersWorkingTime) {
  // London office hours, Monday to Friday 09:00-17:00 (GMT in early March).
  std::vector<core::Rep> reps = two_reps_and_a_manager();
  for (core::Rep& rep : reps) {
    rep.working_hours = core::WorkingHours{};
    rep.working_hours->time_zone = "Europe/London";
    for (int day = 1; day <= 5; ++day) {
      rep.working_hours->windows.push_back({day, 9 * 60, 17 * 60});
    }
  }
  crm.set_users(reps);
  RoutingSetup setup = sla_setup(
      reps, {step(core::BreachAction::kRemind), step(core::BreachAction::kReassign, 600)});
  core::Policy policy = *setup.policy;
  policy.tiers[1].business_hours = true;
  setup.policy = std::make_shared<const core::Policy>(std::move(policy));
  clock.advance(1h + 45min);  // Monday 16:45
  engine =
      std::make_unique<DecisionEngine>(*store, metrics, Mode::kLive, IngestConfig{}, clock.fn());
  ASSERT_TRUE(engine->add_connector(crm, std::move(setup), true));
  engine->update_crm_users("hs", *crm.list_reps());
  watcher = std::make_unique<SlaWatcher>(*store, *engine, metrics, SlaConfig{}, clock.fn());

  auto lead = make_lead("101", "2026-03-09T16:44:00Z");
  crm.put_lead(lead);
  ASSERT_TRUE(engine->process({poll_item("hs", lead)}));
  mark_written();
  // 10 working minutes: 16:55 the same day.
  EXPECT_EQ(watch("101").deadline, testing::ms_at("2026-03-09T16:55:00Z"));
  clock.advance(10min);
  EXPECT_EQ(tick().steps, 1);  // remind
  // 10 working minutes later: 5 on Monday, 5 from 09:00 on Tuesday.
  EXPECT_EQ(watch("101").due_at, testing::ms_at("2026-03-10T09:05:00Z"));
  clock.advance(16h + 9min);  // Tuesday 09:04
  EXPECT_EQ(tick().steps, 0);
  clock.advance(1min);
  EXPECT_EQ(tick().steps, 1);
  EXPECT_EQ(decisions("101").back().kind, "reassign");
  EXPECT_EQ(decisions("101").back().assignee_kind, "rep");
}

TEST_F(SlaWatcherTest, WithoutStepsABreachIsOnlyMeasured) {
  start({});
  decide("101");
  clock.advance(10min);
  const SlaTickResult r = tick();
  EXPECT_EQ(r.breached, 1);
  EXPECT_EQ(r.steps, 0);
  EXPECT_EQ(decisions("101").size(), 1u);
  EXPECT_EQ(watch("101").state, SlaState::kBreached);
}

}  // namespace
}  // namespace leadrouter::sidecar
