// /__admin against the real binary: state, request log, clock (token expiry),
// token controls, reset, and --state-file persistence across a restart.
#include <gtest/gtest.h>
#pragma GCC diagnostic ignored "-Wnull-dereference"  // Asio false positive at -O2

#include <rapidjson/document.h>

#include "mock_crm_process.hpp"

namespace mock_crm_test {
namespace {

const std::vector<std::pair<std::string, std::string>> kAuth = {
    {"Authorization", "Bearer pat-na1-11111111-2222-3333-4444-555555555555"}};
const std::string kClient =
    "client_id=6d3c1a52-4f0e-4c5b-9a51-2f1a0c7d9e01&client_secret=yyyyyyyy-yyyy-yyyy-yyyy-"
    "yyyyyyyyyyyy";
const std::vector<std::pair<std::string, std::string>> kForm = {
    {"Content-Type", "application/x-www-form-urlencoded"}};

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  return d;
}

class AdminApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<MockCrmProcess>(
        std::vector<std::string>{"--listen", "127.0.0.1:0", "--seed", example_seed()});
    port_ = server_->port();
    ASSERT_NE(port_, 0) << server_->first_line();
  }
  std::string oauth_token() {
    auto r = request(port_, "POST", "/oauth/v1/token", "grant_type=client_credentials&" + kClient,
                     kForm);
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r.body)["access_token"].GetString();
  }
  std::unique_ptr<MockCrmProcess> server_;
  unsigned short port_ = 0;
};

TEST_F(AdminApi, StateShowsEveryCrm) {
  auto r = request(port_, "GET", "/__admin/state");
  ASSERT_EQ(r.status, 200);
  auto d = parse(r.body);
  EXPECT_EQ(d["hubspot"]["contacts"].Size(), 10U);
  EXPECT_EQ(d["hubspot"]["owners"].Size(), 5U);
  EXPECT_TRUE(d.HasMember("now"));
}

TEST_F(AdminApi, ClockAdvanceExpiresOauthTokens) {
  std::string token = oauth_token();
  std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer " + token}};
  EXPECT_EQ(request(port_, "GET", "/crm/v3/owners", "", auth).status, 200);
  auto moved = request(port_, "POST", "/__admin/clock", R"({"advance_seconds":1801})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(request(port_, "GET", "/crm/v3/owners", "", auth).status, 401);
  EXPECT_EQ(request(port_, "POST", "/__admin/clock", R"({"advance_seconds":-5})").status, 400);
}

TEST_F(AdminApi, ExpireTokensNowAndRevokeRefreshToken) {
  std::string token = oauth_token();
  std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer " + token}};
  ASSERT_EQ(request(port_, "POST", "/__admin/faults", R"({"expire_access_tokens":true})").status,
            200);
  EXPECT_EQ(request(port_, "GET", "/crm/v3/owners", "", auth).status, 401);
  EXPECT_EQ(request(port_, "POST", "/__admin/faults", R"({"revoke_refresh_token":"nope"})").status,
            404);
}

TEST_F(AdminApi, ResetReseedsAndClearsTheLog) {
  ASSERT_EQ(request(port_, "POST", "/crm/v3/objects/contacts",
                    R"({"properties":{"email":"temp@x.example"}})", kAuth)
                .status,
            201);
  ASSERT_EQ(request(port_, "POST", "/__admin/reset").status, 200);
  auto d = parse(request(port_, "GET", "/__admin/state").body);
  EXPECT_EQ(d["hubspot"]["contacts"].Size(), 10U);
  auto log = parse(request(port_, "GET", "/__admin/requests").body);
  for (const auto& entry : log["requests"].GetArray()) {
    EXPECT_STRNE(entry["path"].GetString(), "/crm/v3/objects/contacts");  // forgotten
  }
}

TEST_F(AdminApi, RequestLogAfterSequence) {
  request(port_, "GET", "/crm/v3/owners", "", kAuth);
  request(port_, "GET", "/crm/v3/owners/41629779", "", kAuth);
  auto all = parse(request(port_, "GET", "/__admin/requests").body);
  ASSERT_EQ(all["requests"].Size(), 2U);
  auto since = parse(request(port_, "GET", "/__admin/requests?after=1").body);
  ASSERT_EQ(since["requests"].Size(), 2U);  // the second call and the first log read
  EXPECT_STREQ(since["requests"][0]["path"].GetString(), "/crm/v3/owners/41629779");
  EXPECT_EQ(request(port_, "GET", "/__admin/nothing").status, 404);
}

TEST_F(AdminApi, RequestLogBodiesOnRequest) {
  const std::string update =
      R"({"inputs":[{"id":"100451","properties":{"hubspot_owner_id":"41629780"}}]})";
  ASSERT_EQ(request(port_, "POST", "/crm/v3/objects/contacts/batch/update", update, kAuth).status,
            200);
  request(port_, "GET", "/crm/v3/owners", "", kAuth);
  // The owner change also queues a webhook to the seed's sink, which is
  // logged too; look the two calls up by path.
  auto find = [](const rapidjson::Document& log, const char* path) -> const rapidjson::Value* {
    for (const auto& e : log["requests"].GetArray()) {
      if (std::string_view(e["path"].GetString()) == path) {
        return &e;
      }
    }
    return nullptr;
  };

  auto plain = parse(request(port_, "GET", "/__admin/requests").body);
  const auto* plain_update = find(plain, "/crm/v3/objects/contacts/batch/update");
  ASSERT_NE(plain_update, nullptr);
  EXPECT_FALSE(plain_update->HasMember("body"));  // only when asked for

  auto with = parse(request(port_, "GET", "/__admin/requests?bodies=true").body);
  const auto* logged_update = find(with, "/crm/v3/objects/contacts/batch/update");
  const auto* logged_get = find(with, "/crm/v3/owners");
  ASSERT_NE(logged_update, nullptr);
  ASSERT_NE(logged_get, nullptr);
  ASSERT_TRUE(logged_update->HasMember("body"));
  EXPECT_EQ(std::string((*logged_update)["body"].GetString()), update);
  EXPECT_FALSE(logged_get->HasMember("body"));  // a GET has none
  EXPECT_EQ(request(port_, "GET", "/__admin/requests?bodies=yes").status, 400);
}

TEST_F(AdminApi, WebhookTargetCanMoveAtRunTime) {
  // Tests point the seeded app at a listener whose port is known only after
  // start-up; the deliveries must follow the new target.
  auto moved = request(port_, "PUT", "/webhooks/v3/1160452/settings?hapikey=dev-hapikey-demo",
                       R"({"targetUrl":"http://127.0.0.1:)" + std::to_string(port_) +
                           R"(/__admin/webhooks/sink?moved=1"})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  ASSERT_EQ(request(port_, "POST", "/crm/v3/objects/contacts",
                    R"({"properties":{"email":"moved@x.example"}})", kAuth)
                .status,
            201);
  ASSERT_EQ(request(port_, "POST", "/__admin/webhooks/flush").status, 200);
  auto sink = parse(request(port_, "GET", "/__admin/webhooks/sink").body);
  ASSERT_EQ(sink["deliveries"].Size(), 1U);
  EXPECT_STREQ(sink["deliveries"][0]["target"].GetString(), "/__admin/webhooks/sink?moved=1");
}

TEST(AdminStateFile, StatePersistsAcrossRestart) {
  TempDir dir;
  std::string state = dir.file("state.json");
  {
    MockCrmProcess server(
        {"--listen", "127.0.0.1:0", "--seed", example_seed(), "--state-file", state});
    ASSERT_EQ(request(server.port(), "POST", "/crm/v3/objects/contacts",
                      R"({"properties":{"email":"kept@x.example"}})", kAuth)
                  .status,
              201);
    ASSERT_EQ(server.terminate(), 0);
  }
  MockCrmProcess again(
      {"--listen", "127.0.0.1:0", "--seed", example_seed(), "--state-file", state});
  ASSERT_NE(again.port(), 0) << again.first_line();
  auto r = request(again.port(), "GET", "/crm/v3/objects/contacts/kept@x.example?idProperty=email",
                   "", kAuth);
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace mock_crm_test
