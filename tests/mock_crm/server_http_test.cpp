// The real mock-crm binary over HTTP and HTTPS: start-up line, bad requests in
// HubSpot's error shape, injected faults (status, delay, drop, truncation),
// latency, webhooks to its own sink, and a clean exit on SIGTERM.
#include <gtest/gtest.h>
#pragma GCC diagnostic ignored "-Wnull-dereference"  // Asio false positive at -O2

#include <rapidjson/document.h>

#include <cstdlib>

#include "mock_crm_process.hpp"

namespace mock_crm_test {
namespace {

const std::string kToken = "pat-na1-11111111-2222-3333-4444-555555555555";
const std::vector<std::pair<std::string, std::string>> kAuth = {
    {"Authorization", "Bearer " + kToken}};

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  return d;
}

void expect_hubspot_error(const Reply& r, int status, const std::string& category) {
  EXPECT_EQ(r.status, status) << r.body << r.error;
  auto d = parse(r.body);
  ASSERT_TRUE(d.IsObject()) << r.body;
  EXPECT_STREQ(d["status"].GetString(), "error");
  EXPECT_TRUE(d.HasMember("message"));
  EXPECT_TRUE(d.HasMember("correlationId"));
  EXPECT_EQ(std::string(d["category"].GetString()), category);
}

class ServerHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<MockCrmProcess>(std::vector<std::string>{
        "--listen", "127.0.0.1:0", "--seed", example_seed(), "--body-limit-bytes", "4096"});
    ASSERT_TRUE(server_->first_line().starts_with("listening on http://127.0.0.1:"))
        << server_->first_line();
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }
  Reply get(const std::string& target) { return request(port_, "GET", target, "", kAuth); }
  Reply post(const std::string& target, const std::string& body,
             const std::vector<std::pair<std::string, std::string>>& headers = kAuth) {
    return request(port_, "POST", target, body, headers);
  }
  std::unique_ptr<MockCrmProcess> server_;
  unsigned short port_ = 0;
};

TEST_F(ServerHttp, ServesHubspotAndLogsRequests) {
  auto r = get("/crm/v3/objects/contacts?limit=2");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(parse(r.body)["results"].Size(), 2U);
  auto log = parse(request(port_, "GET", "/__admin/requests").body);
  ASSERT_GE(log["requests"].Size(), 1U);
  const auto& first = log["requests"][0];
  EXPECT_STREQ(first["method"].GetString(), "GET");
  EXPECT_STREQ(first["path"].GetString(), "/crm/v3/objects/contacts");
  EXPECT_EQ(first["status"].GetInt(), 200);
  EXPECT_NE(std::string(first["principal"].GetString()).find("private-app"), std::string::npos);
}

TEST_F(ServerHttp, BadRequestsGetHubspotErrorShape) {
  expect_hubspot_error(post("/crm/v3/objects/contacts", "{\"properties\":"), 400,
                       "VALIDATION_ERROR");
  expect_hubspot_error(post("/crm/v3/objects/contacts", std::string(5000, ' ')), 413,
                       "VALIDATION_ERROR");
  expect_hubspot_error(get("/no/such/path"), 404, "OBJECT_NOT_FOUND");
  expect_hubspot_error(request(port_, "PUT", "/crm/v3/objects/contacts/100451", "{}", kAuth), 405,
                       "METHOD_NOT_ALLOWED");
  expect_hubspot_error(request(port_, "GET", "/crm/v3/objects/contacts"), 401,
                       "INVALID_AUTHENTICATION");
  // The server is still healthy afterwards.
  EXPECT_EQ(get("/crm/v3/owners").status, 200);
}

TEST_F(ServerHttp, StatusFaultWithRetryAfter) {
  auto armed = post(
      "/__admin/faults",
      R"({"method":"GET","path_prefix":"/crm/v3/objects/contacts","count":2,"status":429,"retry_after_seconds":3})",
      {});
  ASSERT_EQ(armed.status, 200) << armed.body;
  for (int i = 0; i < 2; ++i) {
    auto r = get("/crm/v3/objects/contacts");
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.header("Retry-After"), "3");
    EXPECT_STREQ(parse(r.body)["status"].GetString(), "error");
    EXPECT_STREQ(parse(r.body)["policyName"].GetString(), "TEN_SECONDLY_ROLLING");
  }
  EXPECT_EQ(get("/crm/v3/objects/contacts").status, 200);  // count used up
  // Other methods and paths were never affected.
  auto faults = parse(request(port_, "GET", "/__admin/faults").body);
  EXPECT_EQ(faults["faults"].Size(), 0U);
}

TEST_F(ServerHttp, DelayFaultWaitsOnceThenAnswersNormally) {
  post("/__admin/faults", R"({"path_prefix":"/crm/v3/owners","delay_ms":400})", {});
  auto start = std::chrono::steady_clock::now();
  auto r = get("/crm/v3/owners");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(get("/crm/v3/owners").status, 200);
  auto log = parse(request(port_, "GET", "/__admin/requests?after=1").body);
  ASSERT_GE(log["requests"].Size(), 2U);
  EXPECT_STREQ(log["requests"][0]["fault"].GetString(), "delay");
  EXPECT_FALSE(log["requests"][1].HasMember("fault"));  // used up after one request
}

TEST_F(ServerHttp, DropFaultClosesWithoutResponse) {
  post("/__admin/faults", R"({"path_prefix":"/crm/v3/owners","drop":true})", {});
  auto r = get("/crm/v3/owners");
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(get("/crm/v3/owners").status, 200);
  auto log = parse(request(port_, "GET", "/__admin/requests").body);
  EXPECT_STREQ(log["requests"][1]["fault"].GetString(), "drop");  // [0] arms the fault
}

TEST_F(ServerHttp, TruncateFaultSendsHalfTheBody) {
  post("/__admin/faults", R"({"path_prefix":"/crm/v3/owners","truncate":true})", {});
  auto r = get("/crm/v3/owners");
  // Headers arrived (status 200) but the body ended early.
  EXPECT_EQ(r.status, -200) << r.error;
  EXPECT_NE(r.error.find("partial message"), std::string::npos) << r.error;
}

TEST_F(ServerHttp, FaultValidation) {
  auto r = post("/__admin/faults", R"({"status":200,"drop":true})", {});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(parse(r.body)["error"].GetString(), std::string());
  EXPECT_EQ(post("/__admin/faults", R"({"status":700})", {}).status, 400);
  EXPECT_EQ(post("/__admin/faults", R"({"delay_ms":"x"})", {}).status, 400);
}

TEST_F(ServerHttp, WebhookToOwnSinkAfterCreate) {
  auto created = post("/crm/v3/objects/contacts",
                      R"({"properties":{"email":"sink@acme.example","firstname":"Sink"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_EQ(post("/__admin/webhooks/flush", "", {}).status, 200);
  auto sink = parse(request(port_, "GET", "/__admin/webhooks/sink").body);
  ASSERT_EQ(sink["deliveries"].Size(), 1U);
  const auto& d = sink["deliveries"][0];
  EXPECT_TRUE(d["headers"].HasMember("X-HubSpot-Signature-v3"));
  EXPECT_STREQ(d["events"][0]["subscriptionType"].GetString(), "contact.creation");
}

TEST_F(ServerHttp, SigtermExitsZero) {
  EXPECT_EQ(server_->terminate(), 0);
}

TEST(ServerHttps, ServesOverTlsWithATestCertificate) {
  TempDir dir;
  std::string cert = dir.file("cert.pem");
  std::string key = dir.file("key.pem");
  std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  MockCrmProcess server(
      {"--listen", "127.0.0.1:0", "--seed", example_seed(), "--tls-cert", cert, "--tls-key", key});
  ASSERT_TRUE(server.first_line().starts_with("listening on https://127.0.0.1:"))
      << server.first_line();
  auto r = request_tls(server.port(), cert, "GET", "/crm/v3/owners", "", kAuth);
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(parse(r.body)["results"].Size(), 4U);
  // Plain HTTP on the TLS port gets no HTTP answer.
  EXPECT_NE(
      request(server.port(), "GET", "/crm/v3/owners", "", kAuth, std::chrono::seconds(3)).status,
      200);
  EXPECT_EQ(server.terminate(), 0);
}

TEST(ServerStartup, BadArgumentsAndSeedsFailWithExitCode2) {
  TempDir dir;
  std::string bad_seed = dir.write("bad.json", R"({"hubspot":{"contacts":[{"id":"x"}]}})");
  std::string cmd =
      binary_path() + " --listen 127.0.0.1:0 --seed " + bad_seed + " 2>" + dir.file("err.txt");
  int rc = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(rc), 2);
  EXPECT_NE(read_file(dir.file("err.txt")).find("seed/hubspot/contacts/0"), std::string::npos)
      << read_file(dir.file("err.txt"));
  rc = std::system((binary_path() + " --listen nonsense 2>/dev/null").c_str());
  EXPECT_EQ(WEXITSTATUS(rc), 2);
}

}  // namespace
}  // namespace mock_crm_test
