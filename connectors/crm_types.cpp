#include "connectors/crm_types.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/time.hpp"

namespace leadrouter::connectors {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() &&
         std::ranges::all_of(s, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

std::string LeadCursor::serialize() const {
  return fmt::format("v1:{}:{}", modified_at.time_since_epoch().count(), last_id);
}

std::expected<LeadCursor, Error> LeadCursor::parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return std::unexpected(Error::invalid_input(fmt::format("invalid cursor '{}': {}", text, why)));
  };
  if (!text.starts_with("v1:")) {
    return bad("expected v1:<epoch ms>:<id>");
  }
  text.remove_prefix(3);
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return bad("missing ':' before the id");
  }
  long long ms = 0;
  const auto num = text.substr(0, colon);
  auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), ms);
  if (ec != std::errc{} || ptr != num.data() + num.size() || ms < 0) {
    return bad("the timestamp is not epoch milliseconds");
  }
  return LeadCursor{TimestampMs{std::chrono::milliseconds{ms}},
                    std::string(text.substr(colon + 1))};
}

int compare_record_ids(std::string_view a, std::string_view b) {
  if (all_digits(a) && all_digits(b)) {
    while (a.size() > 1 && a.front() == '0') {
      a.remove_prefix(1);
    }
    while (b.size() > 1 && b.front() == '0') {
      b.remove_prefix(1);
    }
    if (a.size() != b.size()) {
      return a.size() < b.size() ? -1 : 1;
    }
  }
  const int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

std::optional<TimestampMs> parse_crm_time(std::string_view text) {
  if (all_digits(text)) {
    long long ms = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc{}) {
      return std::nullopt;
    }
    return TimestampMs{std::chrono::milliseconds{ms}};
  }
  const auto seconds = parse_iso8601(text);
  if (!seconds) {
    return std::nullopt;
  }
  // core keeps whole seconds; the cursor needs the milliseconds CRMs send.
  int millis = 0;
  const auto t = text.find_first_of("Tt ");
  const auto dot = text.find_first_of(".,", t == std::string_view::npos ? 0 : t);
  if (t != std::string_view::npos && dot != std::string_view::npos) {
    int digits = 0;
    for (std::size_t i = dot + 1;
         i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && digits < 3;
         ++i, ++digits) {
      millis = millis * 10 + (text[i] - '0');
    }
    for (; digits < 3; ++digits) {
      millis *= 10;
    }
  }
  return TimestampMs{seconds->time_since_epoch()} + std::chrono::milliseconds{millis};
}

std::string format_time_ms(TimestampMs t) {
  return date::format("%FT%TZ", t);
}

}  // namespace leadrouter::connectors
