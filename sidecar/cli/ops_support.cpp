#include "sidecar/cli/ops_support.hpp"

#include <fmt/core.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "connectors/crm_types.hpp"
#include "sidecar/store/write_back_json.hpp"

namespace leadrouter::cli {

namespace {

constexpr int kMaxLimit = 1'000'000;
constexpr std::size_t kLastColumnWidth = 120;

rapidjson::Value string_value_of(std::string_view s, rapidjson::Document::AllocatorType& alloc) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
}

// A stored JSON document as JSON; if it ever failed to parse, as the string
// it is, so the output stays valid JSON and nothing is hidden.
rapidjson::Value embedded_json(const std::string& text, rapidjson::Document::AllocatorType& alloc) {
  rapidjson::Document doc(&alloc);
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    return string_value_of(text, alloc);
  }
  return rapidjson::Value(doc, alloc);
}

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

// Cut at a code-point boundary so a long UTF-8 value never ends in half a
// character; newlines would break the table's rows.
std::string cell_text(std::string_view s, std::size_t max_width) {
  std::string flat(s);
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  if (code_points(flat) <= max_width) {
    return flat;
  }
  std::string out;
  std::size_t points = 0;
  for (const char c : flat) {
    const bool starts_point = (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    if (starts_point && points == max_width - 1) {
      break;
    }
    points += starts_point ? 1 : 0;
    out += c;
  }
  return out + "~";
}

}  // namespace

std::expected<StateAndArgument, int> parse_state_and_argument(
    const CommandSpec& spec, const ArgumentOption& argument, const std::vector<std::string>& args) {
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("state", string_value()->required()->value_name("DIR"), "the daemon's state directory")
      (argument.name, string_value()->required()->value_name(argument.value_name), argument.help);
  // clang-format on
  po::positional_options_description positional;
  positional.add(argument.name, 1);
  po::variables_map vm;
  if (auto done = parse_command_line(spec, opts, positional, args, vm)) {
    return std::unexpected(*done);
  }
  return StateAndArgument{vm["state"].as<std::string>(), vm[argument.name].as<std::string>()};
}

std::expected<std::unique_ptr<sidecar::StateStore>, int> open_state(const std::string& dir,
                                                                    bool read_only) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    print_error(fmt::format("state directory {} does not exist (the daemon's --state)", dir));
    return std::unexpected(exit_code(ExitCode::kBadInput));
  }
  const std::string file = sidecar::StateStore::database_path(dir);
  if (!std::filesystem::exists(file, ec)) {
    print_error(
        fmt::format("no state database in {} (expected {}; has the daemon run with --state {}?)",
                    dir, file, dir));
    return std::unexpected(exit_code(ExitCode::kBadInput));
  }
  auto store = sidecar::StateStore::open(dir, {.read_only = read_only, .migrate = false});
  if (!store) {
    return std::unexpected(report(store.error()));
  }
  return std::move(*store);
}

int report(const Error& error) {
  print_error(error.message);
  const bool users_to_fix =
      error.kind == ErrorKind::kInvalidInput || error.kind == ErrorKind::kNotFound;
  return exit_code(users_to_fix ? ExitCode::kBadInput : ExitCode::kFailure);
}

std::optional<int> parse_limit(const po::variables_map& vm, int& out) {
  const auto& text = vm["limit"].as<std::string>();
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc{} || end != text.data() + text.size() || out < 1 || out > kMaxLimit) {
    print_error(
        fmt::format("--limit must be a whole number from 1 to {}, not '{}'", kMaxLimit, text));
    return exit_code(ExitCode::kBadInput);
  }
  return std::nullopt;
}

std::optional<int> parse_format(const po::variables_map& vm, bool& jsonl) {
  const auto& format = vm["format"].as<std::string>();
  if (format != "table" && format != "jsonl") {
    print_error(fmt::format("--format must be table or jsonl, not '{}'", format));
    return exit_code(ExitCode::kBadInput);
  }
  jsonl = format == "jsonl";
  return std::nullopt;
}

std::optional<int> parse_row_id(std::string_view what, const std::string& text, std::int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc{} || end != text.data() + text.size() || out < 1) {
    print_error(fmt::format("{} must be a positive whole number, not '{}'", what, text));
    return exit_code(ExitCode::kBadInput);
  }
  return std::nullopt;
}

std::string format_ms(sidecar::TimestampMs t) {
  return connectors::format_time_ms(t);
}

rapidjson::Value decision_row_value(const sidecar::DecisionRow& row, bool with_lead,
                                    rapidjson::Document::AllocatorType& alloc) {
  rapidjson::Value v(rapidjson::kObjectType);
  auto add = [&](const char* key, std::string_view text) {
    v.AddMember(rapidjson::StringRef(key), string_value_of(text, alloc), alloc);
  };
  v.AddMember("seq", row.seq, alloc);
  add("decision_id", row.decision_id);
  add("connector", row.connector);
  add("lead_id", row.lead_id);
  add("kind", row.kind);
  add("source", row.source);
  add("mode", row.mode);
  add("decided_at", format_ms(row.decided_at));
  add("assignee_kind", row.assignee_kind);
  add("assignee_id", row.assignee_id);
  add("route", row.route);
  add("tier", row.tier);
  v.AddMember("score", row.score, alloc);
  add("policy_name", row.policy_name);
  v.AddMember("policy_version", row.policy_version, alloc);
  add("model_version", row.model_version);
  if (row.lead_created_at) {
    add("lead_created_at", format_ms(*row.lead_created_at));
  } else {
    v.AddMember("lead_created_at", rapidjson::Value(), alloc);
  }
  v.AddMember("decision", embedded_json(row.decision_json, alloc), alloc);
  if (with_lead) {
    v.AddMember("lead", embedded_json(row.lead_json, alloc), alloc);
  }
  return v;
}

rapidjson::Value outbox_row_value(const sidecar::OutboxRow& row,
                                  rapidjson::Document::AllocatorType& alloc) {
  rapidjson::Value v(rapidjson::kObjectType);
  auto add = [&](const char* key, std::string_view text) {
    v.AddMember(rapidjson::StringRef(key), string_value_of(text, alloc), alloc);
  };
  v.AddMember("id", row.id, alloc);
  add("decision_id", row.decision_id);
  add("connector", row.connector);
  add("record_id", row.record_id);
  add("state", sidecar::to_string(row.state));
  v.AddMember("attempts", row.attempts, alloc);
  add("created_at", format_ms(row.created_at));
  add("updated_at", format_ms(row.updated_at));
  add("next_attempt_at", format_ms(row.next_attempt_at));
  add("last_error", row.last_error);
  add("task_id", row.task_id);
  v.AddMember("write", embedded_json(sidecar::write_back_to_json(row.write), alloc), alloc);
  return v;
}

std::string to_json_line(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

std::string to_pretty_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  value.Accept(writer);
  return buffer.GetString();
}

std::string format_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows, std::size_t max_width) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back(headers);
  for (const auto& row : rows) {
    std::vector<std::string> fitted;
    for (std::size_t i = 0; i < row.size(); ++i) {
      // The last column pads nothing after it, so it may run longer.
      const bool last = i + 1 == row.size();
      fitted.push_back(cell_text(row[i], last ? std::max(max_width, kLastColumnWidth) : max_width));
    }
    cells.push_back(std::move(fitted));
  }
  std::vector<std::size_t> widths(headers.size(), 0);
  for (const auto& row : cells) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], code_points(row[i]));
    }
  }
  std::string out;
  for (const auto& row : cells) {
    std::string line;
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(widths[i] - code_points(row[i]) + 2, ' ');
      }
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace leadrouter::cli
