// HubSpot's API limits as the mock enforces them when --rate-limits is on: a
// rolling 10-second burst bucket per token (smaller for OAuth apps), a daily
// bucket for private-app tokens, and the search endpoints' own per-second
// limit. Produces the X-HubSpot-RateLimit-* headers and 429 bodies.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mock_crm/crm_api.hpp"

namespace leadrouter::mock_crm::hubspot {

struct RateLimitSettings {
  int private_app_ten_secondly_max = 190;
  std::int64_t private_app_daily_max = 625000;
  int oauth_ten_secondly_max = 110;
  int search_per_second = 5;
};

class HubspotRateLimiter {
 public:
  struct Decision {
    bool allowed = true;
    std::vector<std::pair<std::string, std::string>> headers;  // to add to the response
    HttpResponse rejection;                                    // the 429 when !allowed
  };

  void configure(RateLimitSettings settings) {
    settings_ = settings;
    reset();
  }
  void reset() { buckets_.clear(); }

  // key: the token (or app) being limited; oauth apps have no daily bucket;
  // search calls count only against the per-second search limit and get no headers.
  Decision check(const std::string& key, bool oauth, bool search, std::int64_t now_ms);

 private:
  struct Bucket {
    std::deque<std::int64_t> ten_second;  // times of admitted requests
    std::deque<std::int64_t> search_second;
    std::int64_t day = -1;  // epoch day of daily_count (UTC; see docs)
    std::int64_t daily_count = 0;
  };

  RateLimitSettings settings_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace leadrouter::mock_crm::hubspot
