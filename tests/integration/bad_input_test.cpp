// Bad input never stops a running sidecar and never stores anything: a bad
// config refuses to start (exit 2, every problem named by its JSON path), a
// policy broken while running is rejected on SIGHUP while the old one keeps
// routing, and malformed, oversized or misdirected API calls get 4xx answers.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
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

const std::set<std::string> kHubSpotPool = {"41629779", "41629780", "41629781"};
const std::string kErrorReloads = R"(leadrouter_policy_reloads_total{result="error"})";
const std::string kOkReloads = R"(leadrouter_policy_reloads_total{result="ok"})";

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) {
    throw std::runtime_error("'" + from + "' not in " + text.substr(0, 200));
  }
  return text.replace(at, from.size(), to);
}

class BadInputTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && sidecar) {
      std::cerr << "--- sidecar stderr ---\n" << sidecar->log() << "\n";
    }
  }

  std::vector<std::string> serve_args(const std::string& config) const {
    return {"--config",        config,     "--crm-url",  mock.base_url(), "--state",
            dir.file("state"), "--listen", "127.0.0.1:0"};
  }

  void start(const TestConfigOptions& options) {
    sidecar.emplace(serve_args(write_test_config(dir, options)), env, dir.path());
  }

  std::string create_contact(const std::string& tag) {
    const auto response =
        http_post(mock.base_url() + "/crm/v3/objects/contacts",
                  R"({"properties":{"email":")" + tag + R"(@corp.example","company":"Corp"}})",
                  {{"Authorization", "Bearer " + env.at("HUBSPOT_TOKEN")}});
    if (response.status != 201) {
      throw std::runtime_error("create contact: " + response.body);
    }
    return json_string(parse_json(response.body), "/id");
  }

  std::optional<DecisionSummary> wait_for_decision(const std::string& lead) {
    std::optional<DecisionSummary> found;
    wait_until(
        [&] {
          for (const auto& d : fetch_decisions(sidecar->base_url())) {
            if (d.lead_id == lead) {
              found = d;
              return true;
            }
          }
          return false;
        },
        std::chrono::seconds{60}, std::chrono::milliseconds{300});
    return found;
  }

  std::optional<double> metric(const std::string& sample) {
    return metric_value(http_get(sidecar->base_url() + "/metrics").body, sample);
  }

  MockCrmProcess mock;
  TempDir dir;
  Env env = demo_env();
  std::optional<SidecarProcess> sidecar;
};

TEST_F(BadInputTest, BadConfigExitsTwoNamingEveryJsonPathAndCreatesNoState) {
  std::string config = read_file(write_test_config(dir, {.poll_interval_seconds = 1}));
  config =
      replace_once(config, R"("poll_interval_seconds":1)", R"("poll_interval_seconds":"fast")");
  config = replace_once(config, R"("log":{)", R"("log":{"colour":"yes",)");
  const std::string path = dir.write("config.json", config);

  const auto result = SidecarProcess::run(serve_args(path), env, dir.path());
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("/connectors/0/poll_interval_seconds"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("/log/colour"), std::string::npos) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_FALSE(std::filesystem::exists(dir.file("state")));
  EXPECT_TRUE(mock_requests(mock.base_url()).empty()) << "the CRM was called";
}

TEST_F(BadInputTest, MissingSecretOrPolicyExitsTwoWithEveryProblem) {
  const std::string config = write_test_config(dir, {.poll_interval_seconds = 1});
  std::filesystem::remove(dir.file("policy.json"));
  Env without_token = env;
  without_token.erase("HUBSPOT_TOKEN");

  const auto result = SidecarProcess::run(serve_args(config), without_token, dir.path());
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("HUBSPOT_TOKEN"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(dir.file("policy.json")), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("state")));
}

TEST_F(BadInputTest, RejectedCredentialsStopStartUpWithExitOne) {
  const std::string config =
      write_test_config(dir, {.poll_interval_seconds = 1, .connectors = "hubspot"});
  Env wrong = env;
  wrong["HUBSPOT_TOKEN"] = "pat-na1-00000000-0000-0000-0000-000000000000";

  const auto result = SidecarProcess::run(serve_args(config), wrong, dir.path());
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("hubspot-main"), std::string::npos) << result.err;
  EXPECT_EQ(result.out.find("listening on"), std::string::npos);
}

TEST_F(BadInputTest, BrokenPolicyOnSighupIsRejectedAndTheOldOneKeepsRouting) {
  start({.poll_interval_seconds = 1,
         .start_from = "now",
         .connectors = "hubspot",
         .extra_json = R"({"reload_on_change": false})"});
  const std::string before = create_contact("before-reload");
  const auto first = wait_for_decision(before);
  ASSERT_TRUE(first);
  EXPECT_EQ(kHubSpotPool.count(first->assignee_id), 1u) << first->assignee_id;

  dir.write("policy.json", R"({"version": 1, "name": "broken", "routes": [{"name": )");
  sidecar->signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return metric(kErrorReloads) == 1.0; }, std::chrono::seconds{10}));
  EXPECT_NE(sidecar->log().find("policy_reload_rejected"), std::string::npos);
  EXPECT_NE(metric(kOkReloads), std::optional<double>{1.0});

  const std::string after = create_contact("after-rejected-reload");
  const auto second = wait_for_decision(after);
  ASSERT_TRUE(second) << "decisions stopped after the rejected reload";
  EXPECT_EQ(second->assignee_kind, "rep");
  EXPECT_EQ(kHubSpotPool.count(second->assignee_id), 1u) << second->assignee_id;
  EXPECT_EQ(http_get(sidecar->base_url() + "/healthz").status, 200);

  // A valid policy is taken on the next SIGHUP: every lead now goes to a queue.
  dir.write("policy.json", R"({"version": 1, "name": "triage-only",
    "routes": [{"name": "all", "destination": {"queue": "triage"}}],
    "final_fallback": {"queue": "unassigned"}})");
  sidecar->signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return metric(kOkReloads) == 1.0; }, std::chrono::seconds{10}));
  EXPECT_EQ(metric(kErrorReloads), 1.0);
  const std::string later = create_contact("after-good-reload");
  const auto third = wait_for_decision(later);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->assignee_kind, "queue");
  EXPECT_EQ(third->assignee_id, "triage");

  EXPECT_EQ(sidecar->stop(), 0);
}

TEST_F(BadInputTest, PolicyFileChangeReloadsWithoutASignal) {
  start({.poll_interval_seconds = 1, .start_from = "now", .connectors = "hubspot"});
  // Let the first mtime snapshot be taken before the file changes.
  std::this_thread::sleep_for(std::chrono::milliseconds{1500});
  dir.write("policy.json", R"({"version": 1, "name": "broken")");
  ASSERT_TRUE(wait_until([&] { return metric(kErrorReloads) == 1.0; }, std::chrono::seconds{10}));
  dir.write("policy.json", R"({"version": 1, "name": "triage-only",
    "routes": [{"name": "all", "destination": {"queue": "triage"}}]})");
  ASSERT_TRUE(wait_until([&] { return metric(kOkReloads) == 1.0; }, std::chrono::seconds{10}));
  EXPECT_EQ(sidecar->stop(), 0);
}

TEST_F(BadInputTest, MalformedOversizedAndMisdirectedCallsAreRefusedAndNothingIsStored) {
  start({.poll_interval_seconds = 1, .start_from = "now", .connectors = "hubspot"});
  const std::string base = sidecar->base_url();

  const auto good = http_post(base + "/api/preview", read_file(kSourceDir + "/examples/lead.json"));
  EXPECT_EQ(good.status, 200) << good.body;

  EXPECT_EQ(http_post(base + "/api/preview", R"({"id": "x", "email": )").status, 400);
  EXPECT_EQ(http_post(base + "/api/preview", R"(["not", "a", "lead"])").status, 400);
  EXPECT_EQ(http_post(base + "/api/preview", std::string(2 * 1024 * 1024, ' ')).status, 413);
  EXPECT_EQ(http_get(base + "/api/preview").status, 405);
  EXPECT_EQ(http_send("DELETE", base + "/api/decisions").status, 405);
  EXPECT_EQ(http_get(base + "/api/decisions?limit=banana").status, 400);
  EXPECT_EQ(
      http_post(base + "/api/preview?connector=nope", read_file(kSourceDir + "/examples/lead.json"))
          .status,
      404);

  // A webhook with a made-up signature is refused before anything is queued.
  const auto webhook = http_post(
      base + "/webhooks/hubspot",
      R"([{"eventId":1,"subscriptionType":"contact.creation","objectId":100451,"occurredAt":1}])",
      {{"X-HubSpot-Signature-v3", "bm90IGEgc2lnbmF0dXJl"},
       {"X-HubSpot-Request-Timestamp",
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count())}});
  EXPECT_EQ(webhook.status, 401) << webhook.body;

  EXPECT_EQ(http_get(base + "/healthz").status, 200);
  // Three polls later still nothing: no request above stored a decision.
  std::this_thread::sleep_for(std::chrono::seconds{3});
  EXPECT_TRUE(fetch_decisions(base).empty());
  EXPECT_EQ(sidecar->stop(), 0);
}

}  // namespace
}  // namespace leadrouter::integration
