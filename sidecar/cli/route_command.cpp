#include "sidecar/cli/route_command.hpp"

#include <fmt/core.h>

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

constexpr RoutingCommand kRouting{
    .name = "route",
    .input = "leads",
    .input_help = "leads, one JSON object per line",
    .now_help = "route every lead at this time (default: each lead's created_at, else now)",
    .format_help =
        "table: one row and explanation per lead, then a summary; jsonl: one decision per line",
    .default_format = "table",
    .other_format = "jsonl"};

}  // namespace

int run_route(const std::vector<std::string>& args) {
  auto inputs = parse_routing_inputs(kSpec, kRouting, args, load_leads_jsonl);
  if (!inputs) {
    return inputs.error();
  }
  const std::vector<core::Lead>& leads = inputs->leads;

  const core::Router router(inputs->setup.policy, inputs->setup.free_mail);
  core::Roster roster(std::move(inputs->setup.reps));
  std::vector<core::Decision> decisions;
  decisions.reserve(leads.size());
  for (const auto& lead : leads) {
    decisions.push_back(router.route(lead, roster, routing_time(inputs->fixed_now, lead)));
    roster.commit(decisions.back());
  }

  if (inputs->format == "jsonl") {
    for (const auto& d : decisions) {
      fmt::print("{}\n", core::decision_to_json(d));
    }
  } else {
    fmt::print("{}", format_decision_table(leads, decisions));
  }
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
