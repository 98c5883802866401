// Drains one connector's outbox: sends due rows in batches through
// CrmConnector::apply (which is idempotent per decision id, so a row sent
// twice after a crash changes nothing twice), then marks each row done,
// retries retryable failures with exponential backoff (never before the
// CRM's Retry-After), or dead-letters permanent ones with the reason.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <expected>
#include <mutex>
#include <random>
#include <stop_token>

#include "connectors/crm_connector.hpp"
#include "sidecar/config/sidecar_config.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/pipeline/decision_engine.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

class OutboxWriter {
 public:
  // `jitter_seed` seeds the backoff jitter (tests pass a fixed one).
  OutboxWriter(StateStore& store, connectors::CrmConnector& connector, MetricsRegistry& metrics,
               OutboxConfig config, SystemClock clock,
               std::uint64_t jitter_seed = std::random_device{}());

  // Sends every row due now, batch after batch; returns how many rows were
  // handled (done, retried or dead-lettered).
  std::expected<int, Error> drain_once();

  // Loops until stop is requested: drains, then sleeps until the next row is
  // due or wake() is called. A write in flight when stop comes is finished.
  void run(std::stop_token stop);
  void wake();

 private:
  // One batch of due rows; 0 when none was due.
  std::expected<int, Error> send_batch();
  std::chrono::milliseconds retry_delay(int attempts, const Error& error);

  StateStore& store_;
  connectors::CrmConnector& connector_;
  MetricsRegistry& metrics_;
  OutboxConfig config_;
  SystemClock clock_;
  std::mutex mutex_;
  std::condition_variable_any wake_cv_;
  bool woken_ = false;
  std::mt19937_64 rng_;  // backoff jitter; used by the writer's thread only
};

}  // namespace leadrouter::sidecar
