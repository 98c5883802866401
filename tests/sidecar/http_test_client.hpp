// A raw HTTP/1.1 client for the sidecar's server tests: sends exact bytes
// (malformed requests, partial headers, pipelining) and reads answers with
// Beast, on one connection that stays open between calls.
#pragma once

#include <poll.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace leadrouter::sidecar::testing {

class RawConnection {
 public:
  explicit RawConnection(unsigned short port) : socket_(ioc_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }

  void send(std::string_view bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }

  // The next answer, or nullopt when the server closed the connection.
  std::optional<boost::beast::http::response<boost::beast::http::string_body>> read() {
    boost::beast::http::response<boost::beast::http::string_body> res;
    boost::beast::error_code ec;
    boost::beast::http::read(socket_, buffer_, res, ec);
    if (ec) {
      return std::nullopt;
    }
    return res;
  }

  // Whether the server closes the connection within `wait` (EOF or error
  // on read); false when it is still open then.
  bool closed_by_peer(std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    pollfd p{socket_.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) {
      return false;
    }
    char c = 0;
    boost::beast::error_code ec;
    socket_.read_some(boost::asio::buffer(&c, 1), ec);
    return static_cast<bool>(ec);
  }

  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

inline std::string get_request(std::string_view target, std::string_view extra_headers = "") {
  return std::string("GET ") + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         std::string(extra_headers) + "\r\n";
}

inline std::string post_request(std::string_view target, std::string_view content_type,
                                std::string_view body, std::string_view extra_headers = "") {
  return std::string("POST ") + std::string(target) +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + std::string(content_type) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra_headers) + "\r\n" + std::string(body);
}

}  // namespace leadrouter::sidecar::testing
