// What the pipeline tests share: a temporary state directory, a clock the
// test moves, leads and reps for the fake CRM, and a routing setup built in
// C++ (one pool "sales", final fallback queue "triage").
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/crm_types.hpp"
#include "core/field_value.hpp"
#include "core/lead_facts.hpp"
#include "core/policy.hpp"
#include "core/rep.hpp"
#include "core/time.hpp"
#include "sidecar/config/routing_setup.hpp"
#include "sidecar/pipeline/decision_engine.hpp"
#include "sidecar/pipeline/ingest_queue.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "leadrouter-pipeline-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline std::chrono::system_clock::time_point time_at(std::string_view iso) {
  const auto t = parse_iso8601(iso);
  if (!t) {
    throw std::invalid_argument("bad timestamp in test: " + std::string(iso));
  }
  return *t;
}

inline TimestampMs ms_at(std::string_view iso) {
  return std::chrono::floor<std::chrono::milliseconds>(time_at(iso));
}

// A clock the test sets and advances; safe to read from other threads.
class FakeClock {
 public:
  explicit FakeClock(std::string_view iso) : ms_(ms_at(iso).time_since_epoch().count()) {}

  std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::time_point{std::chrono::milliseconds{ms_.load()}};
  }
  TimestampMs now_ms() const { return TimestampMs{std::chrono::milliseconds{ms_.load()}}; }
  void advance(std::chrono::milliseconds by) { ms_ += by.count(); }
  SystemClock fn() const {
    return [this] { return now(); };
  }

 private:
  std::atomic<std::int64_t> ms_;
};

inline core::Rep make_rep(std::string id, std::optional<int> max_open = std::nullopt) {
  core::Rep rep;
  rep.id = id;
  rep.name = "Rep " + id;
  rep.email = id + "@seller.example";
  rep.teams = {"sales"};
  rep.capacity.max_open = max_open;
  return rep;
}

// One pool "sales" (team "sales") behind a catch-all route; final fallback
// queue "triage". Fit only, base 50 (tier B: 60-minute SLA, MEDIUM); leads
// from Germany score 90 (tier A, HIGH).
inline core::Policy make_policy(core::Strategy strategy = core::Strategy::kRoundRobin) {
  core::Policy p;
  p.name = "pipeline-test";
  p.version = 7;
  p.fit.base = 50;
  core::FitRule german;
  german.name = "german";
  german.when.kind = core::Condition::Kind::kField;
  german.when.field.field = "country";
  german.when.field.op = core::Op::kEq;
  german.when.field.values = {core::Value{std::string("DE")}};
  german.points = 40;
  core::resolve_field(german.when.field);
  p.fit.rules.push_back(german);
  p.weights = {1.0, 0.0, 0.0};
  p.tiers = {core::Tier{"A", 80, 30, false, "HIGH", std::nullopt},
             core::Tier{"B", 50, 60, false, "MEDIUM", std::nullopt},
             core::Tier{"C", 0, 0, false, "LOW", std::nullopt}};
  p.pools.push_back(core::Pool{"sales", {"sales"}, {}, strategy});
  core::Route route;
  route.name = "everyone";
  route.destination = {core::DestinationKind::kPool, "sales"};
  p.routes.push_back(route);
  p.final_fallback = {core::DestinationKind::kQueue, "triage"};
  return p;
}

inline RoutingSetup make_setup(std::vector<core::Rep> reps,
                               core::Strategy strategy = core::Strategy::kRoundRobin) {
  RoutingSetup setup;
  setup.policy = std::make_shared<const core::Policy>(make_policy(strategy));
  setup.free_mail = std::make_shared<const core::FreeMailDomains>();
  setup.reps = std::move(reps);
  return setup;
}

inline connectors::ChangedLead make_lead(std::string id, std::string_view modified_iso,
                                         std::string owner = {}) {
  connectors::ChangedLead changed;
  changed.lead.id = id;
  changed.lead.source_system = "hubspot";
  changed.lead.object_type = "contact";
  changed.lead.email = "buyer." + id + "@acme.example";
  changed.lead.first_name = "Ada";
  changed.lead.last_name = "Buyer " + id;
  changed.lead.company = "Acme";
  changed.lead.country = "US";
  changed.lead.created_at = parse_iso8601(modified_iso);
  changed.modified_at = ms_at(modified_iso);
  changed.owner_id = std::move(owner);
  return changed;
}

inline IngestItem poll_item(const std::string& connector, connectors::ChangedLead lead,
                            std::optional<std::string> cursor_after = std::nullopt) {
  IngestItem item;
  item.connector = connector;
  item.source = "poll";
  item.record_id = lead.lead.id;
  item.lead = std::move(lead);
  item.cursor_after = std::move(cursor_after);
  item.received_at = std::chrono::steady_clock::now();
  return item;
}

inline IngestItem webhook_item(const std::string& connector, std::string record_id,
                               std::string event_id) {
  IngestItem item;
  item.connector = connector;
  item.source = "webhook";
  item.record_id = std::move(record_id);
  item.webhook_event_id = std::move(event_id);
  item.received_at = std::chrono::steady_clock::now();
  return item;
}

inline std::unique_ptr<StateStore> open_store(const TempDir& dir, StoreOptions options = {}) {
  auto store = StateStore::open(dir.str(), options);
  if (!store) {
    throw std::runtime_error("cannot open the state store: " + store.error().message);
  }
  return std::move(*store);
}

}  // namespace leadrouter::sidecar::testing
