// The one seam between the connectors and the network. HttpClient is the real
// implementation; tests substitute a fake that records requests and replays
// canned responses.
//
//   std::expected<HttpResponse, Error> r = transport.send(request);
//   if (!r) { /* no response at all: r.error().kind says whether to retry */ }
//   else if (auto e = error_for_status(*r)) { /* the server said no */ }
#pragma once

#include <expected>

#include "connectors/http_message.hpp"
#include "core/error.hpp"

namespace leadrouter::connectors {

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  // Sends one request and returns the response whatever its status. An Error
  // means no complete response arrived: kRetryable for connect failures,
  // timeouts, dropped connections and truncated bodies; kPermanent for TLS
  // verification failures and refused plain-http hosts; kInvalidResponse for a
  // malformed or oversized response. Redirects are returned, never followed.
  virtual std::expected<HttpResponse, Error> send(const HttpRequest& request) = 0;
};

// Maps a non-2xx response to the error kind callers branch on: 429 ->
// kRateLimited (retry_after from Retry-After), 401 -> kAuth, 5xx -> kRetryable,
// other 3xx/4xx -> kPermanent. nullopt for 2xx. The message quotes a short,
// printable excerpt of the body (CRM error bodies never carry our secrets).
std::optional<Error> error_for_status(const HttpResponse& response, std::string_view what);

}  // namespace leadrouter::connectors
