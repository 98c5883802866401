// The table of subcommands. To add a command, include its header and append
// one line; main() and `leadrouter --help` pick it up from here.
#include "sidecar/cli/command.hpp"
#include "sidecar/cli/crm_command.hpp"
#include "sidecar/cli/model_command.hpp"
#include "sidecar/cli/policy_commands.hpp"
#include "sidecar/cli/preview_command.hpp"
#include "sidecar/cli/route_command.hpp"

namespace leadrouter::cli {

namespace {

// clang-format off
constexpr Command kCommands[] = {
    {"route", "Route a JSONL file of leads and print the decisions", run_route},
    {"preview", "Explain how one lead would be routed, without committing", run_preview},
    {"policy check", "Validate a policy file", run_policy_check},
    {"policy lint", "Find likely mistakes in a valid policy", run_policy_lint},
    {"model train", "Train the conversion model from a CSV of historical leads", run_model_train},
    {"model evaluate", "Measure a model on a labelled CSV (AUC, log loss, calibration)", run_model_evaluate},
    {"model explain", "Explain a model's score for one CSV row", run_model_explain},
    {"crm check", "Check each CRM connector: auth, reps, recent leads, rate-limit headroom", run_crm_check},
    {"crm pull", "Print the leads a CRM changed since a time as normalized JSONL", run_crm_pull},
};
// clang-format on

}  // namespace

std::span<const Command> commands() {
  return kCommands;
}

}  // namespace leadrouter::cli
