// Building SOQL text safely: string literals escaped, datetimes in the form
// SOQL accepts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connectors/crm_types.hpp"

namespace leadrouter::connectors::salesforce {

// 'O\'Brien' — quotes and backslashes escaped; control characters dropped.
std::string soql_string(std::string_view value);

// ('a', 'b')
std::string soql_string_list(const std::vector<std::string>& values);

// 2026-01-05T10:00:00Z, or with .SSS when the milliseconds are not zero.
std::string soql_datetime(TimestampMs t);

}  // namespace leadrouter::connectors::salesforce
