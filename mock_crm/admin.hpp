// Test control endpoints under /__admin/ (part of neither CRM): inspect the
// state and the request log, reseed, inject faults, move the clock, and a
// webhook sink so a demo can watch deliveries without its own listener.
//
//   GET  /__admin/state            every record of every CRM
//   GET  /__admin/requests[?after=SEQ][&bodies=true]   DELETE clears
//   POST /__admin/reset            reseed and forget faults, log and clock offset
//   POST /__admin/faults           GET lists, DELETE clears
//   GET|POST /__admin/clock        {"advance_seconds": N}
//   POST /__admin/webhooks/flush   (handled by the server, outside its lock)
//   POST|GET|DELETE /__admin/webhooks/sink
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mock_crm/crm_api.hpp"
#include "mock_crm/fault_rules.hpp"
#include "mock_crm/request_log.hpp"

namespace leadrouter::mock_crm {

struct NamedApi {
  std::string name;  // "hubspot", "salesforce": the seed and state key
  CrmApi* api;
};

class Admin {
 public:
  // reseed: reloads the seed into every CRM; returns error messages.
  Admin(std::vector<NamedApi> apis, MockClock& clock, FaultRules& faults, RequestLog& log,
        std::function<std::vector<std::string>()> reseed);

  static bool is_admin_path(std::string_view path) { return path.starts_with("/__admin/"); }

  // nullopt when the path is not an admin path. The caller holds the server lock.
  std::optional<HttpResponse> handle(const HttpRequest& request);

 private:
  HttpResponse state() const;
  HttpResponse faults(const HttpRequest& request);
  HttpResponse clock(const HttpRequest& request);
  HttpResponse sink(const HttpRequest& request);

  struct SinkDelivery {
    std::string received_at;
    std::string path;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
  };

  std::vector<NamedApi> apis_;
  MockClock& clock_;
  FaultRules& faults_;
  RequestLog& log_;
  std::function<std::vector<std::string>()> reseed_;
  std::vector<SinkDelivery> sink_;
};

HttpResponse admin_json(int status, std::string body);
HttpResponse admin_error(int status, std::string_view message);

}  // namespace leadrouter::mock_crm
