#include "connectors/salesforce/jwt_bearer_token_provider.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "connectors/crypto.hpp"

namespace leadrouter::connectors::salesforce {

JwtBearerTokenProvider::JwtBearerTokenProvider(SalesforceTokenOptions options, JwtBearerOptions jwt,
                                               HttpTransport& transport, Clock clock)
    : SalesforceTokenProvider(std::move(options), transport, std::move(clock)),
      jwt_(std::move(jwt)) {
  if (jwt_.audience.empty()) {
    jwt_.audience = this->options().login_url;
    while (!jwt_.audience.empty() && jwt_.audience.back() == '/') {
      jwt_.audience.pop_back();
    }
  }
}

std::expected<std::string, Error> JwtBearerTokenProvider::assertion(
    std::chrono::system_clock::time_point at) const {
  const auto exp = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()) +
                   jwt_.assertion_lifetime;
  rapidjson::StringBuffer claims;
  rapidjson::Writer<rapidjson::StringBuffer> w(claims);
  w.StartObject();
  w.Key("iss");
  w.String(jwt_.client_id.c_str());
  w.Key("sub");
  w.String(jwt_.username.c_str());
  w.Key("aud");
  w.String(jwt_.audience.c_str());
  w.Key("exp");
  w.Int64(exp.count());
  w.EndObject();
  const std::string signing_input = base64url_encode(R"({"alg":"RS256","typ":"JWT"})") + "." +
                                    base64url_encode(claims.GetString());
  auto signature = rs256_sign(jwt_.private_key_pem, signing_input);
  if (!signature) {
    Error e = signature.error();
    e.message = "Salesforce JWT bearer: cannot sign the assertion: " + e.message;
    return std::unexpected(e);
  }
  return signing_input + "." + base64url_encode(*signature);
}

std::expected<SalesforceTokenProvider::Form, Error> JwtBearerTokenProvider::grant() {
  auto jwt = assertion(now());
  if (!jwt) {
    return std::unexpected(jwt.error());
  }
  return Form{{"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}, {"assertion", *jwt}};
}

}  // namespace leadrouter::connectors::salesforce
