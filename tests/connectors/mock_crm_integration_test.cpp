// The connectors against a real mock-crm process: auth flows, paging, faults
// (429, 5xx, 4xx, truncated bodies, dropped connections), token expiry via the
// mock's clock, instance_url refusal and TLS verification.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "connectors/connector_config.hpp"
#include "connectors/connector_factory.hpp"
#include "connectors/http_client.hpp"
#include "connectors/oauth_token_endpoint.hpp"
#include "connectors/refreshing_token_provider.hpp"
#include "fake_transport.hpp"
#include "mock_crm_process.hpp"

namespace leadrouter::connectors {
namespace {

using testing::MockCrmProcess;

// Forwards to the real client and remembers what was asked, for assertions.
class RecordingTransport final : public HttpTransport {
 public:
  explicit RecordingTransport(std::shared_ptr<HttpTransport> inner) : inner_(std::move(inner)) {}
  std::expected<HttpResponse, Error> send(const HttpRequest& request) override {
    {
      std::lock_guard lock(mu_);
      log_.push_back({request.method + " " + request.url, std::chrono::steady_clock::now()});
    }
    return inner_->send(request);
  }
  int count(std::string_view needle) const {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::ranges::count_if(
        log_, [&](const auto& e) { return e.first.find(needle) != std::string::npos; }));
  }
  int exact(std::string_view line) const {
    std::lock_guard lock(mu_);
    return static_cast<int>(
        std::ranges::count_if(log_, [&](const auto& e) { return e.first == line; }));
  }
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> log() const {
    std::lock_guard lock(mu_);
    return log_;
  }

 private:
  std::shared_ptr<HttpTransport> inner_;
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> log_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::map<std::string, std::string> kDemoSecrets = {
    {"HUBSPOT_TOKEN", "pat-na1-11111111-2222-3333-4444-555555555555"},
    {"HUBSPOT_CLIENT_SECRET", "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"},
    {"SF_CLIENT_SECRET", "demo-sf-consumer-secret"},
    {"SF_REFRESH_TOKEN", "5Aep861demoRefreshTokenForMockCrm"},
};

class MockCrmTest : public ::testing::Test {
 protected:
  MockCrmProcess mock;
  std::shared_ptr<HttpClient> client =
      std::shared_ptr<HttpClient>(HttpClient::create({})->release());
  std::shared_ptr<RecordingTransport> transport = std::make_shared<RecordingTransport>(client);

  ConnectorEnvironment environment() {
    ConnectorEnvironment env;
    env.env = [](const std::string& name) -> std::optional<std::string> {
      if (name == "SALESFORCE_JWT_PRIVATE_KEY") {
        return read_file(LEADROUTER_SOURCE_DIR "/examples/mock_crm/salesforce-jwt-key.pem");
      }
      auto it = kDemoSecrets.find(name);
      return it == kDemoSecrets.end() ? std::nullopt : std::optional(it->second);
    };
    env.retry_options = RetryOptions{.max_attempts = 4,
                                     .initial_backoff = std::chrono::milliseconds{50},
                                     .max_backoff = std::chrono::milliseconds{200},
                                     .max_total = std::chrono::milliseconds{10'000}};
    env.transport = transport;
    return env;
  }

  ConnectorConfig example(std::string_view name) {
    auto configs = load_connector_configs(LEADROUTER_SOURCE_DIR "/examples/sidecar/config.json");
    EXPECT_TRUE(configs) << configs.error().message;
    EXPECT_TRUE(override_crm_url(*configs, mock.base_url()));
    for (auto& c : *configs) {
      if (c.name == name) {
        return c;
      }
    }
    ADD_FAILURE() << "no connector " << name;
    return {};
  }

  BuiltConnector build(const ConnectorConfig& config) {
    auto built = build_connector(config, environment());
    EXPECT_TRUE(built) << built.error().message;
    return std::move(*built);
  }

  // A CRM API call straight to the mock, as a user working in the CRM would make it.
  HttpResponse crm(const std::string& method, const std::string& path, const std::string& body,
                   const std::string& token) {
    auto r =
        client->send({method,
                      mock.base_url() + path,
                      {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
                      body});
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : HttpResponse{};
  }
  HttpResponse hubspot(const std::string& method, const std::string& path,
                       const std::string& body = "") {
    return crm(method, path, body, kDemoSecrets.at("HUBSPOT_TOKEN"));
  }
  HttpResponse salesforce(const std::string& method, const std::string& path,
                          const std::string& body = "") {
    if (sf_token_.empty()) {
      auto r = client->send({"POST",
                             mock.base_url() + "/services/oauth2/token",
                             {{"Content-Type", "application/x-www-form-urlencoded"}},
                             "grant_type=client_credentials&client_id=3MVG9mockcrm.LeadRouterDemo."
                             "ConsumerKey&client_secret=demo-sf-consumer-secret"});
      EXPECT_TRUE(r && r->status == 200) << (r ? r->body : r.error().message);
      if (r) {
        sf_token_ = testing::parse_json(r->body)["access_token"].GetString();
      }
    }
    return crm(method, "/services/data/v62.0" + path, body, sf_token_);
  }
  std::string sf_token_;

  void admin(const std::string& path, const std::string& body) {
    auto r = client->send(
        {"POST", mock.base_url() + path, {{"Content-Type", "application/json"}}, body});
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->status, 200) << path << ": " << r->body;
  }
};

TEST_F(MockCrmTest, HubSpotPrivateAppListsOwnersAndPagesAllContacts) {
  auto hs = build(example("hubspot-main"));
  auto reps = hs.connector->list_reps();
  ASSERT_TRUE(reps) << reps.error().message;
  EXPECT_EQ(reps->size(), 3u);  // archived owners and queues are not reps
  std::map<std::string, int> seen;
  LeadCursor cursor;
  for (int i = 0; i < 50; ++i) {
    auto page = hs.connector->fetch_changed_leads(cursor, 2);
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& l : page->leads) {
      ++seen[l.lead.id];
    }
    cursor = page->next;
    if (page->leads.empty() && !page->more) {
      break;
    }
  }
  EXPECT_EQ(seen.size(), 10u);  // three of them share one lastmodifieddate
  for (const auto& [id, n] : seen) {
    EXPECT_EQ(n, 1) << id;
  }
}

TEST_F(MockCrmTest, HubSpotRateLimitHeadersFeedTheLimiter) {
  MockCrmProcess limited({"--rate-limits", "on"});
  auto configs = load_connector_configs(LEADROUTER_SOURCE_DIR "/examples/sidecar/config.json");
  ASSERT_TRUE(configs);
  ASSERT_TRUE(override_crm_url(*configs, limited.base_url()));
  auto hs = build((*configs)[0]);
  ASSERT_TRUE(hs.connector->list_reps());
  const auto snapshot = hs.connector->rate_limit();
  EXPECT_EQ(snapshot.window_max, 190);  // the seed's private-app limit per 10 s
  EXPECT_EQ(snapshot.limit.requests, 190);
  EXPECT_LT(snapshot.window_remaining.value_or(1000), 190);
}

TEST_F(MockCrmTest, HubSpotApplyWritesOwnerAndOneTask) {
  auto config = example("hubspot-main");
  config.score_field = config.tier_field = config.reason_field = "";
  auto hs = build(config);
  WriteBack wb{.decision_id = "it-dec-1",
               .record_id = "100451",
               .owner_id = "41629780",
               .task = FollowUpTask{"41629780", Timestamp{std::chrono::seconds{1'780'000'000}},
                                    "high", "Call Ada", "Tier A: VP Engineering at Acme"}};
  auto first = hs.connector->apply({wb});
  ASSERT_TRUE(first[0].ok()) << first[0].error->message;
  EXPECT_FALSE(first[0].task_already_existed);
  auto second = hs.connector->apply({wb});
  ASSERT_TRUE(second[0].ok()) << second[0].error->message;
  EXPECT_TRUE(second[0].task_already_existed);
  EXPECT_EQ(second[0].task_id, first[0].task_id);
  EXPECT_EQ(transport->exact("POST " + mock.base_url() + "/crm/v3/objects/tasks"), 1);
}

TEST_F(MockCrmTest, Http429WaitsForRetryAfterBeforeTheNextRequest) {
  auto hs = build(example("hubspot-main"));
  admin("/__admin/faults",
        R"({"path_prefix":"/crm/v3/owners","status":429,"retry_after_seconds":1,"count":1})");
  auto reps = hs.connector->list_reps();
  ASSERT_TRUE(reps) << reps.error().message;
  const auto log = transport->log();
  std::vector<std::chrono::steady_clock::time_point> owner_calls;
  for (const auto& [what, at] : log) {
    if (what.find("/crm/v3/owners") != std::string::npos) {
      owner_calls.push_back(at);
    }
  }
  ASSERT_EQ(owner_calls.size(), 2u);
  EXPECT_GE(owner_calls[1] - owner_calls[0], std::chrono::milliseconds{1000});
}

TEST_F(MockCrmTest, ServerErrorsAreRetriedClientErrorsAreNot) {
  auto hs = build(example("hubspot-main"));
  admin("/__admin/faults",
        R"({"path_prefix":"/crm/v3/owners","status":503,"retry_after_seconds":0,"count":2})");
  ASSERT_TRUE(hs.connector->list_reps());
  EXPECT_EQ(transport->count("/crm/v3/owners"), 3);
  admin("/__admin/faults", R"({"path_prefix":"/crm/v3/owners","status":400,"count":1})");
  auto refused = hs.connector->list_reps();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kPermanent);
  EXPECT_EQ(refused.error().http_status, 400);
  EXPECT_EQ(transport->count("/crm/v3/owners"), 4);
}

TEST_F(MockCrmTest, TruncatedBodiesAndDroppedConnectionsAreRetryable) {
  const HttpRequest owners{"GET",
                           mock.base_url() + "/crm/v3/owners",
                           {{"Authorization", "Bearer " + kDemoSecrets.at("HUBSPOT_TOKEN")}},
                           ""};
  admin("/__admin/faults", R"({"path_prefix":"/crm/v3/owners","truncate":true,"count":1})");
  auto truncated = (*HttpClient::create({}))->send(owners);
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().kind, ErrorKind::kRetryable);
  EXPECT_NE(truncated.error().message.find("truncated"), std::string::npos)
      << truncated.error().message;
  admin("/__admin/faults", R"({"path_prefix":"/crm/v3/owners","drop":true,"count":1})");
  auto dropped = (*HttpClient::create({}))->send(owners);
  ASSERT_FALSE(dropped);
  EXPECT_EQ(dropped.error().kind, ErrorKind::kRetryable);
  // Through the connector both are absorbed by a retry.
  auto hs = build(example("hubspot-main"));
  admin(
      "/__admin/faults",
      R"({"faults":[{"path_prefix":"/crm/v3/owners","truncate":true,"count":1},{"path_prefix":"/crm/v3/owners","drop":true,"count":1}]})");
  auto reps = hs.connector->list_reps();
  ASSERT_TRUE(reps) << reps.error().message;
}

TEST_F(MockCrmTest, SalesforceJwtBearerListsUsersAndPagesLeads) {
  auto sf = build(example("sf-main"));
  auto reps = sf.connector->list_reps();
  ASSERT_TRUE(reps) << reps.error().message;
  EXPECT_GE(reps->size(), 3u);
  for (const auto& r : *reps) {
    EXPECT_TRUE(r.active);
  }
  std::map<std::string, int> seen;
  LeadCursor cursor;
  for (int i = 0; i < 50; ++i) {
    auto page = sf.connector->fetch_changed_leads(cursor, 2);
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& l : page->leads) {
      ++seen[l.lead.id];
    }
    cursor = page->next;
    if (!page->more) {
      break;
    }
  }
  EXPECT_EQ(seen.size(), 6u);
  for (const auto& [id, n] : seen) {
    EXPECT_EQ(n, 1) << id;
  }
  EXPECT_TRUE(sf.connector->rate_limit().daily_max.has_value());
}

TEST_F(MockCrmTest, FetchLeadReadsOneRecordAsThePollDoesForBothCrms) {
  auto hs = build(example("hubspot-main"));
  auto contact = hs.connector->fetch_lead("100452");
  ASSERT_TRUE(contact) << contact.error().message;
  EXPECT_EQ(contact->lead.id, "100452");
  EXPECT_EQ(contact->lead.email, "grace@globex.example");
  EXPECT_EQ(contact->lead.country, "DE");  // "Germany" in HubSpot
  EXPECT_EQ(contact->owner_id, "41629780");
  EXPECT_NE(contact->modified_at, TimestampMs{});
  // The poll returns the same lead the same way.
  LeadCursor cursor;
  std::optional<ChangedLead> polled;
  for (int i = 0; i < 20 && !polled; ++i) {
    auto page = hs.connector->fetch_changed_leads(cursor, 10);
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& l : page->leads) {
      if (l.lead.id == "100452") {
        polled = l;
      }
    }
    cursor = page->next;
    if (page->leads.empty() && !page->more) {
      break;
    }
  }
  ASSERT_TRUE(polled);
  EXPECT_EQ(polled->lead.country, contact->lead.country);
  EXPECT_EQ(polled->modified_at, contact->modified_at);
  EXPECT_EQ(polled->lead.created_at, contact->lead.created_at);
  auto missing = hs.connector->fetch_lead("999999999");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);

  auto sf = build(example("sf-main"));
  auto lead = sf.connector->fetch_lead("00QDm0000000NPdMAM");
  ASSERT_TRUE(lead) << lead.error().message;
  EXPECT_EQ(lead->lead.email, "grace@harbor-analytics.example");
  EXPECT_EQ(lead->lead.country, "US");  // "United States" in Salesforce
  EXPECT_EQ(lead->owner_id, "005Dm0000000NPcIAM");
  EXPECT_EQ(lead->lead.object_type, "lead");
  // No such lead, and an id of another object (a Contact's prefix).
  for (const char* id : {"00QDm0000000ZZZ", "003Dm0000000NPc"}) {
    auto gone = sf.connector->fetch_lead(id);
    ASSERT_FALSE(gone) << id;
    EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound) << gone.error().message;
  }
}

TEST_F(MockCrmTest, SalesforceClientCredentialsAndRefreshTokenFlows) {
  auto config = example("sf-main");
  config.auth = AuthConfig{.kind = "client_credentials",
                           .client_id = config.auth.client_id,
                           .client_secret = {.env = "SF_CLIENT_SECRET", .file = ""}};
  auto cc = build(config);
  auto reps = cc.connector->list_reps();
  ASSERT_TRUE(reps) << reps.error().message;
  config.auth = AuthConfig{.kind = "refresh_token",
                           .client_id = config.auth.client_id,
                           .client_secret = {.env = "SF_CLIENT_SECRET", .file = ""},
                           .refresh_token = {.env = "SF_REFRESH_TOKEN", .file = ""}};
  auto rt = build(config);
  auto again = rt.connector->list_reps();
  ASSERT_TRUE(again) << again.error().message;
}

TEST_F(MockCrmTest, ExpiredSessionRefreshesOnceAndRevokedRefreshTokenStops) {
  auto config = example("sf-main");
  config.auth = AuthConfig{.kind = "refresh_token",
                           .client_id = config.auth.client_id,
                           .client_secret = {.env = "SF_CLIENT_SECRET", .file = ""},
                           .refresh_token = {.env = "SF_REFRESH_TOKEN", .file = ""}};
  auto sf = build(config);
  auto* provider = dynamic_cast<RefreshingTokenProvider*>(sf.tokens.get());
  ASSERT_NE(provider, nullptr);
  ASSERT_TRUE(sf.connector->list_reps());
  EXPECT_EQ(provider->fetch_count(), 1);
  // Move the mock's clock past the session timeout: the next call gets a 401.
  admin("/__admin/clock", R"({"advance_seconds":7300})");
  ASSERT_TRUE(sf.connector->list_reps());
  EXPECT_EQ(provider->fetch_count(), 2);
  admin("/__admin/faults", R"({"revoke_refresh_token":"5Aep861demoRefreshTokenForMockCrm"})");
  admin("/__admin/faults", R"({"expire_access_tokens":true})");
  auto stopped = sf.connector->list_reps();
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().kind, ErrorKind::kAuth);
  EXPECT_NE(stopped.error().message.find("invalid_grant"), std::string::npos)
      << stopped.error().message;
  const int token_calls = transport->count("/services/oauth2/token");
  EXPECT_FALSE(sf.connector->list_reps());
  EXPECT_EQ(transport->count("/services/oauth2/token"), token_calls) << "invalid_grant was retried";
}

TEST_F(MockCrmTest, FiftyConcurrentCallersGetOneToken) {
  auto sf = build(example("sf-main"));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&] {
      if (sf.tokens->token()) {
        ++ok;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(transport->count("/services/oauth2/token"), 1);
}

TEST_F(MockCrmTest, InstanceUrlOutsideTheAllowedHostsGetsNoToken) {
  auto config = example("sf-main");
  config.test_origin.clear();  // the mock's loopback instance_url is no longer allowed
  auto sf = build(config);
  auto reps = sf.connector->list_reps();
  ASSERT_FALSE(reps);
  EXPECT_EQ(reps.error().kind, ErrorKind::kAuth);
  EXPECT_NE(reps.error().message.find("instance_url"), std::string::npos);
  for (const auto& [what, at] : transport->log()) {
    EXPECT_NE(what.find("/services/oauth2/token"), std::string::npos) << what;
  }
}

TEST_F(MockCrmTest, HubSpotOAuthRefreshFlowAndInvalidGrant) {
  // Obtain a refresh token the way an admin would: consent, then code exchange.
  auto consent = client->send(
      {"GET",
       mock.base_url() +
           "/oauth/authorize/decision?client_id=6d3c1a52-4f0e-4c5b-9a51-2f1a0c7d9e01"
           "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8787%2Foauth%2Fcallback"
           "&scope=oauth%20crm.objects.contacts.read%20crm.objects.owners.read&decision=approve",
       {},
       ""});
  ASSERT_TRUE(consent) << consent.error().message;
  const auto location = consent->header("Location").value_or("");
  const auto code_at = location.find("code=");
  ASSERT_NE(code_at, std::string::npos) << consent->status << " " << consent->body;
  const auto code = location.substr(code_at + 5, location.find('&', code_at) - code_at - 5);
  auto exchanged = request_token(*client, mock.base_url() + "/oauth/v1/token",
                                 {{"grant_type", "authorization_code"},
                                  {"client_id", "6d3c1a52-4f0e-4c5b-9a51-2f1a0c7d9e01"},
                                  {"client_secret", "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"},
                                  {"redirect_uri", "http://127.0.0.1:8787/oauth/callback"},
                                  {"code", code}},
                                 "test code exchange");
  ASSERT_TRUE(exchanged) << exchanged.error().message;
  ASSERT_TRUE(exchanged->refresh_token);

  const auto dir =
      std::filesystem::temp_directory_path() / ("lr-oauth-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto rt_file = (dir / "refresh_token").string();
  ASSERT_TRUE(write_secret_file(rt_file, *exchanged->refresh_token));
  auto config = example("hubspot-main");
  config.auth = AuthConfig{.kind = "oauth",
                           .client_id = "6d3c1a52-4f0e-4c5b-9a51-2f1a0c7d9e01",
                           .client_secret = {.env = "HUBSPOT_CLIENT_SECRET", .file = ""},
                           .refresh_token = {.env = "", .file = rt_file}};
  auto hs = build(config);
  auto reps = hs.connector->list_reps();
  ASSERT_TRUE(reps) << reps.error().message;
  // Expired access tokens: one refresh, then the call succeeds.
  admin("/__admin/faults", R"({"expire_access_tokens":true})");
  ASSERT_TRUE(hs.connector->list_reps());
  EXPECT_EQ(transport->count("/oauth/v1/token"), 2);
  // Whatever refresh token HubSpot now holds for us is the one in the file.
  const auto stored = *resolve_secret({.env = "", .file = rt_file}, process_environment(), "t");
  admin("/__admin/faults", R"({"revoke_refresh_token":")" + stored + R"("})");
  admin("/__admin/faults", R"({"expire_access_tokens":true})");
  auto stopped = hs.connector->list_reps();
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().kind, ErrorKind::kAuth);
  std::filesystem::remove_all(dir);
}

// Accounts, duplicates and SLA checks against the mock, each through what a
// CRM user would do: records created in bulk (one timestamp for all), a
// twin contact, a task completed or a status changed in the CRM.

TEST_F(MockCrmTest, HubSpotAccountFeedPagesThroughASharedTimestamp) {
  std::string inputs;
  for (int i = 0; i < 7; ++i) {
    inputs += fmt::format(
        R"({}{{"properties":{{"name":"Bulk {}","domain":"bulk{}.example","numberofemployees":"{}","annualrevenue":"900000"}}}})",
        i ? "," : "", i, i, i % 2 ? "40" : "0");
  }
  auto created =
      hubspot("POST", "/crm/v3/objects/companies/batch/create", R"({"inputs":[)" + inputs + "]}");
  ASSERT_EQ(created.status, 201) << created.body;

  auto hs = build(example("hubspot-main"));
  std::map<std::string, CrmAccount> seen;
  std::map<std::string, int> times_seen;
  LeadCursor cursor;
  int pages = 0;
  for (; pages < 50; ++pages) {
    auto page = hs.connector->fetch_changed_accounts(cursor, 3);
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& a : page->accounts) {
      ++times_seen[a.id];
      seen[a.id] = a;
    }
    cursor = *LeadCursor::parse(page->next.serialize());
    if (page->accounts.empty() && !page->more) {
      break;
    }
  }
  EXPECT_GT(pages, 3);
  ASSERT_EQ(seen.size(), 11u);  // 4 seeded companies and the 7 new ones
  for (const auto& [id, n] : times_seen) {
    EXPECT_EQ(n, 1) << id;
  }
  std::set<TimestampMs> bulk_times;
  for (const auto& [id, a] : seen) {
    if (a.name.starts_with("Bulk ")) {
      bulk_times.insert(a.modified_at);
      EXPECT_EQ(a.size, a.name.back() % 2 ? 40 : 900000) << a.name;
    }
  }
  EXPECT_EQ(bulk_times.size(), 1u);  // one request, one timestamp
  EXPECT_EQ(seen["5001"].name, "Acme Corp");
  EXPECT_EQ(seen["5001"].domain, "acme.example");
  EXPECT_EQ(seen["5001"].size, 1200);
  EXPECT_EQ(seen["5001"].owner_id, "41629779");

  // A change in the CRM brings the company back, and only it.
  auto patched =
      hubspot("PATCH", "/crm/v3/objects/companies/5003", R"({"properties":{"name":"Initech AG"}})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto next = hs.connector->fetch_changed_accounts(cursor, 3);
  ASSERT_TRUE(next) << next.error().message;
  ASSERT_EQ(next->accounts.size(), 1u);
  EXPECT_EQ(next->accounts[0].name, "Initech AG");
}

TEST_F(MockCrmTest, HubSpotFindPeopleByEmailOrNameExcludingTheLeadItself) {
  auto twin = hubspot("POST", "/crm/v3/objects/contacts",
                      R"({"properties":{"email":"a.lovelace@elsewhere.example","firstname":"ADA",
                          "lastname":"lovelace","hubspot_owner_id":"41629780"}})");
  ASSERT_EQ(twin.status, 201) << twin.body;
  const std::string twin_id = testing::parse_json(twin.body)["id"].GetString();
  auto hs = build(example("hubspot-main"));

  // The new twin is the lead: the seeded Ada (same name) is its duplicate.
  auto people = hs.connector->find_people({.exclude_record_id = twin_id,
                                           .email = "a.lovelace@elsewhere.example",
                                           .first_name = "Ada",
                                           .last_name = "Lovelace"});
  ASSERT_TRUE(people) << people.error().message;
  ASSERT_EQ(people->size(), 1u);
  EXPECT_EQ((*people)[0].id, "100451");
  EXPECT_EQ((*people)[0].email, "ada@acme.example");
  EXPECT_EQ((*people)[0].company, "Acme Corp");
  EXPECT_EQ((*people)[0].object_type, "contact");

  // From the seeded Ada's side: the twin by name, oldest first, owner set.
  people = hs.connector->find_people({.exclude_record_id = "100451",
                                      .email = "ada@acme.example",
                                      .first_name = "Ada",
                                      .last_name = "Lovelace"});
  ASSERT_TRUE(people) << people.error().message;
  ASSERT_EQ(people->size(), 1u);
  EXPECT_EQ((*people)[0].id, twin_id);
  EXPECT_EQ((*people)[0].owner_id, "41629780");

  // By email alone, case folded.
  people = hs.connector->find_people({.email = "GRACE@globex.example"});
  ASSERT_TRUE(people) << people.error().message;
  ASSERT_EQ(people->size(), 1u);
  EXPECT_EQ((*people)[0].id, "100452");
  EXPECT_EQ((*people)[0].owner_id, "41629780");
}

TEST_F(MockCrmTest, HubSpotWorkStatusFollowsTheTaskAndTheLeadStatusInTheCrm) {
  auto config = example("hubspot-main");
  config.score_field = config.tier_field = config.reason_field = "";
  auto hs = build(config);
  const auto since = TimestampMs{std::chrono::milliseconds{1'700'000'000'000}};
  WriteBack wb{.decision_id = "it-sla-1",
               .record_id = "100453",
               .owner_id = "41629780",
               .task = FollowUpTask{"41629780", Timestamp{std::chrono::seconds{1'780'000'000}},
                                    "high", "Call Alan", "Tier A"}};
  auto applied = hs.connector->apply({wb});
  ASSERT_TRUE(applied[0].ok()) << applied[0].error->message;
  const std::string task_id = applied[0].task_id;

  const WorkCheck by_marker{.record_id = "100453", .decision_id = "it-sla-1", .since = since};
  auto status = hs.connector->work_status(by_marker);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(status->worked);

  auto done = hubspot("PATCH", "/crm/v3/objects/tasks/" + task_id,
                      R"({"properties":{"hs_task_status":"COMPLETED"}})");
  ASSERT_EQ(done.status, 200) << done.body;
  const auto stamped = parse_crm_time(
      testing::parse_json(done.body)["properties"]["hs_lastmodifieddate"].GetString());
  for (const auto& check :
       {by_marker, WorkCheck{.record_id = "100453", .task_id = task_id, .since = since}}) {
    status = hs.connector->work_status(check);
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_TRUE(status->worked);
    EXPECT_EQ(status->evidence, "task " + task_id + " completed");
    EXPECT_EQ(status->worked_at, stamped);
  }

  // A lead status field: untouched while NEW or empty, worked once changed.
  const WorkCheck by_field{.record_id = "100454",
                           .since = since,
                           .task_completed = false,
                           .field = "hs_lead_status",
                           .untouched_values = {"", "NEW"}};
  status = hs.connector->work_status(by_field);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(status->worked);
  auto changed = hubspot("PATCH", "/crm/v3/objects/contacts/100454",
                         R"({"properties":{"hs_lead_status":"IN_PROGRESS"}})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  status = hs.connector->work_status(by_field);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_TRUE(status->worked);
  EXPECT_EQ(status->evidence, "hs_lead_status=IN_PROGRESS");
  EXPECT_EQ(status->worked_at,
            parse_crm_time(
                testing::parse_json(changed.body)["properties"]["lastmodifieddate"].GetString()));

  // A deleted task is simply not worked; a deleted contact is not found.
  ASSERT_EQ(hubspot("DELETE", "/crm/v3/objects/tasks/" + task_id).status, 204);
  status = hs.connector->work_status({.record_id = "100453", .task_id = task_id});
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(status->worked);
  auto gone = hs.connector->work_status({.record_id = "999999", .decision_id = "it-sla-1"});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
}

TEST_F(MockCrmTest, SalesforceAccountFeedPagesThroughASharedTimestamp) {
  std::string records;
  for (int i = 0; i < 7; ++i) {
    records += fmt::format(
        R"({}{{"attributes":{{"type":"Account"}},"Name":"Bulk {}","Website":"https://bulk{}.example","AnnualRevenue":{}}})",
        i ? "," : "", i, i, 1000 * (i + 1));
  }
  auto created = salesforce("POST", "/composite/sobjects",
                            R"({"allOrNone":true,"records":[)" + records + "]}");
  ASSERT_EQ(created.status, 200) << created.body;

  auto sf = build(example("sf-main"));
  std::map<std::string, CrmAccount> seen;
  std::map<std::string, int> times_seen;
  LeadCursor cursor;
  int pages = 0;
  for (; pages < 50; ++pages) {
    auto page = sf.connector->fetch_changed_accounts(cursor, 3);
    ASSERT_TRUE(page) << page.error().message;
    for (const auto& a : page->accounts) {
      ++times_seen[a.id];
      seen[a.id] = a;
    }
    cursor = *LeadCursor::parse(page->next.serialize());
    if (!page->more) {
      break;
    }
  }
  EXPECT_GE(pages, 2);
  ASSERT_EQ(seen.size(), 9u);  // 2 seeded accounts and the 7 new ones
  for (const auto& [id, n] : times_seen) {
    EXPECT_EQ(n, 1) << id;
  }
  std::set<TimestampMs> bulk_times;
  for (const auto& [id, a] : seen) {
    if (a.name.starts_with("Bulk ")) {
      bulk_times.insert(a.modified_at);
      EXPECT_EQ(a.size, 1000 * (a.name.back() - '0' + 1)) << a.name;
      EXPECT_EQ(a.domain, "");
      EXPECT_TRUE(a.website.starts_with("https://bulk"));
    }
  }
  EXPECT_EQ(bulk_times.size(), 1u);
  const auto& acme = seen["001Dm0000000NPcIAM"];
  EXPECT_EQ(acme.name, "Acme GmbH");
  EXPECT_EQ(acme.size, 1200);
  EXPECT_EQ(acme.owner_id, "005Dm0000000NPdIAM");
  auto again = sf.connector->fetch_changed_accounts(cursor, 3);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->accounts.empty());
}

TEST_F(MockCrmTest, SalesforceFindPeopleSkipsTheLeadItselfAndConvertedLeads) {
  auto contact =
      salesforce("POST", "/sobjects/Contact",
                 R"({"FirstName":"Ada","LastName":"LOVELACE","Email":"ada.l@acme.example",
                                "AccountId":"001Dm0000000NPcIAM","OwnerId":"005Dm0000000NPeIAM"})");
  ASSERT_EQ(contact.status, 201) << contact.body;
  const std::string contact_id = testing::parse_json(contact.body)["id"].GetString();
  // A new lead with the email of the converted lead Clara Weiss.
  auto lead = salesforce("POST", "/sobjects/Lead",
                         R"({"FirstName":"Klara","LastName":"Weiss-Berg","Company":"Weiss Bau",
                             "Email":"CLARA@weiss-bau.example"})");
  ASSERT_EQ(lead.status, 201) << lead.body;
  const std::string lead_id = testing::parse_json(lead.body)["id"].GetString();
  auto sf = build(example("sf-main"));

  auto people = sf.connector->find_people({.exclude_record_id = lead_id,
                                           .email = "clara@weiss-bau.example",
                                           .first_name = "Klara",
                                           .last_name = "Weiss-Berg"});
  ASSERT_TRUE(people) << people.error().message;
  EXPECT_TRUE(people->empty()) << (*people)[0].id;

  people = sf.connector->find_people({.exclude_record_id = "00QDm0000000NPcMAM",
                                      .email = "ada@acme.example",
                                      .first_name = "ada",
                                      .last_name = "Lovelace"});
  ASSERT_TRUE(people) << people.error().message;
  ASSERT_EQ(people->size(), 1u);
  EXPECT_EQ((*people)[0].id, contact_id);
  EXPECT_EQ((*people)[0].object_type, "contact");
  EXPECT_EQ((*people)[0].account_id, "001Dm0000000NPcIAM");
  EXPECT_EQ((*people)[0].owner_id, "005Dm0000000NPeIAM");

  // From the contact's side: the open lead Ada, by email and name.
  people = sf.connector->find_people({.exclude_record_id = contact_id,
                                      .email = "ada@acme.example",
                                      .first_name = "Ada",
                                      .last_name = "Lovelace"});
  ASSERT_TRUE(people) << people.error().message;
  ASSERT_EQ(people->size(), 1u);
  EXPECT_EQ((*people)[0].id, "00QDm0000000NPcMAM");
  EXPECT_EQ((*people)[0].object_type, "lead");
  EXPECT_EQ((*people)[0].company, "Acme GmbH");
}

TEST_F(MockCrmTest, SalesforceWorkStatusFollowsTheTaskAndTheLeadStatusInTheCrm) {
  auto sf = build(example("sf-main"));
  const std::string lead = "00QDm0000000NPdMAM";
  WriteBack wb{
      .decision_id = "it-sla-sf",
      .record_id = lead,
      .owner_id = "005Dm0000000NPeIAM",
      .task = FollowUpTask{"005Dm0000000NPeIAM", Timestamp{std::chrono::seconds{1'780'000'000}},
                           "high", "Call Grace", "Tier A"}};
  auto applied = sf.connector->apply({wb});
  ASSERT_TRUE(applied[0].ok()) << applied[0].error->message;
  const std::string task_id = applied[0].task_id;

  const WorkCheck by_marker{.record_id = lead, .decision_id = "it-sla-sf"};
  auto status = sf.connector->work_status(by_marker);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(status->worked);

  ASSERT_EQ(salesforce("PATCH", "/sobjects/Task/" + task_id, R"({"Status":"Completed"})").status,
            204);
  const auto task = testing::parse_json(
      salesforce("GET", "/sobjects/Task/" + task_id + "?fields=LastModifiedDate").body);
  for (const auto& check : {by_marker, WorkCheck{.record_id = lead, .task_id = task_id}}) {
    status = sf.connector->work_status(check);
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_TRUE(status->worked);
    EXPECT_EQ(status->evidence, "task " + task_id + " completed");
    EXPECT_EQ(status->worked_at, parse_crm_time(task["LastModifiedDate"].GetString()));
  }

  const WorkCheck by_field{.record_id = "00QDm0000000NPfMAM",
                           .task_completed = false,
                           .field = "Status",
                           .untouched_values = {"Open - Not Contacted"}};
  status = sf.connector->work_status(by_field);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(status->worked);
  ASSERT_EQ(salesforce("PATCH", "/sobjects/Lead/00QDm0000000NPfMAM",
                       R"({"Status":"Working - Contacted"})")
                .status,
            204);
  status = sf.connector->work_status(by_field);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_TRUE(status->worked);
  EXPECT_EQ(status->evidence, "Status=Working - Contacted");
  EXPECT_TRUE(status->worked_at);

  ASSERT_EQ(salesforce("DELETE", "/sobjects/Task/" + task_id).status, 204);
  status = sf.connector->work_status({.record_id = lead, .task_id = task_id});
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(status->worked);
  auto gone = sf.connector->work_status({.record_id = "00QDm0000000ZZZ"});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
}

class TlsMockCrmTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = (std::filesystem::temp_directory_path() / ("lr-tls-" + std::to_string(::getpid())))
               .string();
    std::filesystem::create_directories(dir_);
    // A self-signed certificate valid for "localhost" only (not 127.0.0.1).
    const auto cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost -keyout " +
        dir_ + "/key.pem -out " + dir_ + "/cert.pem >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
  static std::string dir_;
};
std::string TlsMockCrmTest::dir_;

TEST_F(TlsMockCrmTest, VerifiesTheCertificateAndTheHostName) {
  MockCrmProcess mock({"--tls-cert", dir_ + "/cert.pem", "--tls-key", dir_ + "/key.pem"});
  ASSERT_TRUE(mock.base_url().starts_with("https://")) << mock.base_url();
  const std::string localhost = "https://localhost:" + mock.port() + "/__admin/state";
  const std::string by_ip = "https://127.0.0.1:" + mock.port() + "/__admin/state";

  auto system_trust = HttpClient::create({});
  auto untrusted = (*system_trust)->send({"GET", localhost, {}, ""});
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error().kind, ErrorKind::kPermanent);
  EXPECT_NE(untrusted.error().message.find("certificate verify failed"), std::string::npos)
      << untrusted.error().message;

  auto with_ca = HttpClient::create({.ca_file = dir_ + "/cert.pem"});
  ASSERT_TRUE(with_ca) << with_ca.error().message;
  auto trusted = (*with_ca)->send({"GET", localhost, {}, ""});
  ASSERT_TRUE(trusted) << trusted.error().message;
  EXPECT_EQ(trusted->status, 200);
  // The same trusted certificate does not name 127.0.0.1.
  auto wrong_host = (*with_ca)->send({"GET", by_ip, {}, ""});
  ASSERT_FALSE(wrong_host);
  EXPECT_EQ(wrong_host.error().kind, ErrorKind::kPermanent);
}

TEST(HttpClient, RefusesPlainHttpToNonLoopbackHosts) {
  auto client = HttpClient::create({});
  auto r = (*client)->send({"GET", "http://example.com/", {}, ""});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("plain http"), std::string::npos);
}

}  // namespace
}  // namespace leadrouter::connectors
