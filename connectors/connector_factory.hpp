// Builds a ready CrmConnector from its validated config: resolves secrets,
// creates the HTTP client, the token provider for the configured auth kind,
// the tenant's rate limiter and retry policy. Time, randomness, environment
// and (optionally) the transport are injected for tests.
#pragma once

#include <memory>

#include "connectors/connector_config.hpp"
#include "connectors/crm_connector.hpp"
#include "connectors/http_client.hpp"
#include "connectors/refreshing_token_provider.hpp"
#include "connectors/retry_policy.hpp"
#include "connectors/token_provider.hpp"

namespace leadrouter::connectors {

struct ConnectorEnvironment {
  EnvLookup env = process_environment();
  RetryPolicy::Environment retry = RetryPolicy::system_environment();
  RetryOptions retry_options;
  RateLimiter::Clock steady_clock = [] { return std::chrono::steady_clock::now(); };
  RefreshingTokenProvider::Clock system_clock = [] { return std::chrono::system_clock::now(); };
  HttpClientOptions http;                    // ca_file is taken from the connector's config
  std::shared_ptr<HttpTransport> transport;  // null: a new HttpClient
};

struct BuiltConnector {
  std::unique_ptr<CrmConnector> connector;
  std::shared_ptr<TokenProvider> tokens;  // to test authentication on its own (crm check)
  std::shared_ptr<RateLimiter> limiter;
};

std::expected<BuiltConnector, Error> build_connector(const ConnectorConfig& config,
                                                     const ConnectorEnvironment& environment);

}  // namespace leadrouter::connectors
