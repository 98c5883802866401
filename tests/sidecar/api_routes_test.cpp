// Asio's scheduler trips GCC 12's -Wnull-dereference once inlined at -O2
// (a false positive inside Boost); silence it for this file only.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "sidecar/http/api_routes.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tests/sidecar/http_test_client.hpp"

namespace leadrouter::sidecar {
namespace {

using namespace std::chrono_literals;

DecisionRow make_row(std::int64_t seq, std::string id) {
  DecisionRow row;
  row.seq = seq;
  row.decision_id = std::move(id);
  row.connector = "hubspot-main";
  row.lead_id = "L" + std::to_string(seq);
  row.source = "poll";
  row.mode = "live";
  row.decided_at = TimestampMs(1'764'114'001'123ms);
  row.assignee_kind = "rep";
  row.assignee_id = "rep-7";
  row.route = "emea";
  row.tier = "A";
  row.score = 0.75;
  row.policy_name = "main";
  row.policy_version = 3;
  row.decision_json = R"({"assignee":{"kind":"rep","id":"rep-7"},"why":"territory"})";
  row.lead_json = R"({"id":"L)" + std::to_string(seq) + R"("})";
  return row;
}

class FakeBackend : public ApiBackend {
 public:
  std::vector<ReadinessCheck> checks{{"store", true, "open"}};
  std::vector<DecisionRow> rows;  // newest first
  std::optional<Error> fail;      // every call fails with this when set
  std::vector<DecisionQuery> queries;
  std::vector<std::string> previewed;  // "connector|lead id"
  std::vector<std::pair<std::string, connectors::WebhookRequest>> webhooks;
  int accepted = 2;

  std::vector<ReadinessCheck> readiness() override { return checks; }
  std::string metrics_text() override { return "# TYPE up gauge\nup 1\n"; }

  std::expected<std::vector<DecisionRow>, Error> decisions(const DecisionQuery& q) override {
    queries.push_back(q);
    if (fail) {
      return std::unexpected(*fail);
    }
    std::vector<DecisionRow> out;
    for (const auto& r : rows) {
      if ((q.before_seq && r.seq >= *q.before_seq) ||
          (!q.lead_id.empty() && r.lead_id != q.lead_id) ||
          (!q.connector.empty() && r.connector != q.connector)) {
        continue;
      }
      if (static_cast<int>(out.size()) == q.limit) {
        break;
      }
      out.push_back(r);
    }
    return out;
  }

  std::expected<std::optional<DecisionRow>, Error> decision(std::string_view id) override {
    if (fail) {
      return std::unexpected(*fail);
    }
    for (const auto& r : rows) {
      if (r.decision_id == id) {
        return r;
      }
    }
    return std::optional<DecisionRow>();
  }

  std::expected<std::string, Error> preview(std::string_view connector,
                                            const core::Lead& lead) override {
    previewed.push_back(std::string(connector) + "|" + lead.id);
    if (fail) {
      return std::unexpected(*fail);
    }
    return std::string(R"({"lead_id":")") + lead.id + R"(","assignee":"rep-1"})";
  }

  std::expected<int, Error> webhook(std::string_view connector,
                                    const connectors::WebhookRequest& request) override {
    webhooks.emplace_back(std::string(connector), request);
    if (fail) {
      return std::unexpected(*fail);
    }
    return accepted;
  }
};

HttpRequest request(std::string method, std::string target, std::string body = "",
                    connectors::HttpHeaders headers = {}) {
  HttpRequest req;
  req.method = std::move(method);
  req.target = target;
  auto q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string rest = target.substr(q + 1);
    while (!rest.empty()) {
      auto amp = rest.find('&');
      std::string pair = rest.substr(0, amp);
      auto eq = pair.find('=');
      req.query[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
      rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
    }
  }
  req.headers = std::move(headers);
  req.body = std::move(body);
  return req;
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

void expect_error(const HttpResponse& res, int status, std::string_view message_part) {
  EXPECT_EQ(res.status, status) << res.body;
  auto doc = parse(res.body);
  ASSERT_TRUE(doc.IsObject() && doc.HasMember("error")) << res.body;
  EXPECT_EQ(doc["error"]["status"].GetInt(), status);
  EXPECT_NE(std::string(doc["error"]["message"].GetString()).find(message_part), std::string::npos)
      << res.body;
}

class ApiRoutesTest : public ::testing::Test {
 protected:
  FakeBackend backend_;
  HttpHandler handler_ = make_api_handler(backend_, {.max_decisions_limit = 100});
};

TEST_F(ApiRoutesTest, Healthz) {
  auto res = handler_(request("GET", "/healthz"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "ok\n");
  EXPECT_EQ(res.content_type.rfind("text/plain", 0), 0u);
}

TEST_F(ApiRoutesTest, ReadyzReportsEveryCheck) {
  auto res = handler_(request("GET", "/readyz"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, R"({"ready":true,"checks":[{"name":"store","ok":true,"detail":"open"}]})");

  backend_.checks.push_back({"token:hubspot-main", false, "invalid_grant"});
  res = handler_(request("GET", "/readyz"));
  EXPECT_EQ(res.status, 503);
  auto doc = parse(res.body);
  EXPECT_FALSE(doc["ready"].GetBool());
  ASSERT_EQ(doc["checks"].Size(), 2u);
  EXPECT_STREQ(doc["checks"][1]["name"].GetString(), "token:hubspot-main");
  EXPECT_FALSE(doc["checks"][1]["ok"].GetBool());
  EXPECT_STREQ(doc["checks"][1]["detail"].GetString(), "invalid_grant");
}

TEST_F(ApiRoutesTest, MetricsUsesThePrometheusContentType) {
  auto res = handler_(request("GET", "/metrics"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(res.body, "# TYPE up gauge\nup 1\n");
}

TEST_F(ApiRoutesTest, DecisionsListsRowsWithEmbeddedDocuments) {
  backend_.rows = {make_row(3, "d3"), make_row(2, "d2"), make_row(1, "d1")};
  backend_.rows[0].lead_created_at = TimestampMs(1'764'114'000'000ms);
  auto res = handler_(request("GET", "/api/decisions"));
  ASSERT_EQ(res.status, 200) << res.body;
  ASSERT_EQ(backend_.queries.size(), 1u);
  EXPECT_EQ(backend_.queries[0].limit, 51);  // one more, to know if a next page exists
  auto doc = parse(res.body);
  ASSERT_EQ(doc["decisions"].Size(), 3u);
  const auto& first = doc["decisions"][0];
  EXPECT_EQ(first["seq"].GetInt64(), 3);
  EXPECT_STREQ(first["decision_id"].GetString(), "d3");
  EXPECT_STREQ(first["connector"].GetString(), "hubspot-main");
  EXPECT_STREQ(first["lead_id"].GetString(), "L3");
  EXPECT_STREQ(first["kind"].GetString(), "initial");
  EXPECT_STREQ(first["source"].GetString(), "poll");
  EXPECT_STREQ(first["mode"].GetString(), "live");
  EXPECT_STREQ(first["decided_at"].GetString(), "2025-11-25T23:40:01.123Z");
  EXPECT_STREQ(first["lead_created_at"].GetString(), "2025-11-25T23:40:00.000Z");
  EXPECT_STREQ(first["assignee_kind"].GetString(), "rep");
  EXPECT_STREQ(first["assignee_id"].GetString(), "rep-7");
  EXPECT_STREQ(first["route"].GetString(), "emea");
  EXPECT_STREQ(first["tier"].GetString(), "A");
  EXPECT_DOUBLE_EQ(first["score"].GetDouble(), 0.75);
  EXPECT_STREQ(first["policy_name"].GetString(), "main");
  EXPECT_EQ(first["policy_version"].GetInt(), 3);
  EXPECT_STREQ(first["model_version"].GetString(), "");
  ASSERT_TRUE(first["decision"].IsObject());
  EXPECT_STREQ(first["decision"]["assignee"]["id"].GetString(), "rep-7");
  ASSERT_TRUE(first["lead"].IsObject());
  EXPECT_STREQ(first["lead"]["id"].GetString(), "L3");
  EXPECT_TRUE(doc["decisions"][1]["lead_created_at"].IsNull());
  EXPECT_TRUE(doc["next_before"].IsNull());
}

TEST_F(ApiRoutesTest, DecisionsPagesWithNextBefore) {
  for (int seq = 10; seq >= 1; --seq) {
    backend_.rows.push_back(make_row(seq, "d" + std::to_string(seq)));
  }
  auto res = handler_(request("GET", "/api/decisions?limit=4"));
  auto doc = parse(res.body);
  ASSERT_EQ(doc["decisions"].Size(), 4u);
  EXPECT_EQ(doc["decisions"][3]["seq"].GetInt64(), 7);
  ASSERT_TRUE(doc["next_before"].IsInt64());
  EXPECT_EQ(doc["next_before"].GetInt64(), 7);

  res = handler_(request("GET", "/api/decisions?limit=4&before=7"));
  doc = parse(res.body);
  ASSERT_EQ(doc["decisions"].Size(), 4u);
  EXPECT_EQ(doc["decisions"][0]["seq"].GetInt64(), 6);
  EXPECT_EQ(doc["next_before"].GetInt64(), 3);

  res = handler_(request("GET", "/api/decisions?limit=4&before=3"));
  doc = parse(res.body);
  ASSERT_EQ(doc["decisions"].Size(), 2u);
  EXPECT_TRUE(doc["next_before"].IsNull());

  // Exactly a page left: still no next page.
  res = handler_(request("GET", "/api/decisions?limit=2&before=3"));
  doc = parse(res.body);
  EXPECT_EQ(doc["decisions"].Size(), 2u);
  EXPECT_TRUE(doc["next_before"].IsNull());
}

TEST_F(ApiRoutesTest, DecisionsPassesFilters) {
  backend_.rows = {make_row(2, "d2"), make_row(1, "d1")};
  auto res = handler_(request("GET", "/api/decisions?lead=L1&connector=hubspot-main&limit=100"));
  ASSERT_EQ(res.status, 200);
  ASSERT_EQ(backend_.queries.size(), 1u);
  EXPECT_EQ(backend_.queries[0].lead_id, "L1");
  EXPECT_EQ(backend_.queries[0].connector, "hubspot-main");
  EXPECT_EQ(backend_.queries[0].limit, 101);
  EXPECT_FALSE(backend_.queries[0].before_seq.has_value());
  EXPECT_EQ(parse(res.body)["decisions"].Size(), 1u);
}

TEST_F(ApiRoutesTest, DecisionsValidatesParameters) {
  for (const char* target :
       {"/api/decisions?limit=0", "/api/decisions?limit=101", "/api/decisions?limit=abc",
        "/api/decisions?limit=", "/api/decisions?limit=5x", "/api/decisions?limit=-1"}) {
    expect_error(handler_(request("GET", target)), 400, "limit");
  }
  expect_error(handler_(request("GET", "/api/decisions?before=x")), 400, "before");
  expect_error(handler_(request("GET", "/api/decisions?before=")), 400, "before");
  EXPECT_TRUE(backend_.queries.empty());
}

TEST_F(ApiRoutesTest, DecisionsDoesNotLeakInternalErrors) {
  backend_.fail = Error::internal("disk I/O error at /var/lib/leadrouter");
  auto res = handler_(request("GET", "/api/decisions"));
  expect_error(res, 500, "internal error");
  EXPECT_EQ(res.body.find("/var/lib"), std::string::npos);
}

TEST_F(ApiRoutesTest, OneDecisionById) {
  backend_.rows = {make_row(2, "d2"), make_row(1, "d1")};
  auto res = handler_(request("GET", "/api/decisions/d1"));
  ASSERT_EQ(res.status, 200) << res.body;
  auto doc = parse(res.body);
  EXPECT_STREQ(doc["decision_id"].GetString(), "d1");
  EXPECT_TRUE(doc["decision"].IsObject());
  expect_error(handler_(request("GET", "/api/decisions/nope")), 404, "nope");
}

TEST_F(ApiRoutesTest, AnUnparsableStoredDocumentIsShownAsNull) {
  backend_.rows = {make_row(1, "d1")};
  backend_.rows[0].decision_json = "{broken";
  auto doc = parse(handler_(request("GET", "/api/decisions/d1")).body);
  EXPECT_TRUE(doc["decision"].IsNull());
  EXPECT_TRUE(doc["lead"].IsObject());
}

TEST_F(ApiRoutesTest, PreviewRunsTheBackendOnAValidLead) {
  auto res = handler_(request("POST", "/api/preview?connector=hubspot-main", R"({"id":"L9"})",
                              {{"Content-Type", "application/json; charset=utf-8"}}));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body, R"({"lead_id":"L9","assignee":"rep-1"})");
  ASSERT_EQ(backend_.previewed.size(), 1u);
  EXPECT_EQ(backend_.previewed[0], "hubspot-main|L9");

  res = handler_(request("POST", "/api/preview", R"({"id":"L10"})",
                         {{"content-type", "application/vnd.lead+json"}}));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(backend_.previewed.back(), "|L10");
}

TEST_F(ApiRoutesTest, PreviewReportsEveryValidationError) {
  auto res = handler_(request("POST", "/api/preview", R"({"id":"","bogus_key":1})",
                              {{"Content-Type", "application/json"}}));
  EXPECT_EQ(res.status, 400);
  auto doc = parse(res.body);
  ASSERT_TRUE(doc["error"]["errors"].IsArray());
  EXPECT_GE(doc["error"]["errors"].Size(), 2u) << res.body;
  std::string message = doc["error"]["message"].GetString();
  EXPECT_NE(message.find("/bogus_key"), std::string::npos) << message;
  EXPECT_NE(message.find("/id"), std::string::npos) << message;
  EXPECT_TRUE(backend_.previewed.empty());

  expect_error(
      handler_(request("POST", "/api/preview", "[1,2", {{"Content-Type", "application/json"}})),
      400, "");
  expect_error(
      handler_(request("POST", "/api/preview", "", {{"Content-Type", "application/json"}})), 400,
      "JSON object");
  EXPECT_TRUE(backend_.previewed.empty());
}

TEST_F(ApiRoutesTest, PreviewNeedsAJsonContentType) {
  expect_error(
      handler_(request("POST", "/api/preview", R"({"id":"L1"})", {{"Content-Type", "text/plain"}})),
      415, "application/json");
  expect_error(handler_(request("POST", "/api/preview", R"({"id":"L1"})")), 415,
               "application/json");
  EXPECT_TRUE(backend_.previewed.empty());
}

TEST_F(ApiRoutesTest, PreviewMapsBackendErrors) {
  const connectors::HttpHeaders json{{"Content-Type", "application/json"}};
  backend_.fail = Error::invalid_input("bad lead for this policy");
  expect_error(handler_(request("POST", "/api/preview", R"({"id":"L1"})", json)), 400,
               "bad lead for this policy");
  backend_.fail = Error::not_found("no connector 'x'");
  expect_error(handler_(request("POST", "/api/preview?connector=x", R"({"id":"L1"})", json)), 404,
               "no connector 'x'");
  backend_.fail = Error{ErrorKind::kRetryable, "timeout"};
  expect_error(handler_(request("POST", "/api/preview", R"({"id":"L1"})", json)), 500,
               "internal error");
}

TEST_F(ApiRoutesTest, WebhookPassesTheCallThrough) {
  auto res = handler_(request("POST", "/webhooks/hubspot?x=1", R"([{"eventId":1}])",
                              {{"Host", "sidecar.local:8080"}, {"X-HubSpot-Signature-v3", "sig"}}));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body, R"({"accepted":2})");
  ASSERT_EQ(backend_.webhooks.size(), 1u);
  const auto& [name, call] = backend_.webhooks[0];
  EXPECT_EQ(name, "hubspot");
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.url, "http://sidecar.local:8080/webhooks/hubspot?x=1");
  EXPECT_EQ(call.body, R"([{"eventId":1}])");
  EXPECT_EQ(connectors::find_header(call.headers, "x-hubspot-signature-v3"), "sig");
}

TEST_F(ApiRoutesTest, WebhookUsesThePublicUrlWhenConfigured) {
  auto handler = make_api_handler(backend_, {.public_url = "https://hooks.example.com/lr/"});
  auto res = handler(request("POST", "/webhooks/hs-main", "[]", {{"Host", "127.0.0.1:9"}}));
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(backend_.webhooks.back().second.url, "https://hooks.example.com/lr/webhooks/hs-main");
  EXPECT_EQ(backend_.webhooks.back().first, "hs-main");
}

TEST_F(ApiRoutesTest, WebhookMapsBackendErrors) {
  const connectors::HttpHeaders host{{"Host", "h"}};
  backend_.fail = Error{ErrorKind::kAuth, "bad signature"};
  expect_error(handler_(request("POST", "/webhooks/hubspot", "[]", host)), 401, "bad signature");
  backend_.fail = Error::invalid_input("not a JSON array");
  expect_error(handler_(request("POST", "/webhooks/hubspot", "[]", host)), 400, "JSON array");
  backend_.fail = Error::not_found("no connector 'zz'");
  expect_error(handler_(request("POST", "/webhooks/zz", "[]", host)), 404, "zz");
  backend_.fail = Error{ErrorKind::kRetryable, "ingest queue full"};
  auto res = handler_(request("POST", "/webhooks/hubspot", "[]", host));
  expect_error(res, 503, "queue full");
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.headers[0].first, "Retry-After");
  backend_.fail = Error::internal("boom");
  expect_error(handler_(request("POST", "/webhooks/hubspot", "[]", host)), 500, "internal");
}

TEST_F(ApiRoutesTest, WebhookWithoutHostIsRefused) {
  expect_error(handler_(request("POST", "/webhooks/hubspot", "[]")), 400, "Host");
  EXPECT_TRUE(backend_.webhooks.empty());
}

TEST_F(ApiRoutesTest, WrongMethodsGet405WithAllow) {
  struct Case {
    const char* method;
    const char* target;
    const char* allow;
  };
  for (auto c :
       {Case{"POST", "/healthz", "GET, HEAD"}, Case{"DELETE", "/api/decisions", "GET, HEAD"},
        Case{"PUT", "/api/decisions/d1", "GET, HEAD"}, Case{"GET", "/api/preview", "POST"},
        Case{"GET", "/webhooks/hubspot", "POST"}, Case{"POST", "/metrics", "GET, HEAD"},
        Case{"POST", "/readyz", "GET, HEAD"}}) {
    auto res = handler_(request(c.method, c.target));
    expect_error(res, 405, c.method);
    ASSERT_EQ(res.headers.size(), 1u) << c.target;
    EXPECT_EQ(res.headers[0].first, "Allow");
    EXPECT_EQ(res.headers[0].second, c.allow);
  }
  EXPECT_TRUE(backend_.webhooks.empty());
  EXPECT_TRUE(backend_.queries.empty());
}

TEST_F(ApiRoutesTest, UnknownPathsGet404) {
  for (const char* target :
       {"/", "/nope", "/api", "/api/decisions/", "/webhooks/", "/webhooks/a/b", "/healthz/x"}) {
    expect_error(handler_(request("GET", target)), 404, "no endpoint");
  }
}

// The same handler behind a real server: what a CRM or an operator sees.
TEST(ApiRoutesServerTest, ServesThroughARealServer) {
  FakeBackend backend;
  backend.rows = {make_row(1, "d1")};
  HttpServer server({}, make_api_handler(backend, {}));
  auto port = server.listen();
  ASSERT_TRUE(port.has_value());
  server.start();

  testing::RawConnection c(*port);
  c.send(testing::get_request("/healthz"));
  auto res = c.read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200);
  EXPECT_EQ(res->body(), "ok\n");

  c.send(testing::get_request("/api/decisions/d%31"));
  res = c.read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200);
  EXPECT_STREQ(parse(res->body())["decision_id"].GetString(), "d1");

  c.send(testing::get_request("/api/decisions?limit=1&connector=hubspot%2Dmain"));
  res = c.read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200);
  EXPECT_EQ(backend.queries.back().connector, "hubspot-main");

  c.send(testing::get_request("/metrics"));
  res = c.read();
  ASSERT_TRUE(res);
  EXPECT_EQ((*res)[boost::beast::http::field::content_type],
            "text/plain; version=0.0.4; charset=utf-8");

  c.send(testing::post_request("/api/preview?connector=hs", "application/json", R"({"id":"L5"})"));
  res = c.read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 200);
  EXPECT_EQ(backend.previewed.back(), "hs|L5");

  c.send(testing::post_request("/webhooks/hubspot?v=3", "application/json", "[]",
                               "X-HubSpot-Signature-v3: abc\r\n"));
  res = c.read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body(), R"({"accepted":2})");
  EXPECT_EQ(backend.webhooks.back().second.url, "http://127.0.0.1/webhooks/hubspot?v=3");

  c.send(testing::get_request("/webhooks/hubspot"));
  res = c.read();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result_int(), 405);
  EXPECT_EQ((*res)[boost::beast::http::field::allow], "POST");
  server.stop();
}

}  // namespace
}  // namespace leadrouter::sidecar
