#include "sidecar/pipeline/decision_worker.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <thread>

#include "sidecar/pipeline/outbox_writer.hpp"
#include "sidecar/pipeline/poller.hpp"
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

class DecisionWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.busy_timeout = 10ms;
    store = testing::open_store(dir, options);
    engine =
        std::make_unique<DecisionEngine>(*store, metrics, Mode::kLive, IngestConfig{}, clock.fn());
    ASSERT_TRUE(
        engine->add_connector(crm, testing::make_setup({make_rep("r1"), make_rep("r2")}), true));
  }

  void push_leads(int count, int first = 1) {
    for (int i = first; i < first + count; ++i) {
      ASSERT_TRUE(
          queue.try_push(poll_item("hs", make_lead(std::to_string(i), "2026-03-09T14:00:00Z"))));
    }
  }
  std::size_t decided() {
    return store->decisions({.connector = "hs", .limit = 10000}).value().size();
  }
  double batch_errors() {
    return metrics.counter("leadrouter_decision_batch_errors_total", "").value();
  }

  testing::TempDir dir;
  std::unique_ptr<StateStore> store;
  MetricsRegistry metrics;
  FakeClock clock{"2026-03-09T15:00:00Z"};
  FakeCrmConnector crm{"hs"};
  IngestQueue queue{1000};
  std::unique_ptr<DecisionEngine> engine;
  DecisionWorkerOptions options{.batch_size = 64,
                                .pop_wait = 20ms,
                                .initial_backoff = 5ms,
                                .max_backoff = 40ms,
                                .attempts_after_stop = 3};
};

// Holds SQLite's write lock from a second connection, as another process
// (or a long backup) would.
class WriteLock {
 public:
  explicit WriteLock(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  ~WriteLock() { release(); }
  void release() {
    if (db_ != nullptr) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      sqlite3_close(db_);
      db_ = nullptr;
    }
  }
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;

 private:
  sqlite3* db_ = nullptr;
};

TEST_F(DecisionWorkerTest, DrainsTheClosedQueueOnStopAndReturns) {
  push_leads(150);
  queue.close();
  std::stop_source stop;
  stop.request_stop();
  DecisionWorker worker(queue, *engine, metrics, options);
  worker.run(stop.get_token());
  EXPECT_EQ(decided(), 150u);
  EXPECT_EQ(queue.size(), 0u);
}

TEST_F(DecisionWorkerTest, DecidesWhatArrivesWhileRunning) {
  DecisionWorker worker(queue, *engine, metrics, options);
  std::jthread thread([&](std::stop_token stop) { worker.run(stop); });
  push_leads(10);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (decided() < 10 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(decided(), 10u);
  queue.close();
  thread.request_stop();
  thread.join();
}

TEST_F(DecisionWorkerTest, RetriesAFailingBatchUntilItIsStoredAndDropsNothing) {
  DecisionWorker worker(queue, *engine, metrics, options);
  std::optional<WriteLock> lock(std::in_place, store->path());
  push_leads(100);
  std::jthread thread([&](std::stop_token stop) { worker.run(stop); });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (batch_errors() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_GE(batch_errors(), 3);
  EXPECT_EQ(decided(), 0u);

  lock.reset();
  while (decided() < 100 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(decided(), 100u);
  // The roster counts every lead exactly once despite the failed attempts.
  auto rows = store->decisions({.connector = "hs", .limit = 1000}).value();
  const auto r1 = std::ranges::count(rows, std::string("r1"), &DecisionRow::assignee_id);
  EXPECT_EQ(r1, 50);
  queue.close();
  thread.request_stop();
  thread.join();
}

TEST_F(DecisionWorkerTest, GivesUpOnAFailingBatchOnlyAfterStop) {
  WriteLock lock(store->path());
  push_leads(5);
  queue.close();
  std::stop_source stop;
  stop.request_stop();
  DecisionWorker worker(queue, *engine, metrics, options);
  const auto start = std::chrono::steady_clock::now();
  worker.run(stop.get_token());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(batch_errors(), 3);
  lock.release();
  EXPECT_EQ(decided(), 0u);
}

// Poller -> queue -> worker -> store -> outbox writer -> CRM, with a crash
// in the middle: every lead ends with one owner and one task.
TEST_F(DecisionWorkerTest, EveryLeadIsWrittenOnceAcrossACrash) {
  for (int i = 1; i <= 30; ++i) {
    crm.put_lead(make_lead(std::to_string(i), "2026-03-09T14:00:00Z"));
  }
  PollerOptions poll;
  poll.start_from = "beginning";
  poll.page_size = 7;
  OutboxConfig outbox;
  {
    // The first life decides ten of the thirty queued leads, then dies.
    Poller poller(crm, *store, queue, metrics, poll, clock.fn(), nullptr);
    ASSERT_EQ(poller.poll_once().value(), 30);
    ASSERT_TRUE(engine->process(queue.pop_batch(10, 0ms)));
    OutboxWriter writer(*store, crm, metrics, outbox, clock.fn(), 1);
    ASSERT_EQ(writer.drain_once().value(), 10);
  }
  EXPECT_EQ(crm.tasks().size(), 10u);
  // The stored cursor is the one committed with lead 7 (end of page one).
  EXPECT_EQ(store->cursor("hs").value(),
            (connectors::LeadCursor{testing::ms_at("2026-03-09T14:00:00Z"), "7"}.serialize()));

  IngestQueue restarted_queue(1000);
  DecisionEngine restarted(*store, metrics, Mode::kLive, IngestConfig{}, clock.fn());
  ASSERT_TRUE(
      restarted.add_connector(crm, testing::make_setup({make_rep("r1"), make_rep("r2")}), true));
  Poller poller(crm, *store, restarted_queue, metrics, poll, clock.fn(), nullptr);
  ASSERT_EQ(poller.poll_once().value(), 23);  // leads 8-30; 8-10 were decided already
  restarted_queue.close();
  std::stop_source stop;
  stop.request_stop();
  DecisionWorker(restarted_queue, restarted, metrics, options).run(stop.get_token());
  OutboxWriter writer(*store, crm, metrics, outbox, clock.fn(), 2);
  ASSERT_EQ(writer.drain_once().value(), 20);

  EXPECT_EQ(decided(), 30u);
  EXPECT_EQ(crm.tasks().size(), 30u);
  EXPECT_EQ(crm.applied().size(), 30u) << "nothing was written twice";
  for (int i = 1; i <= 30; ++i) {
    const std::string owner = crm.lead(std::to_string(i))->owner_id;
    EXPECT_TRUE(owner == "r1" || owner == "r2") << i;
  }
  // Fair across the crash: 15 each.
  auto rows = store->decisions({.connector = "hs", .limit = 1000}).value();
  EXPECT_EQ(std::ranges::count(rows, std::string("r1"), &DecisionRow::assignee_id), 15);
}

}  // namespace
}  // namespace leadrouter::sidecar
