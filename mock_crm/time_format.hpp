// Millisecond-precision time conversions for the imitated CRMs, whose record
// timestamps carry milliseconds ("2024-01-17T19:55:04.281Z") or epoch ms.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadrouter::mock_crm {

std::int64_t to_epoch_ms(std::chrono::system_clock::time_point t);

// "2024-01-17T19:55:04.281Z"
std::string format_iso_ms(std::int64_t epoch_ms);

// Accepts "2024-01-17", "2024-01-17T19:55:04Z", "...04.281Z", "...04+01:00".
std::optional<std::int64_t> parse_iso_ms(std::string_view text);

// Accepts an epoch-millisecond decimal string or an ISO 8601 date-time, as
// HubSpot does for date properties and search filter values.
std::optional<std::int64_t> parse_ms_or_iso(std::string_view text);

}  // namespace leadrouter::mock_crm
