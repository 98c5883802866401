// When and how long to wait before trying a failed CRM call again:
// exponential backoff with full jitter, Retry-After honoured, bounded attempts
// and total time. Randomness, sleeping and the clock are injected so tests are
// deterministic.
//
//   RetryPolicy retry(RetryOptions{}, RetryPolicy::system_environment());
//   auto r = retry.run(Idempotency::kIdempotent, [&] { return session.get(...); });
#pragma once

#include <chrono>
#include <expected>
#include <functional>
#include <optional>

#include "core/error.hpp"

namespace leadrouter::connectors {

struct RetryOptions {
  int max_attempts = 5;  // including the first
  std::chrono::milliseconds initial_backoff{500};
  double multiplier = 2.0;
  std::chrono::milliseconds max_backoff{30'000};
  std::chrono::milliseconds max_total{120'000};  // no attempt starts after this much time
};

enum class Idempotency {
  kIdempotent,       // reads, updates, and creates guarded by a check-first or a marker
  kUnguardedCreate,  // a repeat could create a duplicate: retried only when refused (429)
};

class RetryPolicy {
 public:
  struct Environment {
    std::function<std::chrono::steady_clock::time_point()> now;
    std::function<void(std::chrono::milliseconds)> sleep;
    std::function<double()> random;  // uniform in [0, 1)
  };
  static Environment system_environment();

  RetryPolicy(RetryOptions options, Environment env);

  // The wait before the next attempt after `error` ended attempt number
  // `attempt` (1-based), `elapsed` after the first one started; nullopt: stop.
  std::optional<std::chrono::milliseconds> next_delay(int attempt, const Error& error,
                                                      std::chrono::milliseconds elapsed,
                                                      Idempotency idempotency) const;

  // Calls `call` until it succeeds, fails with an error that is not worth
  // retrying, or the bounds are reached; returns the last result.
  template <class T>
  std::expected<T, Error> run(Idempotency idempotency,
                              const std::function<std::expected<T, Error>()>& call) const {
    const auto start = env_.now();
    for (int attempt = 1;; ++attempt) {
      auto result = call();
      if (result) {
        return result;
      }
      const auto elapsed =
          std::chrono::duration_cast<std::chrono::milliseconds>(env_.now() - start);
      const auto delay = next_delay(attempt, result.error(), elapsed, idempotency);
      if (!delay) {
        return result;
      }
      env_.sleep(*delay);
    }
  }

  const RetryOptions& options() const { return options_; }

 private:
  RetryOptions options_;
  Environment env_;
};

// Whether an error of this kind can succeed on a later attempt.
bool is_retryable(const Error& error);

}  // namespace leadrouter::connectors
