// The sidecar learning from outcomes: mock-crm holds ~300 HubSpot contacts
// whose industry predicts conversion; the sidecar decides them, reads back
// which became customers, retrains, activates the new model (it beats no
// model at all), and scores the next leads with it. `leadrouter model list`
// shows the version.
#include <gtest/gtest.h>
#include <stdio.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/connectors/mock_crm_process.hpp"
#include "tests/integration/crm_seeding.hpp"
#include "tests/integration/sidecar_process.hpp"
#include "tests/integration/test_support.hpp"

namespace leadrouter::integration {
namespace {

using connectors::testing::MockCrmProcess;

constexpr int kLeads = 300;

bool software(int n) {
  return seeded_software(n);
}
bool converts(int n) {
  return seeded_converts(n);
}

// The output of `leadrouter ARGS` (stdout), run to completion.
std::string run_leadrouter(const std::string& args) {
  const std::string command = kLeadrouter + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    throw std::runtime_error("cannot run " + command);
  }
  std::string out;
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) {
    out.append(buffer, n);
  }
  ::pclose(pipe);
  return out;
}

class ModelRetrainTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && sidecar) {
      std::cerr << "--- sidecar stderr ---\n" << sidecar->log() << "\n";
    }
  }

  std::string create_contact(int n) {
    return create_hubspot_contact(mock.base_url(), env.at("HUBSPOT_TOKEN"), "retrain", n);
  }

  void mark_customer(const std::string& id) {
    mark_hubspot_customer(mock.base_url(), env.at("HUBSPOT_TOKEN"), id);
  }

  // lead id -> model version of its decision ("" when scored without one).
  std::map<std::string, std::string> decided_versions() {
    const auto response = http_get(sidecar->base_url() + "/api/decisions?limit=1000");
    std::map<std::string, std::string> out;
    if (response.status != 200) {
      return out;
    }
    const auto doc = parse_json(response.body);
    const rapidjson::Value* list = doc.IsArray() ? &doc : json_at(doc, "/decisions");
    if (list == nullptr || !list->IsArray()) {
      return out;
    }
    for (const auto& d : list->GetArray()) {
      out[json_string(d, "/lead_id")] = json_string(d, "/model_version");
    }
    return out;
  }

  MockCrmProcess mock;
  TempDir dir;
  Env env = demo_env();
  std::optional<SidecarProcess> sidecar;
};

TEST_F(ModelRetrainTest, RetrainsFromOutcomesAndScoresNewLeadsWithTheNewModel) {
  std::vector<std::string> ids;
  for (int n = 0; n < kLeads; ++n) {
    ids.push_back(create_contact(n));
    ASSERT_FALSE(ids.back().empty());
  }
  const std::string state = dir.file("state");
  const std::string config =
      write_test_config(dir, {.poll_interval_seconds = 1,
                              .write_back = false,
                              .connectors = "hubspot",
                              .log_level = "info",
                              .extra_json = R"({"outcomes": {"poll_seconds": 1},
                              "retrain": {"enabled": true, "min_new_outcomes": 30,
                                          "interval_hours": 0, "auc_tolerance": 0.01,
                                          "min_rows": 200, "min_positives": 30}})"});
  sidecar.emplace(std::vector<std::string>{"--config", config, "--crm-url", mock.base_url(),
                                           "--state", state, "--listen", "127.0.0.1:0"},
                  env, dir.path());

  ASSERT_TRUE(wait_until(
      [&] {
        const auto versions = decided_versions();
        for (const auto& id : ids) {
          if (!versions.contains(id)) {
            return false;
          }
        }
        return true;
      },
      std::chrono::seconds{90}, std::chrono::milliseconds{500}))
      << "not every contact was decided in time";
  // No model yet: the rules decided them.
  for (const auto& [lead, version] : decided_versions()) {
    EXPECT_EQ(version, "") << lead;
  }
  EXPECT_NE(run_leadrouter("model list --state " + state).find("no models"), std::string::npos);

  int customers = 0;
  for (int n = 0; n < kLeads; ++n) {
    if (converts(n)) {
      mark_customer(ids[n]);
      ++customers;
    }
  }
  ASSERT_GE(customers, 30);

  std::string listed;
  ASSERT_TRUE(wait_until(
      [&] {
        listed = run_leadrouter("model list --state " + state + " --format jsonl");
        return listed.find(R"("active":true)") != std::string::npos;
      },
      std::chrono::seconds{120}, std::chrono::milliseconds{500}))
      << "no model was trained and activated; model list says:\n"
      << listed;
  // The active line (a later retrain may have added another version).
  const auto active_at = listed.find(R"("active":true)");
  const auto line_start = listed.rfind('\n', active_at);
  const auto line_begin = line_start == std::string::npos ? 0 : line_start + 1;
  const auto model =
      parse_json(listed.substr(line_begin, listed.find('\n', active_at) - line_begin));
  const std::string version = json_string(model, "/version");
  EXPECT_EQ(json_string(model, "/source"), "retrained");
  ASSERT_TRUE(model["auc"].IsNumber());
  EXPECT_GT(model["auc"].GetDouble(), 0.7);
  // A retrain may start while the conversions are still arriving.
  EXPECT_GE(model["positives"].GetInt64(), 30);
  EXPECT_LE(model["positives"].GetInt64(), customers + 10);  // + the seed's own contacts
  const std::string table = run_leadrouter("model list --state " + state);
  EXPECT_NE(table.find(version), std::string::npos) << table;
  EXPECT_NE(table.find("retrained"), std::string::npos) << table;

  // Leads after the switch carry the new model's version.
  std::vector<std::string> later;
  for (int n = kLeads; n < kLeads + 5; ++n) {
    later.push_back(create_contact(n));
  }
  std::map<std::string, std::string> versions;
  ASSERT_TRUE(wait_until(
      [&] {
        versions = decided_versions();
        for (const auto& id : later) {
          if (!versions.contains(id)) {
            return false;
          }
        }
        return true;
      },
      std::chrono::seconds{60}, std::chrono::milliseconds{500}));
  for (const auto& id : later) {
    EXPECT_EQ(versions[id], version) << "lead " << id;
  }
  const std::string ready = http_get(sidecar->base_url() + "/readyz").body;
  EXPECT_NE(ready.find("model " + version + " (retrained"), std::string::npos) << ready;
  const std::string metrics = http_get(sidecar->base_url() + "/metrics").body;
  EXPECT_EQ(metric_value(metrics, "leadrouter_model_info{version=\"" + version + "\"}"), 1.0);
  EXPECT_EQ(sidecar->stop(), 0);
}

// A configured model file is registered and scores first; a retrained model
// replaces it; `model activate` rolls back to the file's version, and the
// running daemon picks that up without a restart.
TEST_F(ModelRetrainTest, ActivateRollsTheRunningDaemonBackToTheConfiguredModel) {
  std::string csv = "industry,converted\n";
  for (int n = 0; n < 400; ++n) {
    csv +=
        std::string(software(n) ? "Software" : "Retail") + "," + (converts(n) ? "1" : "0") + "\n";
  }
  const std::string csv_path = dir.write("history.csv", csv);
  const std::string model_path = dir.file("configured.model");
  const std::string trained = run_leadrouter(
      "model train --csv " + csv_path + " --label converted --max-rounds 30 --out " + model_path);
  ASSERT_NE(trained.find("\"rows\""), std::string::npos) << trained;

  std::vector<std::string> ids;
  for (int n = 0; n < kLeads; ++n) {
    ids.push_back(create_contact(n));
  }
  const std::string state = dir.file("state");
  const std::string config =
      write_test_config(dir, {.poll_interval_seconds = 1,
                              .write_back = false,
                              .connectors = "hubspot",
                              .log_level = "info",
                              .extra_json = R"({"model": ")" + model_path + R"(",
                              "outcomes": {"poll_seconds": 1},
                              "retrain": {"enabled": true, "min_new_outcomes": 30,
                                          "interval_hours": 0, "auc_tolerance": 1,
                                          "min_rows": 200, "min_positives": 30}})"});
  sidecar.emplace(std::vector<std::string>{"--config", config, "--crm-url", mock.base_url(),
                                           "--state", state, "--listen", "127.0.0.1:0"},
                  env, dir.path());

  const std::string listed = run_leadrouter("model list --state " + state + " --format jsonl");
  const auto configured = parse_json(listed.substr(0, listed.find('\n')));
  const std::string file_version = json_string(configured, "/version");
  ASSERT_FALSE(file_version.empty()) << listed;
  EXPECT_EQ(json_string(configured, "/source"), "file");

  std::map<std::string, std::string> versions;
  ASSERT_TRUE(wait_until(
      [&] {
        versions = decided_versions();
        return std::ranges::all_of(ids,
                                   [&](const std::string& id) { return versions.contains(id); });
      },
      std::chrono::seconds{90}, std::chrono::milliseconds{500}));
  EXPECT_EQ(versions[ids[0]], file_version);

  for (int n = 0; n < kLeads; ++n) {
    if (converts(n)) {
      mark_customer(ids[n]);
    }
  }
  std::string retrained;
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string rows = run_leadrouter("model list --state " + state + " --format jsonl");
        for (std::size_t at = 0; at < rows.size();) {
          const auto end = rows.find('\n', at);
          const auto doc = parse_json(rows.substr(at, end - at));
          if (json_string(doc, "/source") == "retrained" && doc["active"].GetBool()) {
            retrained = json_string(doc, "/version");
            return true;
          }
          at = end == std::string::npos ? rows.size() : end + 1;
        }
        return false;
      },
      std::chrono::seconds{120}, std::chrono::milliseconds{500}));

  const auto decided_with = [&](int n, const std::string& expected) {
    const std::string id = create_contact(n);
    std::string got;
    const bool done = wait_until(
        [&] {
          const auto all = decided_versions();
          const auto it = all.find(id);
          if (it == all.end()) {
            return false;
          }
          got = it->second;
          return true;
        },
        std::chrono::seconds{60}, std::chrono::milliseconds{300});
    EXPECT_TRUE(done) << "lead " << id << " was not decided";
    EXPECT_EQ(got, expected) << "lead " << id;
  };
  decided_with(kLeads, retrained);

  const std::string activated =
      run_leadrouter("model activate --state " + state + " " + file_version);
  EXPECT_NE(activated.find("is active"), std::string::npos) << activated;
  ASSERT_TRUE(wait_until(
      [&] { return sidecar->log().find("\"trigger\":\"model activated\"") != std::string::npos; },
      std::chrono::seconds{10}))
      << "the daemon did not reload after `model activate`";
  decided_with(kLeads + 1, file_version);
  EXPECT_EQ(sidecar->stop(), 0);
}

}  // namespace
}  // namespace leadrouter::integration
