// The table of subcommands. To add a command, include its header and append
// one line; main() and `leadrouter --help` pick it up from here.
#include "sidecar/cli/backtest_command.hpp"
#include "sidecar/cli/command.hpp"
#include "sidecar/cli/config_command.hpp"
#include "sidecar/cli/crm_command.hpp"
#include "sidecar/cli/model_command.hpp"
#include "sidecar/cli/ops_commands.hpp"
#include "sidecar/cli/policy_commands.hpp"
#include "sidecar/cli/preview_command.hpp"
#include "sidecar/cli/route_command.hpp"
#include "sidecar/cli/serve_command.hpp"
#include "sidecar/cli/sla_command.hpp"

namespace leadrouter::cli {

namespace {

// clang-format off
constexpr Command kCommands[] = {
    {"route", "Route a JSONL file of leads and print the decisions", run_route},
    {"preview", "Explain how one lead would be routed, without committing", run_preview},
    {"backtest", "Replay lead history through a new policy and compare it with the old one", run_backtest},
    {"policy check", "Validate a policy file", run_policy_check},
    {"policy lint", "Find likely mistakes in a valid policy", run_policy_lint},
    {"model train", "Train the conversion model from a CSV of historical leads or the CRM", run_model_train},
    {"model evaluate", "Measure a model on a labelled CSV (AUC, log loss, calibration)", run_model_evaluate},
    {"model explain", "Explain a model's score for one CSV row", run_model_explain},
    {"model list", "List the model versions in a daemon's state store", run_model_list},
    {"model activate", "Make a stored model version the active one (roll back)", run_model_activate},
    {"model drift", "Compare recent leads with a model's training data (PSI per feature)", run_model_drift},
    {"crm check", "Check each CRM connector: auth, reps, recent leads, rate-limit headroom", run_crm_check},
    {"crm pull", "Print the leads a CRM changed since a time as normalized JSONL", run_crm_pull},
    {"config check", "Validate a sidecar config, the files it names and its secrets", run_config_check},
    {"serve", "Run the sidecar daemon: ingest leads, route them, write back to the CRM", run_serve},
    {"decisions list", "List the daemon's decisions (the audit log), newest first", run_decisions_list},
    {"decisions show", "Show one stored decision with its lead and outbox rows", run_decisions_show},
    {"outbox list", "List the CRM writes waiting, done, dead or dropped", run_outbox_list},
    {"outbox retry", "Put a dead or dropped outbox row (or all dead rows) back to pending", run_outbox_retry},
    {"outbox drop", "Give up on a pending or dead outbox row, keeping it for the record", run_outbox_drop},
    {"state backup", "Copy the state database to a file with SQLite's online backup", run_state_backup},
    {"sla list", "List the SLA watches: leads waiting to be worked, deadlines, breach steps", run_sla_list},
};
// clang-format on

}  // namespace

std::span<const Command> commands() {
  return kCommands;
}

}  // namespace leadrouter::cli
