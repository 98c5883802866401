// The seam between mock-crm's HTTP server and each imitated CRM. The server
// parses HTTP, applies faults and latency, logs requests and serializes
// access; each CrmApi answers the paths of one CRM with that CRM's shapes.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.hpp"

namespace leadrouter::mock_crm {

// HTTP header names are case-insensitive.
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};

struct HttpRequest {
  std::string method;                             // "GET", "POST", ...
  std::string target;                             // raw request target: path plus query string
  std::string path;                               // percent-decoded path without the query
  std::multimap<std::string, std::string> query;  // percent-decoded
  std::map<std::string, std::string, CaseInsensitiveLess> headers;
  std::string body;  // exact raw bytes

  // First value of a query parameter, if present.
  std::optional<std::string> query_param(std::string_view name) const;
  std::optional<std::string> header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json;charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// The server's clock: real time plus an offset that tests move through
// POST /__admin/clock to expire tokens without waiting.
class MockClock {
 public:
  std::chrono::system_clock::time_point now() const {
    std::lock_guard lock(mu_);
    return std::chrono::system_clock::now() + offset_;
  }
  void advance(std::chrono::milliseconds by) {
    std::lock_guard lock(mu_);
    offset_ += by;
  }
  void reset() {
    std::lock_guard lock(mu_);
    offset_ = {};
  }

 private:
  mutable std::mutex mu_;
  std::chrono::milliseconds offset_{0};
};

// Per-request information the server gives a CRM handler.
struct RequestContext {
  const MockClock& clock;
  std::string base_url;  // "http://127.0.0.1:PORT" as the client reached us
  bool rate_limits_on = false;
  std::string principal;  // set by the handler: who the request authenticated as
};

// Form bodies (OAuth token requests) and query strings (core/text.hpp).
using leadrouter::parse_urlencoded;
using leadrouter::percent_decode;

class CrmApi {
 public:
  virtual ~CrmApi() = default;

  // nullopt: this path does not belong to this CRM. The server calls handlers
  // one request at a time (it holds a lock), so implementations need no locking
  // of their own for state touched only here.
  virtual std::optional<HttpResponse> handle(const HttpRequest& request, RequestContext& ctx) = 0;

  // Replaces all state with the seed section (the "hubspot" or "salesforce"
  // object); an empty/null value means "no records". Returns error messages
  // naming the JSON path, empty on success.
  virtual std::vector<std::string> load_seed(const rapidjson::Value& section,
                                             const rapidjson::Value* limits) = 0;

  // Writes this CRM's whole state as one JSON value (for GET /__admin/state).
  virtual void write_state(rapidjson::Writer<rapidjson::StringBuffer>& out) const = 0;

  // Test controls (POST /__admin/faults).
  virtual void expire_access_tokens() = 0;
  virtual bool revoke_refresh_token(std::string_view refresh_token) = 0;

  // Sends every queued outbound call (webhook deliveries, including retries
  // not yet due and batches still inside their window) now and waits for the
  // attempts to finish (POST /__admin/webhooks/flush). The server calls it
  // without holding its handler lock, so an implementation that delivers
  // from its own thread must guard the queue itself.
  virtual void flush_outbound() {}
};

}  // namespace leadrouter::mock_crm
