#include "sidecar/daemon/metered_transport.hpp"

#include <array>
#include <utility>

namespace leadrouter::sidecar {

namespace {

constexpr std::array<std::string_view, 2> kTokenPaths = {"/oauth/v1/token",
                                                         "/services/oauth2/token"};

std::string_view without_query(std::string_view url) {
  return url.substr(0, url.find_first_of("?#"));
}

}  // namespace

MeteredTransport::MeteredTransport(std::shared_ptr<connectors::HttpTransport> inner,
                                   MetricsRegistry& metrics, std::string connector,
                                   std::vector<std::string> token_urls)
    : inner_(std::move(inner)),
      metrics_(metrics),
      connector_(std::move(connector)),
      token_urls_(std::move(token_urls)),
      rate_limit_waits_(metrics.counter("leadrouter_rate_limit_waits_total",
                                        "CRM answers of 429 Too Many Requests",
                                        {{"connector", connector_}})),
      token_refreshes_(metrics.counter("leadrouter_token_refreshes_total",
                                       "Requests to the CRM's OAuth token endpoint",
                                       {{"connector", connector_}})) {}

bool MeteredTransport::is_token_endpoint(std::string_view url) const {
  const std::string_view bare = without_query(url);
  for (const auto path : kTokenPaths) {
    if (bare.ends_with(path)) {
      return true;
    }
  }
  for (const auto& configured : token_urls_) {
    if (!configured.empty() && bare == without_query(configured)) {
      return true;
    }
  }
  return false;
}

std::expected<connectors::HttpResponse, Error> MeteredTransport::send(
    const connectors::HttpRequest& request) {
  if (is_token_endpoint(request.url)) {
    token_refreshes_.inc();
  }
  auto response = inner_->send(request);
  const std::string status = response ? std::to_string(response->status) : "error";
  metrics_
      .counter("leadrouter_crm_requests_total", "CRM API requests by answer status",
               {{"connector", connector_}, {"status", status}})
      .inc();
  if (response && response->status == 429) {
    rate_limit_waits_.inc();
  }
  return response;
}

}  // namespace leadrouter::sidecar
