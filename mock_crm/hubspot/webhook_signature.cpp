#include "mock_crm/hubspot/webhook_signature.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>

namespace leadrouter::mock_crm::hubspot {

std::string signature_v3(std::string_view client_secret, std::string_view method,
                         std::string_view uri, std::string_view body,
                         std::string_view timestamp_ms) {
  std::string source;
  source.reserve(method.size() + uri.size() + body.size() + timestamp_ms.size());
  source.append(method).append(uri).append(body).append(timestamp_ms);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), client_secret.data(), static_cast<int>(client_secret.size()),
           reinterpret_cast<const unsigned char*>(source.data()), source.size(), mac.data(),
           &mac_len) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");  // only on OpenSSL misconfiguration
  }
  std::string out(4 * ((mac_len + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac.data(),
                          static_cast<int>(mac_len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string signature_v1(std::string_view client_secret, std::string_view body) {
  std::string source;
  source.append(client_secret).append(body);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(source.data()), source.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace leadrouter::mock_crm::hubspot
