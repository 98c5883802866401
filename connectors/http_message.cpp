#include "connectors/http_message.hpp"

#include <algorithm>
#include <cctype>

namespace leadrouter::connectors {

std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (std::ranges::equal(key, name, [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace leadrouter::connectors
