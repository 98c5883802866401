// Compiling the patterns of `regex` conditions, in one place: parse_policy
// compiles each pattern once, and evaluate() falls back to it only for
// conditions built in code without a compiled pattern.
#pragma once

#include <expected>
#include <memory>
#include <regex>
#include <string>

namespace leadrouter::core {

// ECMAScript syntax; case-insensitive unless `case_sensitive`. The error is
// std::regex's explanation of what is wrong with the pattern.
std::expected<std::shared_ptr<const std::regex>, std::string> compile_pattern(
    const std::string& pattern, bool case_sensitive);

}  // namespace leadrouter::core
