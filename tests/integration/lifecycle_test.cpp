// The daemon's life as a process: SIGINT stops it like SIGTERM (exit 0), a
// restart on the same state directory keeps the audit log and decides no lead
// twice, and a port already taken fails start-up with exit 1.
#include <gtest/gtest.h>
#include <signal.h>

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

class LifecycleTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && sidecar) {
      std::cerr << "--- sidecar stderr ---\n" << sidecar->log() << "\n";
    }
  }

  std::vector<std::string> args(const std::string& listen = "127.0.0.1:0") const {
    return {"--config",        config,     "--crm-url", mock.base_url(), "--state",
            dir.file("state"), "--listen", listen};
  }

  MockCrmProcess mock;
  TempDir dir;
  Env env = demo_env();
  std::string config = write_test_config(
      dir, {.poll_interval_seconds = 1, .start_from = "beginning", .connectors = "hubspot"});
  std::optional<SidecarProcess> sidecar;
};

TEST_F(LifecycleTest, SigintStopsCleanlyAndARestartKeepsTheAuditLogWithoutRedeciding) {
  sidecar.emplace(args(), env, dir.path());
  // The seed's contacts are routed from the beginning of time.
  std::vector<DecisionSummary> first;
  ASSERT_TRUE(wait_until(
      [&] {
        first = fetch_decisions(sidecar->base_url());
        return first.size() >= 5;
      },
      std::chrono::seconds{30}));
  // Let the poller catch up with everything there is, then stop with SIGINT.
  std::this_thread::sleep_for(std::chrono::seconds{2});
  first = fetch_decisions(sidecar->base_url());
  sidecar->signal(SIGINT);
  EXPECT_EQ(sidecar->wait_exit(std::chrono::seconds{20}), 0);
  EXPECT_NE(sidecar->log().find(R"("event":"stopping","trigger":"SIGINT")"), std::string::npos);

  sidecar.emplace(args(), env, dir.path());
  std::this_thread::sleep_for(std::chrono::seconds{3});  // three polls
  const auto second = fetch_decisions(sidecar->base_url());
  std::set<std::string> before;
  for (const auto& d : first) {
    before.insert(d.decision_id);
  }
  std::set<std::string> after;
  std::set<std::string> leads;
  for (const auto& d : second) {
    after.insert(d.decision_id);
    EXPECT_TRUE(leads.insert(d.lead_id).second) << "lead " << d.lead_id << " decided twice";
  }
  EXPECT_EQ(after, before);
  EXPECT_EQ(sidecar->stop(), 0);
}

TEST_F(LifecycleTest, APortInUseFailsStartUpWithExitOne) {
  sidecar.emplace(args(), env, dir.path());
  const std::string taken = sidecar->base_url().substr(std::string("http://").size());
  const auto result = SidecarProcess::run({"--config", config, "--crm-url", mock.base_url(),
                                           "--state", dir.file("other-state"), "--listen", taken},
                                          env, dir.path());
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("cannot listen"), std::string::npos) << result.err;
  EXPECT_EQ(http_get(sidecar->base_url() + "/healthz").status, 200);
}

}  // namespace
}  // namespace leadrouter::integration
