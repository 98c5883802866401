#include "sidecar/pipeline/outbox_writer.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "tests/sidecar/fake_crm_connector.hpp"
#include "tests/sidecar/pipeline_fixtures.hpp"

namespace leadrouter::sidecar {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;
using testing::FakeCrmConnector;
using testing::make_lead;

class OutboxWriterTest : public ::testing::Test {
 protected:
  OutboxWriterTest() {
    config.batch_size = 20;
    config.max_attempts = 4;
    config.initial_backoff = 1000ms;
    config.max_backoff = 10000ms;
  }

  // A decision for `lead_id` (created in the CRM at 14:59) with its outbox
  // row, as the engine commits them; returns the row id.
  std::int64_t add_row(const std::string& lead_id, bool with_owner = true) {
    crm.put_lead(make_lead(lead_id, "2026-03-09T14:59:00Z"));
    const std::string decision_id = make_decision_id("hs", lead_id, 1);
    Commit commit;
    commit.connector = "hs";
    DecisionRow row;
    row.decision_id = decision_id;
    row.connector = "hs";
    row.lead_id = lead_id;
    row.source = "poll";
    row.mode = "live";
    row.decided_at = clock.now_ms();
    row.assignee_kind = with_owner ? "rep" : "queue";
    row.assignee_id = with_owner ? "r1" : "triage";
    row.lead_created_at = testing::ms_at("2026-03-09T14:59:00Z");
    row.decision_json = "{}";
    row.lead_json = "{}";
    commit.decisions.push_back(row);
    OutboxRow out;
    out.decision_id = decision_id;
    out.connector = "hs";
    out.record_id = lead_id;
    out.write.decision_id = decision_id;
    out.write.record_id = lead_id;
    out.write.score = 50;
    out.write.tier = "B";
    out.write.reason = "test";
    if (with_owner) {
      out.write.owner_id = "r1";
      out.write.task = connectors::FollowUpTask{"r1", Timestamp{}, "medium", "Follow up", "body"};
    }
    out.created_at = clock.now_ms();
    out.updated_at = clock.now_ms();
    out.next_attempt_at = clock.now_ms();
    commit.outbox.push_back(out);
    auto result = store->commit(commit);
    EXPECT_TRUE(result) << (result ? "" : result.error().message);
    EXPECT_EQ(result->outbox_ids.size(), 1u);
    return result->outbox_ids.at(0);
  }

  OutboxWriter make_writer(std::uint64_t seed = 42) {
    return OutboxWriter(*store, crm, metrics, config, clock.fn(), seed);
  }
  OutboxRow row(std::int64_t id) { return store->outbox_row(id).value().value(); }
  int drain(OutboxWriter& writer) {
    auto handled = writer.drain_once();
    EXPECT_TRUE(handled) << (handled ? "" : handled.error().message);
    return handled.value_or(-1);
  }
  double writes(const std::string& result) {
    return metrics.counter("leadrouter_writes_total", "", {{"connector", "hs"}, {"result", result}})
        .value();
  }

  testing::TempDir dir;
  std::unique_ptr<StateStore> store = testing::open_store(dir);
  MetricsRegistry metrics;
  FakeClock clock{"2026-03-09T15:00:00Z"};
  FakeCrmConnector crm{"hs"};
  OutboxConfig config;
};

TEST_F(OutboxWriterTest, AnAppliedWriteIsMarkedDone) {
  const auto id = add_row("1");
  auto writer = make_writer();
  EXPECT_EQ(drain(writer), 1);
  const OutboxRow done = row(id);
  EXPECT_EQ(done.state, OutboxState::kDone);
  EXPECT_EQ(done.task_id, "T1");
  EXPECT_EQ(crm.lead("1")->owner_id, "r1");
  EXPECT_EQ(writes("done"), 1);
  // Speed to lead: created 14:59, owner written 15:00.
  const auto speed = metrics
                         .histogram("leadrouter_speed_to_lead_seconds", "",
                                    speed_to_lead_buckets_seconds(), {{"connector", "hs"}})
                         .snapshot();
  EXPECT_EQ(speed.count, 1u);
  EXPECT_DOUBLE_EQ(speed.sum, 60.0);
  // Nothing is due any more.
  EXPECT_EQ(drain(writer), 0);
  EXPECT_EQ(crm.apply_calls(), 1);
}

TEST_F(OutboxWriterTest, AWriteWithoutAnOwnerIsNotCountedAsSpeedToLead) {
  add_row("1", /*with_owner=*/false);
  auto writer = make_writer();
  EXPECT_EQ(drain(writer), 1);
  EXPECT_EQ(metrics
                .histogram("leadrouter_speed_to_lead_seconds", "", speed_to_lead_buckets_seconds(),
                           {{"connector", "hs"}})
                .snapshot()
                .count,
            0u);
}

TEST_F(OutboxWriterTest, ARateLimitedWriteWaitsForRetryAfter) {
  const auto id = add_row("1");
  auto writer = make_writer();
  Error limited{ErrorKind::kRateLimited, "429", 429, std::chrono::milliseconds{30000}};
  crm.fail_next_apply(limited);
  EXPECT_EQ(drain(writer), 1);
  OutboxRow pending = row(id);
  EXPECT_EQ(pending.state, OutboxState::kPending);
  EXPECT_EQ(pending.attempts, 1);
  EXPECT_EQ(pending.next_attempt_at, clock.now_ms() + 30000ms);
  EXPECT_NE(pending.last_error.find("429"), std::string::npos) << pending.last_error;
  EXPECT_EQ(writes("retry"), 1);

  clock.advance(29999ms);
  EXPECT_EQ(drain(writer), 0);
  EXPECT_EQ(crm.apply_calls(), 1) << "no request before Retry-After";
  clock.advance(1ms);
  EXPECT_EQ(drain(writer), 1);
  EXPECT_EQ(row(id).state, OutboxState::kDone);
  EXPECT_EQ(crm.apply_calls(), 2);
}

TEST_F(OutboxWriterTest, RetriesBackOffExponentiallyWithBoundedJitter) {
  const auto id = add_row("1");
  auto writer = make_writer();
  const Error failure{ErrorKind::kRetryable, "503", 503, std::nullopt};
  const std::vector<std::chrono::milliseconds> nominal{1000ms, 2000ms, 4000ms};
  for (std::size_t attempt = 0; attempt < nominal.size(); ++attempt) {
    crm.fail_next_apply(failure);
    const auto before = clock.now_ms();
    EXPECT_EQ(drain(writer), 1);
    const OutboxRow pending = row(id);
    ASSERT_EQ(pending.state, OutboxState::kPending);
    const auto delay = pending.next_attempt_at - before;
    EXPECT_GE(delay, nominal[attempt] * 8 / 10) << "attempt " << attempt;
    EXPECT_LE(delay, nominal[attempt] * 12 / 10) << "attempt " << attempt;
    clock.advance(std::chrono::duration_cast<std::chrono::milliseconds>(delay));
  }
  EXPECT_EQ(drain(writer), 1);
  EXPECT_EQ(row(id).state, OutboxState::kDone);
}

TEST_F(OutboxWriterTest, BackoffIsCappedAtMaxBackoff) {
  config.max_attempts = 20;
  const auto id = add_row("1");
  auto writer = make_writer();
  for (int attempt = 0; attempt < 8; ++attempt) {
    crm.fail_next_apply(Error{ErrorKind::kRetryable, "timeout", 0, std::nullopt});
    const auto before = clock.now_ms();
    ASSERT_EQ(drain(writer), 1);
    const auto delay = row(id).next_attempt_at - before;
    EXPECT_LE(delay, config.max_backoff * 12 / 10);
    clock.advance(std::chrono::duration_cast<std::chrono::milliseconds>(delay));
  }
  EXPECT_EQ(row(id).attempts, 8);
}

TEST_F(OutboxWriterTest, TheSameSeedGivesTheSameJitter) {
  const Error failure{ErrorKind::kRetryable, "503", 503, std::nullopt};
  std::vector<TimestampMs> due;
  for (int run = 0; run < 2; ++run) {
    testing::TempDir other;
    store = testing::open_store(other);
    const auto id = add_row("1");
    auto writer = make_writer(7);
    crm.fail_next_apply(failure);
    drain(writer);
    due.push_back(row(id).next_attempt_at);
    store.reset();
  }
  EXPECT_EQ(due[0], due[1]);
  store = testing::open_store(dir);
}

TEST_F(OutboxWriterTest, ARowIsDeadAfterMaxAttempts) {
  const auto id = add_row("1");
  auto writer = make_writer();
  for (int attempt = 1; attempt <= config.max_attempts; ++attempt) {
    crm.fail_next_apply(Error{ErrorKind::kRetryable, "502 bad gateway", 502, std::nullopt});
    EXPECT_EQ(drain(writer), 1);
    const OutboxRow current = row(id);
    if (attempt < config.max_attempts) {
      EXPECT_EQ(current.state, OutboxState::kPending) << attempt;
      clock.advance(std::chrono::duration_cast<std::chrono::milliseconds>(current.next_attempt_at -
                                                                          clock.now_ms()));
    } else {
      EXPECT_EQ(current.state, OutboxState::kDead);
      EXPECT_NE(current.last_error.find("gave up after 4 attempts"), std::string::npos)
          << current.last_error;
      EXPECT_NE(current.last_error.find("502 bad gateway"), std::string::npos);
    }
  }
  EXPECT_EQ(writes("dead"), 1);
  EXPECT_EQ(writes("retry"), 3);
  clock.advance(1h);
  EXPECT_EQ(drain(writer), 0) << "a dead row is not sent again";
}

TEST_F(OutboxWriterTest, APermanentErrorIsDeadAtOnce) {
  const auto refused = add_row("1");
  auto writer = make_writer();
  crm.fail_next_apply(
      Error{ErrorKind::kPermanent, "property leadrouter_tier does not exist", 400, std::nullopt});
  EXPECT_EQ(drain(writer), 1);
  const OutboxRow dead = row(refused);
  EXPECT_EQ(dead.state, OutboxState::kDead);
  EXPECT_NE(dead.last_error.find("leadrouter_tier does not exist"), std::string::npos);

  // A record deleted in the CRM fails the same way every time.
  const auto gone = add_row("2");
  crm.remove_lead("2");
  EXPECT_EQ(drain(writer), 1);
  EXPECT_EQ(row(gone).state, OutboxState::kDead);
  EXPECT_EQ(writes("dead"), 2);
}

TEST_F(OutboxWriterTest, AResendAfterACrashCreatesNoSecondTask) {
  const auto id = add_row("1");
  // The previous process applied the write, then died before marking it.
  const auto pending = row(id);
  ASSERT_EQ(crm.apply({pending.write}).at(0).task_id, "T1");
  ASSERT_EQ(row(id).state, OutboxState::kPending);

  auto writer = make_writer();
  EXPECT_EQ(drain(writer), 1);
  const OutboxRow done = row(id);
  EXPECT_EQ(done.state, OutboxState::kDone);
  EXPECT_EQ(done.task_id, "T1");
  EXPECT_TRUE(crm.results().back().task_already_existed);
  EXPECT_EQ(crm.tasks().size(), 1u);
  EXPECT_EQ(crm.applied().size(), 2u);
}

TEST_F(OutboxWriterTest, AMissingResultIsRetriedAndTheRestOfTheBatchIsDone) {
  const auto lost = add_row("1");
  const auto fine = add_row("2");
  crm.omit_next_result("hs:1:1");
  auto writer = make_writer();
  EXPECT_EQ(drain(writer), 2);
  EXPECT_EQ(row(lost).state, OutboxState::kPending);
  EXPECT_EQ(row(lost).attempts, 1);
  EXPECT_EQ(row(fine).state, OutboxState::kDone);
  clock.advance(2s);
  EXPECT_EQ(drain(writer), 1);
  EXPECT_EQ(row(lost).state, OutboxState::kDone);
  EXPECT_EQ(crm.tasks().size(), 2u);
}

TEST_F(OutboxWriterTest, DrainsEveryDueRowInBatches) {
  config.batch_size = 20;
  for (int i = 1; i <= 45; ++i) {
    add_row(std::to_string(i));
  }
  auto writer = make_writer();
  EXPECT_EQ(drain(writer), 45);
  EXPECT_EQ(crm.apply_calls(), 3);
  EXPECT_EQ(crm.tasks().size(), 45u);
  EXPECT_EQ(store->outbox({.state = OutboxState::kDone, .connector = "hs", .limit = 100})->size(),
            45u);
}

TEST_F(OutboxWriterTest, RunSendsWhatItIsWokenForAndStops) {
  auto writer = make_writer();
  std::jthread thread([&](std::stop_token stop) { writer.run(stop); });
  const auto id = add_row("1");
  writer.wake();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (row(id).state != OutboxState::kDone && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(row(id).state, OutboxState::kDone);
  const auto stopping = std::chrono::steady_clock::now();
  thread.request_stop();
  thread.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 2s);
}

}  // namespace
}  // namespace leadrouter::sidecar
