// What the Salesforce OAuth flows share: POST a grant to
// {login_url}/services/oauth2/token, check the returned instance_url against
// the InstanceUrlPolicy before anything is sent there, and cache the session
// token (Salesforce returns no expiry: `session_lifetime` is the org's session
// timeout; a 401 before then invalidates and refreshes once).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "connectors/http_transport.hpp"
#include "connectors/refreshing_token_provider.hpp"
#include "connectors/salesforce/instance_url_policy.hpp"

namespace leadrouter::connectors::salesforce {

struct SalesforceTokenOptions {
  std::string login_url = "https://login.salesforce.com";
  InstanceUrlPolicy instance_policy;
  std::chrono::seconds session_lifetime{7200};
  std::chrono::seconds refresh_margin{300};
};

class SalesforceTokenProvider : public RefreshingTokenProvider {
 protected:
  SalesforceTokenProvider(SalesforceTokenOptions options, HttpTransport& transport, Clock clock);

  using Form = std::vector<std::pair<std::string, std::string>>;
  // The grant fields for one token request (built fresh each time: a JWT
  // assertion carries its own short expiry).
  virtual std::expected<Form, Error> grant() = 0;
  // Names the flow in messages ("Salesforce JWT bearer").
  virtual std::string_view flow_name() const = 0;
  // A rotated refresh token (refresh-token flow only).
  virtual void on_refresh_token(const std::string& /*token*/) {}
  // Extra advice appended to a refused grant ("check the clock", ...).
  virtual std::string_view refusal_hint() const { return {}; }

  const SalesforceTokenOptions& options() const { return options_; }

 private:
  std::expected<AccessToken, Error> fetch() final;

  SalesforceTokenOptions options_;
  HttpTransport& transport_;
};

}  // namespace leadrouter::connectors::salesforce
