#include "sidecar/cli/routing_inputs.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string_view>

#include "core/lead_json.hpp"
#include "sidecar/cli/cli_support.hpp"

namespace leadrouter::cli {

std::expected<std::vector<core::Lead>, std::string> load_leads_jsonl(const std::string& path) {
  auto text = read_file(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  std::vector<core::Lead> leads;
  ValidationErrors errors;
  std::map<std::string, std::size_t> first_line_of_id;
  std::string_view rest = *text;
  std::size_t line_no = 0;
  while (!rest.empty()) {
    ++line_no;
    const std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      continue;
    }
    const std::string where = fmt::format("{}:{}", path, line_no);
    auto lead = core::lead_from_json(line);
    if (!lead) {
      for (auto& e : lead.error()) {
        errors.push_back({e.path.empty() ? where : where + ": " + e.path, std::move(e.reason)});
      }
      continue;
    }
    const auto [it, inserted] = first_line_of_id.emplace(lead->id, line_no);
    if (!inserted) {
      errors.push_back({where + ": /id", fmt::format("duplicate lead id '{}' (first on line {})",
                                                     lead->id, it->second)});
      continue;
    }
    leads.push_back(std::move(*lead));
  }
  if (!errors.empty()) {
    return std::unexpected(format_file_errors(path, errors));
  }
  if (leads.empty()) {
    return std::unexpected(fmt::format("{}: no leads (expected one JSON object per line)", path));
  }
  return leads;
}

std::expected<core::Lead, std::string> load_lead_json(const std::string& path) {
  auto text = read_file(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  auto lead = core::lead_from_json(*text);
  if (!lead) {
    return std::unexpected(format_file_errors(path, lead.error()));
  }
  return std::move(*lead);
}

namespace {

po::options_description routing_options(const RoutingCommand& command) {
  const std::string formats = fmt::format("{}|{}", command.default_format, command.other_format);
  po::options_description opts;
  opts.add_options()                                                                       //
      ("policy", string_value()->required()->value_name("FILE"), "policy JSON file")       //
      ("roster", string_value()->required()->value_name("FILE"), "roster JSON file")       //
      (command.input, string_value()->required()->value_name("FILE"), command.input_help)  //
      ("now", string_value()->value_name("ISO8601"), command.now_help)                     //
      ("format",
       string_value()->default_value(std::string(command.default_format))->value_name(formats),
       command.format_help)  //
      ("free-mail", string_value()->default_value(default_free_mail_path())->value_name("FILE"),
       "free-mail domain list, one domain per line");
  return opts;
}

}  // namespace

std::expected<RoutingInputs<std::monostate>, int> parse_routing_args(
    const CommandSpec& spec, const RoutingCommand& command, const std::vector<std::string>& args,
    po::variables_map& vm) {
  if (auto done = parse_command_line(spec, routing_options(command), {}, args, vm)) {
    return std::unexpected(*done);
  }
  const auto bad_input = [](const std::string& message) {
    print_error(message);
    return std::unexpected(exit_code(ExitCode::kBadInput));
  };
  auto format = vm["format"].as<std::string>();
  if (format != command.default_format && format != command.other_format) {
    return bad_input(fmt::format("{}: --format: '{}' is not one of {}, {}", command.name, format,
                                 command.default_format, command.other_format));
  }
  std::optional<Timestamp> fixed_now;
  if (vm.count("now") != 0) {
    auto now = parse_time_option("now", vm["now"].as<std::string>());
    if (!now) {
      return bad_input(fmt::format("{}: {}", command.name, now.error()));
    }
    fixed_now = *now;
  }
  auto setup = load_routing_setup(vm["policy"].as<std::string>(), vm["roster"].as<std::string>(),
                                  vm["free-mail"].as<std::string>());
  if (!setup) {
    // The sidecar's message names the file; here the flag to change it is known.
    if (setup.error().starts_with("free-mail domain list:")) {
      return bad_input(setup.error() + " (set it with --free-mail FILE)");
    }
    return bad_input(setup.error());
  }
  return RoutingInputs<std::monostate>{std::move(format), fixed_now, std::move(*setup), {}};
}

Timestamp routing_time(const std::optional<Timestamp>& fixed_now, const core::Lead& lead) {
  return fixed_now.value_or(lead.created_at.value_or(
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())));
}

}  // namespace leadrouter::cli
