// Test helpers: start the real mock-crm binary on 127.0.0.1 port 0, read its
// port from the first stdout line, talk HTTP(S) to it with a small Beast
// client, and kill it when the test ends.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/scratch_dir.hpp"

namespace mock_crm_test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Reply {
  int status = 0;  // 0: no response (connection dropped or failed)
  std::string body;
  std::map<std::string, std::string> headers;
  std::string error;
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (strcasecmp(k.c_str(), name.c_str()) == 0) {
        return v;
      }
    }
    return {};
  }
};

inline std::string binary_path() {
  return LEADROUTER_BINARY_DIR "/mock_crm/mock-crm";
}
inline std::string example_seed() {
  return LEADROUTER_SOURCE_DIR "/examples/mock_crm/seed.json";
}

class MockCrmProcess {
 public:
  explicit MockCrmProcess(std::vector<std::string> args) {
    int out[2];
    if (pipe(out) != 0) {
      return;
    }
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv;
      std::string bin = binary_path();
      argv.push_back(bin.data());
      for (auto& a : args) {
        argv.push_back(a.data());
      }
      argv.push_back(nullptr);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    stdout_ = fdopen(out[0], "r");
    char line[256] = {};
    if (stdout_ != nullptr && fgets(line, sizeof line, stdout_) != nullptr) {
      first_line_ = line;
      while (!first_line_.empty() && (first_line_.back() == '\n' || first_line_.back() == '\r')) {
        first_line_.pop_back();
      }
      auto colon = first_line_.rfind(':');
      if (colon != std::string::npos) {
        port_ = static_cast<unsigned short>(std::stoi(first_line_.substr(colon + 1)));
      }
    }
  }
  ~MockCrmProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_ != nullptr) {
      fclose(stdout_);
    }
  }
  MockCrmProcess(const MockCrmProcess&) = delete;
  MockCrmProcess& operator=(const MockCrmProcess&) = delete;

  unsigned short port() const { return port_; }
  const std::string& first_line() const { return first_line_; }

  // Sends SIGTERM and returns the exit status (-1 if it did not exit in 10 s).
  int terminate() {
    kill(pid_, SIGTERM);
    for (int i = 0; i < 1000; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  FILE* stdout_ = nullptr;
  std::string first_line_;
  unsigned short port_ = 0;
  bool exited_ = false;
};

template <class Stream>
Reply exchange(Stream& stream, const std::string& method, const std::string& target,
               const std::string& body,
               const std::vector<std::pair<std::string, std::string>>& headers,
               unsigned short port) {
  Reply reply;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : headers) {
    req.set(k, v);
  }
  if (!body.empty() && req[http::field::content_type].empty()) {
    req.set(http::field::content_type, "application/json");
  }
  req.body() = body;
  req.prepare_payload();
  beast::error_code ec;
  http::write(stream, req, ec);
  if (ec) {
    reply.error = "write: " + ec.message();
    return reply;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser, ec);
  if (ec) {
    reply.error = "read: " + ec.message();
    if (parser.is_header_done()) {
      reply.status = -static_cast<int>(parser.get().result_int());  // headers, no full body
    }
    return reply;
  }
  auto& res = parser.get();
  reply.status = static_cast<int>(res.result_int());
  reply.body = res.body();
  for (const auto& f : res) {
    reply.headers[std::string(f.name_string())] = std::string(f.value());
  }
  return reply;
}

inline Reply request(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::vector<std::pair<std::string, std::string>>& headers = {},
                     std::chrono::seconds timeout = std::chrono::seconds(10)) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  beast::error_code ec;
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    Reply r;
    r.error = "connect: " + ec.message();
    return r;
  }
  return exchange(stream, method, target, body, headers, port);
}

inline Reply request_tls(unsigned short port, const std::string& ca_file, const std::string& method,
                         const std::string& target, const std::string& body = "",
                         const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  net::io_context ioc;
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.load_verify_file(ca_file);
  ctx.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  beast::error_code ec;
  beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                                          ec);
  Reply r;
  if (ec) {
    r.error = "connect: " + ec.message();
    return r;
  }
  stream.handshake(net::ssl::stream_base::client, ec);
  if (ec) {
    r.error = "handshake: " + ec.message();
    return r;
  }
  return exchange(stream, method, target, body, headers, port);
}

using TempDir = leadrouter::test_support::ScratchDir;

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace mock_crm_test
