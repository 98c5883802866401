#include "connectors/rate_limiter.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

namespace leadrouter::connectors {
namespace {

constexpr double kMsPerDay = 24.0 * 3600.0 * 1000.0;

std::optional<long long> to_int(std::string_view s) {
  while (!s.empty() && s.front() == ' ') {
    s.remove_prefix(1);
  }
  long long v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || v < 0) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

RateLimiter::RateLimiter(RateLimiterOptions options, Clock clock)
    : options_(options), clock_(std::move(clock)), last_refill_(clock_()) {
  tokens_ = capacity();
}

double RateLimiter::capacity() const {
  if (daily_max_ && daily_used_ &&
      static_cast<double>(*daily_max_ - *daily_used_) <
          options_.daily_reserve * static_cast<double>(*daily_max_)) {
    return 1.0;
  }
  return std::max(1.0, std::floor(options_.limit.requests * options_.headroom));
}

double RateLimiter::rate_per_ms() const {
  if (daily_max_ && daily_used_) {
    const double left = static_cast<double>(*daily_max_ - *daily_used_);
    if (left < options_.daily_reserve * static_cast<double>(*daily_max_)) {
      return std::max(0.0, left) / kMsPerDay;
    }
  }
  return options_.limit.requests * options_.headroom /
         static_cast<double>(std::max<long long>(1, options_.limit.interval.count()));
}

void RateLimiter::refill(std::chrono::steady_clock::time_point now) {
  if (now > last_refill_) {
    const double ms = std::chrono::duration<double, std::milli>(now - last_refill_).count();
    tokens_ = std::min(capacity(), tokens_ + ms * rate_per_ms());
    last_refill_ = now;
  }
}

std::chrono::milliseconds RateLimiter::try_acquire() {
  std::lock_guard lock(mu_);
  const auto now = clock_();
  if (now < paused_until_) {
    return std::chrono::ceil<std::chrono::milliseconds>(paused_until_ - now);
  }
  refill(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return std::chrono::milliseconds{0};
  }
  const double rate = rate_per_ms();
  if (rate <= 0) {
    return std::chrono::milliseconds{60'000};
  }
  return std::chrono::milliseconds{
      std::max<long long>(1, static_cast<long long>(std::ceil((1.0 - tokens_) / rate)))};
}

void RateLimiter::acquire(const std::function<void(std::chrono::milliseconds)>& sleep) {
  for (;;) {
    const auto wait = try_acquire();
    if (wait.count() == 0) {
      return;
    }
    sleep(wait);
  }
}

void RateLimiter::observe(const HttpHeaders& headers) {
  std::lock_guard lock(mu_);
  refill(clock_());
  const auto max = find_header(headers, "X-HubSpot-RateLimit-Max");
  const auto remaining = find_header(headers, "X-HubSpot-RateLimit-Remaining");
  const auto interval = find_header(headers, "X-HubSpot-RateLimit-Interval-Milliseconds");
  if (max && interval) {
    const auto m = to_int(*max);
    const auto i = to_int(*interval);
    if (m && i && *m > 0 && *i > 0) {
      options_.limit = RateLimit{static_cast<double>(*m), std::chrono::milliseconds{*i}};
      window_max_ = *m;
      tokens_ = std::min(tokens_, capacity());
    }
  }
  if (remaining) {
    if (const auto r = to_int(*remaining)) {
      window_remaining_ = *r;
      // The CRM counts every client of this tenant; never plan on more than
      // it says is left (keeping the same headroom).
      tokens_ = std::min(tokens_, static_cast<double>(*r) * options_.headroom);
    }
  }
  if (const auto info = find_header(headers, "Sforce-Limit-Info")) {
    std::string_view s = *info;
    const auto pos = s.find("api-usage=");
    if (pos != std::string_view::npos) {
      s.remove_prefix(pos + 10);
      const auto slash = s.find('/');
      if (slash != std::string_view::npos) {
        const auto end = s.find_first_of(";, ", slash);
        const auto used = to_int(s.substr(0, slash));
        const auto total = to_int(s.substr(
            slash + 1, end == std::string_view::npos ? std::string_view::npos : end - slash - 1));
        if (used && total && *total > 0) {
          daily_used_ = *used;
          daily_max_ = *total;
          tokens_ = std::min(tokens_, capacity());
        }
      }
    }
  }
}

void RateLimiter::pause_for(std::chrono::milliseconds wait) {
  std::lock_guard lock(mu_);
  const auto now = clock_();
  paused_until_ = std::max(paused_until_, now + wait);
  tokens_ = 0;
  last_refill_ = std::max(last_refill_, paused_until_);
}

RateLimiter::Snapshot RateLimiter::snapshot() const {
  std::lock_guard lock(mu_);
  Snapshot s;
  s.limit = options_.limit;
  s.tokens = tokens_;
  s.window_remaining = window_remaining_;
  s.window_max = window_max_;
  s.daily_used = daily_used_;
  s.daily_max = daily_max_;
  s.daily_throttled = daily_max_ && daily_used_ &&
                      static_cast<double>(*daily_max_ - *daily_used_) <
                          options_.daily_reserve * static_cast<double>(*daily_max_);
  return s;
}

}  // namespace leadrouter::connectors
