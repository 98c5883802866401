// The ops commands over the daemon's state store (docs/operations.md):
//   leadrouter decisions list|show   the audit log
//   leadrouter outbox list|retry|drop  CRM writes waiting, done or given up
//   leadrouter state backup            an online copy of the database
// They open <state>/leadrouter.db themselves and work while the daemon runs
// (WAL); list and show open it read-only.
#pragma once

#include <string>
#include <vector>

namespace leadrouter::cli {

int run_decisions_list(const std::vector<std::string>& args);
int run_decisions_show(const std::vector<std::string>& args);
int run_outbox_list(const std::vector<std::string>& args);
int run_outbox_retry(const std::vector<std::string>& args);
int run_outbox_drop(const std::vector<std::string>& args);
int run_state_backup(const std::vector<std::string>& args);

}  // namespace leadrouter::cli
