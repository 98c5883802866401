#include "mock_crm/time_format.hpp"

#include <fmt/format.h>

#include <charconv>

namespace leadrouter::mock_crm {
namespace {

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) {
    return false;
  }
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
  }
  auto r = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return r.ec == std::errc{};
}

}  // namespace

std::int64_t to_epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string format_iso_ms(std::int64_t epoch_ms) {
  using namespace std::chrono;
  sys_time<milliseconds> tp{milliseconds{epoch_ms}};
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss hms{tp - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     hms.subseconds().count());
}

std::optional<std::int64_t> parse_iso_ms(std::string_view s) {
  using namespace std::chrono;
  int y = 0;
  int mo = 0;
  int d = 0;
  if (!read_int(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !read_int(s, 5, 2, mo) ||
      s[7] != '-' || !read_int(s, 8, 2, d)) {
    return std::nullopt;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  std::int64_t ms = duration_cast<milliseconds>(sys_days{ymd}.time_since_epoch()).count();
  if (s.size() == 10) {
    return ms;
  }
  int h = 0;
  int mi = 0;
  int sec = 0;
  if (s.size() < 19 || (s[10] != 'T' && s[10] != ' ') || !read_int(s, 11, 2, h) || s[13] != ':' ||
      !read_int(s, 14, 2, mi) || s[16] != ':' || !read_int(s, 17, 2, sec) || h > 23 || mi > 59 ||
      sec > 60) {
    return std::nullopt;
  }
  ms += ((h * 60LL + mi) * 60LL + sec) * 1000LL;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::int64_t frac = 0;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) {
        frac = frac * 10 + (s[pos] - '0');
      }
      ++digits;
      ++pos;
    }
    if (digits == 0) {
      return std::nullopt;
    }
    for (int i = digits; i < 3; ++i) {
      frac *= 10;
    }
    ms += frac;
  }
  if (pos == s.size()) {
    return std::nullopt;  // a date-time without a zone is ambiguous
  }
  if (s[pos] == 'Z' && pos + 1 == s.size()) {
    return ms;
  }
  int oh = 0;
  int om = 0;
  if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && read_int(s, pos + 1, 2, oh) &&
      s[pos + 3] == ':' && read_int(s, pos + 4, 2, om)) {
    std::int64_t offset = (oh * 60LL + om) * 60000LL;
    return s[pos] == '+' ? ms - offset : ms + offset;
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_ms_or_iso(std::string_view text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec == std::errc{} && r.ptr == text.data() + text.size()) {
      return v;
    }
    return std::nullopt;
  }
  return parse_iso_ms(text);
}

}  // namespace leadrouter::mock_crm
