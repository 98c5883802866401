// Salesforce end to end: Leads created through mock-crm's REST API (as the
// integration user) are polled by the sidecar, routed, and written back: the
// OwnerId moves to the chosen rep and one Task with WhoId = the lead appears;
// the audit log agrees with the CRM.
#include <gtest/gtest.h>

#include <cctype>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/connectors/mock_crm_process.hpp"
#include "tests/integration/sidecar_process.hpp"
#include "tests/integration/test_support.hpp"

namespace leadrouter::integration {
namespace {

using connectors::testing::MockCrmProcess;

constexpr int kLeads = 20;
const std::string kApi = "/services/data/v62.0";
const std::set<std::string> kPool = {"005Dm0000000NPdIAM", "005Dm0000000NPeIAM",
                                     "005Dm0000000NPfIAM"};

std::string url_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class SalesforceE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto response =
        http_post(mock.base_url() + "/services/oauth2/token",
                  "grant_type=client_credentials&client_id=3MVG9mockcrm.LeadRouterDemo.ConsumerKey"
                  "&client_secret=demo-sf-consumer-secret",
                  {{"Content-Type", "application/x-www-form-urlencoded"}});
    ASSERT_EQ(response.status, 200) << response.body;
    const auto doc = parse_json(response.body);
    token = json_string(doc, "/access_token");
    instance = json_string(doc, "/instance_url");
    ASSERT_FALSE(token.empty());
    ASSERT_FALSE(instance.empty());
  }

  void TearDown() override {
    if (HasFailure() && sidecar) {
      std::cerr << "--- sidecar stderr ---\n" << sidecar->log() << "\n";
    }
  }

  connectors::HttpHeaders auth() const { return {{"Authorization", "Bearer " + token}}; }

  std::string create_lead(int n) {
    const std::string i = std::to_string(n);
    const std::string body = R"({"FirstName":"Lead","LastName":"Number )" + i +
                             R"(","Company":"Corp )" + i + R"(","Email":"sf-e2e-)" + i +
                             R"(@corp)" + i + R"(.example","Title":"Head of Operations"})";
    const auto response = http_post(instance + kApi + "/sobjects/Lead", body, auth());
    if (response.status != 201) {
      throw std::runtime_error("create lead: " + std::to_string(response.status) + " " +
                               response.body);
    }
    return json_string(parse_json(response.body), "/id");
  }

  std::string owner_of(const std::string& lead) {
    const auto response = http_get(instance + kApi + "/sobjects/Lead/" + lead, auth());
    return response.status == 200 ? json_string(parse_json(response.body), "/OwnerId") : "";
  }

  // Tasks per WhoId among `leads`, read with one SOQL query.
  std::map<std::string, int> tasks_by_lead() {
    const auto response = http_get(
        instance + kApi + "/query?q=" + url_encode("SELECT Id, WhoId, OwnerId FROM Task"), auth());
    std::map<std::string, int> counts;
    if (response.status != 200) {
      return counts;
    }
    const auto doc = parse_json(response.body);
    if (const auto* records = json_at(doc, "/records"); records != nullptr && records->IsArray()) {
      for (const auto& r : records->GetArray()) {
        ++counts[json_string(r, "/WhoId")];
      }
    }
    return counts;
  }

  MockCrmProcess mock;
  TempDir dir;
  Env env = demo_env();
  std::string token;
  std::string instance;
  std::optional<SidecarProcess> sidecar;
};

TEST_F(SalesforceE2eTest, NewLeadsGetAnOwnerAndOneTaskMatchingTheAuditLog) {
  const std::string config = write_test_config(dir, {.poll_interval_seconds = 1});
  sidecar.emplace(std::vector<std::string>{"--config", config, "--crm-url", mock.base_url(),
                                           "--state", dir.file("state"), "--listen", "127.0.0.1:0"},
                  env, dir.path());

  std::vector<std::string> ids;
  for (int n = 0; n < kLeads; ++n) {
    ids.push_back(create_lead(n));
    ASSERT_FALSE(ids.back().empty());
  }
  const std::string creator = owner_of(ids.front());
  ASSERT_FALSE(creator.empty());
  ASSERT_EQ(kPool.count(creator), 0u) << "the creating user must not be one of the pool's reps";

  std::map<std::string, std::string> owners;
  std::map<std::string, int> tasks;
  const bool written = wait_until(
      [&] {
        tasks = tasks_by_lead();
        for (const auto& id : ids) {
          const std::string owner = owner_of(id);
          if (owner.empty() || owner == creator || tasks[id] < 1) {
            return false;
          }
          owners[id] = owner;
        }
        return true;
      },
      std::chrono::seconds{90}, std::chrono::milliseconds{500});
  ASSERT_TRUE(written) << "not every lead got a new owner and a task in time";

  const auto decisions = fetch_decisions(sidecar->base_url());
  for (const auto& id : ids) {
    SCOPED_TRACE("lead " + id);
    EXPECT_EQ(tasks[id], 1);
    EXPECT_EQ(kPool.count(owners[id]), 1u) << owners[id];
    int found = 0;
    for (const auto& d : decisions) {
      if (d.connector == "sf-main" && d.lead_id == id) {
        ++found;
        EXPECT_EQ(d.assignee_kind, "rep");
        EXPECT_EQ(d.assignee_id, owners[id]);
      }
    }
    EXPECT_EQ(found, 1);
  }

  EXPECT_EQ(sidecar->stop(), 0);
}

}  // namespace
}  // namespace leadrouter::integration
