// The one thread that turns queued leads into stored decisions: it pops
// batches from the ingest queue and hands them to the engine. A batch the
// engine could not store (database busy, disk full) is kept and retried with
// backoff, never dropped: its leads' cursor has not moved, but webhook items
// exist nowhere else. On stop it drains what is left in the queue (the daemon
// closes the queue first, so nothing new arrives) and returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <stop_token>

#include "sidecar/metrics/metrics.hpp"
#include "sidecar/pipeline/decision_engine.hpp"
#include "sidecar/pipeline/ingest_queue.hpp"

namespace leadrouter::sidecar {

struct DecisionWorkerOptions {
  std::size_t batch_size = 64;
  std::chrono::milliseconds pop_wait{200};
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  // After stop, how often a failing batch is still tried before the worker
  // gives up on it (the poller fetches those leads again on the next start).
  int attempts_after_stop = 3;
};

class DecisionWorker {
 public:
  DecisionWorker(IngestQueue& queue, DecisionEngine& engine, MetricsRegistry& metrics,
                 DecisionWorkerOptions options = {});

  void run(std::stop_token stop);

 private:
  // Processes one batch until it is stored; false when it was given up on.
  bool process(std::vector<IngestItem> batch, std::stop_token stop);

  IngestQueue& queue_;
  DecisionEngine& engine_;
  MetricsRegistry& metrics_;
  DecisionWorkerOptions options_;
};

}  // namespace leadrouter::sidecar
