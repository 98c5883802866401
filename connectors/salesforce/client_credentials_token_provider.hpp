// Salesforce OAuth 2.0 client-credentials flow: the connected app's key and
// secret buy a token that acts as the app's configured Run-As user. The login
// URL must be the org's My Domain, not login.salesforce.com.
#pragma once

#include "connectors/salesforce/salesforce_token_provider.hpp"

namespace leadrouter::connectors::salesforce {

class ClientCredentialsTokenProvider final : public SalesforceTokenProvider {
 public:
  ClientCredentialsTokenProvider(SalesforceTokenOptions options, std::string client_id,
                                 std::string client_secret, HttpTransport& transport, Clock clock)
      : SalesforceTokenProvider(std::move(options), transport, std::move(clock)),
        client_id_(std::move(client_id)),
        client_secret_(std::move(client_secret)) {}

 private:
  std::expected<Form, Error> grant() override {
    return Form{{"grant_type", "client_credentials"},
                {"client_id", client_id_},
                {"client_secret", client_secret_}};
  }
  std::string_view flow_name() const override { return "Salesforce client credentials"; }
  std::string_view refusal_hint() const override {
    return "check the consumer key and secret, that the client credentials flow is enabled with "
           "a Run-As user, and that login_url is the org's My Domain";
  }

  std::string client_id_;
  std::string client_secret_;
};

}  // namespace leadrouter::connectors::salesforce
