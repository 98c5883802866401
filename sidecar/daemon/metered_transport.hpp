// The HttpTransport the daemon's connectors talk through: the real client
// underneath, with every CRM request counted for /metrics:
//   leadrouter_crm_requests_total{connector,status}  status: HTTP code, or "error"
//                                                     when no response arrived
//   leadrouter_rate_limit_waits_total{connector}      429 answers
//   leadrouter_token_refreshes_total{connector}       calls to an OAuth token endpoint
// Counting at the transport sees retries and token calls that the connector's
// own results hide.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/http_transport.hpp"
#include "sidecar/metrics/metrics.hpp"

namespace leadrouter::sidecar {

class MeteredTransport final : public connectors::HttpTransport {
 public:
  // `token_urls`: extra token endpoints (a configured HubSpot token_url); the
  // standard HubSpot and Salesforce token paths are always recognized.
  MeteredTransport(std::shared_ptr<connectors::HttpTransport> inner, MetricsRegistry& metrics,
                   std::string connector, std::vector<std::string> token_urls = {});

  std::expected<connectors::HttpResponse, Error> send(
      const connectors::HttpRequest& request) override;

  // Whether `url` names an OAuth token endpoint (query string ignored).
  bool is_token_endpoint(std::string_view url) const;

 private:
  std::shared_ptr<connectors::HttpTransport> inner_;
  MetricsRegistry& metrics_;
  std::string connector_;
  std::vector<std::string> token_urls_;
  Counter& rate_limit_waits_;
  Counter& token_refreshes_;
};

}  // namespace leadrouter::sidecar
