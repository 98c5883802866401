#include "connectors/salesforce/instance_url_policy.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "connectors/url.hpp"

namespace leadrouter::connectors::salesforce {
namespace {

Error refused(std::string_view url, std::string_view why) {
  return Error{ErrorKind::kAuth,
               fmt::format("instance_url '{}' from the token response refused: {}; no token was "
                           "sent there",
                           url, why)};
}

}  // namespace

std::expected<std::string, Error> InstanceUrlPolicy::check(std::string_view instance_url) const {
  auto url = parse_url(instance_url);
  if (!url) {
    return std::unexpected(refused(instance_url, url.error().message));
  }
  if (url->target != "/") {
    return std::unexpected(refused(instance_url, "it has a path or query"));
  }
  if (!test_origin.empty()) {
    auto test = parse_url(test_origin);
    if (test && test->origin() == url->origin()) {
      return url->origin();
    }
  }
  if (url->scheme != "https") {
    return std::unexpected(refused(instance_url, "it is not https"));
  }
  if (is_ip_literal(url->host)) {
    return std::unexpected(refused(instance_url, "IP addresses are not allowed"));
  }
  for (const auto& suffix : allowed_suffixes) {
    if (url->host == suffix || (url->host.size() > suffix.size() && url->host.ends_with(suffix) &&
                                url->host[url->host.size() - suffix.size() - 1] == '.')) {
      return url->origin();
    }
  }
  return std::unexpected(refused(
      instance_url,
      fmt::format("host is not under an allowed suffix ({})", fmt::join(allowed_suffixes, ", "))));
}

}  // namespace leadrouter::connectors::salesforce
