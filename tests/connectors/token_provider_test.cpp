#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "connectors/crypto.hpp"
#include "connectors/hubspot/oauth_token_provider.hpp"
#include "connectors/salesforce/client_credentials_token_provider.hpp"
#include "connectors/salesforce/jwt_bearer_token_provider.hpp"
#include "connectors/salesforce/refresh_token_token_provider.hpp"
#include "connectors/url.hpp"
#include "fake_transport.hpp"

namespace leadrouter::connectors {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;
using testing::FakeTransport;
using testing::json_response;

struct FakeSystemClock {
  system_clock::time_point now{seconds{1'750'000'000}};
  RefreshingTokenProvider::Clock fn() {
    return [this] { return now; };
  }
};

std::string form_value(const std::string& body, const std::string& key) {
  for (std::size_t pos = 0; pos < body.size();) {
    auto amp = body.find('&', pos);
    auto part = body.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (part.starts_with(key + "=")) {
      std::string v = part.substr(key.size() + 1), out;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '%' && i + 2 < v.size()) {
          out += static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += v[i];
        }
      }
      return out;
    }
    if (amp == std::string::npos) {
      break;
    }
    pos = amp + 1;
  }
  return {};
}

TEST(HubSpotOAuth, RefreshesCachesAndRenewsBeforeExpiry) {
  FakeSystemClock clock;
  int n = 0;
  FakeTransport transport([&](const HttpRequest& r) -> std::expected<HttpResponse, Error> {
    EXPECT_EQ(r.url, "https://api.hubapi.com/oauth/v1/token");
    EXPECT_EQ(form_value(r.body, "grant_type"), "refresh_token");
    EXPECT_EQ(form_value(r.body, "client_secret"), "s3cret");
    return json_response(
        200, R"({"access_token":"at-)" + std::to_string(++n) +
                 R"(","refresh_token":"rt-1","expires_in":1800,"token_type":"bearer"})");
  });
  hubspot::OAuthTokenProvider provider({.token_url = "https://api.hubapi.com/oauth/v1/token",
                                        .client_id = "cid",
                                        .client_secret = "s3cret",
                                        .refresh_token = "rt-1"},
                                       transport, clock.fn());
  EXPECT_EQ(provider.token()->value, "at-1");
  clock.now += seconds{1000};
  EXPECT_EQ(provider.token()->value, "at-1");
  // Within the 300 s margin before expiry at 1800 s: refreshed.
  clock.now += seconds{550};
  EXPECT_EQ(provider.token()->value, "at-2");
  EXPECT_EQ(provider.fetch_count(), 2);
}

TEST(HubSpotOAuth, RotatedRefreshTokenIsPersistedBeforeItIsUsed) {
  FakeSystemClock clock;
  std::vector<std::string> persisted;
  std::vector<std::string> sent;
  int n = 0;
  FakeTransport transport([&](const HttpRequest& r) -> std::expected<HttpResponse, Error> {
    sent.push_back(form_value(r.body, "refresh_token"));
    // When the second refresh happens, the rotated token must already be stored.
    if (n == 1) {
      EXPECT_EQ(persisted, std::vector<std::string>{"rt-2"});
    }
    ++n;
    return json_response(200, R"({"access_token":"at","refresh_token":"rt-)" +
                                  std::to_string(n + 1) + R"(","expires_in":1800})");
  });
  hubspot::OAuthTokenProvider provider(
      {.token_url = "https://x.example/oauth/v1/token",
       .client_id = "cid",
       .client_secret = "s",
       .refresh_token = "rt-1",
       .persist_refresh_token = [&](const std::string& t) -> std::expected<void, Error> {
         persisted.push_back(t);
         return {};
       }},
      transport, clock.fn());
  ASSERT_TRUE(provider.token());
  provider.invalidate("at");
  ASSERT_TRUE(provider.token());
  EXPECT_EQ(sent, (std::vector<std::string>{"rt-1", "rt-2"}));
  EXPECT_EQ(persisted, (std::vector<std::string>{"rt-2", "rt-3"}));
}

TEST(HubSpotOAuth, InvalidGrantIsFinalAndNotRetried) {
  FakeSystemClock clock;
  FakeTransport transport([&](const HttpRequest&) -> std::expected<HttpResponse, Error> {
    return json_response(
        400, R"({"status":"BAD_REFRESH_TOKEN","message":"missing or invalid refresh token"})");
  });
  hubspot::OAuthTokenProvider provider({.token_url = "https://x.example/t",
                                        .client_id = "c",
                                        .client_secret = "s",
                                        .refresh_token = "revoked"},
                                       transport, clock.fn());
  auto first = provider.token();
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().kind, ErrorKind::kAuth);
  EXPECT_NE(first.error().message.find("BAD_REFRESH_TOKEN"), std::string::npos);
  EXPECT_EQ(first.error().message.find("revoked"), std::string::npos) << "token leaked";
  EXPECT_FALSE(provider.token());
  EXPECT_EQ(transport.requests().size(), 1u);
}

TEST(HubSpotOAuth, FiftyConcurrentCallersShareOneRefresh) {
  FakeSystemClock clock;
  std::atomic<int> calls{0};
  FakeTransport transport([&](const HttpRequest&) -> std::expected<HttpResponse, Error> {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
    return json_response(200,
                         R"({"access_token":"shared","refresh_token":"rt","expires_in":1800})");
  });
  hubspot::OAuthTokenProvider provider({.token_url = "https://x.example/t",
                                        .client_id = "c",
                                        .client_secret = "s",
                                        .refresh_token = "rt"},
                                       transport, clock.fn());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&] {
      auto t = provider.token();
      if (t && t->value == "shared") {
        ++ok;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(calls.load(), 1);
}

TEST(HubSpotOAuth, ConcurrentCallersShareOneFailureToo) {
  FakeSystemClock clock;
  std::atomic<int> calls{0};
  FakeTransport transport([&](const HttpRequest&) -> std::expected<HttpResponse, Error> {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
    return std::unexpected(Error{ErrorKind::kRetryable, "connection refused"});
  });
  hubspot::OAuthTokenProvider provider({.token_url = "https://x.example/t",
                                        .client_id = "c",
                                        .client_secret = "s",
                                        .refresh_token = "rt"},
                                       transport, clock.fn());
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&] {
      if (!provider.token()) {
        ++failed;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(failed.load(), 20);
  EXPECT_LT(calls.load(), 20);  // waiters took the in-flight failure
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool verify_rs256(const std::string& pem, const std::string& input, const std::string& sig) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  // Verify with the public half only.
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  const unsigned char* p = der;
  EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, len);
  OPENSSL_free(der);
  EVP_PKEY_free(key);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pub);
  const int ok =
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pub);
  return ok == 1;
}

class SalesforceJwt : public ::testing::Test {
 protected:
  std::string pem = read_file(LEADROUTER_SOURCE_DIR "/examples/mock_crm/salesforce-jwt-key.pem");
};

TEST_F(SalesforceJwt, AssertionIsSignedRs256WithTheRequiredClaims) {
  ASSERT_FALSE(pem.empty());
  FakeSystemClock clock;
  FakeTransport transport([](const HttpRequest&) -> std::expected<HttpResponse, Error> {
    return std::unexpected(Error::internal("unused"));
  });
  salesforce::JwtBearerTokenProvider provider(
      {.login_url = "https://login.salesforce.com"},
      {.client_id = "3MVG9consumer", .username = "router@acme.example", .private_key_pem = pem},
      transport, clock.fn());
  auto jwt = provider.assertion(clock.now);
  ASSERT_TRUE(jwt) << jwt.error().message;
  const auto dot1 = jwt->find('.');
  const auto dot2 = jwt->rfind('.');
  const auto header = testing::parse_json(*base64url_decode(jwt->substr(0, dot1)));
  const auto claims =
      testing::parse_json(*base64url_decode(jwt->substr(dot1 + 1, dot2 - dot1 - 1)));
  EXPECT_STREQ(header["alg"].GetString(), "RS256");
  EXPECT_STREQ(claims["iss"].GetString(), "3MVG9consumer");
  EXPECT_STREQ(claims["sub"].GetString(), "router@acme.example");
  EXPECT_STREQ(claims["aud"].GetString(), "https://login.salesforce.com");
  EXPECT_EQ(claims["exp"].GetInt64(), 1'750'000'000 + 150);
  const auto signature = base64url_decode(jwt->substr(dot2 + 1));
  ASSERT_TRUE(signature);
  EXPECT_TRUE(verify_rs256(pem, jwt->substr(0, dot2), *signature));
  EXPECT_FALSE(verify_rs256(pem, jwt->substr(0, dot2) + "x", *signature));
}

TEST_F(SalesforceJwt, TokenRequestUsesTheJwtGrantAndChecksInstanceUrl) {
  FakeSystemClock clock;
  FakeTransport transport([](const HttpRequest& r) -> std::expected<HttpResponse, Error> {
    EXPECT_EQ(r.url, "https://login.salesforce.com/services/oauth2/token");
    EXPECT_EQ(form_value(r.body, "grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer");
    EXPECT_EQ(std::ranges::count(form_value(r.body, "assertion"), '.'), 2);
    return json_response(
        200,
        R"({"access_token":"00D!x","instance_url":"https://acme.my.salesforce.com","token_type":"Bearer"})");
  });
  salesforce::JwtBearerTokenProvider provider(
      {}, {.client_id = "c", .username = "u", .private_key_pem = pem}, transport, clock.fn());
  auto token = provider.token();
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->instance_url, "https://acme.my.salesforce.com");
}

TEST_F(SalesforceJwt, BadKeyIsAClearError) {
  FakeSystemClock clock;
  FakeTransport transport([](const HttpRequest&) -> std::expected<HttpResponse, Error> {
    return std::unexpected(Error::internal("unused"));
  });
  salesforce::JwtBearerTokenProvider provider(
      {}, {.client_id = "c", .username = "u", .private_key_pem = "not a key"}, transport,
      clock.fn());
  auto token = provider.token();
  ASSERT_FALSE(token);
  EXPECT_NE(token.error().message.find("PEM"), std::string::npos);
  EXPECT_TRUE(transport.requests().empty());
}

TEST(InstanceUrlPolicy, AllowsSalesforceHostsAndTheTestOriginOnly) {
  salesforce::InstanceUrlPolicy policy;
  policy.test_origin = "http://127.0.0.1:18080";
  EXPECT_TRUE(policy.check("https://acme.my.salesforce.com"));
  EXPECT_TRUE(policy.check("https://acme.lightning.force.com/"));
  EXPECT_TRUE(policy.check("https://na1.salesforce.com"));
  EXPECT_TRUE(policy.check("http://127.0.0.1:18080"));
  EXPECT_FALSE(policy.check("http://acme.my.salesforce.com"));        // not https
  EXPECT_FALSE(policy.check("https://evil.example"));                 // wrong suffix
  EXPECT_FALSE(policy.check("https://salesforce.com.evil.example"));  // suffix trick
  EXPECT_FALSE(policy.check("https://evilsalesforce.com"));           // not a label boundary
  EXPECT_FALSE(policy.check("https://10.0.0.1"));                     // IP literal
  EXPECT_FALSE(policy.check("http://127.0.0.1:18081"));               // not the test port
  EXPECT_FALSE(policy.check("https://user@acme.my.salesforce.com"));  // user info
  EXPECT_FALSE(policy.check("https://acme.my.salesforce.com/x"));     // path
}

TEST(SalesforceClientCredentials, RefusedInstanceUrlSendsNoTokenThere) {
  FakeSystemClock clock;
  auto transport = std::make_shared<FakeTransport>(
      [](const HttpRequest& r) -> std::expected<HttpResponse, Error> {
        if (r.url.find("/services/oauth2/token") != std::string::npos) {
          return json_response(
              200, R"({"access_token":"tok","instance_url":"https://attacker.example"})");
        }
        return json_response(200, "{}");
      });
  salesforce::ClientCredentialsTokenProvider provider(
      {.login_url = "https://acme.my.salesforce.com"}, "cid", "secret", *transport, clock.fn());
  auto token = provider.token();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().kind, ErrorKind::kAuth);
  EXPECT_NE(token.error().message.find("attacker.example"), std::string::npos);
  for (const auto& r : transport->requests()) {
    EXPECT_EQ(r.url.find("attacker"), std::string::npos);
  }
  EXPECT_EQ(transport->requests().size(), 1u);
}

TEST(SalesforceRefreshToken, InvalidGrantCarriesAdvice) {
  FakeSystemClock clock;
  FakeTransport transport([](const HttpRequest& r) -> std::expected<HttpResponse, Error> {
    EXPECT_EQ(form_value(r.body, "grant_type"), "refresh_token");
    return json_response(
        400, R"({"error":"invalid_grant","error_description":"expired access/refresh token"})");
  });
  salesforce::RefreshTokenTokenProvider provider(
      {}, {.client_id = "c", .client_secret = "", .refresh_token = "rt", .persist = {}}, transport,
      clock.fn());
  auto token = provider.token();
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().kind, ErrorKind::kAuth);
  EXPECT_NE(token.error().message.find("invalid_grant"), std::string::npos);
  EXPECT_NE(token.error().message.find("re-authorize"), std::string::npos);
}

TEST(Crypto, Base64AndHmacMatchKnownVectors) {
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(*base64url_decode("-_8"), "\xfb\xff");
  // RFC 4231 test case 2 (hex 5bdcc146...64ec3843).
  EXPECT_EQ(base64_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
}

TEST(Url, ParsesAndRefusesWhatItShould) {
  auto u = parse_url("https://API.hubapi.com/crm/v3/owners?limit=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "api.hubapi.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/crm/v3/owners?limit=1");
  EXPECT_EQ(parse_url("http://127.0.0.1:8080")->origin(), "http://127.0.0.1:8080");
  EXPECT_FALSE(parse_url("ftp://x"));
  EXPECT_FALSE(parse_url("https://u:p@x.com/"));
  EXPECT_FALSE(parse_url("https://x.com:99999/"));
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_FALSE(is_loopback_host("127.example.com"));
  EXPECT_EQ(form_encode({{"a b", "x&y=z"}}), "a%20b=x%26y%3Dz");
}

}  // namespace
}  // namespace leadrouter::connectors
