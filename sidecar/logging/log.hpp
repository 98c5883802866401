// Structured logs: one JSON object per line on stderr (or "text" for people
// at a terminal), through spdlog. Every line has ts, level, event, then the
// fields given. Secrets are never passed here; email addresses go through
// mask_email() at info level and above.
//
//   log::info("lead_decided", {{"connector", name}, {"lead", id}, {"rep", rep_id},
//                              {"latency_ms", 3.2}});
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace leadrouter::sidecar::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError };

struct Field {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, double, bool> value;

  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, std::int64_t v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, std::size_t v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
};

// "json" or "text"; level names as in LogConfig. Safe to call again (reload).
// Returns false (and keeps the previous setup) for an unknown level/format.
bool init(std::string_view level, std::string_view format);

void write(Level level, std::string_view event, std::initializer_list<Field> fields = {});
inline void debug(std::string_view e, std::initializer_list<Field> f = {}) {
  write(Level::kDebug, e, f);
}
inline void info(std::string_view e, std::initializer_list<Field> f = {}) {
  write(Level::kInfo, e, f);
}
inline void warn(std::string_view e, std::initializer_list<Field> f = {}) {
  write(Level::kWarn, e, f);
}
inline void error(std::string_view e, std::initializer_list<Field> f = {}) {
  write(Level::kError, e, f);
}

// "ada@acme.example" -> "a***@acme.example"; text without '@' -> "***".
std::string mask_email(std::string_view email);

// Formats one line as write() would (for tests): no trailing newline.
std::string format_line(std::string_view format, Level level, std::string_view timestamp,
                        std::string_view event, std::initializer_list<Field> fields);

}  // namespace leadrouter::sidecar::log
