// Salesforce OAuth 2.0 JWT bearer flow (server to server): each token request
// carries a fresh RS256 assertion signed with the connected app's private key:
// iss = consumer key, sub = username, aud = login URL, exp = now + 150 s
// (Salesforce allows at most 3 minutes).
#pragma once

#include "connectors/salesforce/salesforce_token_provider.hpp"

namespace leadrouter::connectors::salesforce {

struct JwtBearerOptions {
  std::string client_id;  // the connected app's consumer key
  std::string username;
  std::string private_key_pem;
  std::string audience;  // empty: the login URL
  // Salesforce refuses an exp more than 3 minutes ahead of its clock; the
  // margin absorbs a little clock skew between us and it.
  std::chrono::seconds assertion_lifetime{150};
};

class JwtBearerTokenProvider final : public SalesforceTokenProvider {
 public:
  JwtBearerTokenProvider(SalesforceTokenOptions options, JwtBearerOptions jwt,
                         HttpTransport& transport, Clock clock);

  // The signed assertion for `now` (exposed for tests and `crm check`).
  std::expected<std::string, Error> assertion(std::chrono::system_clock::time_point at) const;

 private:
  std::expected<Form, Error> grant() override;
  std::string_view flow_name() const override { return "Salesforce JWT bearer"; }
  std::string_view refusal_hint() const override {
    return "check that the user is pre-authorized for the connected app, that the certificate "
           "uploaded there matches the private key, that the audience is the login URL, and that "
           "this machine's clock is correct (the assertion expires 150 s after it is made)";
  }

  JwtBearerOptions jwt_;
};

}  // namespace leadrouter::connectors::salesforce
