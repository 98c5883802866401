// The daemon's side of the HTTP API (sidecar/http/api_routes.hpp): readiness
// from the store, the connectors' tokens and the pollers' last success;
// /metrics with the values read when scraped (outbox rows by state, queue
// depth); the audit log from the store; previews from the decision engine;
// and webhooks verified by their connector, then queued for the worker.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "connectors/crm_connector.hpp"
#include "sidecar/http/api_routes.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/pipeline/decision_engine.hpp"
#include "sidecar/pipeline/ingest_queue.hpp"
#include "sidecar/pipeline/poller.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

class DaemonApiBackend final : public ApiBackend {
 public:
  struct Options {
    // A poller that has not succeeded for 3 x its interval plus this long is
    // not ready; before its first success the time counts from start-up.
    std::chrono::seconds poll_grace{30};
  };

  struct ConnectorEntry {
    connectors::CrmConnector* connector = nullptr;
    const Poller* poller = nullptr;  // null: no polling readiness check
    std::chrono::seconds poll_interval{30};
    bool token_obtained = false;
  };

  // Registers the collectors for the store- and queue-backed metrics, so the
  // backend must outlive every render() of `metrics`.
  DaemonApiBackend(StateStore& store, DecisionEngine& engine, IngestQueue& queue,
                   MetricsRegistry& metrics, SystemClock clock, Options options);

  // Before the server starts; not thread-safe with the API calls.
  void add_connector(ConnectorEntry entry);
  // Adds a "model" check that never fails readiness: it says what scores the
  // leads (the active model version, or why the rules route alone).
  void set_model_status(std::function<std::string()> status);
  // Adds an "accounts:<connector>" check per connector that never fails
  // readiness (a stale index still routes): its size and last CRM read.
  void set_account_status(std::function<std::string(const std::string& connector)> status);

  std::vector<ReadinessCheck> readiness() override;
  std::string metrics_text() override;
  std::expected<std::vector<DecisionRow>, Error> decisions(const DecisionQuery& query) override;
  std::expected<std::optional<DecisionRow>, Error> decision(std::string_view id) override;
  std::expected<std::string, Error> preview(std::string_view connector,
                                            const core::Lead& lead) override;
  std::expected<int, Error> webhook(std::string_view connector,
                                    const connectors::WebhookRequest& request) override;

 private:
  // By configured name, or the first of a type for "hubspot"/"salesforce".
  const ConnectorEntry* find(std::string_view connector) const;
  std::expected<int, Error> accept_webhook(const ConnectorEntry& entry,
                                           const connectors::WebhookRequest& request);

  StateStore& store_;
  DecisionEngine& engine_;
  IngestQueue& queue_;
  MetricsRegistry& metrics_;
  SystemClock clock_;
  Options options_;
  std::chrono::system_clock::time_point started_at_;
  std::vector<ConnectorEntry> connectors_;
  std::function<std::string()> model_status_;
  std::function<std::string(const std::string&)> account_status_;
};

}  // namespace leadrouter::sidecar
