#include "sidecar/pipeline/poller.hpp"

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
using testing::make_rep;

class PollerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Poller> make_poller(std::string start_from = "beginning", int page_size = 2,
                                      std::chrono::seconds interval = 1s) {
    PollerOptions options;
    options.page_size = page_size;
    options.start_from = std::move(start_from);
    options.interval = interval;
    return std::make_unique<Poller>(
        crm, *store, queue, metrics, options, clock.fn(),
        [this](std::vector<core::Rep> reps) { users = std::move(reps); });
  }
  std::vector<IngestItem> drain_queue() { return queue.pop_batch(1000, 0ms); }
  std::string cursor_of(std::string_view modified_iso, std::string id) {
    return connectors::LeadCursor{testing::ms_at(modified_iso), std::move(id)}.serialize();
  }
  double poll_errors() {
    return metrics.counter("leadrouter_poll_errors_total", "", {{"connector", "hs"}}).value();
  }

  testing::TempDir dir;
  std::unique_ptr<StateStore> store = testing::open_store(dir);
  MetricsRegistry metrics;
  FakeClock clock{"2026-03-09T15:00:00Z"};
  FakeCrmConnector crm{"hs"};
  IngestQueue queue{1000};
  std::vector<core::Rep> users;
};

TEST_F(PollerTest, FetchesEveryPageAndHandsTheCursorToEachPagesLastLead) {
  for (int i = 1; i <= 5; ++i) {
    crm.put_lead(make_lead(std::to_string(i), "2026-03-09T14:00:0" + std::to_string(i) + "Z"));
  }
  auto poller = make_poller();
  auto polled = poller->poll_once();
  ASSERT_TRUE(polled) << polled.error().message;
  EXPECT_EQ(*polled, 5);
  EXPECT_EQ(crm.fetch_calls(), 3);
  EXPECT_EQ(crm.page_sizes_seen(), (std::vector<int>{2, 2, 2}));

  auto items = drain_queue();
  ASSERT_EQ(items.size(), 5u);
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].connector, "hs");
    EXPECT_EQ(items[i].source, "poll");
    ASSERT_TRUE(items[i].lead);
    EXPECT_EQ(items[i].lead->lead.id, std::to_string(i + 1));
    EXPECT_EQ(items[i].record_id, std::to_string(i + 1));
  }
  EXPECT_FALSE(items[0].cursor_after);
  EXPECT_EQ(items[1].cursor_after, cursor_of("2026-03-09T14:00:02Z", "2"));
  EXPECT_FALSE(items[2].cursor_after);
  EXPECT_EQ(items[3].cursor_after, cursor_of("2026-03-09T14:00:04Z", "4"));
  EXPECT_EQ(items[4].cursor_after, cursor_of("2026-03-09T14:00:05Z", "5"));

  // The in-memory cursor moved: nothing again, then only what changed.
  EXPECT_EQ(poller->poll_once().value(), 0);
  EXPECT_TRUE(drain_queue().empty());
  crm.put_lead(make_lead("2", "2026-03-09T14:30:00Z"));
  EXPECT_EQ(poller->poll_once().value(), 1);
  auto changed = drain_queue();
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].lead->lead.id, "2");
  EXPECT_EQ(changed[0].cursor_after, cursor_of("2026-03-09T14:30:00Z", "2"));
  EXPECT_EQ(poller->last_success(), clock.now());
}

TEST_F(PollerTest, StartFromNowIsPersistedAtOnce) {
  crm.put_lead(make_lead("old", "2026-03-09T14:00:00Z"));
  auto poller = make_poller("now");
  EXPECT_EQ(poller->poll_once().value(), 0);
  EXPECT_EQ(store->cursor("hs").value(), cursor_of("2026-03-09T15:00:00Z", ""));

  // Down for an hour; a lead created meanwhile is found after the restart.
  crm.put_lead(make_lead("meanwhile", "2026-03-09T15:30:00Z"));
  clock.advance(1h);
  auto restarted = make_poller("now");
  EXPECT_EQ(restarted->poll_once().value(), 1);
  auto items = drain_queue();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].lead->lead.id, "meanwhile");
}

TEST_F(PollerTest, TheStoredCursorWinsOverStartFrom) {
  crm.put_lead(make_lead("1", "2026-03-09T14:00:00Z"));
  crm.put_lead(make_lead("2", "2026-03-09T14:10:00Z"));
  Commit commit;
  commit.connector = "hs";
  commit.cursor = cursor_of("2026-03-09T14:00:00Z", "1");
  ASSERT_TRUE(store->commit(commit));
  auto poller = make_poller("beginning");
  EXPECT_EQ(poller->poll_once().value(), 1);
  EXPECT_EQ(drain_queue().at(0).lead->lead.id, "2");
}

TEST_F(PollerTest, StartFromATimeOrTheBeginning) {
  crm.put_lead(make_lead("1", "2026-03-01T00:00:00Z"));
  crm.put_lead(make_lead("2", "2026-03-05T00:00:00Z"));
  auto from_time = make_poller("2026-03-02T00:00:00Z", 100);
  EXPECT_EQ(from_time->poll_once().value(), 1);
  EXPECT_EQ(store->cursor("hs").value(), cursor_of("2026-03-02T00:00:00Z", ""));
}

TEST_F(PollerTest, StartFromTheBeginningFetchesEverything) {
  crm.put_lead(make_lead("1", "2026-03-01T00:00:00Z"));
  crm.put_lead(make_lead("2", "2026-03-05T00:00:00Z"));
  auto poller = make_poller("beginning", 100);
  EXPECT_EQ(poller->poll_once().value(), 2);
}

TEST_F(PollerTest, ABadStartFromIsAnError) {
  auto poller = make_poller("yesterday");
  auto polled = poller->poll_once();
  ASSERT_FALSE(polled);
  EXPECT_EQ(polled.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(poll_errors(), 1);
  EXPECT_FALSE(store->cursor("hs").value().has_value());
}

TEST_F(PollerTest, AFailedFetchIsCountedAndTheCursorStays) {
  for (int i = 1; i <= 3; ++i) {
    crm.put_lead(make_lead(std::to_string(i), "2026-03-09T14:00:0" + std::to_string(i) + "Z"));
  }
  auto poller = make_poller();
  EXPECT_EQ(poller->poll_once().value(), 3);
  drain_queue();
  crm.put_lead(make_lead("4", "2026-03-09T14:10:00Z"));
  crm.fail_next_fetch(Error{ErrorKind::kRetryable, "503", 503, std::nullopt});
  auto failed = poller->poll_once();
  ASSERT_FALSE(failed);
  // Nothing queued, and the next poll resumes where the last good one ended.
  EXPECT_EQ(poll_errors(), 1);
  EXPECT_TRUE(drain_queue().empty());
  EXPECT_EQ(poller->poll_once().value(), 1);
  EXPECT_EQ(drain_queue().at(0).lead->lead.id, "4");
}

TEST_F(PollerTest, AClosedQueueFailsThePollAndThePageIsFetchedAgain) {
  crm.put_lead(make_lead("1", "2026-03-09T14:00:00Z"));
  IngestQueue closed(10);
  closed.close();
  PollerOptions options;
  options.start_from = "beginning";
  Poller poller(crm, *store, closed, metrics, options, clock.fn(), nullptr);
  ASSERT_FALSE(poller.poll_once());
  EXPECT_EQ(poll_errors(), 1);
  ASSERT_FALSE(poller.poll_once());
  EXPECT_EQ(crm.fetch_calls(), 2);
}

TEST_F(PollerTest, RefreshesUsers) {
  crm.set_users({make_rep("r1"), make_rep("r2")});
  auto poller = make_poller();
  EXPECT_EQ(poller->refresh_users().value(), 2);
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[1].id, "r2");

  crm.fail_next_list_reps(Error{ErrorKind::kAuth, "token revoked", 401, std::nullopt});
  users.clear();
  EXPECT_FALSE(poller->refresh_users());
  EXPECT_TRUE(users.empty());
}

TEST_F(PollerTest, RunPollsWhenWokenAndStops) {
  crm.set_users({make_rep("r1")});
  // An interval far beyond the test: only wake() can make the second poll.
  auto poller = make_poller("now", 2, 3600s);
  std::jthread thread([&](std::stop_token stop) { poller->run(stop); });
  // The first poll runs at once and stores the "now" cursor.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!poller->last_success() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(poller->last_success());
  EXPECT_EQ(users.size(), 1u) << "users are refreshed when run starts";

  crm.put_lead(make_lead("new", "2026-03-09T15:00:01Z"));
  poller->wake();
  auto items = queue.pop_batch(10, 10s);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].lead->lead.id, "new");

  const auto stopping = std::chrono::steady_clock::now();
  thread.request_stop();
  thread.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 2s);
}

TEST_F(PollerTest, AStopCutsAWaitForAFullQueueShort) {
  for (int i = 1; i <= 3; ++i) {
    crm.put_lead(make_lead(std::to_string(i), "2026-03-09T14:00:0" + std::to_string(i) + "Z"));
  }
  IngestQueue small(1);
  PollerOptions options;
  options.start_from = "beginning";
  Poller poller(crm, *store, small, metrics, options, clock.fn(), nullptr);
  std::jthread thread([&](std::stop_token stop) { poller.run(stop); });
  // The first lead fits; the poller then waits for room (up to 30 s).
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (small.size() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  std::this_thread::sleep_for(50ms);
  const auto stopping = std::chrono::steady_clock::now();
  thread.request_stop();
  thread.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 2s);
  EXPECT_EQ(small.size(), 1u);
}

}  // namespace
}  // namespace leadrouter::sidecar
