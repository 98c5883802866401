#include "sidecar/cli/preview_command.hpp"

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
    "preview",
    "--policy POLICY.json --roster ROSTER.json --lead LEAD.json [--now ISO8601]\n"
    "                         [--format text|json] [--free-mail FILE]",
    "Shows how one lead would be routed right now, without committing anything:\n"
    "scores and their parts, tier, territory, segment, the route trail, every\n"
    "candidate rep with its exclusions or why it lost, and the SLA deadline.\n"
    "\n"
    "The routing time is --now when given, otherwise the lead's created_at,\n"
    "otherwise the current time."};

constexpr RoutingCommand kRouting{
    .name = "preview",
    .input = "lead",
    .input_help = "one lead as a JSON object",
    .now_help = "route at this time (default: the lead's created_at, else now)",
    .format_help = "text: the explained report; json: the decision as one JSON object",
    .default_format = "text",
    .other_format = "json"};

}  // namespace

int run_preview(const std::vector<std::string>& args) {
  auto inputs = parse_routing_inputs(kSpec, kRouting, args, load_lead_json);
  if (!inputs) {
    return inputs.error();
  }
  const core::Lead& lead = inputs->leads;

  const core::Router router(inputs->setup.policy, inputs->setup.free_mail);
  const core::Roster roster(std::move(inputs->setup.reps));
  const core::Decision decision = router.route(lead, roster, routing_time(inputs->fixed_now, lead));
  if (inputs->format == "json") {
    fmt::print("{}\n", core::decision_to_json(decision));
  } else {
    fmt::print("{}", format_decision_report(lead, decision));
  }
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
