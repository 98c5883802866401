#include "connectors/salesforce/salesforce_token_provider.hpp"

#include "connectors/oauth_token_endpoint.hpp"
#include "connectors/url.hpp"

namespace leadrouter::connectors::salesforce {

SalesforceTokenProvider::SalesforceTokenProvider(SalesforceTokenOptions options,
                                                 HttpTransport& transport, Clock clock)
    : RefreshingTokenProvider(std::move(clock), options.refresh_margin),
      options_(std::move(options)),
      transport_(transport) {}

std::expected<AccessToken, Error> SalesforceTokenProvider::fetch() {
  auto form = grant();
  if (!form) {
    return std::unexpected(form.error());
  }
  auto response = request_token(transport_, join_url(options_.login_url, "/services/oauth2/token"),
                                *form, flow_name());
  if (!response) {
    if (response.error().kind == ErrorKind::kAuth && !refusal_hint().empty()) {
      response.error().message += " (";
      response.error().message += refusal_hint();
      response.error().message += ")";
    }
    return std::unexpected(response.error());
  }
  if (response->instance_url.empty()) {
    return std::unexpected(
        Error{ErrorKind::kInvalidResponse,
              std::string(flow_name()) + ": token response has no instance_url"});
  }
  auto origin = options_.instance_policy.check(response->instance_url);
  if (!origin) {
    return std::unexpected(origin.error());
  }
  if (response->refresh_token) {
    on_refresh_token(*response->refresh_token);
  }
  AccessToken token;
  token.value = response->access_token;
  token.instance_url = *origin;
  token.expires_at = now() + (response->expires_in ? std::chrono::seconds{*response->expires_in}
                                                   : options_.session_lifetime);
  return token;
}

}  // namespace leadrouter::connectors::salesforce
