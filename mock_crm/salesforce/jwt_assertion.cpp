#include "mock_crm/salesforce/jwt_assertion.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <memory>

namespace leadrouter::mock_crm::salesforce {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::unique_ptr<EVP_PKEY, PkeyFree> public_key(const std::string& certificate_pem,
                                               std::string& error) {
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())));
  if (!bio) {
    error = "out of memory reading the certificate";
    return nullptr;
  }
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    error = "certificate_pem is not a PEM X.509 certificate";
    return nullptr;
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(X509_get_pubkey(cert.get()));
  if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
    error = "certificate does not hold an RSA public key";
    return nullptr;
  }
  return key;
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  std::string padded(text);
  while (padded.size() % 4 != 0) {
    padded.push_back('=');
  }
  std::string out(padded.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(padded),
                          static_cast<int>(padded.size()));
  if (n < 0) {
    return std::nullopt;
  }
  // EVP_DecodeBlock counts padding as output bytes.
  std::size_t pad = 0;
  for (auto it = padded.rbegin(); it != padded.rend() && *it == '='; ++it) {
    ++pad;
  }
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    } else if (c == '+' || c == '/' || c == '=') {
      return std::nullopt;  // not the URL-safe alphabet
    }
  }
  if (s.size() % 4 == 1) {
    return std::nullopt;
  }
  return base64_decode(s);
}

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(data),
                          static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64url_encode(std::string_view data) {
  std::string s = base64_encode(data);
  while (!s.empty() && s.back() == '=') {
    s.pop_back();
  }
  for (char& c : s) {
    if (c == '+') {
      c = '-';
    } else if (c == '/') {
      c = '_';
    }
  }
  return s;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(), digest,
       &len);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string random_token(std::size_t n) {
  std::string raw(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(n)) != 1) {
    // Without randomness every token would be guessable; nothing sensible remains.
    std::abort();
  }
  return base64url_encode(raw);
}

std::optional<std::string> check_certificate(const std::string& certificate_pem) {
  std::string error;
  if (!public_key(certificate_pem, error)) {
    return error;
  }
  return std::nullopt;
}

std::expected<JwtAssertion, std::string> JwtAssertion::decode(std::string_view text) {
  std::size_t first = text.find('.');
  std::size_t second = first == std::string_view::npos ? first : text.find('.', first + 1);
  if (second == std::string_view::npos || text.find('.', second + 1) != std::string_view::npos) {
    return std::unexpected("the assertion is not three base64url parts separated by dots");
  }
  auto header = base64url_decode(text.substr(0, first));
  auto claims = base64url_decode(text.substr(first + 1, second - first - 1));
  auto signature = base64url_decode(text.substr(second + 1));
  if (!header || !claims || !signature) {
    return std::unexpected("a part of the assertion is not base64url");
  }
  JwtAssertion jwt;
  jwt.header.Parse(header->c_str(), header->size());
  if (jwt.header.HasParseError() || !jwt.header.IsObject()) {
    return std::unexpected("the JWT header is not a JSON object");
  }
  jwt.claims.Parse(claims->c_str(), claims->size());
  if (jwt.claims.HasParseError() || !jwt.claims.IsObject()) {
    return std::unexpected("the JWT claims are not a JSON object");
  }
  jwt.signing_input = std::string(text.substr(0, second));
  jwt.signature = std::move(*signature);
  return jwt;
}

std::optional<std::string> JwtAssertion::verify_rs256(const std::string& certificate_pem) const {
  std::string error;
  auto key = public_key(certificate_pem, error);
  if (!key) {
    return error;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    return "cannot initialise RS256 verification";
  }
  if (EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(signing_input),
                       signing_input.size()) != 1) {
    return "the signature does not match the connected app's certificate";
  }
  return std::nullopt;
}

}  // namespace leadrouter::mock_crm::salesforce
