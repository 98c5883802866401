#include "core/time.hpp"

#include <date/date.h>

#include <cctype>

namespace leadrouter {
namespace {

bool read_int(std::string_view s, std::size_t& pos, int digits, int& out) {
  if (pos + static_cast<std::size_t>(digits) > s.size()) {
    return false;
  }
  int v = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = s[pos + static_cast<std::size_t>(i)];
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(digits);
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

}  // namespace

std::optional<Timestamp> parse_iso8601(std::string_view s) {
  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0;
  if (!read_int(s, pos, 4, y) || !expect(s, pos, '-') || !read_int(s, pos, 2, mo) ||
      !expect(s, pos, '-') || !read_int(s, pos, 2, d)) {
    return std::nullopt;
  }
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  const auto day_start = Timestamp{date::sys_days{ymd}.time_since_epoch()};
  if (pos == s.size()) {
    return day_start;
  }
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') {
    return std::nullopt;
  }
  ++pos;
  int h = 0, mi = 0, sec = 0;
  if (!read_int(s, pos, 2, h) || !expect(s, pos, ':') || !read_int(s, pos, 2, mi)) {
    return std::nullopt;
  }
  if (expect(s, pos, ':') && !read_int(s, pos, 2, sec)) {
    return std::nullopt;
  }
  if (h > 23 || mi > 59 || sec > 60) {
    return std::nullopt;
  }
  if (expect(s, pos, '.') || expect(s, pos, ',')) {
    const std::size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!read_int(s, pos, 2, oh)) {
      return std::nullopt;
    }
    expect(s, pos, ':');
    if (!read_int(s, pos, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (oh * 60 + om);
  } else {
    // A time without an offset is ambiguous; CRMs always send one.
    return std::nullopt;
  }
  if (pos != s.size()) {
    return std::nullopt;
  }
  return day_start + std::chrono::hours{h} + std::chrono::minutes{mi} + std::chrono::seconds{sec} -
         std::chrono::minutes{offset_minutes};
}

std::string format_iso8601(Timestamp t) {
  return date::format("%FT%TZ", t);
}

}  // namespace leadrouter
