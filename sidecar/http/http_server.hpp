// A small HTTP/1.1 server for the sidecar's own endpoints (health, metrics,
// admin API, webhooks), Boost.Beast underneath: keep-alive, a body limit
// enforced while reading (413 before the body is buffered), read timeouts,
// and a handler called once per request. Bound to 127.0.0.1 unless
// configured otherwise.
//
//   HttpServer server({.host = "127.0.0.1", .port = 0}, handler);
//   auto port = server.listen();   // the port actually bound
//   server.start();                // serves on its own threads
//   ...
//   server.stop();                 // stops accepting, closes connections, joins
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "connectors/http_message.hpp"
#include "core/error.hpp"

namespace leadrouter::sidecar {

struct HttpRequest {
  std::string method;                        // "GET", "POST"
  std::string target;                        // raw request target: "/api/decisions?limit=5"
  std::string path;                          // percent-decoded path: "/api/decisions"
  std::map<std::string, std::string> query;  // decoded query parameters (last one wins)
  connectors::HttpHeaders headers;
  std::string body;  // exact raw bytes
  std::string remote_address;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  // {"error": {"status": 400, "message": "..."}}
  static HttpResponse error(int status, std::string_view message);
  static HttpResponse json(std::string body, int status = 200);
  static HttpResponse text(std::string body, int status = 200);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::size_t body_limit = 1024 * 1024;  // larger bodies get 413
  std::chrono::seconds read_timeout{30};
  int threads = 2;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();  // stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::expected<unsigned short, Error> listen();
  void start();
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadrouter::sidecar
