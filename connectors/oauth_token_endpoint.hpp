// One request to an OAuth 2.0 token endpoint (form-encoded POST, JSON answer)
// and the translation of its refusals into errors: a refused grant or client
// (invalid_grant, invalid_client, HubSpot's BAD_REFRESH_TOKEN, ...) is a final
// kAuth error; 5xx and network failures stay retryable.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connectors/http_transport.hpp"

namespace leadrouter::connectors {

struct TokenResponse {
  std::string access_token;
  std::optional<std::string> refresh_token;
  std::optional<long long> expires_in;  // seconds
  std::string instance_url;             // Salesforce only
};

// `what` names the flow in error messages ("HubSpot OAuth refresh").
std::expected<TokenResponse, Error> request_token(
    HttpTransport& transport, const std::string& token_url,
    const std::vector<std::pair<std::string, std::string>>& form, std::string_view what);

}  // namespace leadrouter::connectors
