#include "connectors/http_transport.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace leadrouter::connectors {
namespace {

std::string body_excerpt(std::string_view body) {
  constexpr std::size_t kMax = 300;
  std::string out;
  for (char c : body.substr(0, kMax)) {
    out += std::isprint(static_cast<unsigned char>(c)) ? c : ' ';
  }
  if (body.size() > kMax) {
    out += "...";
  }
  return out;
}

// Retry-After is either delta-seconds or an HTTP date; CRMs send seconds.
std::optional<std::chrono::milliseconds> parse_retry_after(const HttpResponse& r) {
  const auto value = r.header("Retry-After");
  if (!value) {
    return std::nullopt;
  }
  long long seconds = 0;
  const char* begin = value->data();
  const char* end = begin + value->size();
  while (begin < end && *begin == ' ') {
    ++begin;
  }
  auto [ptr, ec] = std::from_chars(begin, end, seconds);
  if (ec != std::errc{} || seconds < 0) {
    return std::nullopt;
  }
  return std::chrono::seconds{seconds};
}

}  // namespace

std::optional<Error> error_for_status(const HttpResponse& response, std::string_view what) {
  const int s = response.status;
  if (s >= 200 && s < 300) {
    return std::nullopt;
  }
  Error e;
  e.http_status = s;
  e.message = fmt::format("{}: HTTP {}: {}", what, s, body_excerpt(response.body));
  if (s == 429) {
    e.kind = ErrorKind::kRateLimited;
    e.retry_after = parse_retry_after(response);
  } else if (s == 401) {
    e.kind = ErrorKind::kAuth;
  } else if (s >= 500 && s < 600) {
    e.kind = ErrorKind::kRetryable;
    e.retry_after = parse_retry_after(response);
  } else if (s >= 300 && s < 400) {
    e.kind = ErrorKind::kPermanent;
    e.message = fmt::format("{}: HTTP {} redirect to '{}' refused (redirects are never followed)",
                            what, s, response.header("Location").value_or(""));
  } else {
    e.kind = ErrorKind::kPermanent;
  }
  return e;
}

}  // namespace leadrouter::connectors
