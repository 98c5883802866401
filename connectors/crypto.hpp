// The few cryptographic primitives the connectors need, over OpenSSL 3 with
// every OpenSSL object owned by RAII: webhook HMACs, JWT RS256 signatures and
// their encodings.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace leadrouter::connectors {

// Standard base64 with padding (RFC 4648 section 4).
std::string base64_encode(std::string_view bytes);
// URL-safe base64 without padding, as JWTs use (RFC 7515).
std::string base64url_encode(std::string_view bytes);
// Decodes URL-safe base64 with or without padding; nullopt on bad input.
std::optional<std::string> base64url_decode(std::string_view text);

// Raw 32-byte HMAC-SHA256.
std::string hmac_sha256(std::string_view key, std::string_view message);

// Equality that takes the same time wherever the inputs first differ, so a
// signature check leaks nothing about how much of a guess was right.
bool constant_time_equal(std::string_view a, std::string_view b);

// RSASSA-PKCS1-v1_5 with SHA-256 (JWT "RS256") using a PEM private key.
// Errors name the problem (unreadable PEM, not an RSA key) but never the key.
std::expected<std::string, Error> rs256_sign(std::string_view private_key_pem,
                                             std::string_view message);

}  // namespace leadrouter::connectors
