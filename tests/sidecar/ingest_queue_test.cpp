#include "sidecar/pipeline/ingest_queue.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace leadrouter::sidecar {
namespace {

using namespace std::chrono_literals;
using std::chrono::steady_clock;

IngestItem item(std::string record_id) {
  IngestItem i;
  i.connector = "hs";
  i.source = "webhook";
  i.record_id = std::move(record_id);
  return i;
}

std::vector<std::string> ids(const std::vector<IngestItem>& items) {
  std::vector<std::string> out;
  for (const IngestItem& i : items) {
    out.push_back(i.record_id);
  }
  return out;
}

TEST(IngestQueue, PopsInOrderUpToTheBatchSize) {
  IngestQueue queue(10);
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_TRUE(queue.push(item(id), steady_clock::now() + 1s));
  }
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(ids(queue.pop_batch(2, 0ms)), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ids(queue.pop_batch(2, 0ms)), (std::vector<std::string>{"c"}));
  EXPECT_EQ(queue.size(), 0u);
}

TEST(IngestQueue, PopWaitsForTheFirstItemUntilTheTimeout) {
  IngestQueue queue(10);
  const auto start = steady_clock::now();
  EXPECT_TRUE(queue.pop_batch(5, 50ms).empty());
  EXPECT_GE(steady_clock::now() - start, 50ms);

  std::jthread producer([&] {
    std::this_thread::sleep_for(20ms);
    queue.try_push(item("late"));
  });
  EXPECT_EQ(ids(queue.pop_batch(5, 10s)), (std::vector<std::string>{"late"}));
}

TEST(IngestQueue, AFullQueueRefusesTryPushAndMakesPushWait) {
  IngestQueue queue(2);
  EXPECT_TRUE(queue.try_push(item("a")));
  EXPECT_TRUE(queue.try_push(item("b")));
  EXPECT_FALSE(queue.try_push(item("c")));

  const auto start = steady_clock::now();
  EXPECT_FALSE(queue.push(item("c"), start + 30ms));
  EXPECT_GE(steady_clock::now() - start, 30ms);

  // Room made by a consumer lets a waiting push through.
  std::jthread consumer([&] {
    std::this_thread::sleep_for(20ms);
    queue.pop_batch(1, 0ms);
  });
  EXPECT_TRUE(queue.push(item("c"), steady_clock::now() + 10s));
  consumer.join();
  EXPECT_EQ(ids(queue.pop_batch(10, 0ms)), (std::vector<std::string>{"b", "c"}));
}

TEST(IngestQueue, CloseWakesEveryoneRefusesPushesAndLeavesItemsToDrain) {
  IngestQueue queue(1);
  ASSERT_TRUE(queue.try_push(item("kept")));
  std::jthread blocked_producer(
      [&] { EXPECT_FALSE(queue.push(item("x"), steady_clock::now() + 10s)); });
  std::this_thread::sleep_for(20ms);
  queue.close();
  blocked_producer.join();

  EXPECT_FALSE(queue.try_push(item("y")));
  EXPECT_FALSE(queue.push(item("z"), steady_clock::now() + 1s));
  EXPECT_EQ(ids(queue.pop_batch(10, 10s)), (std::vector<std::string>{"kept"}));
  const auto start = steady_clock::now();
  EXPECT_TRUE(queue.pop_batch(10, 10s).empty());
  EXPECT_LT(steady_clock::now() - start, 1s) << "a closed, drained queue does not wait";
}

TEST(IngestQueue, AZeroLimitStillHoldsOneItem) {
  IngestQueue queue(0);
  EXPECT_TRUE(queue.try_push(item("a")));
  EXPECT_FALSE(queue.try_push(item("b")));
}

}  // namespace
}  // namespace leadrouter::sidecar
