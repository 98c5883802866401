// Lead <-> JSON: the file format of `leadrouter route --leads` (one lead per
// JSONL line), `leadrouter preview --lead` and of leads in the audit log.
// docs/cli.md documents the keys. Parsing validates every key and reports
// all problems at once, each with its JSON path ("/events/2/at").
//
//   auto lead = core::lead_from_json(R"({"id":"L1","country":"DE"})");
//   if (!lead) { std::cerr << format_errors(lead.error()); }
#pragma once

#include <rapidjson/document.h>

#include <expected>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/lead.hpp"

namespace leadrouter::core {

// Parses one JSON object. Unknown keys, wrong types, bad timestamps and a
// missing or empty "id" are errors; null stands for "not set".
std::expected<Lead, ValidationErrors> lead_from_json(std::string_view json_text);
std::expected<Lead, ValidationErrors> lead_from_json(const rapidjson::Value& value);

// Serializes a lead; unset fields (empty strings, no value) are left out, so
// lead_from_json(lead_to_json(l)) == l.
rapidjson::Value lead_to_value(const Lead& lead, rapidjson::Document::AllocatorType& alloc);
std::string lead_to_json(const Lead& lead);

}  // namespace leadrouter::core
