// One token bucket per CRM tenant, shared by every caller that talks to that
// tenant (poller, writer, CLI), so a backlog runs close to the CRM's ceiling
// without 429s. It starts from the CRM's documented limit and adapts to what
// the CRM reports on each response:
//   HubSpot     X-HubSpot-RateLimit-Max / -Remaining / -Interval-Milliseconds
//   Salesforce  Sforce-Limit-Info: api-usage=N/M (rolling 24 h): when less
//               than `daily_reserve` of the allocation is left, the rate drops
//               so the rest lasts a day instead of being spent in a burst.
// Thread-safe; the clock is injected.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>

#include "connectors/http_message.hpp"

namespace leadrouter::connectors {

struct RateLimit {
  double requests = 100;  // allowed per interval
  std::chrono::milliseconds interval{10'000};
};

struct RateLimiterOptions {
  RateLimit limit;
  double headroom = 0.9;       // use this share of what the CRM allows
  double daily_reserve = 0.1;  // Salesforce: share of the daily allocation kept back
};

class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  RateLimiter(RateLimiterOptions options, Clock clock);

  // Takes a token and returns zero, or returns how long until one is free
  // (taking nothing).
  std::chrono::milliseconds try_acquire();

  // Waits (through `sleep`) until a token is taken.
  void acquire(const std::function<void(std::chrono::milliseconds)>& sleep);

  // Learns from a CRM response's rate-limit headers; unknown headers ignored.
  void observe(const HttpHeaders& headers);

  // After a 429: hand out nothing until `wait` has passed.
  void pause_for(std::chrono::milliseconds wait);

  struct Snapshot {
    RateLimit limit;  // what the bucket currently enforces
    double tokens = 0;
    std::optional<long long> window_remaining;  // HubSpot: left in the rolling window
    std::optional<long long> window_max;
    std::optional<long long> daily_used;  // Salesforce api-usage
    std::optional<long long> daily_max;
    bool daily_throttled = false;
  };
  Snapshot snapshot() const;

 private:
  void refill(std::chrono::steady_clock::time_point now);
  double rate_per_ms() const;
  double capacity() const;

  RateLimiterOptions options_;
  Clock clock_;
  mutable std::mutex mu_;
  double tokens_;
  std::chrono::steady_clock::time_point last_refill_;
  std::chrono::steady_clock::time_point paused_until_{};
  std::optional<long long> window_remaining_;
  std::optional<long long> window_max_;
  std::optional<long long> daily_used_;
  std::optional<long long> daily_max_;
};

}  // namespace leadrouter::connectors
