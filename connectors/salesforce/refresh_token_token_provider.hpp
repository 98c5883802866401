// Salesforce OAuth 2.0 refresh-token flow. When the connected app rotates
// refresh tokens, the new one goes to `persist` before the next use.
#pragma once

#include <functional>

#include "connectors/salesforce/salesforce_token_provider.hpp"

namespace leadrouter::connectors::salesforce {

struct RefreshTokenOptions {
  std::string client_id;
  std::string client_secret;  // may be empty when the app does not require it
  std::string refresh_token;
  std::function<std::expected<void, Error>(const std::string&)> persist;
};

class RefreshTokenTokenProvider final : public SalesforceTokenProvider {
 public:
  RefreshTokenTokenProvider(SalesforceTokenOptions options, RefreshTokenOptions refresh,
                            HttpTransport& transport, Clock clock)
      : SalesforceTokenProvider(std::move(options), transport, std::move(clock)),
        refresh_(std::move(refresh)) {}

 private:
  std::expected<Form, Error> grant() override;
  void on_refresh_token(const std::string& token) override;
  std::string_view flow_name() const override { return "Salesforce refresh token"; }
  std::string_view refusal_hint() const override {
    return "the refresh token is expired or revoked, or the consumer key/secret is wrong; "
           "re-authorize and store the new refresh token";
  }

  RefreshTokenOptions refresh_;
};

}  // namespace leadrouter::connectors::salesforce
