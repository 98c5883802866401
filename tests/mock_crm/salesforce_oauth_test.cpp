// Salesforce token endpoint: JWT bearer with a key pair and certificate made
// here with OpenSSL (success, wrong key, expired, too far ahead, wrong
// audience, unknown app or user), client credentials, password, refresh
// (with rotation and revocation) and session expiry on the REST API.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <rapidjson/document.h>

#include <memory>

#include "mock_crm/salesforce/jwt_assertion.hpp"
#include "mock_crm/salesforce/salesforce_api.hpp"

namespace leadrouter::mock_crm::salesforce {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// A fresh RSA key and a self-signed certificate for it, as an admin would
// upload to the connected app.
std::pair<Pkey, std::string> make_key_and_certificate() {
  Pkey key(EVP_RSA_gen(2048));
  std::unique_ptr<X509, X509Free> cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("mock-crm test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_sign(cert.get(), key.get(), EVP_sha256());
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert.get());
  return {std::move(key), bio_string(bio.get())};
}

std::string sign_jwt(EVP_PKEY* key, const std::string& header, const std::string& claims) {
  std::string input = base64url_encode(header) + "." + base64url_encode(claims);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key);
  std::size_t len = 0;
  EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(len);
  return input + "." + base64url_encode(sig);
}

constexpr const char* kSeed = R"({
  "session_timeout_minutes": 30,
  "connected_apps": [
    {"client_id": "jwt-app", "client_secret": "jwt-secret", "certificate_pem": "",
     "allowed_flows": ["jwt_bearer"]},
    {"client_id": "svc-app", "client_secret": "svc-secret",
     "allowed_flows": ["client_credentials", "password", "refresh_token"], "run_as": "integration@acme.example"},
    {"client_id": "rot-app", "client_secret": "rot-secret", "allowed_flows": ["refresh_token"],
     "rotate_refresh_tokens": true}
  ],
  "users": [
    {"Id": "005Dm0000000001IAA", "Username": "admin@acme.example", "LastName": "Admin", "Email": "admin@acme.example",
     "password": "pw", "security_token": "TOKEN"},
    {"Id": "005Dm0000000002IAA", "Username": "integration@acme.example", "LastName": "Integration", "Email": "i@acme.example"},
    {"Id": "005Dm0000000003IAA", "Username": "gone@acme.example", "LastName": "Gone", "Email": "g@acme.example", "IsActive": false}
  ],
  "refresh_tokens": [
    {"refresh_token": "5Aep-refresh-1", "client_id": "svc-app", "username": "admin@acme.example"},
    {"refresh_token": "5Aep-rotating", "client_id": "rot-app", "username": "admin@acme.example"}
  ]
})";

class SalesforceOAuthTest : public ::testing::Test {
 protected:
  MockClock clock;
  RequestContext ctx{clock, "http://127.0.0.1:4567", false, {}};
  std::unique_ptr<CrmApi> api = make_salesforce_api();
  // RSA key generation is slow; the suite shares one pair and one stranger.
  static inline Pkey key;
  static inline Pkey other_key;
  static inline std::string cert;

  static void SetUpTestSuite() {
    auto pair = make_key_and_certificate();
    key = std::move(pair.first);
    cert = std::move(pair.second);
    other_key = make_key_and_certificate().first;
  }
  static void TearDownTestSuite() {
    key.reset();
    other_key.reset();
  }

  void SetUp() override {
    rapidjson::Document seed;
    seed.Parse(kSeed);
    ASSERT_FALSE(seed.HasParseError());
    seed["connected_apps"][0]["certificate_pem"].SetString(
        cert.c_str(), static_cast<rapidjson::SizeType>(cert.size()), seed.GetAllocator());
    auto errors = api->load_seed(seed, nullptr);
    ASSERT_TRUE(errors.empty()) << errors.front();
  }

  std::int64_t now_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  }

  std::string claims(const std::string& sub, const std::string& aud, std::int64_t exp,
                     const std::string& iss = "jwt-app") const {
    return R"({"iss":")" + iss + R"(","sub":")" + sub + R"(","aud":")" + aud + R"(","exp":)" +
           std::to_string(exp) + "}";
  }

  HttpResponse post_token(const std::string& form,
                          std::optional<std::string> basic = std::nullopt) {
    HttpRequest r;
    r.method = "POST";
    r.path = "/services/oauth2/token";
    r.target = r.path;
    r.headers["Content-Type"] = "application/x-www-form-urlencoded";
    if (basic) {
      r.headers["Authorization"] = "Basic " + base64_encode(*basic);
    }
    r.body = form;
    auto response = api->handle(r, ctx);
    EXPECT_TRUE(response.has_value());
    return response.value_or(HttpResponse{});
  }

  HttpResponse jwt(const std::string& assertion) {
    return post_token(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + assertion);
  }

  int limits_status(const std::string& token) {
    HttpRequest r;
    r.method = "GET";
    r.path = "/services/data/v62.0/limits";
    r.target = r.path;
    r.headers["Authorization"] = "Bearer " + token;
    return api->handle(r, ctx)->status;
  }

  static rapidjson::Document json(const HttpResponse& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    return d;
  }

  void expect_oauth_error(const HttpResponse& r, const char* error) {
    EXPECT_EQ(r.status, 400) << r.body;
    auto d = json(r);
    ASSERT_TRUE(d.IsObject()) << r.body;
    EXPECT_STREQ(d["error"].GetString(), error) << r.body;
    EXPECT_TRUE(d["error_description"].IsString());
  }
};

TEST_F(SalesforceOAuthTest, JwtBearerSuccess) {
  std::string assertion =
      sign_jwt(key.get(), R"({"alg":"RS256"})",
               claims("admin@acme.example", "https://login.salesforce.com", now_seconds() + 170));
  HttpResponse r = jwt(assertion);
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = json(r);
  EXPECT_STREQ(d["token_type"].GetString(), "Bearer");
  EXPECT_STREQ(d["instance_url"].GetString(), "http://127.0.0.1:4567");
  std::string id = d["id"].GetString();
  EXPECT_TRUE(id.ends_with("/005Dm0000000001IAA")) << id;
  std::string issued_at = d["issued_at"].GetString();
  EXPECT_EQ(issued_at.size(), 13U);
  EXPECT_EQ(d["signature"].GetString(), base64_encode(hmac_sha256("jwt-secret", id + issued_at)));
  EXPECT_TRUE(d.HasMember("scope"));
  EXPECT_FALSE(d.HasMember("refresh_token"));
  std::string token = d["access_token"].GetString();
  EXPECT_EQ(token.find('!'), 15U);
  EXPECT_EQ(limits_status(token), 200);
}

TEST_F(SalesforceOAuthTest, JwtAcceptsOwnUrlAsAudienceAndPrnOverSub) {
  std::string c =
      R"({"iss":"jwt-app","sub":"nobody@x","prn":"admin@acme.example","aud":"http://127.0.0.1:4567","exp":)" +
      std::to_string(now_seconds() + 60) + "}";
  EXPECT_EQ(jwt(sign_jwt(key.get(), R"({"alg":"RS256"})", c)).status, 200);
}

TEST_F(SalesforceOAuthTest, JwtSignedWithWrongKey) {
  std::string assertion =
      sign_jwt(other_key.get(), R"({"alg":"RS256"})",
               claims("admin@acme.example", "https://login.salesforce.com", now_seconds() + 60));
  expect_oauth_error(jwt(assertion), "invalid_grant");
}

TEST_F(SalesforceOAuthTest, JwtExpiredOrTooFarAhead) {
  expect_oauth_error(jwt(sign_jwt(key.get(), R"({"alg":"RS256"})",
                                  claims("admin@acme.example", "https://login.salesforce.com",
                                         now_seconds() - 1))),
                     "invalid_grant");
  expect_oauth_error(jwt(sign_jwt(key.get(), R"({"alg":"RS256"})",
                                  claims("admin@acme.example", "https://login.salesforce.com",
                                         now_seconds() + 600))),
                     "invalid_grant");
  // An assertion made now fails once the server's clock passes its exp.
  std::string assertion =
      sign_jwt(key.get(), R"({"alg":"RS256"})",
               claims("admin@acme.example", "https://login.salesforce.com", now_seconds() + 60));
  clock.advance(std::chrono::seconds(61));
  expect_oauth_error(jwt(assertion), "invalid_grant");
}

TEST_F(SalesforceOAuthTest, JwtWrongAudience) {
  HttpResponse r =
      jwt(sign_jwt(key.get(), R"({"alg":"RS256"})",
                   claims("admin@acme.example", "https://evil.example", now_seconds() + 60)));
  expect_oauth_error(r, "invalid_grant");
  EXPECT_NE(r.body.find("audience"), std::string::npos);
}

TEST_F(SalesforceOAuthTest, JwtUnknownAppUserOrInactiveUser) {
  expect_oauth_error(jwt(sign_jwt(key.get(), R"({"alg":"RS256"})",
                                  claims("admin@acme.example", "https://login.salesforce.com",
                                         now_seconds() + 60, "nope"))),
                     "invalid_client_id");
  expect_oauth_error(
      jwt(sign_jwt(key.get(), R"({"alg":"RS256"})",
                   claims("who@acme.example", "https://login.salesforce.com", now_seconds() + 60))),
      "invalid_grant");
  expect_oauth_error(jwt(sign_jwt(key.get(), R"({"alg":"RS256"})",
                                  claims("gone@acme.example", "https://login.salesforce.com",
                                         now_seconds() + 60))),
                     "inactive_user");
}

TEST_F(SalesforceOAuthTest, JwtMalformedOrWrongAlgorithm) {
  expect_oauth_error(jwt("not-a-jwt"), "invalid_grant");
  expect_oauth_error(jwt(sign_jwt(key.get(), R"({"alg":"HS256"})",
                                  claims("admin@acme.example", "https://login.salesforce.com",
                                         now_seconds() + 60))),
                     "invalid_grant");
  expect_oauth_error(post_token("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"),
                     "invalid_request");
}

TEST_F(SalesforceOAuthTest, ClientCredentialsActsAsRunAsUser) {
  HttpResponse r =
      post_token("grant_type=client_credentials&client_id=svc-app&client_secret=svc-secret");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = json(r);
  EXPECT_TRUE(std::string(d["id"].GetString()).ends_with("/005Dm0000000002IAA"));
  EXPECT_FALSE(d.HasMember("refresh_token"));
  EXPECT_EQ(limits_status(d["access_token"].GetString()), 200);
  // HTTP Basic works as well.
  EXPECT_EQ(post_token("grant_type=client_credentials", "svc-app:svc-secret").status, 200);
}

TEST_F(SalesforceOAuthTest, ClientCredentialsErrors) {
  expect_oauth_error(
      post_token("grant_type=client_credentials&client_id=svc-app&client_secret=wrong"),
      "invalid_client");
  expect_oauth_error(post_token("grant_type=client_credentials&client_id=nope&client_secret=x"),
                     "invalid_client_id");
  // Flow not enabled for the app.
  expect_oauth_error(
      post_token("grant_type=client_credentials&client_id=rot-app&client_secret=rot-secret"),
      "unsupported_grant_type");
}

TEST_F(SalesforceOAuthTest, PasswordFlowNeedsSecurityToken) {
  std::string base =
      "grant_type=password&client_id=svc-app&client_secret=svc-secret&username=admin%40acme."
      "example";
  EXPECT_EQ(post_token(base + "&password=pwTOKEN").status, 200);
  HttpResponse r = post_token(base + "&password=pw");
  expect_oauth_error(r, "invalid_grant");
  EXPECT_NE(r.body.find("authentication failure"), std::string::npos);
}

TEST_F(SalesforceOAuthTest, RefreshTokenFlowAndRevocation) {
  std::string form =
      "grant_type=refresh_token&client_id=svc-app&client_secret=svc-secret&refresh_token=5Aep-"
      "refresh-1";
  HttpResponse r = post_token(form);
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = json(r);
  EXPECT_FALSE(d.HasMember("refresh_token"));  // no rotation for this app
  EXPECT_EQ(post_token(form).status, 200);
  expect_oauth_error(post_token("grant_type=refresh_token&client_id=svc-app&refresh_token=unknown"),
                     "invalid_grant");
  EXPECT_TRUE(api->revoke_refresh_token("5Aep-refresh-1"));
  expect_oauth_error(post_token(form), "invalid_grant");
  EXPECT_FALSE(api->revoke_refresh_token("5Aep-refresh-1"));
}

TEST_F(SalesforceOAuthTest, RotatingRefreshTokenInvalidatesTheOldOne) {
  std::string form = "grant_type=refresh_token&client_id=rot-app&refresh_token=5Aep-rotating";
  HttpResponse r = post_token(form);
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = json(r);
  ASSERT_TRUE(d.HasMember("refresh_token"));
  std::string next = d["refresh_token"].GetString();
  expect_oauth_error(post_token(form), "invalid_grant");
  EXPECT_EQ(post_token("grant_type=refresh_token&client_id=rot-app&refresh_token=" + next).status,
            200);
}

TEST_F(SalesforceOAuthTest, AccessTokensExpireAfterSessionTimeout) {
  auto d =
      json(post_token("grant_type=client_credentials&client_id=svc-app&client_secret=svc-secret"));
  std::string token = d["access_token"].GetString();
  clock.advance(std::chrono::minutes(29));
  EXPECT_EQ(limits_status(token), 200);
  clock.advance(std::chrono::minutes(2));
  EXPECT_EQ(limits_status(token), 401);
}

TEST_F(SalesforceOAuthTest, AdminExpiryEndsEverySession) {
  auto d =
      json(post_token("grant_type=client_credentials&client_id=svc-app&client_secret=svc-secret"));
  std::string token = d["access_token"].GetString();
  api->expire_access_tokens();
  EXPECT_EQ(limits_status(token), 401);
}

TEST_F(SalesforceOAuthTest, RequestErrors) {
  expect_oauth_error(post_token("client_id=svc-app"), "invalid_request");
  expect_oauth_error(post_token("grant_type=authorization_code&code=x"), "unsupported_grant_type");
}

TEST(JwtAssertion, Base64UrlRoundTrip) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "\xff\xfe\x00?"}) {
    EXPECT_EQ(base64url_decode(base64url_encode(s)), s);
  }
  EXPECT_FALSE(base64url_decode("a+b/"));
}

}  // namespace
}  // namespace leadrouter::mock_crm::salesforce
