#include "sidecar/cli/policy_commands.hpp"

#include <fmt/core.h>

#include "sidecar/cli/cli_support.hpp"
#include "sidecar/cli/routing_inputs.hpp"

namespace leadrouter::cli {

namespace {

// The policy file may be given as the positional argument or as --policy.
po::options_description policy_options() {
  po::options_description opts;
  opts.add_options()("policy", string_value()->required()->value_name("FILE"),
                     "the policy JSON file (may also be given as the first argument)");
  return opts;
}

po::positional_options_description policy_positional() {
  po::positional_options_description positional;
  positional.add("policy", 1);
  return positional;
}

// The error is the exit code to stop with: after `--help`, a bad argument or
// a policy that does not load (already reported).
std::expected<core::Policy, int> parse_and_load_policy(const CommandSpec& spec,
                                                       po::options_description opts,
                                                       const std::vector<std::string>& args,
                                                       po::variables_map& vm) {
  if (auto done = parse_command_line(spec, std::move(opts), policy_positional(), args, vm)) {
    return std::unexpected(*done);
  }
  auto policy = load_policy(vm["policy"].as<std::string>());
  if (!policy) {
    print_error(policy.error());
    return std::unexpected(exit_code(ExitCode::kBadInput));
  }
  return std::move(*policy);
}

constexpr CommandSpec kCheckSpec{
    "policy check", "POLICY.json",
    "Parses and validates a routing policy. Prints \"policy OK: ...\" and exits 0, or\n"
    "prints every problem as \"FILE: /json/path: reason\" and exits 2."};

constexpr CommandSpec kLintSpec{
    "policy lint", "POLICY.json [--roster ROSTER.json]",
    "Looks for likely mistakes in a valid policy: routes shadowed by an earlier\n"
    "catch-all, pools with no reps, reps in no pool, no final fallback, tier gaps\n"
    "and overlaps, unknown fields, skills no rep has. With --roster the reps come\n"
    "from that file, otherwise from the policy's own \"reps\".\n"
    "Exit 1 when any finding is an error, 0 when there are only warnings or none,\n"
    "2 when the policy or roster does not validate."};

const char* severity_name(core::LintFinding::Severity s) {
  return s == core::LintFinding::Severity::kError ? "error" : "warning";
}

}  // namespace

int run_policy_check(const std::vector<std::string>& args) {
  po::variables_map vm;
  auto policy = parse_and_load_policy(kCheckSpec, policy_options(), args, vm);
  if (!policy) {
    return policy.error();
  }
  fmt::print("policy OK: {} routes, {} pools, {} tiers\n", policy->routes.size(),
             policy->pools.size(), policy->tiers.size());
  return exit_code(ExitCode::kOk);
}

int run_policy_lint(const std::vector<std::string>& args) {
  auto opts = policy_options();
  opts.add_options()("roster", string_value()->value_name("FILE"),
                     "roster JSON file whose reps the policy is checked against");
  po::variables_map vm;
  auto policy = parse_and_load_policy(kLintSpec, opts, args, vm);
  if (!policy) {
    return policy.error();
  }
  const auto path = vm["policy"].as<std::string>();
  std::vector<core::Rep> reps;
  std::string roster_path;
  if (vm.count("roster") != 0) {
    roster_path = vm["roster"].as<std::string>();
    auto roster = load_roster(roster_path);
    if (!roster) {
      print_error(roster.error());
      return exit_code(ExitCode::kBadInput);
    }
    reps = std::move(*roster);
  }
  const auto findings = core::lint_policy(*policy, reps);
  int errors = 0;
  for (const auto& f : findings) {
    errors += f.severity == core::LintFinding::Severity::kError ? 1 : 0;
    // Findings about roster reps carry "roster:<rep id>" rather than a path
    // into the policy; they are reported against the roster file.
    static constexpr std::string_view kRosterPrefix = "roster:";
    if (!roster_path.empty() && f.path.starts_with(kRosterPrefix)) {
      fmt::print("{}: rep {}: {}: {}\n", roster_path, f.path.substr(kRosterPrefix.size()),
                 severity_name(f.severity), f.message);
    } else {
      fmt::print("{}: {}: {}: {}\n", path, f.path.empty() ? "(document)" : f.path,
                 severity_name(f.severity), f.message);
    }
  }
  const int warnings = static_cast<int>(findings.size()) - errors;
  fmt::print("{}: {} error{}, {} warning{}\n", path, errors, errors == 1 ? "" : "s", warnings,
             warnings == 1 ? "" : "s");
  return exit_code(errors > 0 ? ExitCode::kFailure : ExitCode::kOk);
}

}  // namespace leadrouter::cli
