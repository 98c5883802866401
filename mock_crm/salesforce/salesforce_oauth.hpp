// Salesforce's OAuth 2.0 token endpoint (POST /services/oauth2/token) and the
// token registry behind it: JWT bearer (RS256 against the connected app's
// certificate; iss, sub, aud and exp checked), client credentials (as the
// app's run-as user), refresh token (optionally rotating) and username-
// password. Access tokens expire after the session timeout; the REST API asks
// `authenticate` who a bearer token belongs to.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mock_crm/crm_api.hpp"
#include "mock_crm/salesforce/salesforce_datetime.hpp"
#include "mock_crm/salesforce/salesforce_store.hpp"

namespace leadrouter::mock_crm::salesforce {

struct ConnectedApp {
  std::string client_id;
  std::string client_secret;
  std::string certificate_pem;          // empty: the JWT bearer flow is impossible
  std::set<std::string> allowed_flows;  // jwt_bearer, client_credentials, refresh_token, password
  std::string run_as;                   // username for client_credentials
  std::string scope = "api";
  bool rotate_refresh_tokens = false;
};

struct UserCredentials {
  std::string password;
  std::string security_token;  // appended to the password, as Salesforce expects
};

class SalesforceOAuth {
 public:
  void clear();
  void set_org_id(std::string org_id) { org_id_ = std::move(org_id); }
  const std::string& org_id() const { return org_id_; }
  void set_session_timeout(std::chrono::seconds timeout) { session_timeout_ = timeout; }
  void add_app(ConnectedApp app) { apps_.push_back(std::move(app)); }
  void set_credentials(const std::string& username, UserCredentials credentials) {
    credentials_[username] = std::move(credentials);
  }
  // A refresh token granted earlier (by the web-server flow mock-crm does not serve).
  void add_refresh_token(const std::string& token, const std::string& client_id,
                         const std::string& user_id);
  // Audiences accepted in a JWT besides the login hosts and the server's own URL.
  void add_audience(std::string audience) { audiences_.insert(std::move(audience)); }

  // POST /services/oauth2/token and /services/oauth2/revoke.
  HttpResponse token(const HttpRequest& request, const SalesforceStore& store, RequestContext& ctx);
  HttpResponse revoke(const HttpRequest& request, RequestContext& ctx);

  // The User Id a bearer token acts as, if it is live.
  std::optional<std::string> authenticate(std::string_view access_token, DateTime now) const;

  void expire_access_tokens();
  bool revoke_refresh_token(std::string_view refresh_token);
  void write_state(rapidjson::Writer<rapidjson::StringBuffer>& out, DateTime now) const;
  // The seed keys that recreate this registry: session_timeout_minutes,
  // connected_apps and the live refresh_tokens (`username_of` maps User Ids).
  void write_seed(rapidjson::Writer<rapidjson::StringBuffer>& out,
                  const std::function<std::string(const std::string&)>& username_of) const;
  const UserCredentials* credentials(const std::string& username) const {
    auto it = credentials_.find(username);
    return it == credentials_.end() ? nullptr : &it->second;
  }

 private:
  struct AccessToken {
    std::string user_id;
    std::string client_id;
    DateTime issued_at;
    DateTime expires_at;
  };
  struct RefreshToken {
    std::string user_id;
    std::string client_id;
    bool revoked = false;
  };

  const ConnectedApp* app(std::string_view client_id) const;
  HttpResponse issue(const ConnectedApp& app, const std::string& user_id, bool with_refresh,
                     std::optional<std::string> refresh_token, RequestContext& ctx);

  std::string org_id_;
  std::chrono::seconds session_timeout_{std::chrono::hours(2)};
  std::vector<ConnectedApp> apps_;
  std::map<std::string, UserCredentials> credentials_;
  std::set<std::string> audiences_;
  std::map<std::string, AccessToken> access_tokens_;
  std::map<std::string, RefreshToken> refresh_tokens_;
  std::size_t tokens_issued_ = 0;
};

}  // namespace leadrouter::mock_crm::salesforce
