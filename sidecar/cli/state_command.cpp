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
  auto parsed = parse_state_and_argument(kSpec, {"file", "FILE", "the backup to create"}, args);
  if (!parsed) {
    return parsed.error();
  }
  auto store = open_state(parsed->state_dir, true);
  if (!store) {
    return store.error();
  }
  const std::string& file = parsed->argument;
  if (auto r = (*store)->backup(file); !r) {
    return report(r.error());
  }
  fmt::print("backed up {} to {} (integrity check ok)\n", (*store)->path(), file);
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
