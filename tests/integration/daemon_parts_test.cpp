// The daemon's own parts, in process: the metered transport's counters, the
// API backend's webhook intake (verification, replay and duplicate filtering,
// back-pressure) and readiness, and Daemon::run/stop/reload against a real
// mock-crm.
#include <gtest/gtest.h>
#include <signal.h>

#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sidecar/config/sidecar_config.hpp"
#include "sidecar/daemon/api_backend.hpp"
#include "sidecar/daemon/daemon.hpp"
#include "sidecar/daemon/metered_transport.hpp"
#include "tests/connectors/fake_transport.hpp"
#include "tests/connectors/mock_crm_process.hpp"
#include "tests/integration/test_support.hpp"
#include "tests/sidecar/fake_crm_connector.hpp"

namespace leadrouter::integration {
namespace {

using connectors::HttpRequest;
using connectors::HttpResponse;
using connectors::WebhookEvent;
using sidecar::DaemonApiBackend;
using sidecar::MeteredTransport;
using sidecar::MetricsRegistry;

std::optional<double> sample(MetricsRegistry& metrics, const std::string& name) {
  return metric_value(metrics.render(), name);
}

// --- MeteredTransport --------------------------------------------------------

TEST(MeteredTransportTest, CountsRequestsByStatusRateLimitsAndTokenCalls) {
  auto fake = std::make_shared<connectors::testing::FakeTransport>(
      [](const HttpRequest& r) -> std::expected<HttpResponse, Error> {
        if (r.url.find("/down") != std::string::npos) {
          return std::unexpected(Error{ErrorKind::kRetryable, "connection refused"});
        }
        if (r.url.find("/busy") != std::string::npos) {
          return HttpResponse{429, {{"Retry-After", "1"}}, "{}"};
        }
        return HttpResponse{200, {}, "{}"};
      });
  MetricsRegistry metrics;
  MeteredTransport transport(fake, metrics, "hs", {"https://auth.example.com/custom/token"});

  EXPECT_TRUE(transport.send({"GET", "https://api.example.com/crm/v3/owners"}));
  EXPECT_TRUE(transport.send({"GET", "https://api.example.com/crm/v3/owners"}));
  EXPECT_EQ(transport.send({"GET", "https://api.example.com/busy"})->status, 429);
  EXPECT_FALSE(transport.send({"GET", "https://api.example.com/down"}));
  EXPECT_TRUE(transport.send({"POST", "https://api.example.com/oauth/v1/token"}));
  EXPECT_TRUE(transport.send({"POST", "https://login.example.com/services/oauth2/token?x=1"}));
  EXPECT_TRUE(transport.send({"POST", "https://auth.example.com/custom/token"}));

  EXPECT_EQ(fake->requests().size(), 7u);
  EXPECT_EQ(sample(metrics, R"(leadrouter_crm_requests_total{connector="hs",status="200"})"), 5.0);
  EXPECT_EQ(sample(metrics, R"(leadrouter_crm_requests_total{connector="hs",status="429"})"), 1.0);
  EXPECT_EQ(sample(metrics, R"(leadrouter_crm_requests_total{connector="hs",status="error"})"),
            1.0);
  EXPECT_EQ(sample(metrics, R"(leadrouter_rate_limit_waits_total{connector="hs"})"), 1.0);
  EXPECT_EQ(sample(metrics, R"(leadrouter_token_refreshes_total{connector="hs"})"), 3.0);
}

TEST(MeteredTransportTest, RecognizesTokenEndpointsOnly) {
  MetricsRegistry metrics;
  MeteredTransport transport(nullptr, metrics, "sf");
  EXPECT_TRUE(transport.is_token_endpoint("http://127.0.0.1:9/services/oauth2/token"));
  EXPECT_TRUE(transport.is_token_endpoint("https://api.hubapi.com/oauth/v1/token?grant=1"));
  EXPECT_FALSE(transport.is_token_endpoint("https://api.hubapi.com/oauth/v1/token/info"));
  EXPECT_FALSE(
      transport.is_token_endpoint("https://x.my.salesforce.com/services/data/v62.0/query"));
}

// --- DaemonApiBackend --------------------------------------------------------

// The pipeline's fake CRM with webhooks: verify_webhook answers what the
// test queued.
class WebhookCrm : public sidecar::testing::FakeCrmConnector {
 public:
  using FakeCrmConnector::FakeCrmConnector;
  std::expected<std::vector<WebhookEvent>, Error> verify_webhook(
      const connectors::WebhookRequest& request, std::chrono::system_clock::time_point) override {
    last_body = request.body;
    return answer;
  }
  std::expected<std::vector<WebhookEvent>, Error> answer;
  std::string last_body;
};

class ApiBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = sidecar::StateStore::open(dir.file("state"));
    ASSERT_TRUE(opened) << opened.error().message;
    store = std::move(*opened);
    engine.emplace(*store, metrics, sidecar::Mode::kLive, sidecar::IngestConfig{},
                   [this] { return now; });
    backend.emplace(
        *store, *engine, queue, metrics, [this] { return now; }, DaemonApiBackend::Options{});
    backend->add_connector(
        {.connector = &crm, .poll_interval = std::chrono::seconds{30}, .token_obtained = true});
  }

  static WebhookEvent event(std::string id, std::string type, std::string object) {
    return {std::move(id), std::move(type), std::move(object), "", "", {}};
  }

  TempDir dir;
  std::chrono::system_clock::time_point now{std::chrono::seconds{1'780'000'000}};
  MetricsRegistry metrics;
  std::unique_ptr<sidecar::StateStore> store;
  sidecar::IngestQueue queue{3};
  std::optional<sidecar::DecisionEngine> engine;
  WebhookCrm crm{"hubspot-main"};
  std::optional<DaemonApiBackend> backend;
};

TEST_F(ApiBackendTest, WebhookQueuesRoutableEventsOnceAndSkipsReplays) {
  sidecar::Commit seen;
  seen.connector = "hubspot-main";
  seen.webhook_event_ids = {"e-old"};
  ASSERT_TRUE(store->commit(seen));
  crm.answer = std::vector<WebhookEvent>{
      event("e1", "contact.creation", "101"),    event("e2", "contact.propertyChange", "102"),
      event("e3", "contact.deletion", "103"),    event("e1", "contact.creation", "101"),
      event("e-old", "contact.creation", "104"), event("e4", "company.creation", "105")};

  // By type alias and by name alike.
  auto queued = backend->webhook("hubspot", {"POST", "http://h/webhooks/hubspot", {}, "[]"});
  ASSERT_TRUE(queued) << queued.error().message;
  EXPECT_EQ(*queued, 2);
  EXPECT_EQ(crm.last_body, "[]");
  const auto items = queue.pop_batch(10, std::chrono::milliseconds{0});
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].record_id, "101");
  EXPECT_EQ(items[0].webhook_event_id, "e1");
  EXPECT_EQ(items[0].source, "webhook");
  EXPECT_EQ(items[0].connector, "hubspot-main");
  EXPECT_FALSE(items[0].lead);
  EXPECT_EQ(items[1].record_id, "102");
  EXPECT_EQ(
      sample(metrics, R"(leadrouter_webhooks_total{connector="hubspot-main",result="accepted"})"),
      1.0);
}

TEST_F(ApiBackendTest, WebhookRefusalsKeepTheirKindAndQueueNothing) {
  crm.answer = std::unexpected(Error{ErrorKind::kAuth, "signature mismatch"});
  auto refused = backend->webhook("hubspot-main", {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kAuth);
  EXPECT_EQ(sample(metrics,
                   R"(leadrouter_webhooks_total{connector="hubspot-main",result="unauthorized"})"),
            1.0);

  auto unknown = backend->webhook("pipedrive", {});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(backend->webhook("salesforce", {}));
  EXPECT_EQ(queue.size(), 0u);
}

TEST_F(ApiBackendTest, AFullQueueIsRetryable) {
  crm.answer = std::vector<WebhookEvent>{
      event("a", "contact.creation", "1"), event("b", "contact.creation", "2"),
      event("c", "contact.creation", "3"), event("d", "contact.creation", "4")};
  auto full = backend->webhook("hubspot-main", {});
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().kind, ErrorKind::kRetryable);
  EXPECT_EQ(queue.size(), 3u);
}

TEST_F(ApiBackendTest, ReadinessAndMetricsComeFromTheStoreAndQueue) {
  const auto checks = backend->readiness();
  ASSERT_EQ(checks.size(), 2u);  // no poller registered: no poll check
  EXPECT_EQ(checks[0].name, "store");
  EXPECT_TRUE(checks[0].ok);
  EXPECT_EQ(checks[1].name, "token:hubspot-main");
  EXPECT_TRUE(checks[1].ok);

  ASSERT_TRUE(queue.try_push({.connector = "hubspot-main", .source = "webhook", .record_id = "9"}));
  const std::string page = backend->metrics_text();
  EXPECT_EQ(metric_value(page, "leadrouter_ingest_queue_depth"), 1.0);
  EXPECT_EQ(metric_value(page, R"(leadrouter_outbox_rows{state="pending"})"), 0.0);
  EXPECT_EQ(metric_value(page, R"(leadrouter_outbox_rows{state="dead"})"), 0.0);

  auto preview = backend->preview("nope", core::Lead{});
  ASSERT_FALSE(preview);
  EXPECT_EQ(preview.error().kind, ErrorKind::kNotFound);
}

// --- Daemon in process -------------------------------------------------------

sidecar::SidecarConfig load(const std::string& path, const std::string& crm_url,
                            const std::string& state) {
  auto config = sidecar::load_sidecar_config(
      path, {.crm_url = crm_url, .state_dir = state, .listen = "127.0.0.1:0"});
  if (!config) {
    throw std::runtime_error(config.error());
  }
  return std::move(*config);
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& [k, v] : demo_env()) {
      ::setenv(k.c_str(), v.c_str(), 1);
    }
  }
  connectors::testing::MockCrmProcess mock;
  TempDir dir;
};

TEST_F(DaemonTest, RunsUntilStopReloadsOnRequestAndRestartsOnItsState) {
  const std::string config_path =
      write_test_config(dir, {.start_from = "now", .connectors = "hubspot"});
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::promise<std::string> listening;
    sidecar::Daemon daemon(
        load(config_path, mock.base_url(), dir.file("state")),
        {.on_listening = [&](const std::string& url) { listening.set_value(url); }});
    auto exit_code = std::async(std::launch::async, [&] { return daemon.run(); });
    auto url = listening.get_future();
    ASSERT_EQ(url.wait_for(std::chrono::seconds{30}), std::future_status::ready);
    const std::string base = url.get();
    EXPECT_EQ(http_get(base + "/healthz").status, 200);
    EXPECT_TRUE(wait_until([&] { return http_get(base + "/readyz").status == 200; },
                           std::chrono::seconds{10}))
        << http_get(base + "/readyz").body;

    daemon.reload();
    const auto page = http_get(base + "/metrics").body;
    EXPECT_EQ(metric_value(page, R"(leadrouter_policy_reloads_total{result="ok"})"), 1.0);
    EXPECT_GE(metric_value(
                  page, R"(leadrouter_crm_requests_total{connector="hubspot-main",status="200"})")
                  .value_or(0),
              1.0);

    daemon.stop();
    ASSERT_EQ(exit_code.wait_for(std::chrono::seconds{20}), std::future_status::ready);
    EXPECT_EQ(exit_code.get(), 0);
    EXPECT_NE(http_get(base + "/healthz").status, 200);
  }
  // run() restored the signal mask it changed.
  sigset_t mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  EXPECT_EQ(sigismember(&mask, SIGHUP), 0);
}

TEST_F(DaemonTest, StopBeforeListeningStillEndsRun) {
  const std::string config_path =
      write_test_config(dir, {.start_from = "now", .connectors = "hubspot"});
  sidecar::Daemon daemon(load(config_path, mock.base_url(), dir.file("state")));
  daemon.stop();
  EXPECT_EQ(daemon.run(), 0);
}

TEST_F(DaemonTest, UnreachableCrmFailsStartUpWithExitOne) {
  const std::string config_path =
      write_test_config(dir, {.start_from = "now", .connectors = "salesforce"});
  // Port 9 (discard) on loopback: nothing listens there.
  sidecar::Daemon daemon(load(config_path, "http://127.0.0.1:9", dir.file("state")));
  EXPECT_EQ(daemon.run(), 1);
}

}  // namespace
}  // namespace leadrouter::integration
