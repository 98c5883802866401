// HubSpot OAuth 2.0 refresh-token flow. The access token (30 minutes) is
// cached and renewed `refresh_margin` before it expires; a rotated refresh
// token is handed to `persist_refresh_token` before it is ever used, so a
// crash right after a refresh never strands the tenant on a dead token.
#pragma once

#include <functional>
#include <string>

#include "connectors/http_transport.hpp"
#include "connectors/refreshing_token_provider.hpp"

namespace leadrouter::connectors::hubspot {

struct OAuthTokenProviderOptions {
  std::string token_url;  // e.g. "https://api.hubapi.com/oauth/v1/token"
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
  // Called with a new refresh token before it replaces the old one. A failure
  // is logged at error level and the new token is still used (the old one is
  // already invalid at HubSpot); the admin must then re-store it.
  std::function<std::expected<void, Error>(const std::string&)> persist_refresh_token;
  std::chrono::seconds refresh_margin{300};
};

class OAuthTokenProvider final : public RefreshingTokenProvider {
 public:
  OAuthTokenProvider(OAuthTokenProviderOptions options, HttpTransport& transport, Clock clock);

 private:
  std::expected<AccessToken, Error> fetch() override;

  OAuthTokenProviderOptions options_;
  HttpTransport& transport_;
};

}  // namespace leadrouter::connectors::hubspot
