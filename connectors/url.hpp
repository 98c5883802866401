// Absolute-URL parsing and the encodings the CRM APIs need (query strings and
// application/x-www-form-urlencoded bodies). Only http and https are accepted.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace leadrouter::connectors {

struct Url {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // lower case; IPv6 literals without brackets
  std::uint16_t port = 0;
  std::string target;  // path plus query, at least "/"

  // "host" or "host:port" when the port is not the scheme's default.
  std::string authority() const;
  // scheme://authority, no trailing slash.
  std::string origin() const;
};

// Refuses user-info, fragments, empty hosts and schemes other than http(s).
std::expected<Url, Error> parse_url(std::string_view text);

// RFC 3986 unreserved characters pass; everything else becomes %XX.
std::string percent_encode(std::string_view text);

// "a=1&b=x%20y" (form bodies use the same escaping as query strings here).
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

// A dotted-quad IPv4 or an IPv6 literal (anything containing ':').
bool is_ip_literal(std::string_view host);

// localhost, 127.0.0.0/8 and ::1: the only hosts plain http is allowed to.
bool is_loopback_host(std::string_view host);

// base "https://x.com/" + path "/a" -> "https://x.com/a"; an absolute path
// argument that is itself a URL is returned unchanged.
std::string join_url(std::string_view base, std::string_view path);

}  // namespace leadrouter::connectors
