// The real HttpTransport: Boost.Beast over Asio with OpenSSL. HTTPS always
// verifies the peer certificate and its host name (SNI set), against the system
// trust store or a configured CA file; plain http is refused except to loopback
// hosts (tests, mock-crm) unless explicitly allowed.
//
//   auto client = HttpClient::create({.ca_file = "/etc/leadrouter/ca.pem"});
//   if (!client) { ... }
//   auto response = (*client)->send({"GET", "https://api.hubapi.com/crm/v3/owners"});
//
// Thread safety: send() may be called from any thread; calls are serialized on
// one internal mutex (one connection per origin is kept alive and reused). A
// component that needs parallel requests creates one client per worker.
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <memory>
#include <string>

#include "connectors/http_transport.hpp"

namespace leadrouter::connectors {

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};  // resolve + TCP connect + TLS handshake
  std::chrono::milliseconds io_timeout{30'000};       // each write / read of one message
  std::chrono::milliseconds total_timeout{60'000};    // the whole send()
  std::size_t max_response_bytes = 32 * 1024 * 1024;
  std::string ca_file;  // empty: the system trust store
  // Plain http to a non-loopback host. Only for a test network; logged loudly.
  bool allow_insecure_http = false;
  std::string user_agent = "leadrouter-connectors/0.1";
};

class HttpClient final : public HttpTransport {
 public:
  // Fails when the CA file cannot be loaded or the TLS context cannot be set up.
  static std::expected<std::unique_ptr<HttpClient>, Error> create(HttpClientOptions options);

  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  std::expected<HttpResponse, Error> send(const HttpRequest& request) override;

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadrouter::connectors
