#include "connectors/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "fake_transport.hpp"

namespace leadrouter::connectors {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiter, HandsOutTheBurstThenRefillsAtTheRate) {
  testing::ManualClock clock;
  RateLimiter limiter({.limit = {10, milliseconds{1000}}, .headroom = 1.0}, clock.steady());
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(limiter.try_acquire(), milliseconds{0}) << i;
  }
  EXPECT_EQ(limiter.try_acquire(), milliseconds{100});
  clock.now += milliseconds{100};
  EXPECT_EQ(limiter.try_acquire(), milliseconds{0});
  EXPECT_GT(limiter.try_acquire().count(), 0);
}

TEST(RateLimiter, AcquireSleepsUntilATokenIsFree) {
  testing::ManualClock clock;
  RateLimiter limiter({.limit = {2, milliseconds{1000}}, .headroom = 1.0}, clock.steady());
  auto sleep = [&](milliseconds d) {
    clock.now += d;
    clock.sleeps.push_back(d);
  };
  for (int i = 0; i < 6; ++i) {
    limiter.acquire(sleep);
  }
  // 2 at once, then one every 500 ms.
  EXPECT_EQ(clock.now - testing::ManualClock{}.now, milliseconds{2000});
}

TEST(RateLimiter, AdaptsToHubSpotHeaders) {
  testing::ManualClock clock;
  RateLimiter limiter({.limit = {100, milliseconds{10'000}}, .headroom = 0.9}, clock.steady());
  limiter.observe({{"X-HubSpot-RateLimit-Max", "190"},
                   {"X-HubSpot-RateLimit-Remaining", "3"},
                   {"X-HubSpot-RateLimit-Interval-Milliseconds", "10000"}});
  auto s = limiter.snapshot();
  EXPECT_EQ(s.limit.requests, 190);
  EXPECT_EQ(s.window_remaining, 3);
  // Only 90% of the 3 the server says are left.
  EXPECT_EQ(limiter.try_acquire(), milliseconds{0});
  EXPECT_EQ(limiter.try_acquire(), milliseconds{0});
  EXPECT_GT(limiter.try_acquire().count(), 0);
}

TEST(RateLimiter, SalesforceDailyAllocationThrottlesNearTheEnd) {
  testing::ManualClock clock;
  RateLimiter limiter({.limit = {25, milliseconds{1000}}}, clock.steady());
  limiter.observe({{"Sforce-Limit-Info", "api-usage=10018/100000"}});
  EXPECT_FALSE(limiter.snapshot().daily_throttled);
  EXPECT_EQ(limiter.snapshot().daily_used, 10018);
  limiter.observe({{"Sforce-Limit-Info", "api-usage=95000/100000; api-bursts=1/750"}});
  auto s = limiter.snapshot();
  EXPECT_TRUE(s.daily_throttled);
  EXPECT_EQ(s.daily_max, 100000);
  // 5000 left over a day: one request about every 17 s.
  EXPECT_EQ(limiter.try_acquire(), milliseconds{0});
  const auto wait = limiter.try_acquire();
  EXPECT_GT(wait, milliseconds{17'000});
  EXPECT_LT(wait, milliseconds{18'000});
}

TEST(RateLimiter, PauseAfter429BlocksEveryone) {
  testing::ManualClock clock;
  RateLimiter limiter({.limit = {100, milliseconds{1000}}}, clock.steady());
  limiter.pause_for(milliseconds{3000});
  EXPECT_EQ(limiter.try_acquire(), milliseconds{3000});
  clock.now += milliseconds{2999};
  EXPECT_EQ(limiter.try_acquire(), milliseconds{1});
  clock.now += milliseconds{20};
  EXPECT_EQ(limiter.try_acquire(), milliseconds{0});
}

TEST(RateLimiter, ThreadSafeUnderConcurrentCallers) {
  std::atomic<long> fake_ms{0};
  RateLimiter limiter({.limit = {1000, milliseconds{1000}}, .headroom = 1.0}, [&] {
    return std::chrono::steady_clock::time_point{milliseconds{fake_ms.load()}};
  });
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.try_acquire().count() == 0) {
          ++granted;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  // Time never moved: exactly the burst was granted, no more.
  EXPECT_EQ(granted.load(), 1000);
}

}  // namespace
}  // namespace leadrouter::connectors
