#include "sidecar/cli/preview_command.hpp"

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
    "preview",
    "--policy POLICY.json --roster ROSTER.json --lead LEAD.json [--now ISO8601]\n"
    "                         [--format text|json] [--free-mail FILE]",
    "Shows how one lead would be routed right now, without committing anything:\n"
    "scores and their parts, tier, territory, segment, the route trail, every\n"
    "candidate rep with its exclusions or why it lost, and the SLA deadline.\n"
    "\n"
    "The routing time is --now when given, otherwise the lead's created_at,\n"
    "otherwise the current time."};

}  // namespace

int run_preview(const std::vector<std::string>& args) {
  po::options_description opts;
  opts.add_options()                                                                  //
      ("policy", string_value()->required()->value_name("FILE"), "policy JSON file")  //
      ("roster", string_value()->required()->value_name("FILE"), "roster JSON file")  //
      ("lead", string_value()->required()->value_name("FILE"),
       "one lead as a JSON object")  //
      ("now", string_value()->value_name("ISO8601"),
       "route at this time (default: the lead's created_at, else now)")  //
      ("format", string_value()->default_value("text")->value_name("text|json"),
       "text: the explained report; json: the decision as one JSON object")  //
      ("free-mail", string_value()->default_value(default_free_mail_path())->value_name("FILE"),
       "free-mail domain list, one domain per line");
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, opts, {}, args, vm)) {
    return *done;
  }
  const auto format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    print_error(fmt::format("preview: --format: '{}' is not one of text, json", format));
    return exit_code(ExitCode::kBadInput);
  }
  std::optional<Timestamp> fixed_now;
  if (vm.count("now") != 0) {
    auto now = parse_time_option("now", vm["now"].as<std::string>());
    if (!now) {
      print_error("preview: " + now.error());
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
  auto lead = load_lead_json(vm["lead"].as<std::string>());
  if (!lead) {
    print_error(lead.error());
    return exit_code(ExitCode::kBadInput);
  }

  const core::Router router(setup->policy, setup->free_mail);
  const core::Roster roster(std::move(setup->reps));
  const Timestamp now = fixed_now.value_or(lead->created_at.value_or(
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())));
  const core::Decision decision = router.route(*lead, roster, now);
  if (format == "json") {
    fmt::print("{}\n", core::decision_to_json(decision));
  } else {
    fmt::print("{}", format_decision_report(*lead, decision));
  }
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
