#include "sidecar/logging/log.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "connectors/crm_types.hpp"
#include "sidecar/logging/utf8.hpp"

namespace leadrouter::sidecar::log {

namespace {

enum class Format { kJson, kText };

const char* level_name(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "error";
}

std::optional<Level> parse_level(std::string_view name) {
  for (Level l : {Level::kTrace, Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (name == level_name(l)) {
      return l;
    }
  }
  return std::nullopt;
}

std::optional<Format> parse_format(std::string_view name) {
  if (name == "json") {
    return Format::kJson;
  }
  if (name == "text") {
    return Format::kText;
  }
  return std::nullopt;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::kTrace:
      return spdlog::level::trace;
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::err;
}

Level from_spdlog(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return Level::kTrace;
    case spdlog::level::debug:
      return Level::kDebug;
    case spdlog::level::info:
      return Level::kInfo;
    case spdlog::level::warn:
      return Level::kWarn;
    default:
      return Level::kError;
  }
}

bool is_reserved(std::string_view key) {
  return key == "ts" || key == "level" || key == "event";
}

// Non-finite doubles have no JSON form; they are written as strings.
const char* non_finite_name(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  return v > 0 ? "+Inf" : "-Inf";
}

std::string format_json(Level level, std::string_view ts, std::string_view event,
                        std::span<const Field> fields) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto str = [&w](std::string_view s) {
    if (is_valid_utf8(s)) {
      w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    } else {
      std::string fixed = valid_utf8(s);
      w.String(fixed.data(), static_cast<rapidjson::SizeType>(fixed.size()));
    }
  };
  w.StartObject();
  w.Key("ts");
  str(ts);
  w.Key("level");
  w.String(level_name(level));
  w.Key("event");
  str(event);
  for (const auto& f : fields) {
    // A field named like a fixed key would make the object ambiguous.
    if (is_reserved(f.key)) {
      str(std::string(f.key) + "_");
    } else {
      str(f.key);
    }
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string_view>) {
            str(v);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            w.Int64(v);
          } else if constexpr (std::is_same_v<T, double>) {
            if (std::isfinite(v)) {
              w.Double(v);
            } else {
              w.String(non_finite_name(v));
            }
          } else {
            w.Bool(v);
          }
        },
        f.value);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// logfmt-style: bare when unambiguous, else quoted with \" \\ \n \r \t escaped.
void append_text_value(std::string& out, std::string_view v) {
  bool bare = !v.empty();
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) {
      bare = false;
      break;
    }
  }
  if (bare) {
    out += v;
    return;
  }
  out += '"';
  for (unsigned char c : v) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

std::string format_text(Level level, std::string_view ts, std::string_view event,
                        std::span<const Field> fields) {
  std::string out;
  out += ts;
  out += ' ';
  out += level_name(level);
  out += ' ';
  append_text_value(out, event);
  for (const auto& f : fields) {
    out += ' ';
    append_text_value(out, f.key);
    out += '=';
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string_view>) {
            append_text_value(out, v);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            out += fmt::format("{}", v);
          } else if constexpr (std::is_same_v<T, double>) {
            out += std::isfinite(v) ? fmt::format("{}", v) : non_finite_name(v);
          } else {
            out += v ? "true" : "false";
          }
        },
        f.value);
  }
  return out;
}

std::string format_any(Format format, Level level, std::string_view ts, std::string_view event,
                       std::span<const Field> fields) {
  return format == Format::kText ? format_text(level, ts, event, fields)
                                 : format_json(level, ts, event, fields);
}

std::string format_ts(std::chrono::system_clock::time_point t) {
  return connectors::format_time_ms(std::chrono::floor<std::chrono::milliseconds>(t));
}

// Lines logged straight through spdlog by other modules (the connectors use
// "event=name key=value ..."): split into fields when they read as logfmt, so
// every line on stderr has one shape.
std::vector<std::pair<std::string, std::string>> parse_logfmt(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') {
      ++i;
    }
    if (i == text.size()) {
      break;
    }
    auto eq = text.find('=', i);
    auto space = text.find(' ', i);
    if (eq == std::string_view::npos || (space != std::string_view::npos && space < eq) ||
        eq == i) {
      return {};
    }
    std::string key(text.substr(i, eq - i));
    i = eq + 1;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char c = text[i++];
        if (c == '\\' && i < text.size()) {
          value += text[i++];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value += c;
        }
      }
      if (!closed || (i < text.size() && text[i] != ' ')) {
        return {};
      }
    } else {
      auto end = text.find(' ', i);
      value = std::string(text.substr(i, end == std::string_view::npos ? end : end - i));
      i = end == std::string_view::npos ? text.size() : end;
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

struct State {
  std::mutex mu;  // init()
  std::atomic<int> min_level{static_cast<int>(Level::kInfo)};
  std::atomic<int> format{static_cast<int>(Format::kJson)};
  std::shared_ptr<spdlog::logger> logger;
  bool configured = false;

  Format current_format() const { return static_cast<Format>(format.load()); }
};

State& state();

class ForeignFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    auto pairs = parse_logfmt(text);
    std::string event = "log";
    std::vector<Field> fields;
    if (!pairs.empty() && pairs.front().first == "event") {
      event = pairs.front().second;
      for (std::size_t i = 1; i < pairs.size(); ++i) {
        fields.emplace_back(pairs[i].first, pairs[i].second);
      }
    } else {
      fields.emplace_back("message", text);
    }
    std::string line = format_any(state().current_format(), from_spdlog(msg.level),
                                  format_ts(msg.time), event, fields);
    dest.append(line.data(), line.data() + line.size());
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<ForeignFormatter>();
  }
};

// Called with state().mu held.
void configure_locked(State& s) {
  if (s.configured) {
    return;
  }
  s.configured = true;
  // Both sinks write stderr under spdlog's one console mutex, so lines from
  // the two loggers never interleave.
  auto own_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  own_sink->set_pattern("%v");
  s.logger = std::make_shared<spdlog::logger>("leadrouter", own_sink);
  s.logger->set_level(spdlog::level::trace);

  auto foreign_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  foreign_sink->set_formatter(std::make_unique<ForeignFormatter>());
  auto foreign = std::make_shared<spdlog::logger>("", foreign_sink);
  spdlog::set_default_logger(foreign);
}

State& state() {
  static State s;
  return s;
}

std::shared_ptr<spdlog::logger> own_logger() {
  auto& s = state();
  std::lock_guard lock(s.mu);
  if (!s.configured) {
    configure_locked(s);
    spdlog::default_logger_raw()->set_level(to_spdlog(static_cast<Level>(s.min_level.load())));
  }
  return s.logger;
}

}  // namespace

bool init(std::string_view level, std::string_view format) {
  auto l = parse_level(level);
  auto f = parse_format(format);
  if (!l || !f) {
    return false;
  }
  auto& s = state();
  std::lock_guard lock(s.mu);
  configure_locked(s);
  s.min_level = static_cast<int>(*l);
  s.format = static_cast<int>(*f);
  spdlog::default_logger_raw()->set_level(to_spdlog(*l));
  return true;
}

void write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  auto& s = state();
  if (static_cast<int>(level) < s.min_level.load(std::memory_order_relaxed)) {
    return;
  }
  auto logger = own_logger();
  std::string line =
      format_any(s.current_format(), level, format_ts(std::chrono::system_clock::now()), event,
                 std::span<const Field>(fields.begin(), fields.size()));
  logger->log(to_spdlog(level), spdlog::string_view_t(line.data(), line.size()));
}

std::string mask_email(std::string_view email) {
  auto at = email.rfind('@');
  if (at == std::string_view::npos) {
    return "***";
  }
  std::string out;
  if (at > 0) {
    // The whole first character, even when it takes several UTF-8 bytes.
    std::size_t n = 1;
    while (n < at && (static_cast<unsigned char>(email[n]) & 0xC0) == 0x80) {
      ++n;
    }
    out += email.substr(0, n);
  }
  out += "***";
  out += email.substr(at);
  return out;
}

std::string format_line(std::string_view format, Level level, std::string_view timestamp,
                        std::string_view event, std::initializer_list<Field> fields) {
  return format_any(parse_format(format).value_or(Format::kJson), level, timestamp, event,
                    std::span<const Field>(fields.begin(), fields.size()));
}

}  // namespace leadrouter::sidecar::log
