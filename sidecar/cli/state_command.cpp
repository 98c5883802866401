#include <fmt/core.h>

#include "sidecar/cli/ops_commands.hpp"
#include "sidecar/cli/ops_support.hpp"

namespace leadrouter::cli {

int run_state_backup(const std::vector<std::string>& args) {
  static constexpr CommandSpec kSpec{
      "state backup", "--state DIR FILE",
      "Copy the state database to FILE with SQLite's online backup: a consistent snapshot,\n"
      "taken while the daemon keeps running. FILE must not exist; it is created readable by\n"
      "its owner only and checked with PRAGMA integrity_check. To restore, stop the daemon\n"
      "and copy FILE to DIR/leadrouter.db (docs/operations.md)."};
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("state", string_value()->required()->value_name("DIR"), "the daemon's state directory")
      ("file", string_value()->required()->value_name("FILE"), "the backup to create");
  // clang-format on
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, opts, positional, args, vm)) {
    return *done;
  }
  auto store = open_state(vm["state"].as<std::string>(), true);
  if (!store) {
    return store.error();
  }
  const auto& file = vm["file"].as<std::string>();
  if (auto r = (*store)->backup(file); !r) {
    return report(r.error());
  }
  fmt::print("backed up {} to {} (integrity check ok)\n", (*store)->path(), file);
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
