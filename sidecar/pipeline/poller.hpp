// Polls one connector: on its interval (or sooner when woken) fetches changed
// leads page by page from the stored cursor and pushes them onto the ingest
// queue, the last item of each page carrying the page's next cursor; on the
// roster interval refreshes the CRM's users. Failures are logged and counted,
// and the next attempt backs off; the cursor only moves through the store.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <expected>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "connectors/crm_connector.hpp"
#include "core/rep.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/pipeline/decision_engine.hpp"
#include "sidecar/pipeline/ingest_queue.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

struct PollerOptions {
  std::chrono::seconds interval{30};
  std::chrono::seconds roster_refresh{300};
  int page_size = 100;
  std::string start_from = "now";  // see IngestConfig
};

class Poller {
 public:
  Poller(connectors::CrmConnector& connector, StateStore& store, IngestQueue& queue,
         MetricsRegistry& metrics, PollerOptions options, SystemClock clock,
         std::function<void(std::vector<core::Rep>)> on_users);

  // Refreshes users now; the first call must succeed before routing starts.
  std::expected<int, Error> refresh_users();
  // Fetches every page available now; returns how many leads were queued.
  std::expected<int, Error> poll_once();
  void run(std::stop_token stop);
  void wake();  // poll now (a webhook saw activity)

  // When the last poll that reached the CRM finished (readiness).
  std::optional<std::chrono::system_clock::time_point> last_success() const;

 private:
  // cursor_ from the store, or from start_from (then persisted at once).
  std::expected<void, Error> load_cursor();
  // queue_.push, given up early when run() is stopping.
  bool push(IngestItem item, std::chrono::steady_clock::time_point deadline);

  connectors::CrmConnector& connector_;
  StateStore& store_;
  IngestQueue& queue_;
  MetricsRegistry& metrics_;
  PollerOptions options_;
  SystemClock clock_;
  std::function<void(std::vector<core::Rep>)> on_users_;
  std::optional<connectors::LeadCursor> cursor_;  // in memory, ahead of the stored one
  std::atomic<std::int64_t> last_success_ms_{0};
  std::atomic<bool> users_refreshed_{false};
  std::atomic<bool> stopping_{false};  // run() was asked to stop: cut queue waits short
  std::mutex mutex_;
  std::condition_variable_any wake_cv_;
  bool woken_ = false;
};

}  // namespace leadrouter::sidecar
