// SLA enforcement end to end: mock-crm and `leadrouter serve` as real
// processes, with a policy whose tiers have second-long SLAs. A HubSpot
// contact (and a Salesforce lead) whose follow-up task is not completed in
// time gets a new owner (and a new task) in the CRM, never its first owner
// again, then goes to the manager; a contact whose task is completed through
// the CRM API before the deadline keeps its owner and counts as met in
// /metrics.
#include <gtest/gtest.h>
#include <stdio.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/connectors/mock_crm_process.hpp"
#include "tests/integration/sidecar_process.hpp"
#include "tests/integration/test_support.hpp"

namespace leadrouter::integration {
namespace {

using connectors::testing::MockCrmProcess;
using namespace std::chrono_literals;

constexpr std::string_view kManager = "41629781";
constexpr std::string_view kConnector = "hubspot-main";

// Per CRM two reps in the pool, both reporting to a manager who is not in it.
// "urgent" titles: tier fast (2 s, reassign at once, escalate 2 s later);
// the rest: tier slow (8 s, reassign).
constexpr std::string_view kPolicy = R"({
  "version": 1, "name": "sla-e2e",
  "fit": {"base": 0, "rules": [
    {"name": "urgent", "when": {"field": "title", "op": "contains", "value": "urgent"},
     "points": 100}]},
  "weights": {"fit": 1, "intent": 0},
  "tiers": [
    {"name": "fast", "min_score": 50, "sla_seconds": 2, "task_priority": "HIGH", "on_breach": [
      {"action": "reassign"},
      {"action": "escalate", "to": "manager", "queue": "sales-managers", "after_seconds": 2}]},
    {"name": "slow", "min_score": 0, "sla_seconds": 8, "on_breach": [{"action": "reassign"}]}
  ],
  "pools": [{"name": "inbound", "teams": ["inbound"], "strategy": "round_robin"}],
  "routes": [{"name": "inbound", "destination": {"pool": "inbound"}}],
  "final_fallback": {"queue": "unassigned"},
  "reps": [
    {"id": "41629779", "teams": ["inbound"], "manager_id": "41629781"},
    {"id": "41629780", "teams": ["inbound"], "manager_id": "41629781"},
    {"id": "41629781", "teams": ["managers"]},
    {"id": "005Dm0000000NPdIAM", "teams": ["inbound"], "manager_id": "005Dm0000000NPfIAM"},
    {"id": "005Dm0000000NPeIAM", "teams": ["inbound"], "manager_id": "005Dm0000000NPfIAM"},
    {"id": "005Dm0000000NPfIAM", "teams": ["managers"]}
  ]
})";

// stdout of a shell command (the ops CLI).
std::string command_output(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return out;
  }
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) {
    out.append(buffer, n);
  }
  ::pclose(pipe);
  return out;
}

struct Task {
  std::string id;
  std::string owner_id;
  std::string status;
};

class SlaE2eTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && sidecar) {
      std::cerr << "--- sidecar stderr ---\n" << sidecar->log() << "\n";
    }
  }

  connectors::HttpHeaders auth() const {
    return {{"Authorization", "Bearer " + env.at("HUBSPOT_TOKEN")}};
  }

  std::string create_contact(const std::string& name, const std::string& title) {
    const std::string body = R"({"properties":{"email":")" + name +
                             R"(@sla-e2e.example","firstname":"Sla","lastname":")" + name +
                             R"(","company":"Sla Corp","jobtitle":")" + title + R"("}})";
    const auto response = http_post(mock.base_url() + "/crm/v3/objects/contacts", body, auth());
    if (response.status != 201) {
      throw std::runtime_error("create contact: " + std::to_string(response.status) + " " +
                               response.body);
    }
    return json_string(parse_json(response.body), "/id");
  }

  std::string owner_of(const std::string& contact) {
    const auto r = http_get(
        mock.base_url() + "/crm/v3/objects/contacts/" + contact + "?properties=hubspot_owner_id",
        auth());
    return r.status == 200 ? json_string(parse_json(r.body), "/properties/hubspot_owner_id") : "";
  }

  std::vector<Task> tasks_of(const std::string& contact) {
    std::vector<Task> out;
    const auto r = http_get(
        mock.base_url() + "/crm/v3/objects/contacts/" + contact + "?associations=tasks", auth());
    if (r.status != 200) {
      return out;
    }
    const auto doc = parse_json(r.body);
    const auto* list = json_at(doc, "/associations/tasks/results");
    if (list == nullptr || !list->IsArray()) {
      return out;
    }
    for (const auto& item : list->GetArray()) {
      Task task;
      task.id = json_string(item, "/id");
      const auto t = http_get(mock.base_url() + "/crm/v3/objects/tasks/" + task.id +
                                  "?properties=hubspot_owner_id,hs_task_status",
                              auth());
      if (t.status == 200) {
        const auto td = parse_json(t.body);
        task.owner_id = json_string(td, "/properties/hubspot_owner_id");
        task.status = json_string(td, "/properties/hs_task_status");
      }
      out.push_back(std::move(task));
    }
    return out;
  }

  std::optional<DecisionSummary> decision(const std::string& contact, int n,
                                          std::string_view connector = kConnector) {
    const std::string id = std::string(connector) + ":" + contact + ":" + std::to_string(n);
    for (const auto& d : fetch_decisions(sidecar->base_url())) {
      if (d.decision_id == id) {
        return d;
      }
    }
    return std::nullopt;
  }

  std::optional<double> metric(const std::string& sample) {
    const auto page = http_get(sidecar->base_url() + "/metrics");
    return page.status == 200 ? metric_value(page.body, sample) : std::nullopt;
  }

  void start_sidecar(const std::string& connectors = "hubspot") {
    const std::string policy = dir.write("sla-policy.json", std::string(kPolicy));
    const std::string config =
        write_test_config(dir, {.poll_interval_seconds = 1,
                                .policy = policy,
                                .start_from = "now",
                                .connectors = connectors,
                                .extra_json = R"({"sla": {"check_seconds": 1}})"});
    sidecar.emplace(
        std::vector<std::string>{"--config", config, "--crm-url", mock.base_url(), "--state",
                                 dir.file("state"), "--listen", "127.0.0.1:0"},
        env, dir.path());
    ASSERT_EQ(http_get(sidecar->base_url() + "/healthz").status, 200);
  }

  MockCrmProcess mock;
  TempDir dir;
  Env env = demo_env();
  std::optional<SidecarProcess> sidecar;
};

TEST_F(SlaE2eTest, AnUnworkedLeadIsReassignedThenEscalatedAndAWorkedOneIsMet) {
  start_sidecar();
  const std::string late = create_contact("late", "Urgent buyer");
  const std::string worked = create_contact("worked", "Head of Operations");

  // The worked contact: its first task is completed well before its 8 s SLA.
  std::string worked_owner;
  ASSERT_TRUE(wait_until(
      [&] {
        const auto tasks = tasks_of(worked);
        worked_owner = owner_of(worked);
        return tasks.size() == 1 && !worked_owner.empty();
      },
      20s, 100ms))
      << "the worked contact got no owner and task";
  const std::string task_id = tasks_of(worked).front().id;
  connectors::HttpHeaders headers = auth();
  headers.emplace_back("Content-Type", "application/json");
  const auto done = http_send("PATCH", mock.base_url() + "/crm/v3/objects/tasks/" + task_id,
                              R"({"properties":{"hs_task_status":"COMPLETED"}})", headers);
  ASSERT_EQ(done.status, 200) << done.body;

  // The late contact: first owner, then a different rep, then the manager,
  // with one task per owner; the first owner never gets it back.
  std::vector<std::string> owners_seen;
  const bool escalated = wait_until(
      [&] {
        const std::string owner = owner_of(late);
        if (!owner.empty() && (owners_seen.empty() || owners_seen.back() != owner)) {
          owners_seen.push_back(owner);
        }
        return owner == kManager && tasks_of(late).size() == 3;
      },
      30s, 100ms);
  ASSERT_TRUE(escalated) << "owners seen: " << owners_seen.size();

  const auto first = decision(late, 1);
  const auto reassigned = decision(late, 2);
  const auto escalation = decision(late, 3);
  ASSERT_TRUE(first && reassigned && escalation);
  EXPECT_EQ(first->assignee_kind, "rep");
  EXPECT_EQ(reassigned->assignee_kind, "rep");
  EXPECT_NE(reassigned->assignee_id, first->assignee_id);
  EXPECT_NE(reassigned->assignee_id, kManager);
  EXPECT_EQ(escalation->assignee_id, kManager);
  // Every owner the CRM showed, in order: never back to a previous one.
  ASSERT_FALSE(owners_seen.empty());
  for (std::size_t i = 0; i < owners_seen.size(); ++i) {
    for (std::size_t j = i + 1; j < owners_seen.size(); ++j) {
      EXPECT_NE(owners_seen[i], owners_seen[j]) << "owner came back: " << owners_seen[i];
    }
  }
  EXPECT_EQ(owners_seen.back(), kManager);
  std::vector<std::string> task_owners;
  for (const Task& t : tasks_of(late)) {
    task_owners.push_back(t.owner_id);
  }
  std::ranges::sort(task_owners);
  std::vector<std::string> expected{first->assignee_id, reassigned->assignee_id,
                                    std::string(kManager)};
  std::ranges::sort(expected);
  EXPECT_EQ(task_owners, expected);

  // The worked contact's SLA is settled at its deadline: met, owner kept.
  const std::string met_sample =
      R"(leadrouter_sla_met_total{connector="hubspot-main",tier="slow"})";
  ASSERT_TRUE(wait_until([&] { return metric(met_sample).value_or(0) >= 1; }, 20s, 200ms))
      << "the worked contact was never counted as met";
  EXPECT_EQ(metric(met_sample), 1);
  EXPECT_EQ(owner_of(worked), worked_owner);
  EXPECT_EQ(tasks_of(worked).size(), 1u);
  EXPECT_FALSE(decision(worked, 2).has_value());

  EXPECT_EQ(metric(R"(leadrouter_sla_breached_total{connector="hubspot-main",tier="fast"})"), 1);
  EXPECT_EQ(metric(R"(leadrouter_sla_steps_total{action="reassign",connector="hubspot-main"})"), 1);
  EXPECT_EQ(metric(R"(leadrouter_sla_steps_total{action="escalate",connector="hubspot-main"})"), 1);
  EXPECT_EQ(metric("leadrouter_sla_open"), 0);
  EXPECT_TRUE(
      metric(
          R"(leadrouter_time_to_first_touch_seconds_count{connector="hubspot-main",tier="slow"})")
          .has_value());

  // The ops CLI reads the same story from the state directory while the
  // daemon runs.
  const std::string state = dir.file("state");
  const std::string watches =
      command_output(kLeadrouter + " sla list --state " + state + " --status all --format jsonl");
  EXPECT_NE(watches.find(R"("lead_id":")" + late + R"(","state":"breached")"), std::string::npos)
      << watches;
  EXPECT_NE(watches.find(R"("lead_id":")" + worked + R"(","state":"met")"), std::string::npos)
      << watches;
  const std::string log =
      command_output(kLeadrouter + " decisions list --state " + state + " --lead " + late);
  for (const char* kind : {"initial", "reassign", "escalate"}) {
    EXPECT_NE(log.find(kind), std::string::npos) << log;
  }

  EXPECT_EQ(sidecar->stop(), 0);
}

// The same sequence on Salesforce: OwnerId moves to another user, then to
// the manager, with one Task per owner.
TEST_F(SlaE2eTest, SalesforceLeadNotWorkedIsReassignedThenEscalated) {
  const auto token_response =
      http_post(mock.base_url() + "/services/oauth2/token",
                "grant_type=client_credentials&client_id=3MVG9mockcrm.LeadRouterDemo.ConsumerKey"
                "&client_secret=demo-sf-consumer-secret",
                {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(token_response.status, 200) << token_response.body;
  const auto token_doc = parse_json(token_response.body);
  const connectors::HttpHeaders sf_auth = {
      {"Authorization", "Bearer " + json_string(token_doc, "/access_token")}};
  const std::string api = json_string(token_doc, "/instance_url") + "/services/data/v62.0";

  start_sidecar("salesforce");
  const auto created = http_post(api + "/sobjects/Lead",
                                 R"({"FirstName":"Sla","LastName":"Late","Company":"Sla Corp",)"
                                 R"("Email":"late@sla-e2e.example","Title":"Urgent buyer"})",
                                 sf_auth);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string lead = json_string(parse_json(created.body), "/id");
  const std::string manager = "005Dm0000000NPfIAM";

  auto owner = [&] {
    const auto r = http_get(api + "/sobjects/Lead/" + lead, sf_auth);
    return r.status == 200 ? json_string(parse_json(r.body), "/OwnerId") : std::string();
  };
  auto task_owners = [&] {
    std::vector<std::string> out;
    const auto r = http_get(
        api + "/query?q=SELECT+Id%2C+WhoId%2C+OwnerId+FROM+Task+WHERE+WhoId+%3D+%27" + lead + "%27",
        sf_auth);
    if (r.status != 200) {
      return out;
    }
    const auto doc = parse_json(r.body);
    if (const auto* records = json_at(doc, "/records"); records != nullptr && records->IsArray()) {
      for (const auto& t : records->GetArray()) {
        out.push_back(json_string(t, "/OwnerId"));
      }
    }
    std::ranges::sort(out);
    return out;
  };

  std::vector<std::string> owners_seen;
  const bool escalated = wait_until(
      [&] {
        const std::string now = owner();
        if (!now.empty() && (owners_seen.empty() || owners_seen.back() != now)) {
          owners_seen.push_back(now);
        }
        return now == manager && task_owners().size() == 3;
      },
      30s, 100ms);
  ASSERT_TRUE(escalated) << "owners seen: " << owners_seen.size();

  const auto first = decision(lead, 1, "sf-main");
  const auto reassigned = decision(lead, 2, "sf-main");
  const auto escalation = decision(lead, 3, "sf-main");
  ASSERT_TRUE(first && reassigned && escalation);
  EXPECT_NE(reassigned->assignee_id, first->assignee_id);
  EXPECT_EQ(escalation->assignee_id, manager);
  for (std::size_t i = 0; i < owners_seen.size(); ++i) {
    for (std::size_t j = i + 1; j < owners_seen.size(); ++j) {
      EXPECT_NE(owners_seen[i], owners_seen[j]) << "owner came back: " << owners_seen[i];
    }
  }
  std::vector<std::string> expected{first->assignee_id, reassigned->assignee_id, manager};
  std::ranges::sort(expected);
  EXPECT_EQ(task_owners(), expected);
  EXPECT_EQ(metric(R"(leadrouter_sla_breached_total{connector="sf-main",tier="fast"})"), 1);
  EXPECT_EQ(sidecar->stop(), 0);
}

}  // namespace
}  // namespace leadrouter::integration
