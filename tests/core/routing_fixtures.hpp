// Builders shared by the routing tests: policies, reps and leads written in
// C++ so each test states exactly what it depends on.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/lead.hpp"
#include "core/lead_facts.hpp"
#include "core/policy.hpp"
#include "core/rep.hpp"
#include "core/roster.hpp"
#include "core/router.hpp"
#include "core/time.hpp"

namespace leadrouter::core::testing {

inline Timestamp at(std::string_view iso) {
  const auto t = parse_iso8601(iso);
  if (!t) {
    throw std::invalid_argument("bad timestamp in test: " + std::string(iso));
  }
  return *t;
}

inline Condition field_is(std::string field, Op op, std::vector<Value> values) {
  Condition c;
  c.kind = Condition::Kind::kField;
  c.field.field = std::move(field);
  c.field.op = op;
  c.field.values = std::move(values);
  return c;
}

inline Condition field_eq(std::string field, Value value) {
  return field_is(std::move(field), Op::kEq, {std::move(value)});
}

inline Rep make_rep(std::string id, std::string name, std::vector<std::string> teams = {"sales"}) {
  Rep rep;
  rep.id = std::move(id);
  rep.name = std::move(name);
  rep.email = rep.id + "@example.com";
  rep.teams = std::move(teams);
  return rep;
}

// Monday-Friday 09:00-17:00 in `zone`.
inline WorkingHours office_hours(std::string zone) {
  WorkingHours hours;
  hours.time_zone = std::move(zone);
  for (int day = 1; day <= 5; ++day) {
    hours.windows.push_back({day, 9 * 60, 17 * 60});
  }
  return hours;
}

// One pool "sales" (team "sales") behind a catch-all route, final fallback
// queue "triage". Fit only: base 50; tiers A >= 80 (business hours, 30 min),
// B >= 50 (60 min), C >= 0 (no SLA).
inline Policy basic_policy(Strategy strategy = Strategy::kWeightedRoundRobin) {
  Policy p;
  p.name = "test";
  p.version = 3;
  p.fit.base = 50;
  p.weights = {1.0, 0.0, 0.0};
  Tier a{"A", 80, 30, true, "HIGH", std::nullopt};
  Tier b{"B", 50, 60, false, "MEDIUM", std::nullopt};
  Tier c{"C", 0, 0, false, "LOW", std::nullopt};
  p.tiers = {a, b, c};
  p.pools.push_back(Pool{"sales", {"sales"}, {}, strategy});
  Route route;
  route.name = "everyone";
  route.destination = {DestinationKind::kPool, "sales"};
  p.routes.push_back(route);
  p.final_fallback = {DestinationKind::kQueue, "triage"};
  return p;
}

inline Router make_router(Policy policy, std::shared_ptr<const ModelScorer> model = nullptr) {
  return Router(std::make_shared<const Policy>(std::move(policy)),
                std::make_shared<const FreeMailDomains>(), std::move(model));
}

inline Lead make_lead(std::string id) {
  Lead lead;
  lead.id = std::move(id);
  lead.email = "buyer@acme.example";
  lead.company = "Acme";
  lead.country = "US";
  return lead;
}

}  // namespace leadrouter::core::testing
