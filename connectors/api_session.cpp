#include "connectors/api_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/url.hpp"

namespace leadrouter::connectors {

ApiSession::ApiSession(std::shared_ptr<HttpTransport> transport,
                       std::shared_ptr<TokenProvider> tokens, std::shared_ptr<RateLimiter> limiter,
                       RetryPolicy retry, Sleep sleep, std::string base_url)
    : transport_(std::move(transport)),
      tokens_(std::move(tokens)),
      limiter_(std::move(limiter)),
      retry_(std::move(retry)),
      sleep_(std::move(sleep)),
      base_url_(std::move(base_url)) {}

std::expected<HttpResponse, Error> ApiSession::attempt(std::string_view method,
                                                       std::string_view path,
                                                       const std::string& json_body,
                                                       std::string_view what) {
  // One refresh and one resend on a 401: the token may have expired early or
  // been revoked; a second 401 is a real auth failure.
  for (int auth_try = 0;; ++auth_try) {
    limiter_->acquire(sleep_);
    auto token = tokens_->token();
    if (!token) {
      Error e = token.error();
      e.message = fmt::format("{}: cannot get an access token: {}", what, e.message);
      return std::unexpected(e);
    }
    const std::string& base = base_url_.empty() ? token->instance_url : base_url_;
    HttpRequest req;
    req.method = std::string(method);
    req.url = join_url(base, path);
    req.headers = {{"Authorization", "Bearer " + token->value}, {"Accept", "application/json"}};
    if (!json_body.empty()) {
      req.headers.emplace_back("Content-Type", "application/json");
      req.body = json_body;
    }
    auto resp = transport_->send(req);
    if (!resp) {
      Error e = resp.error();
      e.message = fmt::format("{}: {}", what, e.message);
      return std::unexpected(e);
    }
    limiter_->observe(resp->headers);
    if (resp->status == 401 && auth_try == 0) {
      tokens_->invalidate(token->value);
      continue;
    }
    if (auto e = error_for_status(*resp, what)) {
      if (e->kind == ErrorKind::kRateLimited) {
        if (!e->retry_after) {
          e->retry_after = std::chrono::seconds{1};
        }
        limiter_->pause_for(*e->retry_after);
      }
      if (e->kind == ErrorKind::kAuth) {
        e->message +=
            " (rejected again after a token refresh: check the token or credentials, the app's "
            "scopes and the user's permissions)";
      }
      return std::unexpected(*e);
    }
    return std::move(*resp);
  }
}

std::expected<HttpResponse, Error> ApiSession::call(std::string_view method, std::string_view path,
                                                    const std::string& json_body,
                                                    Idempotency idempotency,
                                                    std::string_view what) {
  return retry_.run<HttpResponse>(idempotency, [&]() -> std::expected<HttpResponse, Error> {
    auto r = attempt(method, path, json_body, what);
    if (!r && is_retryable(r.error())) {
      spdlog::warn("event=crm_call_failed what=\"{}\" kind={} status={}", what,
                   to_string(r.error().kind), r.error().http_status);
    }
    return r;
  });
}

std::expected<rapidjson::Document, Error> ApiSession::call_json(std::string_view method,
                                                                std::string_view path,
                                                                const std::string& json_body,
                                                                Idempotency idempotency,
                                                                std::string_view what) {
  auto resp = call(method, path, json_body, idempotency, what);
  if (!resp) {
    return std::unexpected(resp.error());
  }
  rapidjson::Document doc;
  if (resp->body.empty()) {
    return doc;
  }
  doc.Parse(resp->body.data(), resp->body.size());
  if (doc.HasParseError()) {
    return std::unexpected(Error{ErrorKind::kInvalidResponse,
                                 fmt::format("{}: the CRM answered with invalid JSON", what),
                                 resp->status});
  }
  return doc;
}

}  // namespace leadrouter::connectors
