// Throughput and latency of Router::route on a tenant of realistic size:
// 1,000 reps in 50 teams across five time zones, 50 routes over territory and
// industry, each to its own best-match pool of 20 with the next pool as
// fallback, tiers that need business hours, fit rules, intent signals and
// per-segment track records.
//
//   build/bench/core_bench --benchmark_repetitions=5
//
// BM_Route         route only (a preview): items_per_second = decisions/s.
// BM_RouteCommit   route then commit (and release, so loads stay bounded).
// BM_Latency       a fixed 200,000 decisions each timed on its own; reports
//                  decisions_per_cpu_s (thread CPU time, immune to other
//                  processes taking the core), decisions_per_wall_s, and the
//                  p50_us / p99_us / max_us of the per-decision wall times.
#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/field_value.hpp"
#include "core/lead_facts.hpp"
#include "core/policy.hpp"
#include "core/roster.hpp"
#include "core/router.hpp"

namespace lc = leadrouter::core;
using leadrouter::Timestamp;

namespace {

constexpr int kReps = 1000;
constexpr int kTeams = 50;
constexpr int kRoutes = 50;
constexpr int kLeads = 4096;

const std::vector<std::string> kTerritories = {"US-East", "US-West", "EMEA", "APAC", "LATAM"};
const std::vector<std::string> kCountries = {"US", "US", "DE", "JP", "BR", "GB", "FR", "CA"};
const std::vector<std::string> kIndustries = {
    "software",  "finance", "healthcare", "retail", "manufacturing",
    "education", "media",   "logistics",  "energy", "telecom"};
const std::vector<std::string> kZones = {"America/New_York", "America/Chicago", "America/Toronto",
                                         "Europe/London", "Europe/Berlin"};
const std::vector<std::string> kSignals = {"demo_request", "pricing_page_view", "email_click",
                                           "webinar"};

lc::Condition field(std::string name, lc::Op op, std::vector<lc::Value> values) {
  lc::Condition c;
  c.kind = lc::Condition::Kind::kField;
  c.field.field = std::move(name);
  c.field.op = op;
  c.field.values = std::move(values);
  // parse_policy resolves every field name once; do the same here.
  lc::resolve_field(c.field);
  return c;
}

lc::Condition all_of(std::vector<lc::Condition> children) {
  lc::Condition c;
  c.kind = lc::Condition::Kind::kAll;
  c.children = std::move(children);
  return c;
}

std::vector<lc::Value> strings(std::initializer_list<const char*> items) {
  std::vector<lc::Value> out;
  for (const char* s : items) {
    out.emplace_back(std::string(s));
  }
  return out;
}

lc::Policy make_policy() {
  lc::Policy p;
  p.name = "bench";
  p.fit.base = 20;
  p.fit.rules = {
      {"enterprise", field("employees", lc::Op::kGte, {1000.0}), 30},
      {"mid-market", field("employees", lc::Op::kBetween, {100.0, 999.0}), 15},
      {"corporate email", field("is_free_mail", lc::Op::kEq, {false}), 10},
      {"target industry",
       field("industry", lc::Op::kIn, strings({"software", "finance", "healthcare"})), 15},
      {"revenue", field("annual_revenue", lc::Op::kGt, {5e7}), 10},
      {"referral", field("lead_source", lc::Op::kEq, strings({"referral"})), 10},
      {"exec title", field("title", lc::Op::kContains, strings({"chief"})), 10},
      {"student", field("title", lc::Op::kContains, strings({"student"})), -40},
  };
  for (const std::string& s : kSignals) {
    p.intent.signals.push_back({s, s == "demo_request" ? 60.0 : 15.0, 24.0 * 7});
  }
  p.weights = {0.6, 0.4, 0};
  p.tiers = {{"A", 70, 30, true, "HIGH", std::nullopt},
             {"B", 40, 240, false, "MEDIUM", std::nullopt},
             {"C", 0, 1440, false, "LOW", std::nullopt}};
  p.territories = {
      {"US-East", all_of({field("country", lc::Op::kIn, strings({"US", "CA"})),
                          field("state", lc::Op::kIn, strings({"NY", "MA", "FL", "ON"}))})},
      {"US-West", field("country", lc::Op::kIn, strings({"US", "CA"}))},
      {"EMEA", field("country", lc::Op::kIn, strings({"DE", "GB", "FR"}))},
      {"APAC", field("country", lc::Op::kIn, strings({"JP", "AU"}))},
      {"LATAM", field("country", lc::Op::kIn, strings({"BR", "MX"}))},
  };
  p.segments = {{"industry", {}}, {"employees", {50, 200, 1000, 5000}}};
  for (int t = 0; t < kTeams; ++t) {
    p.pools.push_back(lc::Pool{
        "pool-" + std::to_string(t), {"team-" + std::to_string(t)}, {}, lc::Strategy::kBestMatch});
  }
  // Routes over territory x industry; most leads walk a good part of the list.
  for (int r = 0; r < kRoutes; ++r) {
    lc::Route route;
    route.name = "route-" + std::to_string(r);
    route.when = all_of({field("territory", lc::Op::kEq, {kTerritories[r % 5]}),
                         field("industry", lc::Op::kEq, {kIndustries[r / 5]})});
    route.destination = {lc::DestinationKind::kPool, "pool-" + std::to_string(r % kTeams)};
    route.fallbacks = {{lc::DestinationKind::kPool, "pool-" + std::to_string((r + 1) % kTeams)}};
    route.match_language = r % 3 == 0;
    p.routes.push_back(route);
  }
  p.final_fallback = {lc::DestinationKind::kQueue, "triage"};
  return p;
}

std::vector<lc::Rep> make_reps(std::mt19937& rng) {
  std::vector<lc::Rep> reps;
  for (int i = 0; i < kReps; ++i) {
    lc::Rep rep;
    rep.id = "005" + std::to_string(100000 + i);
    rep.name = "Rep " + std::to_string(i);
    const int team = i % kTeams;
    rep.teams = {"team-" + std::to_string(team)};
    rep.territories = {kTerritories[static_cast<std::size_t>(team % 5)]};
    rep.languages = {"en"};
    if (i % 4 == 0) {
      rep.languages.push_back("de");
    }
    rep.weight = 1.0 + static_cast<double>(i % 3);
    rep.capacity.max_open = 40;
    rep.capacity.max_per_day = 1'000'000;
    rep.capacity.max_per_hour = 100'000;
    lc::WorkingHours hours;
    hours.time_zone = kZones[static_cast<std::size_t>(i % 5)];
    for (int d = 1; d <= 5; ++d) {
      hours.windows.push_back({d, 8 * 60, 18 * 60});
    }
    rep.working_hours = hours;
    rep.active = rng() % 50 != 0;  // a few inactive reps, as in any real CRM
    reps.push_back(std::move(rep));
  }
  return reps;
}

lc::RosterSnapshot make_history(const std::vector<lc::Rep>& reps, std::mt19937& rng) {
  lc::RosterSnapshot snap;
  const std::vector<std::string> bands = {"<50", "50-200", "200-1000", "1000-5000", "5000+"};
  for (const lc::Rep& rep : reps) {
    lc::RepState& s = snap.reps[rep.id];
    s.open_load = static_cast<int>(rng() % 30);
    for (const std::string& industry : kIndustries) {
      for (const std::string& band : bands) {
        if (rng() % 3 == 0) {
          const std::int64_t assigned = rng() % 200;
          s.track_record["industry=" + industry + "|employees=" + band] = {
              assigned, assigned == 0 ? 0 : static_cast<std::int64_t>(rng() % (assigned + 1)) / 3};
        }
      }
    }
  }
  return snap;
}

std::vector<lc::Lead> make_leads(std::mt19937& rng, Timestamp now) {
  std::vector<lc::Lead> leads;
  const std::vector<std::string> states = {"NY", "CA", "TX", "MA", "WA", ""};
  const std::vector<std::string> titles = {"Chief Revenue Officer", "VP Sales", "Engineer",
                                           "Student", "Head of Ops"};
  for (int i = 0; i < kLeads; ++i) {
    lc::Lead lead;
    lead.id = "00Q" + std::to_string(500000 + i);
    lead.email = i % 5 == 0 ? "someone@gmail.com" : "buyer" + std::to_string(i) + "@corp.example";
    lead.company = "Company " + std::to_string(i % 700);
    lead.country = kCountries[rng() % kCountries.size()];
    lead.state = states[rng() % states.size()];
    lead.industry = kIndustries[rng() % kIndustries.size()];
    lead.employees = static_cast<std::int64_t>(rng() % 8000);
    lead.annual_revenue = static_cast<double>(rng() % 200) * 1e6;
    lead.lead_source = i % 7 == 0 ? "referral" : "web";
    lead.title = titles[rng() % titles.size()];
    lead.language = i % 6 == 0 ? "de" : "en";
    const int events = static_cast<int>(rng() % 6);
    for (int e = 0; e < events; ++e) {
      lead.events.push_back({kSignals[rng() % kSignals.size()],
                             now - std::chrono::hours{static_cast<int>(rng() % (24 * 30))}});
    }
    leads.push_back(std::move(lead));
  }
  return leads;
}

struct Tenant {
  Tenant() {
    std::mt19937 rng(20260309);
    auto reps = make_reps(rng);
    roster = lc::Roster(reps, make_history(reps, rng));
    leads = make_leads(rng, now);
    router = std::make_unique<lc::Router>(
        std::make_shared<const lc::Policy>(make_policy()),
        std::make_shared<const lc::FreeMailDomains>(lc::FreeMailDomains::from_text("gmail.com\n")));
  }
  // Tuesday 15:00Z: working hours in every zone of the roster.
  Timestamp now = *leadrouter::parse_iso8601("2026-03-10T15:00:00Z");
  lc::Roster roster;
  std::vector<lc::Lead> leads;
  std::unique_ptr<lc::Router> router;
};

Tenant& tenant() {
  static Tenant t;
  return t;
}

void BM_Route(benchmark::State& state) {
  Tenant& t = tenant();
  std::size_t i = 0;
  for (auto _ : state) {
    lc::Decision d = t.router->route(t.leads[i % kLeads], t.roster, t.now);
    benchmark::DoNotOptimize(d);
    ++i;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(i));
}
BENCHMARK(BM_Route);

void BM_RouteCommit(benchmark::State& state) {
  Tenant& t = tenant();
  lc::Roster roster = t.roster;
  std::size_t i = 0;
  for (auto _ : state) {
    const lc::Decision d = t.router->route(t.leads[i % kLeads], roster, t.now);
    roster.commit(d);
    if (d.assignee_kind == lc::AssigneeKind::kRep) {
      roster.release(d.assignee_id);
    }
    ++i;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(i));
}
BENCHMARK(BM_RouteCommit);

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void BM_Latency(benchmark::State& state) {
  Tenant& t = tenant();
  constexpr std::size_t kCount = 200'000;
  std::vector<double> micros(kCount);
  double total_seconds = 0;
  double cpu_seconds = 0;
  for (auto _ : state) {
    const double cpu_begin = thread_cpu_seconds();
    const auto begin = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < kCount; ++i) {
      const auto start = std::chrono::steady_clock::now();
      lc::Decision d = t.router->route(t.leads[i % kLeads], t.roster, t.now);
      benchmark::DoNotOptimize(d);
      micros[i] =
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count();
    }
    total_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    cpu_seconds += thread_cpu_seconds() - cpu_begin;
  }
  std::sort(micros.begin(), micros.end());
  state.counters["decisions_per_cpu_s"] = static_cast<double>(kCount) / cpu_seconds;
  state.counters["decisions_per_wall_s"] = static_cast<double>(kCount) / total_seconds;
  state.counters["p50_us"] = micros[kCount / 2];
  state.counters["p99_us"] = micros[kCount * 99 / 100];
  state.counters["max_us"] = micros.back();
}
BENCHMARK(BM_Latency)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
