// HubSpot end to end: contacts created through mock-crm's API are picked up by
// the sidecar's poller, routed, and written back (owner + one follow-up task);
// the audit log agrees with what the CRM holds.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/connectors/mock_crm_process.hpp"
#include "tests/integration/sidecar_process.hpp"
#include "tests/integration/test_support.hpp"

namespace leadrouter::integration {
namespace {

using connectors::testing::MockCrmProcess;

constexpr int kLeads = 20;

struct ContactState {
  std::string owner_id;
  int tasks = 0;
};

class HubSpotE2eTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && sidecar) {
      std::cerr << "--- sidecar stderr ---\n" << sidecar->log() << "\n";
    }
  }

  connectors::HttpHeaders hubspot_auth() const {
    return {{"Authorization", "Bearer " + env.at("HUBSPOT_TOKEN")}};
  }

  std::string create_contact(int n) {
    const std::string body = fmt_contact(n);
    const auto response =
        http_post(mock.base_url() + "/crm/v3/objects/contacts", body, hubspot_auth());
    if (response.status != 201) {
      throw std::runtime_error("create contact: " + std::to_string(response.status) + " " +
                               response.body);
    }
    return json_string(parse_json(response.body), "/id");
  }

  static std::string fmt_contact(int n) {
    const std::string i = std::to_string(n);
    return R"({"properties":{"email":"e2e-)" + i + R"(@corp)" + i +
           R"(.example","firstname":"Lead","lastname":"Number )" + i + R"(","company":"Corp )" + i +
           R"(","jobtitle":"Head of Operations"}})";
  }

  std::optional<ContactState> contact_state(const std::string& id) {
    const auto response = http_get(mock.base_url() + "/crm/v3/objects/contacts/" + id +
                                       "?properties=hubspot_owner_id&associations=tasks",
                                   hubspot_auth());
    if (response.status != 200) {
      return std::nullopt;
    }
    const auto doc = parse_json(response.body);
    ContactState state;
    state.owner_id = json_string(doc, "/properties/hubspot_owner_id");
    if (const auto* tasks = json_at(doc, "/associations/tasks/results");
        tasks != nullptr && tasks->IsArray()) {
      state.tasks = static_cast<int>(tasks->Size());
    }
    return state;
  }

  MockCrmProcess mock;
  TempDir dir;
  Env env = demo_env();
  std::optional<SidecarProcess> sidecar;
};

TEST_F(HubSpotE2eTest, NewContactsGetAnOwnerAndOneTaskMatchingTheAuditLog) {
  const std::string config = write_test_config(dir, {.poll_interval_seconds = 1});
  sidecar.emplace(std::vector<std::string>{"--config", config, "--crm-url", mock.base_url(),
                                           "--state", dir.file("state"), "--listen", "127.0.0.1:0"},
                  env, dir.path());
  ASSERT_EQ(http_get(sidecar->base_url() + "/healthz").status, 200);

  std::vector<std::string> ids;
  for (int n = 0; n < kLeads; ++n) {
    ids.push_back(create_contact(n));
    ASSERT_FALSE(ids.back().empty());
  }

  std::map<std::string, ContactState> crm;
  const bool written = wait_until(
      [&] {
        for (const auto& id : ids) {
          auto state = contact_state(id);
          if (!state || state->owner_id.empty() || state->tasks < 1) {
            return false;
          }
          crm[id] = *state;
        }
        return true;
      },
      std::chrono::seconds{90}, std::chrono::milliseconds{500});
  ASSERT_TRUE(written) << "not every contact got an owner and a task in time";

  const auto decisions = fetch_decisions(sidecar->base_url());
  for (const auto& id : ids) {
    SCOPED_TRACE("contact " + id);
    EXPECT_EQ(crm[id].tasks, 1);
    int found = 0;
    for (const auto& d : decisions) {
      if (d.connector == "hubspot-main" && d.lead_id == id) {
        ++found;
        EXPECT_EQ(d.assignee_kind, "rep");
        EXPECT_EQ(d.assignee_id, crm[id].owner_id);
        EXPECT_EQ(d.mode, "live");
      }
    }
    EXPECT_EQ(found, 1);
  }

  // The owners are spread over the pool (round robin), not all on one rep.
  std::map<std::string, int> per_owner;
  for (const auto& [id, state] : crm) {
    ++per_owner[state.owner_id];
  }
  EXPECT_EQ(per_owner.size(), 3u);

  const auto metrics = http_get(sidecar->base_url() + "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("leadrouter_crm_requests_total{connector=\"hubspot-main\""),
            std::string::npos);
  EXPECT_NE(metrics.body.find("leadrouter_outbox_rows{state=\"done\"}"), std::string::npos);

  EXPECT_EQ(sidecar->stop(), 0);
}

}  // namespace
}  // namespace leadrouter::integration
