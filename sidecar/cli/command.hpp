// The `leadrouter` binary's subcommands. Each command is one entry in the
// table returned by commands() (sidecar/cli/commands.cpp); main() picks the
// entry whose name matches the first one or two arguments and hands it the
// remaining arguments.
//
//   // sidecar/cli/commands.cpp
//   {"policy check", "Validate a policy file", run_policy_check},
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace leadrouter::cli {

struct Command {
  std::string_view name;     // one or two words: "route", "policy check"
  std::string_view summary;  // one line for `leadrouter --help`
  // Receives the arguments after the command name; returns the process exit
  // code (see ExitCode in cli_support.hpp). Must handle `--help` itself.
  int (*run)(const std::vector<std::string>& args);
};

// Every command, in the order `leadrouter --help` lists them.
std::span<const Command> commands();

}  // namespace leadrouter::cli
