// The HubSpot webhook path end to end: mock-crm signs and POSTs its own v3
// webhooks to the sidecar, and the test sends hand-signed deliveries
// (duplicates, out of order, replays, forgeries) next to them. A lead is
// decided exactly once however many times and ways it arrives, and a refused
// call stores nothing and leaves the daemon healthy.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/connectors/mock_crm_process.hpp"
#include "tests/integration/crm_write_log.hpp"
#include "tests/integration/sidecar_process.hpp"
#include "tests/integration/test_support.hpp"

namespace leadrouter::integration {
namespace {

using connectors::testing::MockCrmProcess;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The example seed's webhook app (examples/mock_crm/seed.json).
constexpr const char* kAppId = "1160452";
constexpr const char* kDeveloperKey = "dev-hapikey-demo";
constexpr const char* kSeedUnownedContact = "100451";  // seeded, no owner

std::int64_t epoch_ms_now() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// HubSpot's v3 signature, computed here independently of the connector:
// base64(HMAC-SHA256(client secret, method + URL + body + timestamp)).
std::string sign_v3(const std::string& secret, const std::string& url, const std::string& body,
                    const std::string& timestamp) {
  const std::string message = "POST" + url + body + timestamp;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_len);
  std::string out(4 * ((mac_len + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(mac_len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

struct Event {
  std::int64_t event_id = 0;
  std::string object_id;
  std::string type = "contact.creation";
  std::int64_t occurred_at = 0;
  int attempt = 0;
  std::string property;  // propertyChange only
  std::string value;
};

std::string event_json(const Event& e) {
  std::string json = R"({"eventId":)" + std::to_string(e.event_id) +
                     R"(,"subscriptionId":22,"portalId":62515,"appId":)" + kAppId +
                     R"(,"occurredAt":)" + std::to_string(e.occurred_at) +
                     R"(,"subscriptionType":")" + e.type + R"(","attemptNumber":)" +
                     std::to_string(e.attempt) + R"(,"objectId":)" + e.object_id +
                     R"(,"changeSource":"CRM_UI")";
  if (e.property.empty()) {
    json += R"(,"changeFlag":"NEW"})";
  } else {
    json += R"(,"propertyName":")" + e.property + R"(","propertyValue":")" + e.value + R"("})";
  }
  return json;
}

std::string events_body(const std::vector<Event>& events) {
  std::string body = "[";
  for (const auto& e : events) {
    body += (body.size() > 1 ? "," : "") + event_json(e);
  }
  return body + "]";
}

class WebhookTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && sidecar) {
      std::cerr << "--- sidecar stderr ---\n" << sidecar->log() << "\n";
    }
  }

  // HubSpot only, starting "now" (the seed's contacts are history), with
  // webhooks pointed at the sidecar once its port is known.
  void start(int poll_interval_seconds, const std::string& extra_json = {}) {
    const std::string config =
        write_test_config(dir, {.poll_interval_seconds = poll_interval_seconds,
                                .start_from = "now",
                                .connectors = "hubspot",
                                .log_level = "info",
                                .extra_json = extra_json});
    sidecar.emplace(
        std::vector<std::string>{"--config", config, "--crm-url", mock.base_url(), "--state",
                                 dir.file("state"), "--listen", "127.0.0.1:0"},
        env, dir.path());
    webhook_url = sidecar->base_url() + "/webhooks/hubspot";
  }

  void point_mock_webhooks_at_sidecar() {
    const auto moved = http_send(
        "PUT", mock.base_url() + "/webhooks/v3/" + kAppId + "/settings?hapikey=" + kDeveloperKey,
        R"({"targetUrl":")" + webhook_url + R"("})", {{"Content-Type", "application/json"}});
    ASSERT_EQ(moved.status, 200) << moved.body;
  }

  connectors::HttpHeaders hubspot_auth() const {
    return {{"Authorization", "Bearer " + env.at("HUBSPOT_TOKEN")}};
  }

  std::string create_contact(const std::string& tag) {
    const auto response = http_post(mock.base_url() + "/crm/v3/objects/contacts",
                                    R"({"properties":{"email":")" + tag +
                                        R"(@webhook.example","firstname":"Web","lastname":")" +
                                        tag + R"(","company":"Hook Corp"}})",
                                    hubspot_auth());
    if (response.status != 201) {
      throw std::runtime_error("create contact: " + std::to_string(response.status) + " " +
                               response.body);
    }
    return json_string(parse_json(response.body), "/id");
  }

  std::vector<std::string> create_contacts(int n, const std::string& tag) {
    std::string inputs;
    for (int i = 0; i < n; ++i) {
      inputs += (i ? "," : "") + std::string(R"({"properties":{"email":")") + tag +
                std::to_string(i) + R"(@race.example","lastname":"Race )" + std::to_string(i) +
                R"(","company":"Race Corp"}})";
    }
    const auto response = http_post(mock.base_url() + "/crm/v3/objects/contacts/batch/create",
                                    R"({"inputs":[)" + inputs + "]}", hubspot_auth());
    if (response.status != 201) {
      throw std::runtime_error("batch create: " + std::to_string(response.status) + " " +
                               response.body);
    }
    std::vector<std::string> ids;
    const auto doc = parse_json(response.body);
    for (const auto& r : doc["results"].GetArray()) {
      ids.push_back(json_string(r, "/id"));
    }
    return ids;
  }

  struct Contact {
    std::string owner;
    int tasks = 0;
    std::int64_t created_ms = 0;
  };

  std::optional<Contact> contact(const std::string& id) {
    const auto response = http_get(mock.base_url() + "/crm/v3/objects/contacts/" + id +
                                       "?properties=hubspot_owner_id,createdate&associations=tasks",
                                   hubspot_auth());
    if (response.status != 200) {
      return std::nullopt;
    }
    const auto doc = parse_json(response.body);
    Contact c;
    c.owner = json_string(doc, "/properties/hubspot_owner_id");
    if (const auto* tasks = json_at(doc, "/associations/tasks/results");
        tasks != nullptr && tasks->IsArray()) {
      c.tasks = static_cast<int>(tasks->Size());
    }
    return c;
  }

  // A delivery signed the way HubSpot signs it, for `url` (what the sidecar
  // must reconstruct), with `timestamp_ms` in X-HubSpot-Request-Timestamp.
  connectors::HttpResponse deliver(const std::string& body, std::int64_t timestamp_ms,
                                   const std::string& signed_url = {},
                                   const std::string& secret = {}) {
    const std::string ts = std::to_string(timestamp_ms);
    const std::string signature = sign_v3(secret.empty() ? env.at("HUBSPOT_CLIENT_SECRET") : secret,
                                          signed_url.empty() ? webhook_url : signed_url, body, ts);
    return http_post(webhook_url, body,
                     {{"X-HubSpot-Signature-v3", signature}, {"X-HubSpot-Request-Timestamp", ts}});
  }

  // The lead's decisions as GET /api/decisions?lead= reports them.
  std::vector<DecisionSummary> decisions_for(const std::string& lead) {
    const auto response = http_get(sidecar->base_url() + "/api/decisions?lead=" + lead);
    if (response.status != 200) {
      throw std::runtime_error("GET /api/decisions?lead=: " + std::to_string(response.status));
    }
    const auto doc = parse_json(response.body);
    const rapidjson::Value* list = doc.IsArray() ? &doc : json_at(doc, "/decisions");
    if (list == nullptr || !list->IsArray()) {
      throw std::runtime_error("GET /api/decisions?lead=: no list in " + response.body);
    }
    std::vector<DecisionSummary> out;
    for (const auto& d : list->GetArray()) {
      DecisionSummary row;
      row.decision_id = json_string(d, "/decision_id");
      row.lead_id = json_string(d, "/lead_id");
      row.source = json_string(d, "/source");
      row.assignee_id = json_string(d, "/assignee_id");
      EXPECT_EQ(row.lead_id, lead) << "?lead= returned another lead's decision";
      out.push_back(std::move(row));
    }
    return out;
  }

  MockCrmProcess mock;
  TempDir dir;
  Env env = demo_env();
  std::optional<SidecarProcess> sidecar;
  std::string webhook_url;
};

TEST_F(WebhookTest, ContactCreatedInHubSpotGetsItsOwnerThroughTheSignedWebhook) {
  // Polling once an hour: only the webhook can make these leads move quickly.
  start(3600);
  point_mock_webhooks_at_sidecar();

  std::vector<double> latencies_ms;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string id = create_contact("latency" + std::to_string(i));
    ASSERT_FALSE(id.empty());
    std::optional<Contact> c;
    ASSERT_TRUE(wait_until(
        [&] {
          c = contact(id);
          return c && !c->owner.empty();
        },
        seconds{20}, milliseconds{10}))
        << "contact " << id << " got no owner within 20 s although its webhook was sent";
    latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    ids.push_back(id);
  }

  std::sort(latencies_ms.begin(), latencies_ms.end());
  const double median = latencies_ms[latencies_ms.size() / 2];
  std::cout << "webhook latency (contact created -> owner visible in the CRM), 5 contacts: min "
            << latencies_ms.front() << " ms, median " << median << " ms, max "
            << latencies_ms.back() << " ms\n";
  RecordProperty("webhook_latency_median_ms", static_cast<int>(median));
  RecordProperty("webhook_latency_max_ms", static_cast<int>(latencies_ms.back()));

  // The mock's own delivery log shows its signed calls were accepted.
  const auto state = parse_json(http_get(mock.base_url() + "/__admin/state").body);
  int delivered_to_sidecar = 0;
  for (const auto& attempt : state["hubspot"]["webhook_deliveries"].GetArray()) {
    if (json_string(attempt, "/url") == webhook_url) {
      EXPECT_TRUE(attempt["status"].GetInt() >= 200 && attempt["status"].GetInt() < 300)
          << to_json(attempt);
      ++delivered_to_sidecar;
    }
  }
  EXPECT_GE(delivered_to_sidecar, 5);
  for (const auto& id : ids) {
    EXPECT_EQ(decisions_for(id).size(), 1u) << id;
  }
  EXPECT_EQ(sidecar->stop(), 0);
}

TEST_F(WebhookTest, DuplicateReorderedAndRacingArrivalsDecideEachLeadOnce) {
  // Poll every second while the mock's webhooks and our own deliveries race it.
  start(1);
  // Five contacts the mock announces only to its own sink: the poller finds
  // them, and our webhooks for them arrive late ...
  const auto polled = create_contacts(5, "polled");
  point_mock_webhooks_at_sidecar();
  // ... and five the mock pushes to the sidecar at once, which the poller
  // then sees too.
  const auto pushed = create_contacts(5, "pushed");
  ASSERT_EQ(polled.size() + pushed.size(), 10u);
  std::vector<std::string> ids = polled;
  ids.insert(ids.end(), pushed.begin(), pushed.end());

  const std::int64_t now = epoch_ms_now();
  std::int64_t event_id = 900000000;  // far from the mock's own event ids
  for (const auto& id : pushed) {
    // Out of order: a later property change arrives before the creation ...
    Event change{++event_id, id, "contact.propertyChange", now + 500, 0, "lifecyclestage", "lead"};
    Event created{++event_id, id, "contact.creation", now, 0, {}, {}};
    ASSERT_EQ(deliver(events_body({change}), epoch_ms_now()).status / 100, 2);
    ASSERT_EQ(deliver(events_body({created}), epoch_ms_now()).status / 100, 2);
    // ... and the creation is delivered again, as HubSpot retries: same event
    // id, next attempt number, a fresh timestamp and signature.
    created.attempt = 1;
    ASSERT_EQ(deliver(events_body({created, change}), epoch_ms_now() + 1).status / 100, 2);
  }
  std::this_thread::sleep_for(milliseconds{1500});
  for (const auto& id : polled) {
    Event created{++event_id, id, "contact.creation", now, 0, {}, {}};
    ASSERT_EQ(deliver(events_body({created}), epoch_ms_now()).status / 100, 2);
    ASSERT_EQ(deliver(events_body({created}), epoch_ms_now() + 1).status / 100, 2);
  }
  // An exact replay of a signed call that was accepted is refused.
  const std::string body = events_body({{++event_id, ids[0], "contact.creation", now, 2, {}, {}}});
  const std::int64_t ts = epoch_ms_now();
  ASSERT_EQ(deliver(body, ts).status / 100, 2);
  EXPECT_EQ(deliver(body, ts).status, 401);

  std::map<std::string, Contact> crm;
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& id : ids) {
          auto c = contact(id);
          if (!c || c->owner.empty() || c->tasks < 1) {
            return false;
          }
          crm[id] = *c;
        }
        return true;
      },
      seconds{60}, milliseconds{200}))
      << "not every contact got an owner and a task";
  // Three more poll cycles and the owner-change webhooks the writes caused:
  // any second decision or task would show up by then.
  std::this_thread::sleep_for(seconds{3});
  ASSERT_EQ(http_post(mock.base_url() + "/__admin/webhooks/flush", "").status, 200);
  std::this_thread::sleep_for(milliseconds{500});

  const auto writes = hubspot_writes(mock_requests(mock.base_url(), true));
  ASSERT_EQ(writes.first_seq, 1) << "the mock's request log overflowed";
  std::map<std::string, int> by_source;
  for (const auto& id : ids) {
    SCOPED_TRACE("contact " + id);
    const auto decisions = decisions_for(id);
    ASSERT_EQ(decisions.size(), 1u);
    ++by_source[decisions[0].source];
    EXPECT_EQ(decisions[0].assignee_id, contact(id)->owner);
    EXPECT_EQ(contact(id)->tasks, 1);
    const auto& w = writes.by_contact.at(id);
    EXPECT_EQ(w.owners, std::set<std::string>{decisions[0].assignee_id});
    EXPECT_EQ(w.tasks_created, 1);
  }
  // The filtered endpoint agrees with the whole audit log.
  std::map<std::string, int> in_full_log;
  for (const auto& d : fetch_decisions(sidecar->base_url())) {
    ++in_full_log[d.lead_id];
  }
  for (const auto& id : ids) {
    EXPECT_EQ(in_full_log[id], 1) << id;
  }
  std::cout << "decided by source:";
  for (const auto& [source, n] : by_source) {
    std::cout << " " << source << "=" << n;
  }
  std::cout << "\n";
  EXPECT_EQ(sidecar->stop(), 0);
}

TEST_F(WebhookTest, RefusedCallsStoreNothingAndTheDaemonStaysHealthy) {
  start(3600, R"({"http": {"body_limit_bytes": 65536, "threads": 2}})");
  const auto before = fetch_decisions(sidecar->base_url());
  const auto log_before = mock_requests(mock.base_url());
  const std::int64_t seq_before = log_before.empty() ? 0 : log_before.back().seq;

  const std::string body = events_body(
      {{910000001, kSeedUnownedContact, "contact.creation", epoch_ms_now(), 0, {}, {}}});
  // Bad signature: signed with another secret.
  EXPECT_EQ(deliver(body, epoch_ms_now(), {}, "not-the-app-secret").status, 401);
  // Signed for another URL (a proxy that rewrites the host breaks the check).
  EXPECT_EQ(deliver(body, epoch_ms_now(), "https://elsewhere.example/webhooks/hubspot").status,
            401);
  // Stale and future timestamps, correctly signed: outside the 5-minute window.
  EXPECT_EQ(deliver(body, epoch_ms_now() - 6 * 60 * 1000).status, 401);
  EXPECT_EQ(deliver(body, epoch_ms_now() + 6 * 60 * 1000).status, 401);
  // No signature at all.
  EXPECT_EQ(http_post(webhook_url, body).status, 401);
  // Oversized (over http.body_limit_bytes), even though correctly signed.
  std::vector<Event> many;
  for (int i = 0; i < 400; ++i) {
    many.push_back(
        {920000000 + i, kSeedUnownedContact, "contact.creation", epoch_ms_now(), 0, {}, {}});
  }
  const std::string oversized = events_body(many);
  ASSERT_GT(oversized.size(), 65536u);
  EXPECT_EQ(deliver(oversized, epoch_ms_now()).status, 413);
  // Malformed, correctly signed: not JSON, not an array of events, an event
  // without objectId.
  EXPECT_EQ(deliver(R"([{"eventId":1,"objectId":)", epoch_ms_now()).status, 400);
  EXPECT_EQ(deliver(R"({"eventId":1,"objectId":100451})", epoch_ms_now()).status, 400);
  EXPECT_EQ(
      deliver(R"([{"eventId":1,"subscriptionType":"contact.creation"}])", epoch_ms_now()).status,
      400);

  // Nothing was stored and nothing fetched from the CRM for those calls.
  std::this_thread::sleep_for(milliseconds{500});
  EXPECT_EQ(fetch_decisions(sidecar->base_url()).size(), before.size());
  EXPECT_TRUE(decisions_for(kSeedUnownedContact).empty());
  for (const auto& r : mock_requests(mock.base_url())) {
    if (r.seq > seq_before) {
      EXPECT_EQ(r.path.find(kSeedUnownedContact), std::string::npos)
          << r.method << " " << r.path << " after a refused webhook";
    }
  }
  EXPECT_EQ(http_get(sidecar->base_url() + "/healthz").status, 200);
  const auto metrics = http_get(sidecar->base_url() + "/metrics").body;
  EXPECT_GE(
      metric_value(metrics,
                   R"(leadrouter_webhooks_total{connector="hubspot-main",result="unauthorized"})")
          .value_or(0),
      5);

  // The same event, correctly signed and fresh, is accepted and decided: the
  // refusals above were about the calls, not about how this test signs.
  const auto accepted = deliver(body, epoch_ms_now());
  EXPECT_EQ(accepted.status / 100, 2) << accepted.body;
  EXPECT_TRUE(
      wait_until([&] { return decisions_for(kSeedUnownedContact).size() == 1; }, seconds{15}))
      << "a valid webhook for contact " << kSeedUnownedContact << " was not decided";
  EXPECT_EQ(sidecar->stop(), 0);
}

TEST_F(WebhookTest, BehindAProxyTheSignatureCoversThePublicUrl) {
  // HubSpot calls https://leadrouter.acme.example/webhooks/hubspot; a proxy
  // forwards to the loopback port. The sidecar must check the signature
  // against the public URL, not the address it was reached on.
  start(3600, R"({"http": {"public_url": "https://leadrouter.acme.example", "threads": 2}})");
  const std::string public_hook = "https://leadrouter.acme.example/webhooks/hubspot";
  const std::string body = events_body(
      {{930000001, kSeedUnownedContact, "contact.creation", epoch_ms_now(), 0, {}, {}}});

  EXPECT_EQ(deliver(body, epoch_ms_now()).status, 401) << "signed for the loopback URL";
  EXPECT_TRUE(decisions_for(kSeedUnownedContact).empty());
  const auto accepted = deliver(body, epoch_ms_now(), public_hook);
  EXPECT_EQ(accepted.status / 100, 2) << accepted.body;
  EXPECT_TRUE(
      wait_until([&] { return decisions_for(kSeedUnownedContact).size() == 1; }, seconds{15}));
  EXPECT_EQ(sidecar->stop(), 0);
}

}  // namespace
}  // namespace leadrouter::integration
