// Everything between a connector method and the wire for one CRM tenant: a
// token from the TokenProvider, a slot from the tenant's RateLimiter, the
// bearer header, the rate-limit headers fed back to the limiter, one token
// refresh and resend on a 401, and retries by the RetryPolicy.
//
//   ApiSession api(transport, tokens, limiter, retry, sleep, "https://api.hubapi.com");
//   auto owners = api.call_json("GET", "/crm/v3/owners?limit=100", "", Idempotency::kIdempotent,
//                               "list HubSpot owners");
#pragma once

#include <rapidjson/document.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "connectors/http_transport.hpp"
#include "connectors/rate_limiter.hpp"
#include "connectors/retry_policy.hpp"
#include "connectors/token_provider.hpp"

namespace leadrouter::connectors {

class ApiSession {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;

  // `base_url` empty: requests go to the token's instance_url (Salesforce).
  ApiSession(std::shared_ptr<HttpTransport> transport, std::shared_ptr<TokenProvider> tokens,
             std::shared_ptr<RateLimiter> limiter, RetryPolicy retry, Sleep sleep,
             std::string base_url);

  // `path` is relative to the base ("/crm/v3/owners") or an absolute URL on
  // the same host. Returns only 2xx responses; anything else is an Error whose
  // message starts with `what`.
  std::expected<HttpResponse, Error> call(std::string_view method, std::string_view path,
                                          const std::string& json_body, Idempotency idempotency,
                                          std::string_view what);

  // call() and parse the body as JSON (an empty body is JSON null).
  std::expected<rapidjson::Document, Error> call_json(std::string_view method,
                                                      std::string_view path,
                                                      const std::string& json_body,
                                                      Idempotency idempotency,
                                                      std::string_view what);

  RateLimiter& limiter() const { return *limiter_; }
  TokenProvider& tokens() const { return *tokens_; }
  const RetryPolicy& retry() const { return retry_; }

 private:
  std::expected<HttpResponse, Error> attempt(std::string_view method, std::string_view path,
                                             const std::string& json_body, std::string_view what);

  std::shared_ptr<HttpTransport> transport_;  // declared first: the token provider may use it
  std::shared_ptr<TokenProvider> tokens_;
  std::shared_ptr<RateLimiter> limiter_;
  RetryPolicy retry_;
  Sleep sleep_;
  std::string base_url_;
};

}  // namespace leadrouter::connectors
