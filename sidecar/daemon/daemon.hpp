// `leadrouter serve`: assembles the sidecar from its config and runs it.
// Start-up order: config and every referenced file validated, store opened,
// connectors built and authenticated, CRM users fetched, routing set up, HTTP
// listening, then pollers, the decision worker and the outbox writers start.
// Policy reload on SIGHUP (and on file change when configured): the new files
// are validated first; a bad policy is logged and the old one keeps running.
// SIGTERM/SIGINT: ingest stops, the queue is drained into the store, writes in
// flight finish (the rest stay in the outbox), the store closes, exit 0.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "sidecar/config/sidecar_config.hpp"

namespace leadrouter::sidecar {

struct DaemonHooks {
  // Called once the HTTP port is bound, before anything is ingested.
  // `serve` prints "listening on http://HOST:PORT" here.
  std::function<void(const std::string& base_url)> on_listening;
};

class Daemon {
 public:
  explicit Daemon(SidecarConfig config, DaemonHooks hooks = {});
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until stop() or SIGTERM/SIGINT; returns the process exit code
  // (0 after a clean stop, 1 when start-up failed: the reason is logged and
  // printed on stderr).
  int run();
  void stop();
  // Re-reads policy, roster and model files (what SIGHUP does).
  void reload();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadrouter::sidecar
