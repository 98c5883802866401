// Time types used across leadrouter. The core never reads a clock: every
// function that needs "now" takes it as an argument.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace leadrouter {

using Timestamp = std::chrono::sys_seconds;

// Parses ISO 8601 / RFC 3339 ("2026-03-08T09:30:00Z", "...+01:00",
// "...\.123Z", or a date "2026-03-08" meaning midnight UTC). Fractions of a
// second are truncated. Returns nullopt on anything else.
std::optional<Timestamp> parse_iso8601(std::string_view text);

// "2026-03-08T09:30:00Z"
std::string format_iso8601(Timestamp t);

}  // namespace leadrouter
