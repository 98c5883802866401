// Salesforce's date and datetime values: parsing what clients send (ISO 8601
// with Z, +hh:mm or +hhmm offsets and optional milliseconds) and printing
// what the REST API prints ("2026-01-05T10:00:00.000+0000", "2026-01-05").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace leadrouter::mock_crm::salesforce {

using DateTime = std::chrono::sys_time<std::chrono::milliseconds>;
using Date = std::chrono::sys_days;

// "2026-01-05T10:00:00Z", "2026-01-05T10:00:00.123+01:00", "...+0100".
std::optional<DateTime> parse_datetime(std::string_view text);
// "2026-01-05" only.
std::optional<Date> parse_date(std::string_view text);

std::string format_datetime(DateTime t);
std::string format_date(Date d);

DateTime to_datetime(std::chrono::system_clock::time_point t);

}  // namespace leadrouter::mock_crm::salesforce
