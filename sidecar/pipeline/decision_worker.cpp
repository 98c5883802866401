#include "sidecar/pipeline/decision_worker.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "sidecar/logging/log.hpp"

namespace leadrouter::sidecar {

DecisionWorker::DecisionWorker(IngestQueue& queue, DecisionEngine& engine, MetricsRegistry& metrics,
                               DecisionWorkerOptions options)
    : queue_(queue), engine_(engine), metrics_(metrics), options_(options) {
  options_.batch_size = std::max<std::size_t>(options_.batch_size, 1);
  options_.initial_backoff = std::max(options_.initial_backoff, std::chrono::milliseconds{1});
  options_.max_backoff = std::max(options_.max_backoff, options_.initial_backoff);
}

void DecisionWorker::run(std::stop_token stop) {
  for (;;) {
    std::vector<IngestItem> batch = queue_.pop_batch(options_.batch_size, options_.pop_wait);
    if (batch.empty()) {
      if (stop.stop_requested()) {
        return;
      }
      continue;
    }
    process(std::move(batch), stop);
  }
}

bool DecisionWorker::process(std::vector<IngestItem> batch, std::stop_token stop) {
  auto& errors = metrics_.counter("leadrouter_decision_batch_errors_total",
                                  "Batches the engine could not store (retried)");
  std::chrono::milliseconds backoff = options_.initial_backoff;
  int attempts_after_stop = 0;
  for (int attempt = 1;; ++attempt) {
    // A copy per attempt: the engine consumes its input, and a failed
    // attempt must leave the batch intact for the next one.
    auto result = engine_.process(batch);
    if (result) {
      if (result->failed > 0) {
        log::warn("batch_items_failed", {{"items", batch.size()}, {"failed", result->failed}});
      }
      return true;
    }
    errors.inc();
    if (stop.stop_requested() && ++attempts_after_stop >= options_.attempts_after_stop) {
      log::error(
          "batch_abandoned_at_stop",
          {{"items", batch.size()}, {"attempts", attempt}, {"error", result.error().message}});
      return false;
    }
    log::warn("batch_retry", {{"items", batch.size()},
                              {"attempt", attempt},
                              {"retry_in_ms", static_cast<std::int64_t>(backoff.count())},
                              {"error", result.error().message}});
    // Sleeps, but a stop request cuts the wait short so shutdown is prompt.
    std::mutex mutex;
    std::condition_variable_any cv;
    std::unique_lock lock(mutex);
    cv.wait_for(lock, stop, backoff, [] { return false; });
    backoff = std::min(options_.max_backoff, backoff * 2);
  }
}

}  // namespace leadrouter::sidecar
