// Entry point of the `leadrouter` binary: finds the subcommand named by the
// first one or two arguments and runs it. Exceptions stop here, so a bug
// still ends with a message and a non-zero exit code instead of an abort.
#include <fmt/core.h>

#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/cli/cli_support.hpp"
#include "sidecar/cli/command.hpp"

namespace {

using leadrouter::cli::Command;
using leadrouter::cli::ExitCode;

void print_usage(std::FILE* out, std::string_view prefix) {
  fmt::print(out, "Usage: leadrouter <command> [options]\n\n");
  fmt::print(out, "Commands:\n");
  for (const Command& c : leadrouter::cli::commands()) {
    if (prefix.empty() || c.name.starts_with(prefix)) {
      fmt::print(out, "  {:<18} {}\n", c.name, c.summary);
    }
  }
  fmt::print(out, "\nRun `leadrouter <command> --help` for the options of a command.\n");
}

const Command* find_command(std::string_view name) {
  for (const Command& c : leadrouter::cli::commands()) {
    if (c.name == name) {
      return &c;
    }
  }
  return nullptr;
}

// True when some command's name starts with `word` followed by a space, e.g.
// "policy" for "policy check".
bool is_command_group(std::string_view word) {
  for (const Command& c : leadrouter::cli::commands()) {
    if (c.name.size() > word.size() && c.name.starts_with(word) && c.name[word.size()] == ' ') {
      return true;
    }
  }
  return false;
}

int run(const std::vector<std::string>& args) {
  if (args.empty()) {
    print_usage(stderr, "");
    return static_cast<int>(ExitCode::kBadInput);
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_usage(stdout, "");
    return static_cast<int>(ExitCode::kOk);
  }
  // Two-word commands ("policy check") take precedence over one-word ones.
  if (args.size() >= 2) {
    if (const Command* c = find_command(args[0] + " " + args[1])) {
      return c->run(std::vector<std::string>(args.begin() + 2, args.end()));
    }
  }
  if (const Command* c = find_command(args[0])) {
    return c->run(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (is_command_group(args[0])) {
    const bool help = args.size() >= 2 && (args[1] == "--help" || args[1] == "-h");
    if (!help) {
      fmt::print(stderr, "leadrouter: '{}' needs a subcommand{}\n\n", args[0],
                 args.size() >= 2 ? fmt::format(" ('{}' is not one)", args[1]) : "");
    }
    print_usage(help ? stdout : stderr, args[0] + " ");
    return static_cast<int>(help ? ExitCode::kOk : ExitCode::kBadInput);
  }
  fmt::print(stderr, "leadrouter: unknown command '{}'\n\n", args[0]);
  print_usage(stderr, "");
  return static_cast<int>(ExitCode::kBadInput);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    fmt::print(stderr, "leadrouter: internal error: {}\n", e.what());
  } catch (...) {
    fmt::print(stderr, "leadrouter: internal error\n");
  }
  return static_cast<int>(ExitCode::kFailure);
}
