#include "connectors/retry_policy.hpp"

#include <gtest/gtest.h>

#include "fake_transport.hpp"

namespace leadrouter::connectors {
namespace {

using std::chrono::milliseconds;

Error kind(ErrorKind k) {
  return Error{k, "x"};
}

TEST(RetryPolicy, BackoffGrowsExponentiallyWithFullJitter) {
  testing::ManualClock clock;
  RetryPolicy policy(RetryOptions{.max_attempts = 10,
                                  .initial_backoff = milliseconds{100},
                                  .multiplier = 2.0,
                                  .max_backoff = milliseconds{1000},
                                  .max_total = milliseconds{100'000}},
                     clock.environment(0.5));
  const auto e = kind(ErrorKind::kRetryable);
  EXPECT_EQ(policy.next_delay(1, e, {}, Idempotency::kIdempotent), milliseconds{50});
  EXPECT_EQ(policy.next_delay(2, e, {}, Idempotency::kIdempotent), milliseconds{100});
  EXPECT_EQ(policy.next_delay(3, e, {}, Idempotency::kIdempotent), milliseconds{200});
  // Capped at max_backoff before jitter.
  EXPECT_EQ(policy.next_delay(8, e, {}, Idempotency::kIdempotent), milliseconds{500});
}

TEST(RetryPolicy, HonoursRetryAfterAndStopsOnPermanentErrors) {
  testing::ManualClock clock;
  RetryPolicy policy(RetryOptions{}, clock.environment(0.0));
  Error limited = kind(ErrorKind::kRateLimited);
  limited.retry_after = milliseconds{7000};
  EXPECT_EQ(policy.next_delay(1, limited, {}, Idempotency::kIdempotent), milliseconds{7000});
  EXPECT_FALSE(policy.next_delay(1, kind(ErrorKind::kPermanent), {}, Idempotency::kIdempotent));
  EXPECT_FALSE(policy.next_delay(1, kind(ErrorKind::kAuth), {}, Idempotency::kIdempotent));
  EXPECT_FALSE(
      policy.next_delay(1, kind(ErrorKind::kInvalidResponse), {}, Idempotency::kIdempotent));
}

TEST(RetryPolicy, UnguardedCreatesRetryOnlyWhenRefused) {
  testing::ManualClock clock;
  RetryPolicy policy(RetryOptions{}, clock.environment());
  EXPECT_FALSE(
      policy.next_delay(1, kind(ErrorKind::kRetryable), {}, Idempotency::kUnguardedCreate));
  EXPECT_TRUE(
      policy.next_delay(1, kind(ErrorKind::kRateLimited), {}, Idempotency::kUnguardedCreate));
}

TEST(RetryPolicy, RunStopsAfterMaxAttempts) {
  testing::ManualClock clock;
  RetryPolicy policy(RetryOptions{.max_attempts = 3}, clock.environment());
  int calls = 0;
  auto r = policy.run<int>(Idempotency::kIdempotent, [&]() -> std::expected<int, Error> {
    ++calls;
    return std::unexpected(kind(ErrorKind::kRetryable));
  });
  EXPECT_FALSE(r);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(clock.sleeps.size(), 2u);
}

TEST(RetryPolicy, RunStopsWhenTotalTimeWouldBeExceeded) {
  testing::ManualClock clock;
  RetryPolicy policy(RetryOptions{.max_attempts = 100,
                                  .initial_backoff = milliseconds{1000},
                                  .multiplier = 1.0,
                                  .max_backoff = milliseconds{1000},
                                  .max_total = milliseconds{3500}},
                     clock.environment(1.0 - 1e-9));
  int calls = 0;
  auto r = policy.run<int>(Idempotency::kIdempotent, [&]() -> std::expected<int, Error> {
    ++calls;
    return std::unexpected(kind(ErrorKind::kRetryable));
  });
  EXPECT_FALSE(r);
  EXPECT_EQ(calls, 4);  // at 0, ~1 s, ~2 s, ~3 s; the next would start after 3.5 s
}

TEST(RetryPolicy, RunReturnsTheFirstSuccess) {
  testing::ManualClock clock;
  RetryPolicy policy(RetryOptions{}, clock.environment());
  int calls = 0;
  auto r = policy.run<int>(Idempotency::kIdempotent, [&]() -> std::expected<int, Error> {
    if (++calls < 3) {
      return std::unexpected(kind(ErrorKind::kRetryable));
    }
    return 42;
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(calls, 3);
}

}  // namespace
}  // namespace leadrouter::connectors
