// HubSpot authentication: private-app tokens, the OAuth authorization-code
// and refresh flows with expiry through the server clock, revocation, scopes,
// and the 401/403 bodies.
#include <gtest/gtest.h>

#include "hubspot_fixture.hpp"

namespace mock_crm_test {
namespace {

class HubspotAuth : public HubspotFixture {
 protected:
  // Runs the consent page and approval; returns the code from the redirect.
  std::string authorize(const std::string& scope, const std::string& state = "xyz") {
    std::string q = std::string("client_id=") + kClientId + "&redirect_uri=" + kRedirect +
                    "&scope=" + scope + "&state=" + state;
    auto page = call("GET", "/oauth/authorize?" + q, "", "");
    EXPECT_EQ(page.status(), 200);
    EXPECT_NE(page.response.content_type.find("text/html"), std::string::npos);
    EXPECT_NE(page.response.body.find("<form"), std::string::npos);
    EXPECT_NE(page.response.body.find("Approve"), std::string::npos);
    auto approved = call("GET", "/oauth/authorize/decision?" + q + "&decision=approve", "", "");
    EXPECT_EQ(approved.status(), 302);
    std::string location = approved.header("Location");
    EXPECT_TRUE(location.starts_with(std::string(kRedirect) + "?code="));
    EXPECT_NE(location.find("&state=" + state), std::string::npos);
    auto start = location.find("code=") + 5;
    return location.substr(start, location.find('&', start) - start);
  }

  Answer token(const std::string& form, const std::string& path = "/oauth/v1/token") {
    return call("POST", path, form, "", "application/x-www-form-urlencoded");
  }

  std::string code_grant(const std::string& code) {
    return std::string("grant_type=authorization_code&client_id=") + kClientId +
           "&client_secret=" + kClientSecret + "&redirect_uri=" + kRedirect + "&code=" + code;
  }
};

TEST_F(HubspotAuth, MissingOrUnknownTokenGets401InHubspotShape) {
  auto none = call("GET", "/crm/v3/objects/contacts", "", "");
  EXPECT_EQ(none.status(), 401);
  EXPECT_EQ(error_category(none), "INVALID_AUTHENTICATION");
  auto bad = call("GET", "/crm/v3/objects/contacts", "", "not-a-token");
  EXPECT_EQ(bad.status(), 401);
  EXPECT_EQ(error_category(bad), "INVALID_AUTHENTICATION");
}

TEST_F(HubspotAuth, PrivateAppTokenIsAStaticBearerToken) {
  auto a = call("GET", "/crm/v3/objects/contacts?limit=1");
  EXPECT_EQ(a.status(), 200);
  EXPECT_TRUE(principal_.starts_with("private-app:pat-na1-"));
  EXPECT_EQ(principal_.find("5555"), std::string::npos);  // never the whole token
  clock_.advance(std::chrono::hours(24 * 365));
  EXPECT_EQ(call("GET", "/crm/v3/objects/contacts?limit=1").status(), 200);
}

TEST_F(HubspotAuth, AuthorizationCodeFlowThenExpiryThenRefresh) {
  std::string code = authorize("oauth%20crm.objects.contacts.read%20crm.objects.contacts.write");
  auto t = token(code_grant(code));
  ASSERT_EQ(t.status(), 200) << t.response.body;
  EXPECT_STREQ(t.json["token_type"].GetString(), "bearer");
  EXPECT_EQ(t.json["expires_in"].GetInt(), 1800);
  EXPECT_STREQ(t.json["token_use"].GetString(), "access_token");
  EXPECT_EQ(t.json["hub_id"].GetInt(), 62515);
  std::string access = t.json["access_token"].GetString();
  std::string refresh = t.json["refresh_token"].GetString();
  EXPECT_LE(access.size(), 300U);

  EXPECT_EQ(call("GET", "/crm/v3/objects/contacts?limit=1", "", access).status(), 200);
  EXPECT_TRUE(principal_.starts_with("oauth:1160452"));

  // A code is single-use.
  auto reused = token(code_grant(code));
  EXPECT_EQ(reused.status(), 400);
  EXPECT_STREQ(reused.json["status"].GetString(), "BAD_AUTH_CODE");

  clock_.advance(std::chrono::seconds(1799));
  EXPECT_EQ(call("GET", "/crm/v3/objects/contacts?limit=1", "", access).status(), 200);
  clock_.advance(std::chrono::seconds(1));
  auto expired = call("GET", "/crm/v3/objects/contacts?limit=1", "", access);
  EXPECT_EQ(expired.status(), 401);
  error_category(expired);

  auto refreshed = token(std::string("grant_type=refresh_token&client_id=") + kClientId +
                             "&client_secret=" + kClientSecret + "&refresh_token=" + refresh,
                         "/oauth/v3/token");
  ASSERT_EQ(refreshed.status(), 200) << refreshed.response.body;
  std::string access2 = refreshed.json["access_token"].GetString();
  EXPECT_NE(access2, access);
  EXPECT_EQ(call("GET", "/crm/v3/objects/contacts?limit=1", "", access2).status(), 200);

  // Revoked refresh tokens are refused; the admin control does the same.
  EXPECT_TRUE(api_->revoke_refresh_token(refresh));
  auto revoked = token(std::string("grant_type=refresh_token&client_id=") + kClientId +
                       "&client_secret=" + kClientSecret + "&refresh_token=" + refresh);
  EXPECT_EQ(revoked.status(), 400);
  EXPECT_STREQ(revoked.json["status"].GetString(), "BAD_REFRESH_TOKEN");
}

TEST_F(HubspotAuth, ExpireAccessTokensNow) {
  std::string code = authorize("crm.objects.contacts.read");
  std::string access = token(code_grant(code)).json["access_token"].GetString();
  EXPECT_EQ(call("GET", "/crm/v3/objects/contacts?limit=1", "", access).status(), 200);
  api_->expire_access_tokens();
  EXPECT_EQ(call("GET", "/crm/v3/objects/contacts?limit=1", "", access).status(), 401);
}

TEST_F(HubspotAuth, TokenEndpointErrors) {
  auto bad_grant = token("grant_type=password");
  EXPECT_EQ(bad_grant.status(), 400);
  EXPECT_STREQ(bad_grant.json["status"].GetString(), "BAD_GRANT_TYPE");
  EXPECT_TRUE(bad_grant.json.HasMember("message") && bad_grant.json.HasMember("correlationId"));

  auto bad_client =
      token("grant_type=refresh_token&client_id=nope&client_secret=x&refresh_token=y");
  EXPECT_STREQ(bad_client.json["status"].GetString(), "BAD_CLIENT_ID");

  std::string code = authorize("crm.objects.contacts.read");
  auto wrong_redirect = token(std::string("grant_type=authorization_code&client_id=") + kClientId +
                              "&client_secret=" + kClientSecret +
                              "&redirect_uri=http://evil.example/cb&code=" + code);
  EXPECT_STREQ(wrong_redirect.json["status"].GetString(), "BAD_REDIRECT_URI");

  auto not_form = call("POST", "/oauth/v1/token", R"({"grant_type":"refresh_token"})", "");
  EXPECT_EQ(not_form.status(), 400);
}

TEST_F(HubspotAuth, AuthorizeRejectsUnknownClientRedirectAndScope) {
  EXPECT_EQ(
      call("GET", "/oauth/authorize?client_id=nope&redirect_uri=x&scope=oauth", "", "").status(),
      400);
  EXPECT_EQ(call("GET",
                 std::string("/oauth/authorize?client_id=") + kClientId +
                     "&redirect_uri=http://evil.example/cb&scope=oauth",
                 "", "")
                .status(),
            400);
  EXPECT_EQ(call("GET",
                 std::string("/oauth/authorize?client_id=") + kClientId +
                     "&redirect_uri=" + kRedirect + "&scope=crm.objects.deals.read",
                 "", "")
                .status(),
            400);
  auto denied = call("GET",
                     std::string("/oauth/authorize/decision?client_id=") + kClientId +
                         "&redirect_uri=" + kRedirect + "&scope=oauth&state=s1&decision=deny",
                     "", "");
  EXPECT_EQ(denied.status(), 302);
  EXPECT_NE(denied.header("Location").find("error=access_denied"), std::string::npos);
}

TEST_F(HubspotAuth, MissingScopeGets403) {
  auto t = token(std::string("grant_type=client_credentials&client_id=") + kClientId +
                 "&client_secret=" + kClientSecret + "&scope=crm.objects.owners.read");
  ASSERT_EQ(t.status(), 200) << t.response.body;
  EXPECT_FALSE(t.json.HasMember("refresh_token"));
  std::string access = t.json["access_token"].GetString();
  EXPECT_EQ(call("GET", "/crm/v3/owners", "", access).status(), 200);
  auto denied = call("GET", "/crm/v3/objects/contacts", "", access);
  EXPECT_EQ(denied.status(), 403);
  EXPECT_EQ(error_category(denied), "MISSING_SCOPES");
  EXPECT_STREQ(denied.json["errors"][0]["context"]["requiredGranularScopes"][0].GetString(),
               "crm.objects.contacts.read");
}

class HubspotRateLimits : public HubspotFixture {
 protected:
  void SetUp() override {
    HubspotFixture::SetUp();
    auto& l = seed_["limits"]["hubspot"];
    l["private_app_ten_secondly_max"] = 3;
    l["private_app_daily_max"] = 5;
    l["search_per_second"] = 2;
    reload();
    rate_limits_on_ = true;
  }
};

TEST_F(HubspotRateLimits, TenSecondWindowHeadersAnd429) {
  for (int i = 0; i < 3; ++i) {
    auto a = call("GET", "/crm/v3/objects/contacts?limit=1");
    ASSERT_EQ(a.status(), 200);
    EXPECT_EQ(a.header("X-HubSpot-RateLimit-Max"), "3");
    EXPECT_EQ(a.header("X-HubSpot-RateLimit-Remaining"), std::to_string(2 - i));
    EXPECT_EQ(a.header("X-HubSpot-RateLimit-Interval-Milliseconds"), "10000");
    EXPECT_EQ(a.header("X-HubSpot-RateLimit-Daily"), "5");
  }
  auto limited = call("GET", "/crm/v3/objects/contacts?limit=1");
  ASSERT_EQ(limited.status(), 429);
  EXPECT_STREQ(limited.json["status"].GetString(), "error");
  EXPECT_STREQ(limited.json["errorType"].GetString(), "RATE_LIMIT");
  EXPECT_STREQ(limited.json["policyName"].GetString(), "TEN_SECONDLY_ROLLING");
  EXPECT_STREQ(limited.json["message"].GetString(),
               "You have reached your ten_secondly_rolling limit.");
  EXPECT_TRUE(limited.json.HasMember("correlationId") && limited.json.HasMember("requestId"));
  EXPECT_EQ(limited.header("X-HubSpot-RateLimit-Remaining"), "0");

  clock_.advance(std::chrono::seconds(10));
  EXPECT_EQ(call("GET", "/crm/v3/objects/contacts?limit=1").status(), 200);
  EXPECT_EQ(call("GET", "/crm/v3/objects/contacts?limit=1").status(), 200);
  // The daily allowance (5) is now used up.
  clock_.advance(std::chrono::seconds(10));
  auto daily = call("GET", "/crm/v3/objects/contacts?limit=1");
  ASSERT_EQ(daily.status(), 429);
  EXPECT_STREQ(daily.json["policyName"].GetString(), "DAILY");
  EXPECT_EQ(daily.header("X-HubSpot-RateLimit-Daily-Remaining"), "0");
}

TEST_F(HubspotRateLimits, SearchHasItsOwnPerSecondLimitAndNoHeaders) {
  for (int i = 0; i < 2; ++i) {
    auto a = call("POST", "/crm/v3/objects/contacts/search", "{}");
    ASSERT_EQ(a.status(), 200);
    EXPECT_FALSE(a.has_header("X-HubSpot-RateLimit-Max"));
  }
  auto limited = call("POST", "/crm/v3/objects/contacts/search", "{}");
  ASSERT_EQ(limited.status(), 429);
  EXPECT_STREQ(limited.json["message"].GetString(), "You have reached your secondly limit.");
  // Search does not use up the ten-second bucket.
  EXPECT_EQ(call("GET", "/crm/v3/objects/contacts?limit=1").status(), 200);
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(call("POST", "/crm/v3/objects/contacts/search", "{}").status(), 200);
}

TEST_F(HubspotRateLimits, OauthCallsHaveNoDailyHeaders) {
  auto t = call("POST", "/oauth/v1/token",
                std::string("grant_type=client_credentials&client_id=") + kClientId +
                    "&client_secret=" + kClientSecret,
                "", "application/x-www-form-urlencoded");
  ASSERT_EQ(t.status(), 200);
  auto a = call("GET", "/crm/v3/owners", "", t.json["access_token"].GetString());
  ASSERT_EQ(a.status(), 200);
  EXPECT_EQ(a.header("X-HubSpot-RateLimit-Max"), "110");
  EXPECT_FALSE(a.has_header("X-HubSpot-RateLimit-Daily"));
}

}  // namespace
}  // namespace mock_crm_test
