// The sidecar's HTTP endpoints, mapped onto what the daemon can do
// (ApiBackend). Validation of HTTP-level input happens here: methods, query
// parameters, JSON bodies; the backend gets clean values.
//
//   GET  /healthz                 200 "ok" while the process serves
//   GET  /readyz                  200 / 503 with the checks as JSON
//   GET  /metrics                 Prometheus text format
//   GET  /api/decisions?limit=&lead=&connector=&before=   the audit log, newest first
//   GET  /api/decisions/{decision id}
//   POST /api/preview?connector=  a lead (JSON) in, a decision out, nothing committed
//   POST /webhooks/{connector name, or "hubspot"/"salesforce" for the first of that type}
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/crm_types.hpp"
#include "core/error.hpp"
#include "core/lead.hpp"
#include "sidecar/http/http_server.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

struct ReadinessCheck {
  std::string name;  // "store", "token:hubspot-main", "poll:hubspot-main"
  bool ok = false;
  std::string detail;
};

class ApiBackend {
 public:
  virtual ~ApiBackend() = default;

  virtual std::vector<ReadinessCheck> readiness() = 0;
  virtual std::string metrics_text() = 0;
  virtual std::expected<std::vector<DecisionRow>, Error> decisions(const DecisionQuery& query) = 0;
  virtual std::expected<std::optional<DecisionRow>, Error> decision(std::string_view id) = 0;
  // The decision as JSON (core::decision_to_json). kInvalidInput / kNotFound
  // (unknown connector) become 400 / 404.
  virtual std::expected<std::string, Error> preview(std::string_view connector,
                                                    const core::Lead& lead) = 0;
  // Verifies and accepts a webhook call; returns how many events were queued.
  // kAuth (bad signature, stale timestamp) becomes 401, kInvalidInput 400,
  // kNotFound 404; nothing is stored from a refused call.
  virtual std::expected<int, Error> webhook(std::string_view connector,
                                            const connectors::WebhookRequest& request) = 0;
};

struct ApiOptions {
  // Public base URL for webhook signature checks; empty: "http://" + Host.
  std::string public_url;
  int max_decisions_limit = 1000;
};

HttpHandler make_api_handler(ApiBackend& backend, ApiOptions options);

}  // namespace leadrouter::sidecar
