#include "connectors/url.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace leadrouter::connectors {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Error bad_url(std::string_view text, std::string_view why) {
  return Error::invalid_input(fmt::format("invalid URL '{}': {}", text, why));
}

}  // namespace

std::string Url::authority() const {
  const bool default_port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return default_port ? h : fmt::format("{}:{}", h, port);
}

std::string Url::origin() const {
  return scheme + "://" + authority();
}

std::expected<Url, Error> parse_url(std::string_view text) {
  Url url;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::unexpected(bad_url(text, "no scheme (expected http:// or https://)"));
  }
  url.scheme = lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") {
    return std::unexpected(bad_url(text, "scheme must be http or https"));
  }
  std::string_view rest = text.substr(scheme_end + 3);
  if (rest.find('#') != std::string_view::npos) {
    return std::unexpected(bad_url(text, "fragments are not allowed"));
  }
  const auto path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  url.target = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (url.target.front() == '?') {
    url.target.insert(url.target.begin(), '/');
  }
  if (authority.find('@') != std::string_view::npos) {
    return std::unexpected(bad_url(text, "user info in URLs is not allowed"));
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::unexpected(bad_url(text, "unterminated IPv6 literal"));
    }
    url.host = lower(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return std::unexpected(bad_url(text, "garbage after IPv6 literal"));
      }
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
    }
  }
  if (url.host.empty()) {
    return std::unexpected(bad_url(text, "empty host"));
  }
  for (char c : url.host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' &&
        c != '_') {
      return std::unexpected(bad_url(text, "invalid character in host"));
    }
  }
  url.port = url.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return std::unexpected(bad_url(text, "invalid port"));
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  return url;
}

std::string percent_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) {
      out += '&';
    }
    out += percent_encode(k);
    out += '=';
    out += percent_encode(v);
  }
  return out;
}

bool is_ip_literal(std::string_view host) {
  if (host.find(':') != std::string_view::npos) {
    return true;
  }
  if (host.empty()) {
    return false;
  }
  return std::ranges::all_of(
      host, [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1") {
    return true;
  }
  return is_ip_literal(host) && host.starts_with("127.");
}

std::string join_url(std::string_view base, std::string_view path) {
  if (path.starts_with("http://") || path.starts_with("https://")) {
    return std::string(path);
  }
  std::string out(base);
  while (!out.empty() && out.back() == '/') {
    out.pop_back();
  }
  if (!path.starts_with('/')) {
    out += '/';
  }
  out += path;
  return out;
}

}  // namespace leadrouter::connectors
