// GCC 12 reports -Wmaybe-uninitialized inside libstdc++'s regex compiler
// (std::function members of its NFA states) at -O2 with the sanitizers on, a
// known false positive. Keeping std::regex construction in this file confines
// the suppression to it; the pragma has to come before the headers because the
// warning is attributed to their lines.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "core/regex_pattern.hpp"

namespace leadrouter::core {

std::expected<std::shared_ptr<const std::regex>, std::string> compile_pattern(
    const std::string& pattern, bool case_sensitive) {
  auto flags = std::regex::ECMAScript;
  if (!case_sensitive) {
    flags |= std::regex::icase;
  }
  try {
    return std::make_shared<const std::regex>(pattern, flags);
  } catch (const std::regex_error& e) {
    // std::regex reports a bad pattern by throwing; this is where that
    // becomes a value.
    return std::unexpected(std::string(e.what()));
  }
}

}  // namespace leadrouter::core
