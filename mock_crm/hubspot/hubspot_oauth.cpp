#include "mock_crm/hubspot/hubspot_oauth.hpp"

#include <algorithm>
#include <random>
#include <sstream>

#include "core/text.hpp"
#include "mock_crm/error_bodies.hpp"
#include "mock_crm/time_format.hpp"

namespace leadrouter::mock_crm::hubspot {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr std::int64_t kCodeTtlMs = 10 * 60 * 1000;

std::string random_token(std::size_t length, std::string_view alphabet) {
  static std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string out;
  out.reserve(length);
  for (std::size_t i = 0; i < length; ++i) {
    out.push_back(alphabet[pick(rng)]);
  }
  return out;
}

constexpr std::string_view kUrlSafe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string url_encode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  std::string s;
  while (in >> s) {
    out.push_back(s);
  }
  return out;
}

HttpResponse html(int status, std::string title, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/html;charset=utf-8";
  r.body = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
           "</title></head>\n<body>\n" + body + "\n</body></html>\n";
  return r;
}

HttpResponse html_error(std::string_view code, std::string_view message) {
  return html(400, "Authorization error",
              "<h1>Authorization error</h1>\n<p><code>" + html_escape(code) +
                  "</code>: " + html_escape(message) + "</p>");
}

std::optional<std::string> first(const std::multimap<std::string, std::string>& m,
                                 const std::string& key) {
  auto it = m.find(key);
  if (it == m.end()) {
    return std::nullopt;
  }
  return it->second;
}

void write_strings(JsonWriter& w, const std::vector<std::string>& values) {
  w.StartArray();
  for (const auto& v : values) {
    w.String(v.c_str());
  }
  w.EndArray();
}

}  // namespace

HttpResponse oauth_error(int http_status, std::string_view status, std::string_view message) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("status");
  w.String(status.data(), static_cast<rapidjson::SizeType>(status.size()));
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.Key("correlationId");
  w.String(new_correlation_id().c_str());
  w.EndObject();
  HttpResponse r;
  r.status = http_status;
  r.body = buf.GetString();
  return r;
}

void HubspotOAuth::reset(std::vector<OAuthApp> apps, std::int64_t portal_id,
                         int access_ttl_seconds) {
  apps_ = std::move(apps);
  portal_id_ = portal_id;
  access_ttl_seconds_ = access_ttl_seconds;
  codes_.clear();
  access_.clear();
  refresh_.clear();
}

const OAuthApp* HubspotOAuth::find_app(std::string_view client_id) const {
  for (const auto& a : apps_) {
    if (a.client_id == client_id) {
      return &a;
    }
  }
  return nullptr;
}

std::expected<HubspotOAuth::AuthorizeParams, HttpResponse> HubspotOAuth::authorize_params(
    const HttpRequest& req, bool scope_required) const {
  auto client_id = req.query_param("client_id");
  auto redirect_uri = req.query_param("redirect_uri");
  const OAuthApp* app = client_id ? find_app(*client_id) : nullptr;
  if (app == nullptr) {
    return std::unexpected(
        html_error("BAD_CLIENT_ID", "client_id is missing or does not belong to any app"));
  }
  if (!redirect_uri || std::find(app->redirect_uris.begin(), app->redirect_uris.end(),
                                 *redirect_uri) == app->redirect_uris.end()) {
    return std::unexpected(
        html_error("BAD_REDIRECT_URI", "redirect_uri does not match the app's redirect URLs"));
  }
  auto scopes = split_scopes(req.query_param("scope").value_or(""));
  if (scope_required && scopes.empty()) {
    return std::unexpected(html_error("BAD_SCOPE", "scope is required"));
  }
  for (const auto& s : scopes) {
    if (std::find(app->scopes.begin(), app->scopes.end(), s) == app->scopes.end()) {
      return std::unexpected(
          html_error("BAD_SCOPE", "the scope " + s + " is not configured for this app"));
    }
  }
  return AuthorizeParams{app, *redirect_uri, std::move(scopes)};
}

HttpResponse HubspotOAuth::authorize_page(const HttpRequest& req) const {
  auto params = authorize_params(req, true);
  if (!params) {
    return params.error();
  }
  const OAuthApp* app = params->app;
  const std::string& redirect_uri = params->redirect_uri;
  const auto& scopes = params->scopes;
  std::string scope_text = req.query_param("scope").value_or("");
  std::string optional_scope = req.query_param("optional_scope").value_or("");
  std::string state = req.query_param("state").value_or("");
  std::string items;
  for (const auto& s : scopes) {
    items += "<li><code>" + html_escape(s) + "</code></li>\n";
  }
  auto hidden = [](std::string_view name, std::string_view value) {
    return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" +
           html_escape(value) + "\">\n";
  };
  std::string body =
      "<h1>Connect app " + std::to_string(app->app_id) + " to HubSpot account " +
      std::to_string(portal_id_) + "</h1>\n<p>This app is asking for access to:</p>\n<ul>\n" +
      items + "</ul>\n<form method=\"get\" action=\"/oauth/authorize/decision\">\n" +
      hidden("client_id", app->client_id) + hidden("redirect_uri", redirect_uri) +
      hidden("scope", scope_text) + hidden("optional_scope", optional_scope) +
      hidden("state", state) +
      "<button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\n"
      "<button type=\"submit\" name=\"decision\" value=\"deny\">Cancel</button>\n</form>";
  return html(200, "Connect to HubSpot", body);
}

HttpResponse HubspotOAuth::authorize_decision(const HttpRequest& req, std::int64_t now_ms) {
  auto params = authorize_params(req, false);
  if (!params) {
    return params.error();
  }
  const OAuthApp* app = params->app;
  const std::string& redirect_uri = params->redirect_uri;
  auto& scopes = params->scopes;
  for (const auto& s : split_scopes(req.query_param("optional_scope").value_or(""))) {
    if (std::find(app->scopes.begin(), app->scopes.end(), s) != app->scopes.end() &&
        std::find(scopes.begin(), scopes.end(), s) == scopes.end()) {
      scopes.push_back(s);
    }
  }
  std::string location = redirect_uri + (redirect_uri.find('?') == std::string::npos ? "?" : "&");
  if (req.query_param("decision").value_or("") != "approve") {
    location += "error=access_denied";
  } else {
    std::string code =
        random_token(8, "0123456789abcdef") + "-" + random_token(4, "0123456789abcdef") + "-" +
        random_token(4, "0123456789abcdef") + "-" + random_token(4, "0123456789abcdef") + "-" +
        random_token(12, "0123456789abcdef");
    codes_[code] = {app->client_id, redirect_uri, scopes, now_ms + kCodeTtlMs};
    location += "code=" + code;
  }
  if (auto state = req.query_param("state"); state && !state->empty()) {
    location += "&state=" + url_encode(*state);
  }
  HttpResponse r;
  r.status = 302;
  r.content_type = "text/html;charset=utf-8";
  r.headers.emplace_back("Location", location);
  r.body = "<a href=\"" + html_escape(location) + "\">Continue</a>\n";
  return r;
}

HttpResponse HubspotOAuth::issue(const OAuthApp& app, const std::vector<std::string>& scopes,
                                 std::string refresh_token, std::int64_t now_ms,
                                 bool client_credentials) {
  std::string access = "CJ" + random_token(62, kUrlSafe);
  access_[access] = {app.client_id,
                     app.app_id,
                     app.user_id,
                     scopes,
                     now_ms + access_ttl_seconds_ * 1000LL,
                     client_credentials ? "client_credentials" : "access_token"};
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("token_type");
  w.String("bearer");
  if (!client_credentials) {
    w.Key("refresh_token");
    w.String(refresh_token.c_str());
  }
  w.Key("access_token");
  w.String(access.c_str());
  w.Key("expires_in");
  w.Int(access_ttl_seconds_);
  w.Key("token_use");
  w.String(client_credentials ? "client_credentials" : "access_token");
  w.Key("hub_id");
  w.Int64(portal_id_);
  if (app.user_id != 0 && !client_credentials) {
    w.Key("user_id");
    w.Int64(app.user_id);
  }
  w.Key("scopes");
  write_strings(w, scopes);
  w.EndObject();
  HttpResponse r;
  r.body = buf.GetString();
  return r;
}

HttpResponse HubspotOAuth::token(const HttpRequest& req, std::int64_t now_ms, bool v3) {
  if (req.method != "POST") {
    return oauth_error(405, "METHOD_NOT_ALLOWED", "Use POST for the token endpoint");
  }
  std::string content_type = req.header("Content-Type").value_or("");
  if (content_type.find("application/x-www-form-urlencoded") == std::string::npos &&
      !req.body.empty()) {
    return oauth_error(400, "BAD_REQUEST",
                       "The token endpoint expects Content-Type: "
                       "application/x-www-form-urlencoded");
  }
  auto form = parse_urlencoded(req.body);
  if (!v3) {
    // v1 also reads parameters from the query string; v3 takes only the body.
    for (const auto& [k, v] : req.query) {
      if (form.find(k) == form.end()) {
        form.emplace(k, v);
      }
    }
  }
  std::string grant = first(form, "grant_type").value_or("");
  if (grant != "authorization_code" && grant != "refresh_token" && grant != "client_credentials") {
    return oauth_error(400, "BAD_GRANT_TYPE",
                       "grant_type must be authorization_code, refresh_token or "
                       "client_credentials");
  }
  auto client_id = first(form, "client_id");
  const OAuthApp* app = client_id ? find_app(*client_id) : nullptr;
  if (app == nullptr) {
    return oauth_error(400, "BAD_CLIENT_ID", "missing or unknown client_id");
  }
  if (first(form, "client_secret").value_or("") != app->client_secret) {
    return oauth_error(400, "BAD_CLIENT_SECRET", "missing or invalid client_secret");
  }
  if (grant == "authorization_code") {
    auto code = first(form, "code").value_or("");
    auto it = codes_.find(code);
    if (it == codes_.end() || it->second.client_id != app->client_id ||
        it->second.expires_ms <= now_ms) {
      if (it != codes_.end() && it->second.expires_ms <= now_ms) {
        codes_.erase(it);
      }
      return oauth_error(400, "BAD_AUTH_CODE", "missing or invalid auth code");
    }
    if (first(form, "redirect_uri").value_or("") != it->second.redirect_uri) {
      return oauth_error(400, "BAD_REDIRECT_URI",
                         "redirect_uri does not match the one used to authorize");
    }
    auto scopes = it->second.scopes;
    codes_.erase(it);  // codes are single-use
    std::string refresh =
        random_token(8, "0123456789abcdef") + "-" + random_token(4, "0123456789abcdef") + "-4" +
        random_token(3, "0123456789abcdef") + "-a" + random_token(3, "0123456789abcdef") + "-" +
        random_token(12, "0123456789abcdef");
    refresh_[refresh] = {app->client_id, scopes, false};
    return issue(*app, scopes, refresh, now_ms, false);
  }
  if (grant == "refresh_token") {
    auto token = first(form, "refresh_token").value_or("");
    auto it = refresh_.find(token);
    if (it == refresh_.end() || it->second.revoked || it->second.client_id != app->client_id) {
      return oauth_error(400, "BAD_REFRESH_TOKEN", "missing or invalid refresh token");
    }
    // The same refresh token comes back: the mock does not rotate them.
    return issue(*app, it->second.scopes, token, now_ms, false);
  }
  auto scopes = app->scopes;
  if (auto requested = first(form, "scope")) {
    scopes = split_scopes(*requested);
    for (const auto& s : scopes) {
      if (std::find(app->scopes.begin(), app->scopes.end(), s) == app->scopes.end()) {
        return oauth_error(400, "BAD_SCOPE", "the scope " + s + " is not configured for this app");
      }
    }
  }
  return issue(*app, scopes, "", now_ms, true);
}

HubspotOAuth::Lookup HubspotOAuth::find_access(std::string_view token, std::int64_t now_ms,
                                               AccessGrant& out) const {
  auto it = access_.find(std::string(token));
  if (it == access_.end()) {
    return Lookup::kUnknown;
  }
  if (it->second.expires_ms <= now_ms) {
    return Lookup::kExpired;
  }
  out = it->second;
  return Lookup::kValid;
}

HttpResponse HubspotOAuth::access_token_info(std::string_view token, std::int64_t now_ms) const {
  AccessGrant g;
  if (find_access(token, now_ms, g) != Lookup::kValid) {
    return hubspot_error(404, "OBJECT_NOT_FOUND", "Access token not found or expired");
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("token");
  w.String(token.data(), static_cast<rapidjson::SizeType>(token.size()));
  w.Key("hub_id");
  w.Int64(portal_id_);
  w.Key("app_id");
  w.Int64(g.app_id);
  if (g.user_id != 0) {
    w.Key("user_id");
    w.Int64(g.user_id);
  }
  w.Key("scopes");
  write_strings(w, g.scopes);
  w.Key("token_type");
  w.String("access");
  w.Key("expires_in");
  w.Int64((g.expires_ms - now_ms) / 1000);
  w.EndObject();
  HttpResponse r;
  r.body = buf.GetString();
  return r;
}

HttpResponse HubspotOAuth::refresh_token_info(const HttpRequest& req, std::string_view token) {
  auto it = refresh_.find(std::string(token));
  if (it == refresh_.end() || it->second.revoked) {
    return hubspot_error(404, "OBJECT_NOT_FOUND", "Refresh token not found");
  }
  if (req.method == "DELETE") {
    it->second.revoked = true;
    HttpResponse r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  const OAuthApp* app = find_app(it->second.client_id);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("token");
  w.String(token.data(), static_cast<rapidjson::SizeType>(token.size()));
  w.Key("hub_id");
  w.Int64(portal_id_);
  w.Key("client_id");
  w.String(it->second.client_id.c_str());
  if (app != nullptr && app->user_id != 0) {
    w.Key("user_id");
    w.Int64(app->user_id);
  }
  w.Key("scopes");
  write_strings(w, it->second.scopes);
  w.Key("token_type");
  w.String("refresh");
  w.EndObject();
  HttpResponse r;
  r.body = buf.GetString();
  return r;
}

void HubspotOAuth::expire_access_tokens(std::int64_t now_ms) {
  for (auto& [token, grant] : access_) {
    grant.expires_ms = std::min(grant.expires_ms, now_ms);
  }
}

bool HubspotOAuth::revoke_refresh_token(std::string_view token) {
  auto it = refresh_.find(std::string(token));
  if (it == refresh_.end() || it->second.revoked) {
    return false;
  }
  it->second.revoked = true;
  return true;
}

void HubspotOAuth::write_state(JsonWriter& w) const {
  // Tokens are test fixtures here, so the state shows them whole.
  w.StartObject();
  w.Key("access_tokens");
  w.StartArray();
  for (const auto& [token, g] : access_) {
    w.StartObject();
    w.Key("token");
    w.String(token.c_str());
    w.Key("client_id");
    w.String(g.client_id.c_str());
    w.Key("token_use");
    w.String(g.token_use.c_str());
    w.Key("expires_at");
    w.String(format_iso_ms(g.expires_ms).c_str());
    w.Key("scopes");
    write_strings(w, g.scopes);
    w.EndObject();
  }
  w.EndArray();
  w.Key("refresh_tokens");
  w.StartArray();
  for (const auto& [token, g] : refresh_) {
    w.StartObject();
    w.Key("token");
    w.String(token.c_str());
    w.Key("client_id");
    w.String(g.client_id.c_str());
    w.Key("revoked");
    w.Bool(g.revoked);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace leadrouter::mock_crm::hubspot
