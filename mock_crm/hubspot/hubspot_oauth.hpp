// HubSpot's OAuth 2.0 authorization server as the mock plays it: the consent
// page, authorization codes, the token endpoint (authorization_code,
// refresh_token, client_credentials grants), expiring access tokens and
// revocable refresh tokens.
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mock_crm/crm_api.hpp"

namespace leadrouter::mock_crm::hubspot {

struct OAuthApp {
  std::int64_t app_id = 0;
  std::string client_id;
  std::string client_secret;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> scopes;
  std::int64_t user_id = 0;  // the user who "approves" on the consent page
};

struct AccessGrant {
  std::string client_id;
  std::int64_t app_id = 0;
  std::int64_t user_id = 0;
  std::vector<std::string> scopes;
  std::int64_t expires_ms = 0;
  std::string token_use;  // "access_token" or "client_credentials"
};

class HubspotOAuth {
 public:
  void reset(std::vector<OAuthApp> apps, std::int64_t portal_id, int access_ttl_seconds);

  // GET /oauth/authorize: the consent page, or an HTML error page.
  HttpResponse authorize_page(const HttpRequest& request) const;
  // GET /oauth/authorize/decision: the consent form's target; redirects to
  // the app's redirect_uri with code and state (or error=access_denied).
  HttpResponse authorize_decision(const HttpRequest& request, std::int64_t now_ms);
  // POST /oauth/v1/token and /oauth/v3/token.
  HttpResponse token(const HttpRequest& request, std::int64_t now_ms, bool v3);
  // GET /oauth/v1/access-tokens/{token}, GET|DELETE /oauth/v1/refresh-tokens/{token}.
  HttpResponse access_token_info(std::string_view token, std::int64_t now_ms) const;
  HttpResponse refresh_token_info(const HttpRequest& request, std::string_view token);

  enum class Lookup { kUnknown, kExpired, kValid };
  Lookup find_access(std::string_view token, std::int64_t now_ms, AccessGrant& out) const;

  void expire_access_tokens(std::int64_t now_ms);
  bool revoke_refresh_token(std::string_view token);

  void write_state(rapidjson::Writer<rapidjson::StringBuffer>& out) const;

 private:
  struct PendingCode {
    std::string client_id;
    std::string redirect_uri;
    std::vector<std::string> scopes;
    std::int64_t expires_ms = 0;
  };
  struct RefreshGrant {
    std::string client_id;
    std::vector<std::string> scopes;
    bool revoked = false;
  };

  // What both authorize steps check before acting: a known app, one of its
  // redirect URIs and only scopes it is configured for.
  struct AuthorizeParams {
    const OAuthApp* app = nullptr;
    std::string redirect_uri;
    std::vector<std::string> scopes;
  };

  const OAuthApp* find_app(std::string_view client_id) const;
  std::expected<AuthorizeParams, HttpResponse> authorize_params(const HttpRequest& req,
                                                                bool scope_required) const;
  HttpResponse issue(const OAuthApp& app, const std::vector<std::string>& scopes,
                     std::string refresh_token, std::int64_t now_ms, bool client_credentials);

  std::vector<OAuthApp> apps_;
  std::int64_t portal_id_ = 0;
  int access_ttl_seconds_ = 1800;
  std::map<std::string, PendingCode> codes_;
  std::map<std::string, AccessGrant> access_;
  std::map<std::string, RefreshGrant> refresh_;
};

// OAuth token-endpoint error body: {"status":..,"message":..,"correlationId":..}.
HttpResponse oauth_error(int http_status, std::string_view status, std::string_view message);

}  // namespace leadrouter::mock_crm::hubspot
