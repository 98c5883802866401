// Test doubles shared by the connector tests: a transport that answers from a
// handler and records every request, and a manual clock whose sleep advances
// time instead of waiting.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <vector>

#include "connectors/http_transport.hpp"
#include "connectors/rate_limiter.hpp"
#include "connectors/retry_policy.hpp"

namespace leadrouter::connectors::testing {

class FakeTransport final : public HttpTransport {
 public:
  using Handler = std::function<std::expected<HttpResponse, Error>(const HttpRequest&)>;
  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}

  std::expected<HttpResponse, Error> send(const HttpRequest& request) override {
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
    }
    return handler_(request);
  }

  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  Handler handler_;
  mutable std::mutex mu_;
  std::vector<HttpRequest> requests_;
};

inline HttpResponse json_response(int status, std::string body, HttpHeaders headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return HttpResponse{status, std::move(headers), std::move(body)};
}

// Steady time that moves only when something sleeps on it.
struct ManualClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours{1000}};
  std::vector<std::chrono::milliseconds> sleeps;

  RetryPolicy::Environment environment(double random = 0.5) {
    return RetryPolicy::Environment{
        .now = [this] { return now; },
        .sleep =
            [this](std::chrono::milliseconds d) {
              sleeps.push_back(d);
              now += d;
            },
        .random = [random] { return random; },
    };
  }
  RateLimiter::Clock steady() {
    return [this] { return now; };
  }
};

inline rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

}  // namespace leadrouter::connectors::testing
