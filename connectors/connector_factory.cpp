#include "connectors/connector_factory.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/api_session.hpp"
#include "connectors/hubspot/hubspot_connector.hpp"
#include "connectors/hubspot/oauth_token_provider.hpp"
#include "connectors/salesforce/client_credentials_token_provider.hpp"
#include "connectors/salesforce/jwt_bearer_token_provider.hpp"
#include "connectors/salesforce/refresh_token_token_provider.hpp"
#include "connectors/salesforce/salesforce_connector.hpp"
#include "connectors/static_token_provider.hpp"
#include "connectors/url.hpp"

namespace leadrouter::connectors {
namespace {

// Rotated refresh tokens go back where they came from when that is a file; an
// environment variable cannot be updated, so the admin is told.
std::function<std::expected<void, Error>(const std::string&)> persister(const SecretRef& ref,
                                                                        std::string connector) {
  if (!ref.file.empty()) {
    return [path = ref.file](const std::string& token) { return write_secret_file(path, token); };
  }
  return [env = ref.env, connector](const std::string&) -> std::expected<void, Error> {
    return std::unexpected(Error::internal(fmt::format(
        "connector {}: the CRM rotated the refresh token but it comes from environment variable "
        "{}, which cannot be updated; use refresh_token_file",
        connector, env)));
  };
}

}  // namespace

std::expected<BuiltConnector, Error> build_connector(const ConnectorConfig& config,
                                                     const ConnectorEnvironment& environment) {
  const std::string who = "connector " + config.name;
  auto secret = [&](const SecretRef& ref, std::string_view what) {
    return resolve_secret(ref, environment.env, fmt::format("{} {}", who, what));
  };
  std::shared_ptr<HttpTransport> transport = environment.transport;
  if (!transport) {
    HttpClientOptions http = environment.http;
    http.ca_file = config.ca_file;
    auto client = HttpClient::create(http);
    if (!client) {
      Error e = client.error();
      e.message = who + ": " + e.message;
      return std::unexpected(e);
    }
    transport = std::move(*client);
  }
  BuiltConnector built;
  built.limiter = std::make_shared<RateLimiter>(RateLimiterOptions{.limit = config.rate_limit},
                                                environment.steady_clock);
  RetryPolicy retry(environment.retry_options, environment.retry);
  auto sleep = environment.retry.sleep;

  if (config.type == "hubspot") {
    const auto& auth = config.auth;
    if (auth.kind == "private_app") {
      auto token = secret(auth.token, "private app token");
      if (!token) {
        return std::unexpected(token.error());
      }
      built.tokens = std::make_shared<StaticTokenProvider>(*token);
    } else {
      auto client_secret = secret(auth.client_secret, "OAuth client secret");
      auto refresh = secret(auth.refresh_token, "OAuth refresh token");
      if (!client_secret || !refresh) {
        return std::unexpected(!client_secret ? client_secret.error() : refresh.error());
      }
      hubspot::OAuthTokenProviderOptions o;
      o.token_url =
          auth.token_url.empty() ? join_url(config.base_url, "/oauth/v1/token") : auth.token_url;
      o.client_id = auth.client_id;
      o.client_secret = *client_secret;
      o.refresh_token = *refresh;
      o.persist_refresh_token = persister(auth.refresh_token, config.name);
      built.tokens =
          std::make_shared<hubspot::OAuthTokenProvider>(o, *transport, environment.system_clock);
    }
    hubspot::HubSpotConnectorOptions options;
    options.name = config.name;
    options.mapping = config.mapping;
    options.score_property = config.score_field;
    options.tier_property = config.tier_field;
    options.reason_property = config.reason_field;
    if (!config.webhook_secret.empty()) {
      auto ws = secret(config.webhook_secret, "webhook client secret");
      if (!ws) {
        return std::unexpected(ws.error());
      }
      options.webhook_client_secret = *ws;
    }
    built.connector = std::make_unique<hubspot::HubSpotConnector>(
        options, ApiSession(transport, built.tokens, built.limiter, retry, sleep, config.base_url));
    return built;
  }

  if (config.type != "salesforce") {
    return std::unexpected(Error::invalid_input(who + ": unknown type '" + config.type + "'"));
  }
  salesforce::SalesforceTokenOptions token_options;
  token_options.login_url = config.login_url;
  token_options.instance_policy.allowed_suffixes = config.allowed_instance_suffixes;
  token_options.instance_policy.test_origin = config.test_origin;
  const auto& auth = config.auth;
  if (auth.kind == "jwt_bearer") {
    auto key = secret(auth.private_key, "JWT private key");
    if (!key) {
      return std::unexpected(key.error());
    }
    built.tokens = std::make_shared<salesforce::JwtBearerTokenProvider>(
        token_options,
        salesforce::JwtBearerOptions{
            .client_id = auth.client_id, .username = auth.username, .private_key_pem = *key},
        *transport, environment.system_clock);
  } else if (auth.kind == "client_credentials") {
    auto client_secret = secret(auth.client_secret, "client secret");
    if (!client_secret) {
      return std::unexpected(client_secret.error());
    }
    built.tokens = std::make_shared<salesforce::ClientCredentialsTokenProvider>(
        token_options, auth.client_id, *client_secret, *transport, environment.system_clock);
  } else {
    std::string client_secret;
    if (!auth.client_secret.empty()) {
      auto s = secret(auth.client_secret, "client secret");
      if (!s) {
        return std::unexpected(s.error());
      }
      client_secret = *s;
    }
    auto refresh = secret(auth.refresh_token, "refresh token");
    if (!refresh) {
      return std::unexpected(refresh.error());
    }
    built.tokens = std::make_shared<salesforce::RefreshTokenTokenProvider>(
        token_options,
        salesforce::RefreshTokenOptions{.client_id = auth.client_id,
                                        .client_secret = client_secret,
                                        .refresh_token = *refresh,
                                        .persist = persister(auth.refresh_token, config.name)},
        *transport, environment.system_clock);
  }
  salesforce::SalesforceConnectorOptions options;
  options.name = config.name;
  options.api_version = config.api_version;
  options.mapping = config.mapping;
  options.score_field = config.score_field;
  options.tier_field = config.tier_field;
  options.reason_field = config.reason_field;
  options.notification_type_id = config.notification_type_id;
  built.connector = std::make_unique<salesforce::SalesforceConnector>(
      options, ApiSession(transport, built.tokens, built.limiter, retry, sleep, ""));
  return built;
}

}  // namespace leadrouter::connectors
