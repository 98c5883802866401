// Watches the SLA of every lead we gave to a rep. Each tick takes the
// watches that are due, asks the CRM whether each lead was worked (outside
// any engine or store lock: a slow CRM holds up nothing else), and hands the
// answer to DecisionEngine::apply_sla, which closes the watch as met or
// breached or commits the next breach step. A CRM error leaves the watch due,
// so the next tick asks again. docs/sla.md.
#pragma once

#include <chrono>
#include <condition_variable>
#include <expected>
#include <mutex>
#include <stop_token>
#include <vector>

#include "sidecar/config/sla_config.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/pipeline/decision_engine.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

// Buckets of leadrouter_time_to_first_touch_seconds: 30 s to 2 days.
std::vector<double> first_touch_buckets_seconds();

struct SlaTickResult {
  int checked = 0;  // watches the CRM answered for
  int met = 0;
  int breached = 0;  // SLAs found breached in this tick (once per lead)
  int steps = 0;     // breach steps committed
  int errors = 0;    // CRM or store errors; those watches stay due
};

class SlaWatcher {
 public:
  SlaWatcher(StateStore& store, DecisionEngine& engine, MetricsRegistry& metrics, SlaConfig config,
             SystemClock clock);

  // One pass over the watches due now.
  std::expected<SlaTickResult, Error> tick();

  // Ticks every check_seconds until stop is requested.
  void run(std::stop_token stop);

 private:
  void update_open_gauge();

  StateStore& store_;
  DecisionEngine& engine_;
  MetricsRegistry& metrics_;
  SlaConfig config_;
  SystemClock clock_;
  std::mutex mutex_;
  std::condition_variable_any cv_;
};

}  // namespace leadrouter::sidecar
