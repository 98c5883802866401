// The Salesforce half through the real mock-crm binary: the example seed, a
// JWT bearer token signed with the example test key, query, create and the
// admin state, then a --state-file round trip across a restart.
#pragma GCC diagnostic ignored "-Wnull-dereference"  // Asio false positive at -O2
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <rapidjson/document.h>

#include "mock_crm/salesforce/jwt_assertion.hpp"
#include "tests/mock_crm/mock_crm_process.hpp"

namespace {

using leadrouter::mock_crm::salesforce::base64url_encode;
using mock_crm_test::MockCrmProcess;
using mock_crm_test::request;

constexpr const char* kClientId = "3MVG9mockcrm.LeadRouterDemo.ConsumerKey";

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string example_jwt() {
  std::unique_ptr<FILE, int (*)(FILE*)> f(
      std::fopen(LEADROUTER_SOURCE_DIR "/examples/mock_crm/salesforce-jwt-key.pem", "r"),
      &std::fclose);
  if (!f) {
    return "";
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return "";
  }
  auto exp = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count() +
             120;
  std::string input =
      base64url_encode(R"({"alg":"RS256"})") + "." +
      base64url_encode(
          std::string(R"({"iss":")") + kClientId +
          R"(","sub":"integration@acme-demo.example","aud":"https://login.salesforce.com","exp":)" +
          std::to_string(exp) + "}");
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get());
  EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(len);
  return input + "." + base64url_encode(sig);
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string token_for(unsigned short port) {
  auto reply = request(port, "POST", "/services/oauth2/token",
                       std::string("grant_type=client_credentials&client_id=") + kClientId +
                           "&client_secret=demo-sf-consumer-secret",
                       {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(reply.status, 200) << reply.body << reply.error;
  auto d = parse(reply.body);
  return d.IsObject() && d.HasMember("access_token") ? d["access_token"].GetString() : "";
}

TEST(SalesforceServer, JwtQueryCreateAndStateThroughTheBinary) {
  MockCrmProcess mock({"--listen", "127.0.0.1:0", "--seed", mock_crm_test::example_seed()});
  ASSERT_NE(mock.port(), 0) << "mock-crm did not start: " << mock.first_line();
  std::string base = "http://127.0.0.1:" + std::to_string(mock.port());

  std::string assertion = example_jwt();
  ASSERT_FALSE(assertion.empty());
  auto token_reply = request(
      mock.port(), "POST", "/services/oauth2/token",
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + assertion,
      {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(token_reply.status, 200) << token_reply.body;
  auto token = parse(token_reply.body);
  EXPECT_EQ(std::string(token["instance_url"].GetString()), base);
  std::vector<std::pair<std::string, std::string>> auth{
      {"Authorization", std::string("Bearer ") + token["access_token"].GetString()}};

  auto versions = request(mock.port(), "GET", "/services/data/");
  EXPECT_EQ(versions.status, 200);

  auto query =
      request(mock.port(), "GET",
              "/services/data/v62.0/query/?q=SELECT+Id,Email,SystemModstamp+FROM+Lead+WHERE+"
              "SystemModstamp+%3E+2026-01-01T00:00:00Z+ORDER+BY+SystemModstamp,Id",
              "", auth);
  ASSERT_EQ(query.status, 200) << query.body;
  EXPECT_EQ(parse(query.body)["totalSize"].GetInt(), 4);
  EXPECT_TRUE(query.header("Sforce-Limit-Info").starts_with("api-usage=1/"));

  auto created = request(
      mock.port(), "POST", "/services/data/v62.0/sobjects/Lead",
      R"({"LastName":"Byron","Company":"Analytical Engines","LeadRouter_Score__c":0.9})", auth);
  ASSERT_EQ(created.status, 201) << created.body;

  auto bad = request(mock.port(), "GET", "/services/data/v62.0/query?q=SELECT+FROM", "", auth);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("MALFORMED_QUERY"), std::string::npos);
  EXPECT_EQ(request(mock.port(), "GET", "/services/data/v62.0/limits").status, 401);

  auto state = request(mock.port(), "GET", "/__admin/state");
  ASSERT_EQ(state.status, 200);
  auto s = parse(state.body);
  ASSERT_TRUE(s.HasMember("salesforce")) << state.body.substr(0, 200);
  EXPECT_EQ(s["salesforce"]["leads"].Size(), 7U);
  EXPECT_EQ(mock.terminate(), 0);
}

TEST(SalesforceServer, StateFileSurvivesRestart) {
  mock_crm_test::TempDir dir;
  std::string state_file = dir.file("state.json");
  std::string id;
  {
    MockCrmProcess mock({"--listen", "127.0.0.1:0", "--seed", mock_crm_test::example_seed(),
                         "--state-file", state_file});
    ASSERT_NE(mock.port(), 0) << mock.first_line();
    std::vector<std::pair<std::string, std::string>> auth{
        {"Authorization", "Bearer " + token_for(mock.port())}};
    auto created = request(mock.port(), "POST", "/services/data/v62.0/sobjects/Lead",
                           R"({"LastName":"Persisted","Company":"Durable Inc"})", auth);
    ASSERT_EQ(created.status, 201) << created.body;
    id = parse(created.body)["id"].GetString();
    ASSERT_EQ(mock.terminate(), 0);
  }
  MockCrmProcess again({"--listen", "127.0.0.1:0", "--state-file", state_file});
  ASSERT_NE(again.port(), 0) << again.first_line();
  std::vector<std::pair<std::string, std::string>> auth{
      {"Authorization", "Bearer " + token_for(again.port())}};
  auto got = request(again.port(), "GET",
                     "/services/data/v62.0/sobjects/Lead/" + id + "?fields=LastName", "", auth);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_STREQ(parse(got.body)["LastName"].GetString(), "Persisted");
  EXPECT_EQ(again.terminate(), 0);
}

}  // namespace
