#include "connectors/hubspot/oauth_token_provider.hpp"

#include <spdlog/spdlog.h>

#include "connectors/oauth_token_endpoint.hpp"

namespace leadrouter::connectors::hubspot {

OAuthTokenProvider::OAuthTokenProvider(OAuthTokenProviderOptions options, HttpTransport& transport,
                                       Clock clock)
    : RefreshingTokenProvider(std::move(clock), options.refresh_margin),
      options_(std::move(options)),
      transport_(transport) {}

std::expected<AccessToken, Error> OAuthTokenProvider::fetch() {
  auto response = request_token(transport_, options_.token_url,
                                {{"grant_type", "refresh_token"},
                                 {"client_id", options_.client_id},
                                 {"client_secret", options_.client_secret},
                                 {"refresh_token", options_.refresh_token}},
                                "HubSpot OAuth refresh");
  if (!response) {
    if (response.error().kind == ErrorKind::kAuth) {
      response.error().message +=
          " (the refresh token or client credentials were rejected; re-authorize the app and "
          "store the new refresh token)";
    }
    return std::unexpected(response.error());
  }
  if (response->refresh_token && *response->refresh_token != options_.refresh_token) {
    if (options_.persist_refresh_token) {
      if (auto stored = options_.persist_refresh_token(*response->refresh_token); !stored) {
        spdlog::error("event=refresh_token_persist_failed error={}", stored.error().message);
      }
    }
    options_.refresh_token = *response->refresh_token;
  }
  AccessToken token;
  token.value = response->access_token;
  if (response->expires_in) {
    token.expires_at = now() + std::chrono::seconds{*response->expires_in};
  }
  return token;
}

}  // namespace leadrouter::connectors::hubspot
