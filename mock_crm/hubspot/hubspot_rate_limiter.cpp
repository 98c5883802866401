#include "mock_crm/hubspot/hubspot_rate_limiter.hpp"

#include "mock_crm/error_bodies.hpp"

namespace leadrouter::mock_crm::hubspot {

namespace {
constexpr std::int64_t kWindowMs = 10000;
constexpr std::int64_t kDayMs = 86400000;
}  // namespace

HubspotRateLimiter::Decision HubspotRateLimiter::check(const std::string& key, bool oauth,
                                                       bool search, std::int64_t now_ms) {
  Decision d;
  Bucket& b = buckets_[key];
  if (search) {
    while (!b.search_second.empty() && b.search_second.front() <= now_ms - 1000) {
      b.search_second.pop_front();
    }
    if (static_cast<int>(b.search_second.size()) >= settings_.search_per_second) {
      d.allowed = false;
      d.rejection = hubspot_rate_limit_error("SECONDLY", "You have reached your secondly limit.");
      return d;
    }
    b.search_second.push_back(now_ms);
    return d;
  }
  while (!b.ten_second.empty() && b.ten_second.front() <= now_ms - kWindowMs) {
    b.ten_second.pop_front();
  }
  std::int64_t day = now_ms / kDayMs;
  if (b.day != day) {
    b.day = day;
    b.daily_count = 0;
  }
  int max = oauth ? settings_.oauth_ten_secondly_max : settings_.private_app_ten_secondly_max;
  bool burst_ok = static_cast<int>(b.ten_second.size()) < max;
  bool daily_ok = oauth || b.daily_count < settings_.private_app_daily_max;
  if (burst_ok && daily_ok) {
    b.ten_second.push_back(now_ms);
    if (!oauth) {
      ++b.daily_count;
    }
  }
  d.headers.emplace_back("X-HubSpot-RateLimit-Max", std::to_string(max));
  d.headers.emplace_back("X-HubSpot-RateLimit-Remaining",
                         std::to_string(std::max<std::int64_t>(
                             0, max - static_cast<std::int64_t>(b.ten_second.size()))));
  d.headers.emplace_back("X-HubSpot-RateLimit-Interval-Milliseconds", std::to_string(kWindowMs));
  if (!oauth) {
    d.headers.emplace_back("X-HubSpot-RateLimit-Daily",
                           std::to_string(settings_.private_app_daily_max));
    d.headers.emplace_back(
        "X-HubSpot-RateLimit-Daily-Remaining",
        std::to_string(std::max<std::int64_t>(0, settings_.private_app_daily_max - b.daily_count)));
  }
  if (!daily_ok) {
    d.allowed = false;
    d.rejection = hubspot_rate_limit_error("DAILY", "You have reached your daily limit.");
  } else if (!burst_ok) {
    d.allowed = false;
    d.rejection = hubspot_rate_limit_error("TEN_SECONDLY_ROLLING",
                                           "You have reached your ten_secondly_rolling limit.");
  }
  if (!d.allowed) {
    d.rejection.headers = d.headers;
  }
  return d;
}

}  // namespace leadrouter::mock_crm::hubspot
