#include "connectors/retry_policy.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

namespace leadrouter::connectors {

bool is_retryable(const Error& error) {
  return error.kind == ErrorKind::kRetryable || error.kind == ErrorKind::kRateLimited;
}

RetryPolicy::Environment RetryPolicy::system_environment() {
  struct SharedRandom {
    std::mutex mu;
    std::mt19937_64 engine{std::random_device{}()};
  };
  auto rng = std::make_shared<SharedRandom>();
  return Environment{
      .now = [] { return std::chrono::steady_clock::now(); },
      .sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); },
      .random =
          [rng] {
            std::lock_guard lock(rng->mu);
            return std::uniform_real_distribution<double>(0.0, 1.0)(rng->engine);
          },
  };
}

RetryPolicy::RetryPolicy(RetryOptions options, Environment env)
    : options_(options), env_(std::move(env)) {}

std::optional<std::chrono::milliseconds> RetryPolicy::next_delay(int attempt, const Error& error,
                                                                 std::chrono::milliseconds elapsed,
                                                                 Idempotency idempotency) const {
  if (!is_retryable(error) || attempt >= options_.max_attempts) {
    return std::nullopt;
  }
  // A 429 means the request was refused unprocessed; anything else may have
  // created the record already.
  if (idempotency == Idempotency::kUnguardedCreate && error.kind != ErrorKind::kRateLimited) {
    return std::nullopt;
  }
  const double ceiling = std::min(static_cast<double>(options_.max_backoff.count()),
                                  static_cast<double>(options_.initial_backoff.count()) *
                                      std::pow(options_.multiplier, attempt - 1));
  // Full jitter: callers that failed together do not retry together.
  auto delay = std::chrono::milliseconds{static_cast<long long>(ceiling * env_.random())};
  if (error.retry_after) {
    delay = std::max(delay, *error.retry_after);
  }
  if (elapsed + delay > options_.max_total) {
    return std::nullopt;
  }
  return delay;
}

}  // namespace leadrouter::connectors
