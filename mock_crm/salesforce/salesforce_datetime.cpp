#include "mock_crm/salesforce/salesforce_datetime.hpp"

#include <fmt/format.h>

#include <cctype>

namespace leadrouter::mock_crm::salesforce {
namespace {

// Reads exactly `width` digits at `pos`.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
      return std::nullopt;
    }
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::optional<Date> parse_date_prefix(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  auto y = digits(text, 0, 4);
  auto m = digits(text, 5, 2);
  auto d = digits(text, 8, 2);
  if (!y || !m || !d) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year{*y},
                                  std::chrono::month(static_cast<unsigned>(*m)),
                                  std::chrono::day(static_cast<unsigned>(*d))};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return std::chrono::sys_days{ymd};
}

}  // namespace

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10) {
    return std::nullopt;
  }
  return parse_date_prefix(text);
}

std::optional<DateTime> parse_datetime(std::string_view text) {
  auto day = parse_date_prefix(text);
  if (!day || text.size() < 19 || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  auto hh = digits(text, 11, 2);
  auto mi = digits(text, 14, 2);
  auto ss = digits(text, 17, 2);
  if (!hh || !mi || !ss || *hh > 23 || *mi > 59 || *ss > 59) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    int scale = 100;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
  }
  if (pos >= text.size()) {
    return std::nullopt;  // Salesforce insists on an explicit zone
  }
  int offset_minutes = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    auto oh = digits(text, pos, 2);
    if (!oh) {
      return std::nullopt;
    }
    pos += 2;
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
    }
    auto om = digits(text, pos, 2);
    if (!om || *oh > 23 || *om > 59) {
      return std::nullopt;
    }
    pos += 2;
    offset_minutes = sign * (*oh * 60 + *om);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) {
    return std::nullopt;
  }
  using namespace std::chrono;
  return DateTime{*day} + hours(*hh) + minutes(*mi) + seconds(*ss) + milliseconds(millis) -
         minutes(offset_minutes);
}

std::string format_datetime(DateTime t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<milliseconds> hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     hms.subseconds().count());
}

std::string format_date(Date d) {
  std::chrono::year_month_day ymd{d};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

DateTime to_datetime(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::milliseconds>(t);
}

}  // namespace leadrouter::mock_crm::salesforce
