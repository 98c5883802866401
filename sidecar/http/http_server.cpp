#include "sidecar/http/http_server.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "sidecar/http/query_string.hpp"
#include "sidecar/logging/log.hpp"
#include "sidecar/logging/utf8.hpp"

namespace leadrouter::sidecar {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
// Open sockets beyond this are closed at once rather than risk running out of
// file descriptors for the store and the CRM connections.
constexpr std::size_t kMaxConnections = 512;
// A refused request may still be sending its body. Reading (and discarding) a
// bounded amount of it before closing keeps the kernel from resetting the
// connection, which would lose the error answer on the client's side.
constexpr std::size_t kDrainLimit = 4 * 1024 * 1024;
constexpr auto kDrainTime = std::chrono::seconds(2);
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

}  // namespace

HttpResponse HttpResponse::error(int status, std::string_view message) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("status");
  w.Int(status);
  w.Key("message");
  // Messages quote request paths, which may be any bytes once decoded.
  std::string text = valid_utf8(message);
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  w.EndObject();
  w.EndObject();
  return json(buf.GetString(), status);
}

HttpResponse HttpResponse::json(std::string body, int status) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::text(std::string body, int status) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

class HttpSession;

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;

  // Declared before the io_context: sessions still queued in it unregister
  // themselves while it is destroyed.
  std::mutex mu;
  std::unordered_map<HttpSession*, std::weak_ptr<HttpSession>> sessions;
  bool listening = false;
  bool started = false;
  bool stopped = false;
  std::atomic<bool> stopping{false};
  unsigned short bound_port = 0;
  std::vector<std::thread> threads;

  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  net::steady_timer accept_retry{ioc};

  void do_accept();
  void run_thread();
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_ = endpoint.address().to_string();
    }
  }

  ~HttpSession() {
    std::lock_guard lock(server_.mu);
    server_.sessions.erase(this);
  }

  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // Returns false when the server is full or stopping; the socket is closed.
  bool start() {
    {
      std::lock_guard lock(server_.mu);
      if (server_.stopped || server_.sessions.size() >= kMaxConnections) {
        close();
        return false;
      }
      server_.sessions.emplace(this, weak_from_this());
    }
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
    return true;
  }

  // Only called by stop() once no server thread runs.
  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

 private:
  void do_read() {
    if (server_.stopping) {
      return do_close();
    }
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(server_.options.body_limit);
    buffer_.max_size(kHeaderLimit + 64 * 1024);
    // One deadline for the whole request, headers and body: a client
    // trickling bytes (slowloris) cannot hold the connection past it.
    stream_.expires_after(server_.options.read_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) {
      return on_read(ec);
    }
    const auto& req = parser_->get();
    auto expect = req[http::field::expect];
    if (beast::iequals(expect, "100-continue") && !parser_->is_done()) {
      // curl and others wait for this before sending a large body.
      auto interim = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                        req.version());
      http::async_write(stream_, *interim,
                        [self = shared_from_this(), interim](beast::error_code wec, std::size_t) {
                          if (wec) {
                            return self->do_close();
                          }
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::eof || ec == net::error::connection_reset || server_.stopping) {
      return do_close();
    }
    if (parser_->is_header_done()) {
      version_ = parser_->get().version();
      head_ = parser_->get().method() == http::verb::head;
    }
    if (ec) {
      return refuse(ec);
    }
    auto message = parser_->release();
    keep_alive_ = message.keep_alive();
    std::string_view target(message.target().data(), message.target().size());
    if (!target.starts_with('/')) {
      return answer(HttpResponse::error(400, "the request target must be an absolute path"), true);
    }

    HttpRequest req;
    req.method = std::string(message.method_string());
    req.target = std::string(target);
    auto decoded = split_target(target);
    req.path = std::move(decoded.path);
    req.query = std::move(decoded.query);
    for (const auto& field : message) {
      req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    req.body = std::move(message.body());
    req.remote_address = remote_;

    HttpResponse res;
    try {
      res = server_.handler(req);
    } catch (const std::exception& e) {
      log::error("http_handler_failed",
                 {{"method", req.method}, {"path", req.path}, {"error", e.what()}});
      res = HttpResponse::error(500, "internal error");
    } catch (...) {
      log::error("http_handler_failed",
                 {{"method", req.method}, {"path", req.path}, {"error", "unknown exception"}});
      res = HttpResponse::error(500, "internal error");
    }
    log::debug(
        "http_request",
        {{"method", req.method}, {"path", req.path}, {"status", res.status}, {"remote", remote_}});
    answer(std::move(res), false);
  }

  // A request that could not be read whole: answered, then the connection
  // is closed, since where the next request would start is unknown.
  void refuse(beast::error_code ec) {
    int status = 400;
    std::string message = "malformed HTTP request: " + ec.message();
    if (ec == http::error::body_limit) {
      status = 413;
      message =
          fmt::format("request body exceeds the limit of {} bytes", server_.options.body_limit);
    } else if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      status = 431;
      message = fmt::format("request headers exceed the limit of {} bytes", kHeaderLimit);
    }
    log::warn("http_request_refused",
              {{"status", status}, {"reason", ec.message()}, {"remote", remote_}});
    answer(HttpResponse::error(status, message), true);
  }

  void answer(HttpResponse res, bool then_close) {
    if (res.status < 100 || res.status > 599) {
      log::error("http_handler_bad_status", {{"status", res.status}});
      res = HttpResponse::error(500, "internal error");
    }
    auto msg = std::make_shared<http::response<http::string_body>>();
    msg->version(version_);
    msg->result(static_cast<unsigned>(res.status));
    msg->set(http::field::server, "leadrouter");
    if (!res.content_type.empty() && res.status != 204 && res.status != 304) {
      msg->set(http::field::content_type, res.content_type);
    }
    for (const auto& [name, value] : res.headers) {
      // A line break would let a handler's value inject headers.
      if (name.empty() || has_line_break(name) || has_line_break(value)) {
        continue;
      }
      msg->insert(name, value);
    }
    msg->body() = std::move(res.body);
    msg->keep_alive(keep_alive_ && !then_close && !server_.stopping);
    msg->prepare_payload();
    if (head_) {
      msg->body().clear();  // Content-Length stays that of the GET answer
    }
    stream_.expires_after(std::max<std::chrono::steady_clock::duration>(
        server_.options.read_timeout, std::chrono::seconds(5)));
    http::async_write(
        stream_, *msg,
        [self = shared_from_this(), msg, then_close](beast::error_code ec, std::size_t) {
          if (ec) {
            return self->do_close();
          }
          if (then_close) {
            return self->linger();
          }
          if (!msg->keep_alive()) {
            return self->do_close();
          }
          self->do_read();
        });
  }

  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kDrainTime);
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(drain_buf_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ >= kDrainLimit || self->server_.stopping) {
                                beast::error_code ignored;
                                self->stream_.socket().close(ignored);
                                return;
                              }
                              self->drain();
                            });
  }

  void do_close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = false;
  bool head_ = false;
  unsigned version_ = 11;
  std::array<char, 8192> drain_buf_{};
  std::size_t drained_ = 0;
};

void HttpServer::Impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || stopping) {
      return;
    }
    if (ec) {
      // Out of file descriptors, typically: try again shortly instead of
      // spinning on the same error.
      log::warn("http_accept_failed", {{"error", ec.message()}});
      accept_retry.expires_after(kAcceptRetryDelay);
      accept_retry.async_wait([this](beast::error_code wec) {
        if (!wec && !stopping) {
          do_accept();
        }
      });
      return;
    }
    std::make_shared<HttpSession>(std::move(socket), *this)->start();
    do_accept();
  });
}

void HttpServer::Impl::run_thread() {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      log::error("http_server_thread_failed", {{"error", e.what()}});
    } catch (...) {
      log::error("http_server_thread_failed", {{"error", "unknown exception"}});
    }
  }
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() {
  stop();
}

std::expected<unsigned short, Error> HttpServer::listen() {
  std::lock_guard lock(impl_->mu);
  if (impl_->stopped) {
    return std::unexpected(Error::internal("the HTTP server was stopped"));
  }
  if (impl_->listening) {
    return impl_->bound_port;
  }
  const auto& o = impl_->options;
  beast::error_code ec;
  auto address = net::ip::make_address(o.host, ec);
  if (ec) {
    return std::unexpected(Error::invalid_input(fmt::format("'{}' is not an IP address", o.host)));
  }
  tcp::endpoint endpoint{address, o.port};
  auto& acc = impl_->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) {
    acc.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acc.bind(endpoint, ec);
  }
  if (!ec) {
    acc.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    beast::error_code ignored;
    acc.close(ignored);
    // The caller names the address; the reason is enough here.
    return std::unexpected(Error::internal(ec.message()));
  }
  impl_->bound_port = acc.local_endpoint().port();
  impl_->listening = true;
  impl_->do_accept();
  return impl_->bound_port;
}

void HttpServer::start() {
  if (auto bound = listen(); !bound) {
    log::error("http_listen_failed", {{"error", bound.error().message}});
    return;
  }
  std::lock_guard lock(impl_->mu);
  if (impl_->started || impl_->stopped) {
    return;
  }
  impl_->started = true;
  int n = std::max(1, impl_->options.threads);
  for (int i = 0; i < n; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->run_thread(); });
  }
}

void HttpServer::stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopped) {
      return;
    }
    impl_->stopped = true;
    impl_->stopping = true;
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) {
      t.join();
    }
  }
  impl_->threads.clear();

  // No server thread runs now: close everything, then let the aborted
  // operations complete so that every session is released.
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->accept_retry.cancel();
  std::vector<std::shared_ptr<HttpSession>> live;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [ptr, weak] : impl_->sessions) {
      if (auto s = weak.lock()) {
        live.push_back(std::move(s));
      }
    }
  }
  for (auto& s : live) {
    s->close();
  }
  live.clear();
  impl_->ioc.restart();
  impl_->ioc.poll();
}

}  // namespace leadrouter::sidecar
