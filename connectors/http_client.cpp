#include "connectors/http_client.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <map>
#include <mutex>

#include "connectors/url.hpp"

namespace leadrouter::connectors {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// One kept-alive connection to one origin.
struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

Error retryable(std::string message) {
  return Error{ErrorKind::kRetryable, std::move(message)};
}

bool is_connection_drop(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
         ec == asio::ssl::error::stream_truncated;
}

}  // namespace

struct HttpClient::Impl {
  HttpClientOptions options;
  asio::io_context ioc;
  ssl::context tls_ctx{ssl::context::tls_client};
  std::mutex mu;
  std::map<std::string, std::unique_ptr<Connection>> idle;  // by origin

  // Runs one asynchronous operation to completion on this thread. Timeouts
  // come from the stream's expiry (or the caller's timer), so a sync API still
  // has bounded waits.
  template <class Start>
  beast::error_code run(Start&& start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  static std::chrono::milliseconds budget(std::chrono::milliseconds limit,
                                          Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return std::max(std::chrono::milliseconds{1}, std::min(limit, left));
  }

  std::expected<std::unique_ptr<Connection>, Error> connect(const Url& url,
                                                            Clock::time_point deadline) {
    const auto where = url.authority();
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type endpoints;
    beast::error_code resolve_ec = asio::error::would_block;
    asio::steady_timer timer(ioc);
    timer.expires_after(budget(options.connect_timeout, deadline));
    bool timed_out = false;
    timer.async_wait([&](beast::error_code ec) {
      if (!ec) {
        timed_out = true;
        resolver.cancel();
      }
    });
    resolver.async_resolve(url.host, std::to_string(url.port),
                           [&](beast::error_code ec, tcp::resolver::results_type r) {
                             resolve_ec = ec;
                             endpoints = std::move(r);
                             timer.cancel();
                           });
    ioc.restart();
    ioc.run();
    if (timed_out) {
      return std::unexpected(retryable(fmt::format("resolving {} timed out", url.host)));
    }
    if (resolve_ec) {
      return std::unexpected(
          retryable(fmt::format("cannot resolve {}: {}", url.host, resolve_ec.message())));
    }

    auto conn = std::make_unique<Connection>();
    if (url.scheme == "https") {
      conn->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc, tls_ctx);
    } else {
      conn->plain = std::make_unique<beast::tcp_stream>(ioc);
    }
    conn->tcp().expires_after(budget(options.connect_timeout, deadline));
    auto ec = run([&](auto handler) { conn->tcp().async_connect(endpoints, handler); });
    if (ec == beast::error::timeout) {
      return std::unexpected(retryable(fmt::format("connecting to {} timed out", where)));
    }
    if (ec) {
      return std::unexpected(
          retryable(fmt::format("cannot connect to {}: {}", where, ec.message())));
    }
    if (conn->tls) {
      // SNI: name the host we want so a shared front end presents its certificate.
      if (!is_ip_literal(url.host) &&
          SSL_ctrl(conn->tls->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                   TLSEXT_NAMETYPE_host_name, const_cast<char*>(url.host.c_str())) != 1) {
        return std::unexpected(Error::internal("cannot set TLS SNI host name"));
      }
      conn->tls->set_verify_mode(ssl::verify_peer);
      conn->tls->set_verify_callback(ssl::host_name_verification(url.host));
      conn->tcp().expires_after(budget(options.connect_timeout, deadline));
      ec =
          run([&](auto handler) { conn->tls->async_handshake(ssl::stream_base::client, handler); });
      if (ec == beast::error::timeout) {
        return std::unexpected(retryable(fmt::format("TLS handshake with {} timed out", where)));
      }
      if (ec) {
        // A certificate that does not verify will not verify on retry.
        return std::unexpected(Error{
            ErrorKind::kPermanent,
            fmt::format("TLS handshake with {} failed: {}{}", where, ec.message(),
                        options.ca_file.empty() ? " (verified against the system trust store)"
                                                : " (verified against " + options.ca_file + ")")});
      }
    }
    return conn;
  }

  struct ExchangeFailure {
    Error error;
    bool nothing_received = false;  // safe to resend on a fresh connection
  };

  template <class Stream>
  std::expected<HttpResponse, ExchangeFailure> exchange_on(Stream& stream, Connection& conn,
                                                           const Url& url,
                                                           http::request<http::string_body>& req,
                                                           Clock::time_point deadline) {
    const auto where = url.authority();
    conn.tcp().expires_after(budget(options.io_timeout, deadline));
    auto ec = run([&](auto handler) { http::async_write(stream, req, handler); });
    if (ec == beast::error::timeout) {
      return std::unexpected(
          ExchangeFailure{retryable(fmt::format("sending to {} timed out", where)), false});
    }
    if (ec) {
      return std::unexpected(ExchangeFailure{
          retryable(fmt::format("sending to {} failed: {}", where, ec.message())), true});
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.max_response_bytes);
    if (req.method() == http::verb::head) {
      parser.skip(true);
    }
    conn.tcp().expires_after(budget(options.io_timeout, deadline));
    ec = run([&](auto handler) { http::async_read(stream, conn.buffer, parser, handler); });
    if (ec == beast::error::timeout) {
      return std::unexpected(ExchangeFailure{
          retryable(fmt::format("waiting for the response from {} timed out", where)), false});
    }
    if (ec == http::error::body_limit) {
      return std::unexpected(
          ExchangeFailure{Error{ErrorKind::kInvalidResponse,
                                fmt::format("response from {} exceeds the {}-byte limit", where,
                                            options.max_response_bytes)},
                          false});
    }
    if (ec && is_connection_drop(ec)) {
      const bool got_some = parser.got_some();
      return std::unexpected(ExchangeFailure{
          retryable(fmt::format(
              "{} closed the connection {}: {}", where,
              got_some ? "in the middle of the response (truncated body)" : "before answering",
              ec.message())),
          !got_some});
    }
    if (ec) {
      return std::unexpected(ExchangeFailure{
          Error{ErrorKind::kInvalidResponse,
                fmt::format("malformed HTTP response from {}: {}", where, ec.message())},
          false});
    }
    auto& msg = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(msg.result_int());
    for (const auto& field : msg) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(msg.body());
    if (!msg.keep_alive()) {
      out.headers.emplace_back("X-Leadrouter-Connection-Closed", "1");
    }
    return out;
  }
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

std::expected<std::unique_ptr<HttpClient>, Error> HttpClient::create(HttpClientOptions options) {
  auto impl = std::make_unique<Impl>();
  beast::error_code ec;
  impl->tls_ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1);
  if (options.ca_file.empty()) {
    impl->tls_ctx.set_default_verify_paths(ec);
    if (ec) {
      return std::unexpected(
          Error::internal("cannot load the system trust store: " + ec.message()));
    }
  } else {
    impl->tls_ctx.load_verify_file(options.ca_file, ec);
    if (ec) {
      return std::unexpected(Error::invalid_input(
          fmt::format("cannot load CA file '{}': {}", options.ca_file, ec.message())));
    }
    spdlog::warn(
        "event=tls_custom_ca ca_file={} note=server certificates are verified against this CA "
        "file only, not the system trust store",
        options.ca_file);
  }
  impl->tls_ctx.set_verify_mode(ssl::verify_peer);
  if (options.allow_insecure_http) {
    spdlog::warn(
        "event=insecure_http_allowed note=plain http to non-loopback hosts is allowed; use only "
        "on a test network");
  }
  impl->options = std::move(options);
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

std::expected<HttpResponse, Error> HttpClient::send(const HttpRequest& request) {
  auto url = parse_url(request.url);
  if (!url) {
    return std::unexpected(url.error());
  }
  if (url->scheme == "http" && !is_loopback_host(url->host) &&
      !impl_->options.allow_insecure_http) {
    return std::unexpected(Error{
        ErrorKind::kPermanent,
        fmt::format("refusing plain http to {}: only loopback hosts may use http", url->host)});
  }
  const auto verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) {
    return std::unexpected(Error::invalid_input("unknown HTTP method '" + request.method + "'"));
  }
  http::request<http::string_body> req{verb, url->target, 11};
  req.set(http::field::host, url->authority());
  req.set(http::field::user_agent, impl_->options.user_agent);
  req.keep_alive(true);
  for (const auto& [name, value] : request.headers) {
    req.set(name, value);
  }
  req.body() = request.body;
  req.prepare_payload();

  std::lock_guard lock(impl_->mu);
  const auto deadline = Clock::now() + impl_->options.total_timeout;
  const auto key = url->origin();
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> conn;
    if (auto it = impl_->idle.find(key); it != impl_->idle.end()) {
      conn = std::move(it->second);
      impl_->idle.erase(it);
    }
    const bool reused = conn != nullptr;
    if (!conn) {
      auto fresh = impl_->connect(*url, deadline);
      if (!fresh) {
        return std::unexpected(fresh.error());
      }
      conn = std::move(*fresh);
    }
    auto result = conn->tls ? impl_->exchange_on(*conn->tls, *conn, *url, req, deadline)
                            : impl_->exchange_on(*conn->plain, *conn, *url, req, deadline);
    if (!result) {
      // A kept-alive connection the server has meanwhile closed fails before
      // any byte of a response: resend once on a fresh connection.
      // Only for methods that are safe to repeat: the server may have acted on
      // a POST before it dropped the connection.
      const bool repeatable = verb == http::verb::get || verb == http::verb::head ||
                              verb == http::verb::put || verb == http::verb::delete_ ||
                              verb == http::verb::options;
      if (reused && repeatable && result.error().nothing_received && attempt == 0) {
        continue;
      }
      return std::unexpected(result.error().error);
    }
    if (!result->header("X-Leadrouter-Connection-Closed")) {
      impl_->idle[key] = std::move(conn);
    } else {
      std::erase_if(result->headers,
                    [](const auto& h) { return h.first == "X-Leadrouter-Connection-Closed"; });
    }
    return std::move(*result);
  }
}

}  // namespace leadrouter::connectors
