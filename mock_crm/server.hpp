// The mock-crm HTTP(S) server: accepts connections on one port, parses each
// request with a body limit, applies injected faults and latency, routes it to
// /__admin or to each CRM in turn (one request at a time, under a mutex), logs
// it, and writes the answer. Boost.Beast underneath.
//
//   Server server(options, std::move(apis), std::move(seed));
//   if (auto errors = server.load_seed(); !errors.empty()) { ... }
//   auto port = server.listen();            // port 0 picks a free port
//   server.catch_signals();
//   server.run();                            // until SIGINT/SIGTERM or stop()
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <cstddef>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "mock_crm/crm_api.hpp"

namespace leadrouter::mock_crm {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::string tls_cert_file;  // PEM; with tls_key_file turns on HTTPS
  std::string tls_key_file;
  bool rate_limits_on = false;
  std::chrono::milliseconds latency{0};  // added to every CRM response
  std::size_t body_limit = 1024 * 1024;
  int io_threads = 4;
};

struct CrmEntry {
  std::string name;  // seed/state key: "hubspot", "salesforce"
  std::unique_ptr<CrmApi> api;
};

class Server {
 public:
  Server(ServerOptions options, std::vector<CrmEntry> apis, rapidjson::Document seed);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // (Re)loads the seed into every CRM; returns problems naming JSON paths.
  std::vector<std::string> load_seed();

  // Binds and listens; returns the port actually bound.
  std::expected<unsigned short, std::string> listen();

  // "http://127.0.0.1:PORT" (https with TLS), valid after listen().
  std::string base_url() const;

  // From now on SIGINT/SIGTERM stop the server (call before announcing the
  // port, so a signal sent right after start-up is not fatal).
  void catch_signals();

  // Serves until stop() or a caught signal.
  void run();
  void stop();

  // {"hubspot": ..., "salesforce": ...} in each CRM's write_state form.
  std::string state_json() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadrouter::mock_crm
