// Helpers for the integration tests (mock-crm + `leadrouter serve` as real
// processes on loopback). Everything is header-only and throws
// std::runtime_error on setup failures, so a test fails with the reason.
//
//   TempDir dir;                                  // removed when it goes away
//   dir.write("policy.json", text);               // -> absolute path
//   auto r = http_get(base + "/healthz");         // r.status, r.body, r.header("...")
//   auto r = http_post(base + "/api/preview", body, {{"Content-Type", "application/json"}});
//   auto r = http_send("PATCH", url, body, headers);
//   rapidjson::Document d = parse_json(r.body);   // throws with the text on bad JSON
//   const rapidjson::Value* v = json_at(d, "/results/0/id");   // JSON pointer; null if absent
//   std::string s = json_string(d, "/id");        // "" when absent or not a string
//   bool ok = wait_until([&] { return ...; }, std::chrono::seconds{30});
//   Env env = demo_env();                         // examples/sidecar/demo.env, values resolved
//   std::string cfg = write_test_config(dir, {.poll_interval_seconds = 1, .mode = "shadow"});
//   std::vector<DecisionSummary> ds = fetch_decisions(sidecar.base_url());  // /api/decisions
//   std::vector<MockRequest> log = mock_requests(mock.base_url());         // /__admin/requests
//   mock_requests(mock.base_url(), true);   // with the raw bodies of writes
//   std::optional<double> v = metric_value(page, R"(x_total{result="error"})");
//
// Status 0 from http_* means no response arrived; the body then holds the
// transport error.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <stdlib.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "connectors/http_client.hpp"
#include "tests/scratch_dir.hpp"

namespace leadrouter::integration {

inline const std::string kSourceDir = LEADROUTER_SOURCE_DIR;
inline const std::string kBinaryDir = LEADROUTER_BINARY_DIR;
inline const std::string kLeadrouter = kBinaryDir + "/sidecar/leadrouter";

// The child's environment: exactly these variables, nothing inherited.
using Env = std::map<std::string, std::string>;

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) {
    throw std::runtime_error("cannot write " + path);
  }
}

using TempDir = test_support::ScratchDir;

// --- HTTP --------------------------------------------------------------------

inline connectors::HttpClient& test_http_client() {
  static std::once_flag once;
  static std::unique_ptr<connectors::HttpClient> client;
  std::call_once(once, [] {
    auto created = connectors::HttpClient::create({.connect_timeout = std::chrono::seconds{5},
                                                   .io_timeout = std::chrono::seconds{30},
                                                   .total_timeout = std::chrono::seconds{60}});
    if (!created) {
      throw std::runtime_error("cannot create the test HTTP client: " + created.error().message);
    }
    client = std::move(*created);
  });
  return *client;
}

inline connectors::HttpResponse http_send(const std::string& method, const std::string& url,
                                          const std::string& body = {},
                                          const connectors::HttpHeaders& headers = {}) {
  connectors::HttpRequest request{method, url, headers, body};
  auto response = test_http_client().send(request);
  if (!response) {
    return {0, {}, "no response: " + response.error().message};
  }
  return *response;
}

inline connectors::HttpResponse http_get(const std::string& url,
                                         const connectors::HttpHeaders& headers = {}) {
  return http_send("GET", url, {}, headers);
}

inline connectors::HttpResponse http_post(const std::string& url, const std::string& body,
                                          connectors::HttpHeaders headers = {}) {
  if (!connectors::find_header(headers, "Content-Type")) {
    headers.emplace_back("Content-Type", "application/json");
  }
  return http_send("POST", url, body, headers);
}

// --- JSON --------------------------------------------------------------------

inline rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    throw std::runtime_error("not JSON: " + text.substr(0, 500));
  }
  return doc;
}

inline const rapidjson::Value* json_at(const rapidjson::Value& root, const char* pointer) {
  return rapidjson::Pointer(pointer).Get(root);
}

inline std::string json_string(const rapidjson::Value& root, const char* pointer) {
  const auto* v = json_at(root, pointer);
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength())
                                       : std::string();
}

inline std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

// --- waiting -----------------------------------------------------------------

// Polls `predicate` every `interval` until it is true (returns true) or
// `timeout` passes (returns false, after one last try).
inline bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds interval = std::chrono::milliseconds{100}) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) {
      return true;
    }
    std::this_thread::sleep_for(interval);
  }
  return predicate();
}

// --- what the processes report -----------------------------------------------

// One row of the sidecar's audit log (GET /api/decisions), the fields tests
// compare with the CRM.
struct DecisionSummary {
  std::string decision_id;
  std::string connector;
  std::string lead_id;
  std::string source;  // "poll", "webhook"
  std::string mode;    // "live", "shadow"
  std::string assignee_kind;
  std::string assignee_id;
};

// The newest `limit` decisions, newest first. Throws when the sidecar does
// not answer 200 with a list.
inline std::vector<DecisionSummary> fetch_decisions(const std::string& sidecar_url,
                                                    int limit = 1000) {
  const auto response = http_get(sidecar_url + "/api/decisions?limit=" + std::to_string(limit));
  if (response.status != 200) {
    throw std::runtime_error("GET /api/decisions: " + std::to_string(response.status) + " " +
                             response.body);
  }
  const auto doc = parse_json(response.body);
  const rapidjson::Value* list = doc.IsArray() ? &doc : json_at(doc, "/decisions");
  if (list == nullptr || !list->IsArray()) {
    throw std::runtime_error("GET /api/decisions: no list in " + response.body.substr(0, 300));
  }
  std::vector<DecisionSummary> rows;
  for (const auto& d : list->GetArray()) {
    DecisionSummary row;
    row.decision_id = json_string(d, "/decision_id");
    row.connector = json_string(d, "/connector");
    row.lead_id = json_string(d, "/lead_id");
    row.source = json_string(d, "/source");
    row.mode = json_string(d, "/mode");
    row.assignee_kind = json_string(d, "/assignee_kind");
    row.assignee_id = json_string(d, "/assignee_id");
    if (row.assignee_id.empty()) {
      row.assignee_kind = json_string(d, "/assignee/kind");
      row.assignee_id = json_string(d, "/assignee/id");
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// The value of one sample in a Prometheus text page, by its exact name and
// labels as rendered ("name" or "name{a=\"x\",b=\"y\"}"); nullopt if absent.
inline std::optional<double> metric_value(const std::string& page, const std::string& sample) {
  std::istringstream in(page);
  for (std::string line; std::getline(in, line);) {
    if (line.size() > sample.size() && line.starts_with(sample) && line[sample.size()] == ' ') {
      return std::stod(line.substr(sample.size() + 1));
    }
  }
  return std::nullopt;
}

// One entry of mock-crm's request log (GET /__admin/requests).
struct MockRequest {
  std::int64_t seq = 0;
  std::string method;
  std::string path;
  std::string query;
  int status = 0;  // 0: the connection was dropped
  std::string principal;
  std::string time;   // server clock, ISO 8601 with milliseconds
  std::string fault;  // the injected fault's kind, empty if none
  std::string body;   // non-GET CRM calls, when asked for (`with_bodies`)
};

inline std::vector<MockRequest> mock_requests(const std::string& mock_url,
                                              bool with_bodies = false) {
  const auto response =
      http_get(mock_url + "/__admin/requests" + (with_bodies ? "?bodies=true" : ""));
  if (response.status != 200) {
    throw std::runtime_error("GET /__admin/requests: " + std::to_string(response.status));
  }
  const auto doc = parse_json(response.body);
  const rapidjson::Value* list = doc.IsArray() ? &doc : json_at(doc, "/requests");
  if (list == nullptr || !list->IsArray()) {
    throw std::runtime_error("GET /__admin/requests: no list in " + response.body.substr(0, 300));
  }
  std::vector<MockRequest> requests;
  for (const auto& r : list->GetArray()) {
    MockRequest entry;
    if (const auto* seq = json_at(r, "/seq"); seq != nullptr && seq->IsInt64()) {
      entry.seq = seq->GetInt64();
    }
    entry.method = json_string(r, "/method");
    entry.path = json_string(r, "/path");
    entry.query = json_string(r, "/query");
    if (const auto* status = json_at(r, "/status"); status != nullptr && status->IsInt()) {
      entry.status = status->GetInt();
    }
    entry.principal = json_string(r, "/principal");
    entry.time = json_string(r, "/time");
    entry.fault = json_string(r, "/fault");
    entry.body = json_string(r, "/body");
    requests.push_back(std::move(entry));
  }
  return requests;
}

// --- the sidecar's inputs ----------------------------------------------------

// examples/sidecar/demo.env as the shell would see it after `set -a; . demo.env`
// from the repository root: KEY=VALUE lines, quotes removed, and "$(cat FILE)"
// replaced by the file's content (trailing newline kept out, as the shell does).
inline Env demo_env() {
  Env env;
  std::istringstream in(read_file(kSourceDir + "/examples/sidecar/demo.env"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      continue;
    }
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (value.starts_with("$(cat ") && value.ends_with(")")) {
      value = read_file(kSourceDir + "/" + value.substr(6, value.size() - 7));
      while (!value.empty() && value.back() == '\n') {
        value.pop_back();
      }
    }
    env[line.substr(0, eq)] = value;
  }
  if (env.empty()) {
    throw std::runtime_error("examples/sidecar/demo.env has no variables");
  }
  return env;
}

struct TestConfigOptions {
  int poll_interval_seconds = 1;
  std::string mode;                      // empty: as the example ("live")
  std::string policy;                    // empty: tests/integration/data/policy.json
  std::string roster;                    // empty: none (the CRM's users only)
  std::string start_from = "beginning";  // "beginning" routes the seed's leads too
  bool write_back = true;
  std::string connectors = "all";  // "all", "hubspot" or "salesforce"
  std::string log_level = "debug";
  // A JSON object whose top-level members replace the config's, applied last:
  // R"({"reload_on_change": false, "http": {"body_limit": 4096}})".
  std::string extra_json;
};

// A copy of examples/sidecar/config.json in `dir` (config.json) with a short
// poll interval, routing files as absolute paths and the given options; the
// policy is copied into `dir` (policy.json) so a test can break it in place,
// and per-connector "routing" overrides of the example are dropped.
// Returns the config's path. --crm-url/--state/--listen are passed as flags.
inline std::string write_test_config(const TempDir& dir, const TestConfigOptions& options = {}) {
  rapidjson::Document config = parse_json(read_file(kSourceDir + "/examples/sidecar/config.json"));
  auto& a = config.GetAllocator();
  auto& list = config["connectors"];
  for (rapidjson::SizeType i = list.Size(); i-- > 0;) {
    const std::string type = list[i]["type"].GetString();
    if (options.connectors != "all" && options.connectors != type) {
      list.Erase(list.Begin() + i);
    }
  }
  for (auto& c : list.GetArray()) {
    c.RemoveMember("poll_interval_seconds");
    c.AddMember("poll_interval_seconds", options.poll_interval_seconds, a);
    c.RemoveMember("write_back");
    c.AddMember("write_back", options.write_back, a);
  }
  const std::string policy_source =
      options.policy.empty() ? kSourceDir + "/tests/integration/data/policy.json" : options.policy;
  const std::string policy = dir.write("policy.json", read_file(policy_source));
  config.RemoveMember("policy");
  config.AddMember("policy", rapidjson::Value(policy.c_str(), a), a);
  config.RemoveMember("roster");
  if (!options.roster.empty()) {
    config.AddMember("roster", rapidjson::Value(options.roster.c_str(), a), a);
  }
  config.RemoveMember("routing");
  // Other file paths of the example stay valid from the temp dir.
  for (const char* key : {"free_mail", "model"}) {
    if (auto it = config.FindMember(key);
        it != config.MemberEnd() && it->value.IsString() && it->value.GetString()[0] != '/') {
      const std::string absolute =
          kSourceDir + "/examples/sidecar/" + std::string(it->value.GetString());
      it->value.SetString(absolute.c_str(), a);
    }
  }
  rapidjson::Value ingest(rapidjson::kObjectType);
  ingest.AddMember("start_from", rapidjson::Value(options.start_from.c_str(), a), a);
  config.RemoveMember("ingest");
  config.AddMember("ingest", ingest, a);
  rapidjson::Value log(rapidjson::kObjectType);
  log.AddMember("level", rapidjson::Value(options.log_level.c_str(), a), a);
  log.AddMember("format", "json", a);
  config.RemoveMember("log");
  config.AddMember("log", log, a);
  if (!options.mode.empty()) {
    config.RemoveMember("mode");
    config.AddMember("mode", rapidjson::Value(options.mode.c_str(), a), a);
  }
  if (!options.extra_json.empty()) {
    const rapidjson::Document extra = parse_json(options.extra_json);
    for (const auto& member : extra.GetObject()) {
      config.RemoveMember(member.name);
      config.AddMember(rapidjson::Value(member.name, a), rapidjson::Value(member.value, a), a);
    }
  }
  return dir.write("config.json", to_json(config));
}

}  // namespace leadrouter::integration
