// Loading what the routing commands (route, preview, policy lint) read from
// disk: lead files, and the options route and preview share for naming the
// policy, roster and free-mail list. Every failure comes
// back as one ready-to-print message that names the file, the line (JSONL) or
// JSON path, and the reason; a lead file is validated completely before any
// lead is routed.
#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/lead.hpp"
#include "core/lead_facts.hpp"
#include "core/policy.hpp"
#include "sidecar/cli/cli_support.hpp"
#include "sidecar/config/routing_setup.hpp"

namespace leadrouter::cli {

// The policy, roster, free-mail and model loaders are the sidecar's
// (sidecar/config/routing_setup.hpp), so that the CLI and `serve` read the
// same files the same way.
using sidecar::default_free_mail_path;
using sidecar::format_file_errors;
using sidecar::load_free_mail;
using sidecar::load_policy;
using sidecar::load_roster;
using sidecar::load_routing_setup;
using sidecar::RoutingSetup;

// One JSON lead per line; blank lines are skipped. Lead ids must be unique.
std::expected<std::vector<core::Lead>, std::string> load_leads_jsonl(const std::string& path);
// A file holding a single JSON lead.
std::expected<core::Lead, std::string> load_lead_json(const std::string& path);

// What route and preview do not share among their common options.
struct RoutingCommand {
  std::string_view name;  // "route": prefixes error messages
  const char* input;      // "leads": the option naming the lead file
  const char* input_help;
  const char* now_help;
  const char* format_help;
  std::string_view default_format;
  std::string_view other_format;
};

// The parsed common options with the setup loaded, and the command's lead
// file read by the loader it passes (one lead, or a JSONL file).
template <typename Leads>
struct RoutingInputs {
  std::string format;
  std::optional<Timestamp> fixed_now;
  RoutingSetup setup;
  Leads leads;
};

// Parses `args` against --policy, --roster, the lead file option, --now,
// --format and --free-mail, and reads all but the lead file. The error is the exit code to
// stop with, the problem already reported.
std::expected<RoutingInputs<std::monostate>, int> parse_routing_args(
    const CommandSpec& spec, const RoutingCommand& command, const std::vector<std::string>& args,
    po::variables_map& vm);

template <typename Leads>
std::expected<RoutingInputs<Leads>, int> parse_routing_inputs(
    const CommandSpec& spec, const RoutingCommand& command, const std::vector<std::string>& args,
    std::expected<Leads, std::string> (*load_leads)(const std::string&)) {
  po::variables_map vm;
  auto common = parse_routing_args(spec, command, args, vm);
  if (!common) {
    return std::unexpected(common.error());
  }
  auto leads = load_leads(vm[command.input].as<std::string>());
  if (!leads) {
    print_error(leads.error());
    return std::unexpected(exit_code(ExitCode::kBadInput));
  }
  return RoutingInputs<Leads>{std::move(common->format), common->fixed_now,
                              std::move(common->setup), std::move(*leads)};
}

// --now when given, otherwise the lead's created_at, otherwise the current time.
Timestamp routing_time(const std::optional<Timestamp>& fixed_now, const core::Lead& lead);

}  // namespace leadrouter::cli
