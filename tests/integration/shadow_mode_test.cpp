// Shadow mode: the sidecar decides and records every new lead of both CRMs,
// and mock-crm's request log shows that it never wrote anything (no owner
// updates, no tasks, no notifications, no composite calls).
#include <gtest/gtest.h>

#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/connectors/mock_crm_process.hpp"
#include "tests/integration/sidecar_process.hpp"
#include "tests/integration/test_support.hpp"

namespace leadrouter::integration {
namespace {

using connectors::testing::MockCrmProcess;

constexpr int kLeads = 5;
const std::string kContacts = "/crm/v3/objects/contacts";
const std::string kSalesforceLeads = "/services/data/v62.0/sobjects/Lead";

// Requests that change nothing in the CRM although they are not GETs, and
// mock-crm's own calls to its webhook sink.
bool is_read(const MockRequest& r) {
  return r.method == "GET" || r.path.starts_with("/__admin/") || r.path.ends_with("/search") ||
         r.path == "/oauth/v1/token" || r.path == "/oauth/v3/token" ||
         r.path == "/services/oauth2/token";
}

class ShadowModeTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && sidecar) {
      std::cerr << "--- sidecar stderr ---\n" << sidecar->log() << "\n";
    }
  }

  MockCrmProcess mock;
  TempDir dir;
  Env env = demo_env();
  std::optional<SidecarProcess> sidecar;
};

TEST_F(ShadowModeTest, DecidesEveryLeadAndWritesNothing) {
  const std::string config = write_test_config(dir, {.poll_interval_seconds = 1});
  sidecar.emplace(
      std::vector<std::string>{"--config", config, "--crm-url", mock.base_url(), "--state",
                               dir.file("state"), "--listen", "127.0.0.1:0", "--mode", "shadow"},
      env, dir.path());

  const connectors::HttpHeaders hubspot = {{"Authorization", "Bearer " + env.at("HUBSPOT_TOKEN")}};
  const auto token =
      http_post(mock.base_url() + "/services/oauth2/token",
                "grant_type=client_credentials&client_id=3MVG9mockcrm.LeadRouterDemo."
                "ConsumerKey&client_secret=demo-sf-consumer-secret",
                {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(token.status, 200) << token.body;
  const auto token_doc = parse_json(token.body);
  const connectors::HttpHeaders salesforce = {
      {"Authorization", "Bearer " + json_string(token_doc, "/access_token")}};
  const std::string instance = json_string(token_doc, "/instance_url");

  std::set<std::string> expected;  // "connector/lead id"
  for (int n = 0; n < kLeads; ++n) {
    const std::string i = std::to_string(n);
    const auto contact = http_post(
        mock.base_url() + kContacts,
        R"({"properties":{"email":"shadow-)" + i + R"(@corp.example","company":"Corp"}})", hubspot);
    ASSERT_EQ(contact.status, 201) << contact.body;
    expected.insert("hubspot-main/" + json_string(parse_json(contact.body), "/id"));
    const auto lead =
        http_post(instance + kSalesforceLeads,
                  R"({"LastName":"Shadow )" + i + R"(","Company":"Corp","Email":"sf-shadow-)" + i +
                      R"(@corp.example"})",
                  salesforce);
    ASSERT_EQ(lead.status, 201) << lead.body;
    expected.insert("sf-main/" + json_string(parse_json(lead.body), "/id"));
  }

  std::vector<DecisionSummary> decisions;
  const bool decided = wait_until(
      [&] {
        decisions = fetch_decisions(sidecar->base_url());
        std::set<std::string> seen;
        for (const auto& d : decisions) {
          if (expected.count(d.connector + "/" + d.lead_id) != 0) {
            seen.insert(d.connector + "/" + d.lead_id);
          }
        }
        return seen == expected;
      },
      std::chrono::seconds{60}, std::chrono::milliseconds{300});
  ASSERT_TRUE(decided) << "not every lead was decided in time";
  for (const auto& d : decisions) {
    EXPECT_EQ(d.mode, "shadow") << d.decision_id;
  }
  // Give a wrongly started outbox writer a few polls' time to show itself.
  std::this_thread::sleep_for(std::chrono::seconds{3});

  int creates = 0;
  for (const auto& r : mock_requests(mock.base_url())) {
    if (is_read(r)) {
      continue;
    }
    // The test's own creates are the only writes allowed.
    if (r.method == "POST" && (r.path == kContacts || r.path == kSalesforceLeads)) {
      ++creates;
      continue;
    }
    ADD_FAILURE() << "write in shadow mode: " << r.method << " " << r.path << " (seq " << r.seq
                  << ")";
  }
  EXPECT_EQ(creates, 2 * kLeads);

  const auto metrics = http_get(sidecar->base_url() + "/metrics");
  ASSERT_EQ(metrics.status, 200);
  for (const char* state : {"pending", "done", "dead"}) {
    EXPECT_EQ(
        metric_value(metrics.body, std::string("leadrouter_outbox_rows{state=\"") + state + "\"}"),
        0.0)
        << state;
  }
  EXPECT_EQ(sidecar->stop(), 0);
}

}  // namespace
}  // namespace leadrouter::integration
