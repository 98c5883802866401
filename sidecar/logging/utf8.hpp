// Text that ends up inside JSON (log lines, HTTP error bodies) may carry bytes
// from outside: a percent-decoded path, a CRM field. JSON must be UTF-8, and
// a strict parser rejects a whole log line or answer for one bad byte.
#pragma once

#include <string>
#include <string_view>

namespace leadrouter::sidecar {

// `text` with every byte that is not part of a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points past U+10FFFF included)
// replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

// Whether valid_utf8(text) would return `text` unchanged.
bool is_valid_utf8(std::string_view text);

}  // namespace leadrouter::sidecar
