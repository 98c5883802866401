// What the ops commands (ops_commands.hpp) share: opening the state store
// with errors that name the directory, the --limit and --format options,
// the JSON shapes of stored rows, and plain-text tables.
#pragma once

#include <fmt/core.h>
#include <rapidjson/document.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/cli/cli_support.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::cli {

// Opens <dir>/leadrouter.db, never creating it: an ops command pointed at the
// wrong directory must say so rather than start an empty store there. On
// failure the error is printed and the exit code returned.
std::expected<std::unique_ptr<sidecar::StateStore>, int> open_state(const std::string& dir,
                                                                    bool read_only);

// The options of commands that take a state directory and one more value,
// given as `--<name> VALUE` or positionally (`outbox drop --state DIR 42`).
struct StateAndArgument {
  std::string state_dir;
  std::string argument;
};
struct ArgumentOption {
  const char* name;  // "id"
  const char* value_name;
  const char* help;
};
// The exit code when the command must stop (--help, a bad argument).
std::expected<StateAndArgument, int> parse_state_and_argument(const CommandSpec& spec,
                                                              const ArgumentOption& argument,
                                                              const std::vector<std::string>& args);

// Prints the error; kInvalidInput and kNotFound are the user's to fix (exit
// 2), anything else is a failure (exit 1).
int report(const Error& error);

// --limit N, 1 to 1,000,000.
std::optional<int> parse_limit(const po::variables_map& vm, int& out);
// --format table|jsonl; true for jsonl.
std::optional<int> parse_format(const po::variables_map& vm, bool& jsonl);
// A positive row id given on the command line.
std::optional<int> parse_row_id(std::string_view what, const std::string& text, std::int64_t& out);

// "2026-03-09T15:00:00.250Z"
std::string format_ms(sidecar::TimestampMs t);

// The JSON forms `--format jsonl` and `decisions show` print. The stored
// decision, lead and write-back documents are embedded as JSON, not strings.
rapidjson::Value decision_row_value(const sidecar::DecisionRow& row, bool with_lead,
                                    rapidjson::Document::AllocatorType& alloc);
rapidjson::Value outbox_row_value(const sidecar::OutboxRow& row,
                                  rapidjson::Document::AllocatorType& alloc);
std::string to_json_line(const rapidjson::Value& value);  // compact, no newline
std::string to_pretty_json(const rapidjson::Value& value);

// Left-aligned columns, two spaces apart, headers first; cells longer than
// `max_width` (the last column: 120) are cut with "~".
std::string format_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows,
                         std::size_t max_width = 48);

// What the list commands print: one JSON line per row (`jsonl`), else `none`
// when there are no rows, else a table of `headers` and each row's cells.
template <typename Row, typename ToJson, typename ToCells>
int print_listing(const std::vector<Row>& rows, bool jsonl, std::string_view none, ToJson&& to_json,
                  const std::vector<std::string>& headers, ToCells&& to_cells) {
  if (jsonl) {
    rapidjson::Document doc;
    for (const Row& row : rows) {
      fmt::print("{}\n", to_json_line(to_json(row, doc.GetAllocator())));
    }
    return exit_code(ExitCode::kOk);
  }
  if (rows.empty()) {
    fmt::print("{}\n", none);
    return exit_code(ExitCode::kOk);
  }
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size());
  for (const Row& row : rows) {
    cells.push_back(to_cells(row));
  }
  fmt::print("{}", format_table(headers, cells));
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
