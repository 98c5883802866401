// Where a connector gets the bearer token for its next CRM call. One interface
// for a static private-app token, the HubSpot OAuth refresh flow and the
// Salesforce JWT bearer / client-credentials / refresh-token flows.
//
//   auto token = provider.token();          // cached, refreshed before expiry
//   ... 401 from the CRM ...
//   provider.invalidate(token->value);      // the next token() fetches anew
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace leadrouter::connectors {

struct AccessToken {
  std::string value;
  // Salesforce: the API host the token is valid for (already checked against
  // the allowed hosts). Empty for HubSpot.
  std::string instance_url;
  std::optional<std::chrono::system_clock::time_point> expires_at;
};

class TokenProvider {
 public:
  virtual ~TokenProvider() = default;

  // A token valid now. Thread-safe; concurrent callers share one refresh.
  // kAuth errors (invalid_grant, bad client secret) are final: they are not
  // retried and every later call returns them until the credentials change.
  virtual std::expected<AccessToken, Error> token() = 0;

  // The CRM rejected `rejected` (401): drop it if it is still the cached one,
  // so the next token() refreshes exactly once for all callers.
  virtual void invalidate(const std::string& rejected) = 0;
};

}  // namespace leadrouter::connectors
