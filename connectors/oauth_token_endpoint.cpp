#include "connectors/oauth_token_endpoint.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "connectors/url.hpp"

namespace leadrouter::connectors {
namespace {

std::string member_string(const rapidjson::Value& v, const char* name) {
  if (v.IsObject()) {
    auto it = v.FindMember(name);
    if (it != v.MemberEnd() && it->value.IsString()) {
      return it->value.GetString();
    }
  }
  return {};
}

}  // namespace

std::expected<TokenResponse, Error> request_token(
    HttpTransport& transport, const std::string& token_url,
    const std::vector<std::pair<std::string, std::string>>& form, std::string_view what) {
  HttpRequest req;
  req.method = "POST";
  req.url = token_url;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Accept", "application/json"}};
  req.body = form_encode(form);
  auto resp = transport.send(req);
  if (!resp) {
    Error e = resp.error();
    e.message = fmt::format("{}: token endpoint {} unreachable: {}", what, token_url, e.message);
    return std::unexpected(e);
  }
  rapidjson::Document doc;
  doc.Parse(resp->body.data(), resp->body.size());
  const bool json_ok = !doc.HasParseError() && doc.IsObject();
  if (resp->status == 400 || resp->status == 401 || resp->status == 403) {
    // RFC 6749 {"error","error_description"}; HubSpot {"status","message"}.
    std::string code = json_ok ? member_string(doc, "error") : "";
    std::string description = json_ok ? member_string(doc, "error_description") : "";
    if (code.empty() && json_ok) {
      code = member_string(doc, "status");
      description = member_string(doc, "message");
    }
    Error e;
    e.http_status = resp->status;
    e.kind = ErrorKind::kPermanent;
    static constexpr std::string_view kRefused[] = {
        "invalid_grant", "invalid_client",    "invalid_client_id", "unauthorized_client",
        "inactive_user", "inactive_org",      "BAD_REFRESH_TOKEN", "BAD_CLIENT_ID",
        "BAD_AUTH_CODE", "BAD_CLIENT_SECRET", "BAD_GRANT_TYPE"};
    for (auto refused : kRefused) {
      if (code == refused) {
        e.kind = ErrorKind::kAuth;
      }
    }
    if (resp->status == 401) {
      e.kind = ErrorKind::kAuth;
    }
    e.message = fmt::format("{}: token endpoint refused the request (HTTP {}): {}{}{}", what,
                            resp->status, code.empty() ? "no error code" : code,
                            description.empty() ? "" : ": ", description);
    return std::unexpected(e);
  }
  if (auto e = error_for_status(*resp, fmt::format("{}: token endpoint {}", what, token_url))) {
    return std::unexpected(*e);
  }
  if (!json_ok) {
    return std::unexpected(
        Error{ErrorKind::kInvalidResponse,
              fmt::format("{}: token endpoint answered with invalid JSON", what)});
  }
  TokenResponse out;
  out.access_token = member_string(doc, "access_token");
  if (out.access_token.empty()) {
    return std::unexpected(Error{ErrorKind::kInvalidResponse,
                                 fmt::format("{}: token response has no access_token", what)});
  }
  const std::string refresh = member_string(doc, "refresh_token");
  if (!refresh.empty()) {
    out.refresh_token = refresh;
  }
  if (auto it = doc.FindMember("expires_in"); it != doc.MemberEnd()) {
    if (it->value.IsInt64()) {
      out.expires_in = it->value.GetInt64();
    } else if (it->value.IsString()) {
      out.expires_in = std::strtoll(it->value.GetString(), nullptr, 10);
    }
  }
  out.instance_url = member_string(doc, "instance_url");
  return out;
}

}  // namespace leadrouter::connectors
