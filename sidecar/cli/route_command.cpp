#include "sidecar/cli/route_command.hpp"

#include <fmt/core.h>

#include <chrono>

#include "core/decision_json.hpp"
#include "core/roster.hpp"
#include "core/router.hpp"
#include "sidecar/cli/cli_support.hpp"
#include "sidecar/cli/decision_text.hpp"
#include "sidecar/cli/routing_inputs.hpp"

namespace leadrouter::cli {

namespace {

constexpr CommandSpec kSpec{
    "route",
    "--policy POLICY.json --roster ROSTER.json --leads LEADS.jsonl [--now ISO8601]\n"
    "                       [--format table|jsonl] [--free-mail FILE]",
    "Routes every lead of a JSONL file in file order. Each decision is committed to\n"
    "the roster before the next lead is routed, so loads, daily and hourly caps and\n"
    "round-robin fairness carry from one lead to the next (nothing is written to disk).\n"
    "The whole leads file is validated first; any bad line stops the run before a\n"
    "single decision is printed (exit 2).\n"
    "\n"
    "The routing time of each lead is --now when given, otherwise the lead's\n"
    "created_at, otherwise the current time."};

}  // namespace

int run_route(const std::vector<std::string>& args) {
  po::options_description opts;
  opts.add_options()                                                                  //
      ("policy", string_value()->required()->value_name("FILE"), "policy JSON file")  //
      ("roster", string_value()->required()->value_name("FILE"), "roster JSON file")  //
      ("leads", string_value()->required()->value_name("FILE"),
       "leads, one JSON object per line")  //
      ("now", string_value()->value_name("ISO8601"),
       "route every lead at this time (default: each lead's created_at, else now)")  //
      ("format", string_value()->default_value("table")->value_name("table|jsonl"),
       "table: one row and explanation per lead, then a summary; jsonl: one decision per line")  //
      ("free-mail", string_value()->default_value(default_free_mail_path())->value_name("FILE"),
       "free-mail domain list, one domain per line");
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, opts, {}, args, vm)) {
    return *done;
  }
  const auto format = vm["format"].as<std::string>();
  if (format != "table" && format != "jsonl") {
    print_error(fmt::format("route: --format: '{}' is not one of table, jsonl", format));
    return exit_code(ExitCode::kBadInput);
  }
  std::optional<Timestamp> fixed_now;
  if (vm.count("now") != 0) {
    auto now = parse_time_option("now", vm["now"].as<std::string>());
    if (!now) {
      print_error("route: " + now.error());
      return exit_code(ExitCode::kBadInput);
    }
    fixed_now = *now;
  }
  auto setup = load_routing_setup(vm["policy"].as<std::string>(), vm["roster"].as<std::string>(),
                                  vm["free-mail"].as<std::string>());
  if (!setup) {
    print_error(setup.error());
    return exit_code(ExitCode::kBadInput);
  }
  auto leads = load_leads_jsonl(vm["leads"].as<std::string>());
  if (!leads) {
    print_error(leads.error());
    return exit_code(ExitCode::kBadInput);
  }

  const core::Router router(setup->policy, setup->free_mail);
  core::Roster roster(std::move(setup->reps));
  std::vector<core::Decision> decisions;
  decisions.reserve(leads->size());
  for (const auto& lead : *leads) {
    const Timestamp now = fixed_now.value_or(lead.created_at.value_or(
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())));
    decisions.push_back(router.route(lead, roster, now));
    roster.commit(decisions.back());
  }

  if (format == "jsonl") {
    for (const auto& d : decisions) {
      fmt::print("{}\n", core::decision_to_json(d));
    }
  } else {
    fmt::print("{}", format_decision_table(*leads, decisions));
  }
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
