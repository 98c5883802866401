// Asio's scheduler trips GCC 12's -Wnull-dereference once inlined at -O2
// (a false positive inside Boost); silence it for this file only.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "mock_crm/server.hpp"

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

#include "mock_crm/admin.hpp"
#include "mock_crm/error_bodies.hpp"
#include "mock_crm/fault_rules.hpp"
#include "mock_crm/request_log.hpp"
#include "mock_crm/time_format.hpp"

namespace leadrouter::mock_crm {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

namespace {

constexpr auto kReadTimeout = std::chrono::seconds(60);
constexpr auto kWriteTimeout = std::chrono::seconds(30);

HttpRequest to_http_request(const http::request<http::string_body>& in) {
  HttpRequest out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  std::string_view target(in.target().data(), in.target().size());
  auto q = target.find('?');
  out.path = percent_decode(target.substr(0, q), false);
  if (q != std::string_view::npos) {
    out.query = parse_urlencoded(target.substr(q + 1));
  }
  for (const auto& field : in) {
    out.headers[std::string(field.name_string())] = std::string(field.value());
  }
  out.body = in.body();
  return out;
}

std::string raw_query(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
}

}  // namespace

struct Outcome {
  HttpResponse response;
  std::chrono::milliseconds delay{0};
  bool drop = false;
  bool truncate = false;
};

struct Server::Impl {
  ServerOptions options;
  std::vector<CrmEntry> apis;
  rapidjson::Document seed;
  MockClock clock;
  FaultRules faults;
  RequestLog log;
  std::unique_ptr<Admin> admin;
  mutable std::mutex mu;  // serializes handlers, faults, log

  net::io_context ioc;
  std::optional<ssl::context> tls;
  tcp::acceptor acceptor{ioc};
  std::optional<net::signal_set> signals;
  unsigned short bound_port = 0;

  bool tls_on() const { return tls.has_value(); }

  std::vector<std::string> load_seed_locked() {
    std::vector<std::string> errors;
    if (!seed.IsObject()) {
      errors.push_back("seed: expected a JSON object with \"hubspot\", \"salesforce\", \"limits\"");
      return errors;
    }
    for (auto it = seed.MemberBegin(); it != seed.MemberEnd(); ++it) {
      std::string key = it->name.GetString();
      bool known = key == "limits";
      for (const auto& api : apis) {
        known = known || api.name == key;
      }
      if (!known) {
        errors.push_back("seed/" + key + ": unknown section");
      }
    }
    const rapidjson::Value* limits = nullptr;
    if (auto it = seed.FindMember("limits"); it != seed.MemberEnd()) {
      if (!it->value.IsObject()) {
        errors.push_back("seed/limits: expected an object");
      } else {
        limits = &it->value;
      }
    }
    static const rapidjson::Value kNull;
    for (auto& api : apis) {
      auto it = seed.FindMember(api.name.c_str());
      const rapidjson::Value& section = it == seed.MemberEnd() ? kNull : it->value;
      for (auto& e : api.api->load_seed(section, limits)) {
        errors.push_back(e.starts_with("seed") ? e : "seed/" + api.name + e);
      }
    }
    return errors;
  }

  std::string base_url_for(const HttpRequest& req) const {
    std::string scheme = tls_on() ? "https://" : "http://";
    if (auto host = req.header("Host"); host && !host->empty()) {
      return scheme + *host;
    }
    return fmt::format("{}{}:{}", scheme, options.host, bound_port);
  }

  Outcome process(const HttpRequest& req) {
    Outcome out;
    if (req.path == "/__admin/webhooks/flush") {
      if (req.method != "POST") {
        out.response = admin_error(405, req.method + " is not supported on " + req.path);
      } else {
        // Deliveries may target this very server (the webhook sink), so the
        // handler lock must not be held while waiting for them.
        for (auto& api : apis) {
          api.api->flush_outbound();
        }
        out.response = admin_json(200, R"({"flushed":true})");
      }
      std::lock_guard lock(mu);
      log.add({0, to_epoch_ms(clock.now()), req.method, req.path, raw_query(req.target),
               out.response.status, "", ""});
      return out;
    }

    std::lock_guard lock(mu);
    RequestLogEntry entry{
        0, to_epoch_ms(clock.now()), req.method, req.path, raw_query(req.target), 0, "", ""};
    if (!Admin::is_admin_path(req.path) && req.method != "GET") {
      entry.body_truncated = req.body.size() > kMaxLoggedBody;
      entry.body = req.body.substr(0, kMaxLoggedBody);
    }
    if (!Admin::is_admin_path(req.path)) {
      if (auto fault = faults.take(req.method, req.path)) {
        entry.fault = to_string(fault->kind);
        switch (fault->kind) {
          case Fault::Kind::kStatus:
            out.response =
                error_for_path(req.path, fault->status,
                               fmt::format("Injected fault: HTTP {} from mock-crm", fault->status));
            if (fault->status == 429 || fault->status == 503) {
              out.response.headers.emplace_back("Retry-After",
                                                std::to_string(fault->retry_after_seconds));
            }
            entry.status = fault->status;
            log.add(std::move(entry));
            return out;
          case Fault::Kind::kDrop:
            out.drop = true;
            log.add(std::move(entry));
            return out;
          case Fault::Kind::kDelay:
            out.delay = fault->delay;
            break;
          case Fault::Kind::kTruncate:
            out.truncate = true;
            break;
        }
      }
    }
    std::optional<HttpResponse> response = admin->handle(req);
    RequestContext ctx{clock, base_url_for(req), options.rate_limits_on, ""};
    for (auto& api : apis) {
      if (response) {
        break;
      }
      response = api.api->handle(req, ctx);
    }
    if (!response) {
      response =
          error_for_path(req.path, 404, fmt::format("No API serves {} {}", req.method, req.path));
    }
    if (!Admin::is_admin_path(req.path)) {
      out.delay += options.latency;
    }
    entry.status = response->status;
    entry.principal = ctx.principal;
    log.add(std::move(entry));
    out.response = std::move(*response);
    return out;
  }

  void log_unparsed(std::string_view method, std::string_view target, int status) {
    std::lock_guard lock(mu);
    auto q = target.find('?');
    log.add({0, to_epoch_ms(clock.now()), std::string(method),
             percent_decode(target.substr(0, q), false), raw_query(target), status, "", ""});
  }

  void do_accept();
};

namespace {

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(tcp::socket&& socket, Server::Impl& server) requires(!kTls)
      : stream_(std::move(socket)), server_(server), timer_(stream_.get_executor()) {}

  Session(tcp::socket&& socket, ssl::context& ctx, Server::Impl& server) requires(kTls)
      : stream_(std::move(socket), ctx), server_(server), timer_(stream_.get_executor()) {}

  void start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        beast::get_lowest_layer(self->stream_).expires_after(kReadTimeout);
        self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (!ec) {
            self->do_read();
          }
        });
      } else {
        self->do_read();
      }
    });
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(server_.options.body_limit);
    buffer_.max_size(server_.options.body_limit + 64 * 1024);
    beast::get_lowest_layer(stream_).expires_after(kReadTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted) {
      return do_close();
    }
    if (ec) {
      // A request we cannot read: answer in the CRM's error shape, then close.
      int status = ec == http::error::body_limit ? 413 : 400;
      std::string target = parser_->is_header_done() ? std::string(parser_->get().target()) : "/";
      std::string method =
          parser_->is_header_done() ? std::string(parser_->get().method_string()) : "";
      std::string path = target.substr(0, target.find('?'));
      std::string message = status == 413
                                ? fmt::format("Request body exceeds the limit of {} bytes",
                                              server_.options.body_limit)
                                : "Malformed HTTP request: " + ec.message();
      server_.log_unparsed(method, target, status);
      Outcome out;
      out.response = error_for_path(path, status, message);
      keep_alive_ = false;
      return send(std::move(out));
    }
    HttpRequest req = to_http_request(parser_->get());
    keep_alive_ = parser_->get().keep_alive();
    version_ = parser_->get().version();
    Outcome out = server_.process(req);
    if (out.delay.count() > 0) {
      timer_.expires_after(out.delay);
      timer_.async_wait([self = this->shared_from_this(), out = std::move(out)](
                            beast::error_code) mutable { self->send(std::move(out)); });
      return;
    }
    send(std::move(out));
  }

  void send(Outcome out) {
    if (out.drop) {
      beast::error_code ignored;
      beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(stream_).socket().close(ignored);
      return;
    }
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version_);
    res->result(static_cast<unsigned>(out.response.status));
    res->set(http::field::server, "mock-crm");
    if (!out.response.content_type.empty() && out.response.status != 204) {
      res->set(http::field::content_type, out.response.content_type);
    }
    for (const auto& [name, value] : out.response.headers) {
      res->insert(name, value);
    }
    res->body() = std::move(out.response.body);
    res->keep_alive(keep_alive_ && !out.truncate);
    res->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(kWriteTimeout);
    if (out.truncate) {
      // Headers promise the whole body; only half of it is sent before the
      // connection closes, as a proxy failing mid-response would.
      auto raw = std::make_shared<std::string>();
      std::string reason(res->reason());
      *raw = fmt::format("HTTP/1.1 {} {}\r\n", out.response.status,
                         reason.empty() ? "Unknown" : reason);
      for (const auto& field : res->base()) {
        *raw +=
            fmt::format("{}: {}\r\n", std::string(field.name_string()), std::string(field.value()));
      }
      *raw += "\r\n";
      *raw += res->body().substr(0, res->body().size() / 2);
      net::async_write(stream_, net::buffer(*raw),
                       [self = this->shared_from_this(), raw](beast::error_code, std::size_t) {
                         beast::error_code ignored;
                         beast::get_lowest_layer(self->stream_)
                             .socket()
                             .shutdown(tcp::socket::shutdown_both, ignored);
                         beast::get_lowest_layer(self->stream_).socket().close(ignored);
                       });
      return;
    }
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec || !res->keep_alive()) {
                          return self->do_close();
                        }
                        self->do_read();
                      });
  }

  void do_close() {
    beast::error_code ignored;
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored_inner;
        beast::get_lowest_layer(self->stream_).socket().close(ignored_inner);
      });
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  Stream stream_;
  Server::Impl& server_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
};

}  // namespace

void Server::Impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted) {
        return;
      }
    } else if (tls) {
      std::make_shared<Session<ssl::stream<beast::tcp_stream>>>(std::move(socket), *tls, *this)
          ->start();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(std::move(socket), *this)->start();
    }
    do_accept();
  });
}

Server::Server(ServerOptions options, std::vector<CrmEntry> apis, rapidjson::Document seed)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->apis = std::move(apis);
  impl_->seed = std::move(seed);
  std::vector<NamedApi> named;
  for (auto& e : impl_->apis) {
    named.push_back({e.name, e.api.get()});
  }
  Impl* impl = impl_.get();
  // Called by Admin with the handler lock already held.
  impl_->admin = std::make_unique<Admin>(std::move(named), impl_->clock, impl_->faults, impl_->log,
                                         [impl] { return impl->load_seed_locked(); });
}

Server::~Server() {
  stop();
  // CRMs may own delivery threads; stop them before the io_context goes.
  impl_->apis.clear();
}

std::vector<std::string> Server::load_seed() {
  std::lock_guard lock(impl_->mu);
  return impl_->load_seed_locked();
}

std::expected<unsigned short, std::string> Server::listen() {
  auto& o = impl_->options;
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return std::unexpected("--tls-cert and --tls-key must be given together");
  }
  if (!o.tls_cert_file.empty()) {
    impl_->tls.emplace(ssl::context::tls_server);
    beast::error_code ec;
    impl_->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1);
    impl_->tls->use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec) {
      return std::unexpected("--tls-cert " + o.tls_cert_file + ": " + ec.message());
    }
    impl_->tls->use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
    if (ec) {
      return std::unexpected("--tls-key " + o.tls_key_file + ": " + ec.message());
    }
  }
  beast::error_code ec;
  auto address = net::ip::make_address(o.host, ec);
  if (ec) {
    return std::unexpected("--listen: '" + o.host + "' is not an IP address");
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
    return std::unexpected(fmt::format("cannot listen on {}:{}: {}", o.host, o.port, ec.message()));
  }
  impl_->bound_port = acc.local_endpoint().port();
  impl_->do_accept();
  return impl_->bound_port;
}

std::string Server::base_url() const {
  return fmt::format("{}://{}:{}", impl_->tls_on() ? "https" : "http", impl_->options.host,
                     impl_->bound_port);
}

void Server::catch_signals() {
  impl_->signals.emplace(impl_->ioc, SIGINT, SIGTERM);
  impl_->signals->async_wait([this](beast::error_code ec, int) {
    if (!ec) {
      stop();
    }
  });
}

void Server::run() {
  int n = std::max(1, impl_->options.io_threads);
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) {
    threads.emplace_back([this] { impl_->ioc.run(); });
  }
  impl_->ioc.run();
  for (auto& t : threads) {
    t.join();
  }
}

void Server::stop() {
  net::post(impl_->ioc, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  impl_->ioc.stop();
}

std::string Server::state_json() const {
  std::lock_guard lock(impl_->mu);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  for (const auto& api : impl_->apis) {
    w.Key(api.name.c_str());
    api.api->write_state(w);
  }
  if (impl_->seed.IsObject()) {
    if (auto it = impl_->seed.FindMember("limits"); it != impl_->seed.MemberEnd()) {
      w.Key("limits");
      it->value.Accept(w);
    }
  }
  w.EndObject();
  return buf.GetString();
}

}  // namespace leadrouter::mock_crm
