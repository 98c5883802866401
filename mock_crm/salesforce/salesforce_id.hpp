// Salesforce record Ids: 15 case-sensitive characters (a 3-character key
// prefix naming the object, then instance and counter characters) and the
// 18-character form that appends a checksum of the letter case, so the Id
// survives case-insensitive systems. The REST API always answers with 18.
//
//   std::string id = make_id("00Q", 42);          // "00QDm000000000gAAA"-like
//   auto normalized = normalize_id("00QDm000000000g");  // the 18-char form
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadrouter::mock_crm::salesforce {

// The 3 checksum characters for a 15-character Id.
std::string id_checksum(std::string_view id15);

// A new 18-character Id with the given key prefix; `counter` makes it unique.
std::string make_id(std::string_view key_prefix, std::uint64_t counter);

// 15 or 18 alphanumeric characters, with a correct checksum for 18 → the
// 18-character form; anything else → nullopt.
std::optional<std::string> normalize_id(std::string_view id);

}  // namespace leadrouter::mock_crm::salesforce
