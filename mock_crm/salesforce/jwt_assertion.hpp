// The JWT bearer assertion of Salesforce's OAuth flow: split, base64url
// decoding, JSON parsing of header and claims, and RS256 verification against
// a connected app's X.509 certificate (OpenSSL, every object owned by RAII).
// Also the small encodings the token endpoint needs (base64, HMAC-SHA256).
#pragma once

#include <rapidjson/document.h>

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace leadrouter::mock_crm::salesforce {

struct JwtAssertion {
  rapidjson::Document header;
  rapidjson::Document claims;
  std::string signing_input;  // base64url(header) "." base64url(claims)
  std::string signature;      // raw bytes

  // Why the text is not a JWT: "not three parts", "header is not JSON", ...
  static std::expected<JwtAssertion, std::string> decode(std::string_view text);

  // RS256 over signing_input with the certificate's public key. An error
  // names what failed (unreadable certificate, bad signature).
  std::optional<std::string> verify_rs256(const std::string& certificate_pem) const;
};

std::optional<std::string> base64url_decode(std::string_view text);
std::optional<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);
std::string base64url_encode(std::string_view bytes);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw digest
std::string random_token(std::size_t bytes);                           // base64url of random bytes

// Checks that PEM text holds an X.509 certificate with an RSA public key.
std::optional<std::string> check_certificate(const std::string& certificate_pem);

}  // namespace leadrouter::mock_crm::salesforce
