// Decoding of request targets: the percent-encoded path and the
// application/x-www-form-urlencoded query string of an HTTP request.
//
//   split_target("/a%20b?x=1&y=two+words") -> {"/a b", {{"x","1"},{"y","two words"}}}
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/text.hpp"

namespace leadrouter::sidecar {

using leadrouter::percent_decode;  // core/text.hpp

// "a=1&b=&c" -> {a: "1", b: "", c: ""}; a repeated key keeps its last value.
std::map<std::string, std::string> parse_query(std::string_view query);

struct DecodedTarget {
  std::string path;
  std::map<std::string, std::string> query;
};

DecodedTarget split_target(std::string_view target);

}  // namespace leadrouter::sidecar
