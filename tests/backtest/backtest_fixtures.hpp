// Small policies, reps and leads for the backtest tests, each test stating
// the caps, hours and timestamps it depends on.
#pragma once

#include <fmt/core.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/backtest/replay.hpp"
#include "core/lead.hpp"
#include "core/lead_facts.hpp"
#include "core/policy.hpp"
#include "core/rep.hpp"
#include "core/time.hpp"

namespace leadrouter::backtest::testing {

inline Timestamp at(std::string_view iso) {
  const auto t = parse_iso8601(iso);
  if (!t) {
    throw std::invalid_argument("bad timestamp in test: " + std::string(iso));
  }
  return *t;
}

// Every lead goes to pool "sales" (team "sales") with `strategy`, else to
// queue "overflow". One tier, no business-hours rule unless asked. Leads
// score 60 (best-match weighs track records by the score).
inline std::shared_ptr<const core::Policy> sales_policy(std::string_view strategy = "round_robin",
                                                        bool business_hours = false) {
  const std::string json = fmt::format(
      R"({{"version": 1, "name": "test-{}", "fit": {{"base": 60}},
          "tiers": [{{"name": "all", "min_score": 0, "business_hours": {}}}],
          "pools": [{{"name": "sales", "teams": ["sales"], "strategy": "{}"}}],
          "routes": [{{"name": "everyone", "destination": {{"pool": "sales"}},
                      "fallbacks": [{{"queue": "overflow"}}]}}],
          "final_fallback": {{"queue": "unassigned"}},
          "segments": [{{"field": "industry"}}]}})",
      strategy, business_hours ? "true" : "false", strategy);
  auto policy = core::parse_policy(json);
  if (!policy) {
    throw std::invalid_argument("bad test policy: " + format_errors(policy.error()));
  }
  return std::make_shared<const core::Policy>(std::move(*policy));
}

inline core::Rep sales_rep(std::string id) {
  core::Rep rep;
  rep.id = id;
  rep.name = "Rep " + id;
  rep.teams = {"sales"};
  return rep;
}

inline PolicyUnderTest under_test(std::string label, std::shared_ptr<const core::Policy> policy,
                                  std::vector<core::Rep> reps) {
  return {std::move(label), std::move(policy), std::make_shared<const core::FreeMailDomains>(),
          nullptr, std::move(reps)};
}

inline core::Lead lead(std::string id, std::string_view created_at,
                       std::string industry = "Software") {
  core::Lead l;
  l.id = std::move(id);
  l.industry = std::move(industry);
  l.created_at = at(created_at);
  return l;
}

}  // namespace leadrouter::backtest::testing
