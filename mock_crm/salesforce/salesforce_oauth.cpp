#include "mock_crm/salesforce/salesforce_oauth.hpp"

#include <fmt/format.h>

#include "mock_crm/salesforce/jwt_assertion.hpp"

namespace leadrouter::mock_crm::salesforce {
namespace {

HttpResponse oauth_error(std::string_view error, std::string_view description, int status = 400) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> out(buffer);
  out.StartObject();
  out.Key("error");
  out.String(error.data(), static_cast<rapidjson::SizeType>(error.size()));
  out.Key("error_description");
  out.String(description.data(), static_cast<rapidjson::SizeType>(description.size()));
  out.EndObject();
  HttpResponse r;
  r.status = status;
  r.body = buffer.GetString();
  return r;
}

std::string first(const std::multimap<std::string, std::string>& form, const std::string& key) {
  auto it = form.find(key);
  return it == form.end() ? std::string() : it->second;
}

bool user_active(const SObjectRecord& user) {
  return user.get("IsActive") != SfValue{false};
}

}  // namespace

void SalesforceOAuth::clear() {
  apps_.clear();
  credentials_.clear();
  audiences_.clear();
  access_tokens_.clear();
  refresh_tokens_.clear();
  session_timeout_ = std::chrono::hours(2);
  tokens_issued_ = 0;
}

void SalesforceOAuth::add_refresh_token(const std::string& token, const std::string& client_id,
                                        const std::string& user_id) {
  refresh_tokens_[token] = RefreshToken{user_id, client_id, false};
}

const ConnectedApp* SalesforceOAuth::app(std::string_view client_id) const {
  for (const auto& a : apps_) {
    if (a.client_id == client_id) {
      return &a;
    }
  }
  return nullptr;
}

HttpResponse SalesforceOAuth::issue(const ConnectedApp& client, const std::string& user_id,
                                    bool with_refresh, std::optional<std::string> refresh_token,
                                    RequestContext& ctx) {
  DateTime now = to_datetime(ctx.clock.now());
  // Real tokens are the org id, '!', then an opaque part.
  std::string token = org_id_.substr(0, 15) + "!" + random_token(72);
  access_tokens_[token] = AccessToken{user_id, client.client_id, now, now + session_timeout_};
  ++tokens_issued_;
  std::string issued_at = std::to_string(now.time_since_epoch().count());
  std::string id_url = fmt::format("{}/id/{}/{}", ctx.base_url, org_id_, user_id);
  std::string signature = base64_encode(hmac_sha256(client.client_secret, id_url + issued_at));
  std::string scope = client.scope;
  if (with_refresh && scope.find("refresh_token") == std::string::npos) {
    scope += " refresh_token";
  }

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> out(buffer);
  out.StartObject();
  out.Key("access_token");
  out.String(token.c_str());
  if (refresh_token) {
    out.Key("refresh_token");
    out.String(refresh_token->c_str());
  }
  out.Key("signature");
  out.String(signature.c_str());
  out.Key("scope");
  out.String(scope.c_str());
  out.Key("instance_url");
  out.String(ctx.base_url.c_str());
  out.Key("id");
  out.String(id_url.c_str());
  out.Key("token_type");
  out.String("Bearer");
  out.Key("issued_at");
  out.String(issued_at.c_str());
  out.EndObject();
  ctx.principal = "salesforce:" + user_id;
  HttpResponse r;
  r.body = buffer.GetString();
  return r;
}

HttpResponse SalesforceOAuth::token(const HttpRequest& request, const SalesforceStore& store,
                                    RequestContext& ctx) {
  if (request.method != "POST") {
    return oauth_error("invalid_request", "must use HTTP POST");
  }
  auto form = parse_urlencoded(request.body);
  // Query parameters are accepted too, as Salesforce does.
  for (const auto& [k, v] : request.query) {
    if (!form.contains(k)) {
      form.emplace(k, v);
    }
  }
  std::string grant_type = first(form, "grant_type");
  std::string client_id = first(form, "client_id");
  std::string client_secret = first(form, "client_secret");
  if (auto auth = request.header("Authorization"); auth && auth->starts_with("Basic ")) {
    auto decoded = base64_decode(auth->substr(6));
    std::size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      return oauth_error("invalid_client", "invalid client credentials");
    }
    client_id = percent_decode(decoded->substr(0, colon), true);
    client_secret = percent_decode(decoded->substr(colon + 1), true);
  }
  const SObjectDef& user_def = *store.schema().object("User");
  DateTime now = to_datetime(ctx.clock.now());

  if (grant_type.empty()) {
    return oauth_error("invalid_request", "grant type is missing");
  }
  if (grant_type == "urn:ietf:params:oauth:grant-type:jwt-bearer") {
    std::string assertion = first(form, "assertion");
    if (assertion.empty()) {
      return oauth_error("invalid_request", "assertion is missing");
    }
    auto jwt = JwtAssertion::decode(assertion);
    if (!jwt) {
      return oauth_error("invalid_grant", "invalid assertion");
    }
    const auto& h = jwt->header;
    if (!h.HasMember("alg") || !h["alg"].IsString() ||
        std::string_view(h["alg"].GetString()) != "RS256") {
      return oauth_error("invalid_grant", "invalid assertion: only RS256 is accepted");
    }
    const auto& c = jwt->claims;
    auto claim = [&](const char* name) -> std::string {
      return c.HasMember(name) && c[name].IsString() ? c[name].GetString() : std::string();
    };
    const ConnectedApp* client = app(claim("iss"));
    if (client == nullptr || client->certificate_pem.empty()) {
      return oauth_error("invalid_client_id", "client identifier invalid");
    }
    if (!client->allowed_flows.contains("jwt_bearer")) {
      return oauth_error("unsupported_grant_type", "grant type not supported");
    }
    if (jwt->verify_rs256(client->certificate_pem)) {
      return oauth_error("invalid_grant", "invalid assertion");
    }
    std::string aud = claim("aud");
    if (c.HasMember("aud") && c["aud"].IsArray() && !c["aud"].Empty() && c["aud"][0].IsString()) {
      aud = c["aud"][0].GetString();
    }
    bool audience_ok = aud == "https://login.salesforce.com" ||
                       aud == "https://test.salesforce.com" || aud == ctx.base_url ||
                       audiences_.contains(aud);
    if (!audience_ok) {
      return oauth_error("invalid_grant", "audience is invalid");
    }
    if (!c.HasMember("exp") || !c["exp"].IsNumber()) {
      return oauth_error("invalid_grant", "invalid assertion: exp is missing");
    }
    auto exp = std::chrono::sys_seconds(std::chrono::seconds(c["exp"].GetInt64()));
    if (exp <= now) {
      return oauth_error("invalid_grant", "expired authorization code");
    }
    if (exp > now + std::chrono::minutes(3)) {
      return oauth_error("invalid_grant",
                         "invalid assertion: exp is more than 3 minutes in the future");
    }
    // "prn" is the legacy name of "sub" and wins when both are present.
    std::string username = claim("prn").empty() ? claim("sub") : claim("prn");
    const SObjectRecord* user = store.find_user_by_username(username);
    if (user == nullptr) {
      return oauth_error("invalid_grant", "user hasn't approved this consumer");
    }
    if (!user_active(*user)) {
      return oauth_error("inactive_user", "user is inactive");
    }
    return issue(*client, user->id(), false, std::nullopt, ctx);
  }

  const ConnectedApp* client = app(client_id);
  if (grant_type == "client_credentials" || grant_type == "password" ||
      grant_type == "refresh_token") {
    if (client_id.empty() || client == nullptr) {
      return oauth_error("invalid_client_id", "client identifier invalid");
    }
  }
  if (grant_type == "client_credentials") {
    if (client_secret != client->client_secret) {
      return oauth_error("invalid_client", "invalid client credentials");
    }
    if (!client->allowed_flows.contains("client_credentials")) {
      return oauth_error("unsupported_grant_type", "grant type not supported");
    }
    const SObjectRecord* user = store.find_user_by_username(client->run_as);
    if (client->run_as.empty() || user == nullptr) {
      return oauth_error("invalid_grant", "no client credentials user enabled");
    }
    if (!user_active(*user)) {
      return oauth_error("inactive_user", "user is inactive");
    }
    return issue(*client, user->id(), false, std::nullopt, ctx);
  }
  if (grant_type == "password") {
    if (client_secret != client->client_secret) {
      return oauth_error("invalid_client", "invalid client credentials");
    }
    // Orgs that block the flow answer exactly like a wrong password.
    if (!client->allowed_flows.contains("password")) {
      return oauth_error("invalid_grant", "authentication failure");
    }
    std::string username = first(form, "username");
    const SObjectRecord* user = store.find_user_by_username(username);
    auto cred = credentials_.find(username);
    if (user == nullptr || cred == credentials_.end() ||
        first(form, "password") != cred->second.password + cred->second.security_token) {
      return oauth_error("invalid_grant", "authentication failure");
    }
    if (!user_active(*user)) {
      return oauth_error("inactive_user", "user is inactive");
    }
    return issue(*client, user->id(), false, std::nullopt, ctx);
  }
  if (grant_type == "refresh_token") {
    // The secret is optional for refresh, but a wrong one is refused.
    if (!client_secret.empty() && client_secret != client->client_secret) {
      return oauth_error("invalid_client", "invalid client credentials");
    }
    if (!client->allowed_flows.contains("refresh_token")) {
      return oauth_error("unsupported_grant_type", "grant type not supported");
    }
    std::string given = first(form, "refresh_token");
    auto it = refresh_tokens_.find(given);
    if (it == refresh_tokens_.end() || it->second.revoked ||
        it->second.client_id != client->client_id) {
      return oauth_error("invalid_grant", "expired access/refresh token");
    }
    std::string user_id = it->second.user_id;
    const SObjectRecord* user = store.find(user_def, user_id);
    if (user == nullptr || !user_active(*user)) {
      return oauth_error("inactive_user", "user is inactive");
    }
    std::optional<std::string> rotated;
    if (client->rotate_refresh_tokens) {
      it->second.revoked = true;
      rotated = "5Aep" + random_token(60);
      refresh_tokens_[*rotated] = RefreshToken{user_id, client->client_id, false};
    }
    return issue(*client, user_id, true, rotated, ctx);
  }
  return oauth_error("unsupported_grant_type", "grant type not supported");
}

HttpResponse SalesforceOAuth::revoke(const HttpRequest& request, RequestContext& /*ctx*/) {
  if (request.method != "POST") {
    return oauth_error("invalid_request", "must use HTTP POST");
  }
  auto form = parse_urlencoded(request.body);
  std::string token = first(form, "token");
  if (token.empty()) {
    token = request.query_param("token").value_or("");
  }
  if (access_tokens_.erase(token) > 0 || revoke_refresh_token(token)) {
    HttpResponse r;
    r.body.clear();
    return r;
  }
  return oauth_error("unsupported_token_type", "this token type is not supported");
}

std::optional<std::string> SalesforceOAuth::authenticate(std::string_view access_token,
                                                         DateTime now) const {
  auto it = access_tokens_.find(std::string(access_token));
  if (it == access_tokens_.end() || now >= it->second.expires_at) {
    return std::nullopt;
  }
  return it->second.user_id;
}

void SalesforceOAuth::expire_access_tokens() {
  for (auto& [token, info] : access_tokens_) {
    info.expires_at = info.issued_at;
  }
}

bool SalesforceOAuth::revoke_refresh_token(std::string_view refresh_token) {
  auto it = refresh_tokens_.find(std::string(refresh_token));
  if (it == refresh_tokens_.end() || it->second.revoked) {
    return false;
  }
  it->second.revoked = true;
  return true;
}

void SalesforceOAuth::write_state(rapidjson::Writer<rapidjson::StringBuffer>& out,
                                  DateTime now) const {
  out.StartObject();
  out.Key("tokens_issued");
  out.Uint64(tokens_issued_);
  std::size_t live = 0;
  for (const auto& [token, info] : access_tokens_) {
    if (now < info.expires_at) {
      ++live;
    }
  }
  out.Key("live_access_tokens");
  out.Uint64(live);
  out.Key("session_timeout_seconds");
  out.Int64(session_timeout_.count());
  out.EndObject();
}

void SalesforceOAuth::write_seed(
    rapidjson::Writer<rapidjson::StringBuffer>& out,
    const std::function<std::string(const std::string&)>& username_of) const {
  out.Key("session_timeout_minutes");
  out.Int64(std::chrono::duration_cast<std::chrono::minutes>(session_timeout_).count());
  out.Key("connected_apps");
  out.StartArray();
  for (const auto& a : apps_) {
    out.StartObject();
    for (auto [key, value] : {std::pair<const char*, const std::string*>{"client_id", &a.client_id},
                              {"client_secret", &a.client_secret},
                              {"certificate_pem", &a.certificate_pem},
                              {"run_as", &a.run_as},
                              {"scope", &a.scope}}) {
      out.Key(key);
      out.String(value->c_str(), static_cast<rapidjson::SizeType>(value->size()));
    }
    out.Key("allowed_flows");
    out.StartArray();
    for (const auto& f : a.allowed_flows) {
      out.String(f.c_str());
    }
    out.EndArray();
    out.Key("rotate_refresh_tokens");
    out.Bool(a.rotate_refresh_tokens);
    out.EndObject();
  }
  out.EndArray();
  out.Key("jwt_audiences");
  out.StartArray();
  for (const auto& aud : audiences_) {
    out.String(aud.c_str());
  }
  out.EndArray();
  out.Key("refresh_tokens");
  out.StartArray();
  for (const auto& [token, info] : refresh_tokens_) {
    if (info.revoked) {
      continue;
    }
    out.StartObject();
    out.Key("refresh_token");
    out.String(token.c_str());
    out.Key("client_id");
    out.String(info.client_id.c_str());
    out.Key("username");
    out.String(username_of(info.user_id).c_str());
    out.EndObject();
  }
  out.EndArray();
}

}  // namespace leadrouter::mock_crm::salesforce
