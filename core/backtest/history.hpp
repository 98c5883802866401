// Reading a backtest's inputs from text: the lead history (JSONL in the
// `leadrouter route` format, or CSV with a header naming lead fields) and the
// outcomes (which leads converted). Every lead needs created_at, because a
// backtest decides each lead at the moment it arrived. Errors name the file,
// the line and, for CSV, the column; all of them are reported at once.
//
//   auto leads = backtest::leads_from_csv(text, "history.csv");
//   if (!leads) { fmt::print(stderr, "{}\n", leadrouter::format_errors(leads.error())); }
#pragma once

#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/lead.hpp"

namespace leadrouter::backtest {

// lead id -> converted
using Outcomes = std::map<std::string, bool>;

// One JSON lead per line (core::lead_from_json); blank lines are skipped.
std::expected<std::vector<core::Lead>, ValidationErrors> leads_from_jsonl(
    std::string_view text, std::string_view source_name);

// A header row, then one lead per row. Columns map to lead fields by name:
// id, source_system, object_type, email, first_name, last_name, title,
// company, website, country, state, city, industry, employees, annual_revenue,
// lead_source, language, created_at. "custom.x" and any other column become
// custom fields (custom.x and the column's name). Empty cells are unset.
std::expected<std::vector<core::Lead>, ValidationErrors> leads_from_csv(
    std::string_view text, std::string_view source_name);

// CSV with columns lead_id and converted, or JSONL objects
// {"lead_id": "...", "converted": true}. converted reads true/false/1/0
// (also yes/no, case-insensitive).
std::expected<Outcomes, ValidationErrors> outcomes_from_csv(std::string_view text,
                                                            std::string_view source_name);
std::expected<Outcomes, ValidationErrors> outcomes_from_jsonl(std::string_view text,
                                                              std::string_view source_name);

// Whether a file name is CSV (".csv") rather than JSONL, for readers that
// accept both.
bool is_csv_path(std::string_view path);

}  // namespace leadrouter::backtest
