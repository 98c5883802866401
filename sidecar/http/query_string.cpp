#include "sidecar/http/query_string.hpp"

namespace leadrouter::sidecar {

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  for (auto& [key, value] : parse_urlencoded(query)) {
    out.insert_or_assign(key, std::move(value));
  }
  return out;
}

DecodedTarget split_target(std::string_view target) {
  DecodedTarget out;
  auto q = target.find('?');
  out.path = percent_decode(target.substr(0, q), false);
  if (q != std::string_view::npos) {
    out.query = parse_query(target.substr(q + 1));
  }
  return out;
}

}  // namespace leadrouter::sidecar
