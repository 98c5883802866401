// ASCII text helpers shared by the engine and the model: case folding, trimming, number parsing.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace leadrouter {

// ASCII only, on purpose: std::tolower depends on the global locale, and
// field values must compare the same on every host. UTF-8 bytes pass through.
constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr char ascii_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string ascii_lower(std::string_view s);
std::string ascii_upper(std::string_view s);

// Inline because policy conditions compare text for every lead routed.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && ascii_lower(a[i]) != ascii_lower(b[i])) {
      return false;
    }
  }
  return true;
}

// Blanks by default: CSV cells and field values keep line breaks as content.
std::string_view trim(std::string_view s, std::string_view chars = " \t");

// A whole string as a finite number ("3", "+0.5", " 1e3 "); blanks around it
// are allowed, anything else (including "inf" and "nan") is not.
std::optional<double> parse_number(std::string_view s);

// %XX sequences become bytes; a '%' not followed by two hex digits is kept
// as is. '+' becomes a space only when `plus_is_space` (form and query text).
std::string percent_decode(std::string_view text, bool plus_is_space);

// An application/x-www-form-urlencoded string ("a=1&b=x+y%21&c") decoded
// into its pairs, repeated keys kept in order; a key without '=' has "".
std::multimap<std::string, std::string> parse_urlencoded(std::string_view text);

// Text made safe inside HTML elements and quoted attributes: & < > " '.
std::string html_escape(std::string_view text);

}  // namespace leadrouter
