#include <fmt/core.h>

#include <chrono>

#include "sidecar/cli/ops_commands.hpp"
#include "sidecar/cli/ops_support.hpp"

namespace leadrouter::cli {

namespace {

sidecar::TimestampMs now() {
  return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::string table_time(sidecar::TimestampMs t) {
  return format_iso8601(std::chrono::floor<std::chrono::seconds>(t));
}

// The row an id names, or the exit code after saying it does not exist.
std::expected<sidecar::OutboxRow, int> find_row(sidecar::StateStore& store, std::int64_t id) {
  auto row = store.outbox_row(id);
  if (!row) {
    return std::unexpected(report(row.error()));
  }
  if (!*row) {
    print_error(fmt::format("no outbox row {} in {}", id, store.path()));
    return std::unexpected(exit_code(ExitCode::kBadInput));
  }
  return std::move(**row);
}

}  // namespace

int run_outbox_list(const std::vector<std::string>& args) {
  static constexpr CommandSpec kSpec{
      "outbox list",
      "--state DIR [--status pending|done|dead|dropped] [--connector NAME]\n"
      "                              [--limit N] [--format table|jsonl]",
      "The CRM writes decisions imply, oldest first. pending: waiting or backing off; done:\n"
      "written; dead: refused by the CRM (LAST ERROR says why; see `outbox retry`); dropped:\n"
      "given up by an operator. jsonl adds the full write (owner, task, notification)."};
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("state", string_value()->required()->value_name("DIR"), "the daemon's state directory")
      ("status", string_value()->value_name("STATE"), "only rows in this state")
      ("connector", string_value()->value_name("NAME"), "only this connector")
      ("limit", string_value()->default_value("100")->value_name("N"), "at most N rows")
      ("format", string_value()->default_value("table")->value_name("FMT"), "table or jsonl");
  // clang-format on
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, opts, {}, args, vm)) {
    return *done;
  }
  sidecar::OutboxQuery query;
  bool jsonl = false;
  if (auto bad = parse_limit(vm, query.limit)) {
    return *bad;
  }
  if (auto bad = parse_format(vm, jsonl)) {
    return *bad;
  }
  if (vm.count("status")) {
    const auto& status = vm["status"].as<std::string>();
    query.state = sidecar::parse_outbox_state(status);
    if (!query.state) {
      print_error(fmt::format("--status must be pending, done, dead or dropped, not '{}'", status));
      return exit_code(ExitCode::kBadInput);
    }
  }
  if (vm.count("connector")) {
    query.connector = vm["connector"].as<std::string>();
  }
  auto store = open_state(vm["state"].as<std::string>(), true);
  if (!store) {
    return store.error();
  }
  auto rows = (*store)->outbox(query);
  if (!rows) {
    return report(rows.error());
  }
  return print_listing(
      *rows, jsonl, "no outbox rows",
      [](const sidecar::OutboxRow& row, auto& alloc) { return outbox_row_value(row, alloc); },
      {"ID", "STATE", "ATTEMPTS", "CONNECTOR", "RECORD", "DECISION", "NEXT ATTEMPT", "TASK",
       "LAST ERROR"},
      [](const sidecar::OutboxRow& o) -> std::vector<std::string> {
        const bool waiting = o.state == sidecar::OutboxState::kPending;
        return {std::to_string(o.id),
                sidecar::to_string(o.state),
                std::to_string(o.attempts),
                o.connector,
                o.record_id,
                o.decision_id,
                waiting ? table_time(o.next_attempt_at) : "-",
                o.task_id.empty() ? "-" : o.task_id,
                o.last_error.empty() ? "-" : o.last_error};
      });
}

int run_outbox_retry(const std::vector<std::string>& args) {
  static constexpr CommandSpec kSpec{
      "outbox retry", "--state DIR (ID | --all-dead)",
      "Put a dead or dropped row (or every dead row) back to pending, due now, with its\n"
      "attempts reset; the running daemon picks it up on its next pass. Fix the cause first\n"
      "(LAST ERROR in `outbox list`). The CRM write is idempotent: a retried row never\n"
      "creates a second task."};
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("state", string_value()->required()->value_name("DIR"), "the daemon's state directory")
      ("id", string_value()->value_name("ID"), "the outbox row (see `outbox list`)")
      ("all-dead", "every dead row");
  // clang-format on
  po::positional_options_description positional;
  positional.add("id", 1);
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, opts, positional, args, vm)) {
    return *done;
  }
  const bool all_dead = vm.count("all-dead") != 0;
  if (all_dead == (vm.count("id") != 0)) {
    print_error(
        fmt::format("outbox retry: give either an ID or --all-dead\nUsage: leadrouter {} {}",
                    kSpec.name, kSpec.synopsis));
    return exit_code(ExitCode::kBadInput);
  }
  std::int64_t id = 0;
  if (!all_dead) {
    if (auto bad = parse_row_id("ID", vm["id"].as<std::string>(), id)) {
      return *bad;
    }
  }
  auto store = open_state(vm["state"].as<std::string>(), false);
  if (!store) {
    return store.error();
  }
  if (all_dead) {
    auto changed = (*store)->retry_outbox(std::nullopt, now());
    if (!changed) {
      return report(changed.error());
    }
    fmt::print("{} dead outbox row{} back to pending\n", *changed, *changed == 1 ? "" : "s");
    return exit_code(ExitCode::kOk);
  }
  auto row = find_row(**store, id);
  if (!row) {
    return row.error();
  }
  auto changed = (*store)->retry_outbox(id, now());
  if (!changed) {
    return report(changed.error());
  }
  if (*changed == 0) {
    print_error(fmt::format("outbox row {} is {}: only dead or dropped rows can be retried", id,
                            sidecar::to_string(row->state)));
    return exit_code(ExitCode::kFailure);
  }
  fmt::print("outbox row {}: {} -> pending (due now)\n", id, sidecar::to_string(row->state));
  return exit_code(ExitCode::kOk);
}

int run_outbox_drop(const std::vector<std::string>& args) {
  static constexpr CommandSpec kSpec{
      "outbox drop", "--state DIR ID",
      "Give up on a pending or dead row: it is never written, and kept as \"dropped\" for the\n"
      "record (`outbox retry ID` revives it). A write already in flight may still land."};
  auto parsed =
      parse_state_and_argument(kSpec, {"id", "ID", "the outbox row (see `outbox list`)"}, args);
  if (!parsed) {
    return parsed.error();
  }
  std::int64_t id = 0;
  if (auto bad = parse_row_id("ID", parsed->argument, id)) {
    return *bad;
  }
  auto store = open_state(parsed->state_dir, false);
  if (!store) {
    return store.error();
  }
  auto row = find_row(**store, id);
  if (!row) {
    return row.error();
  }
  auto changed = (*store)->drop_outbox(id, now());
  if (!changed) {
    return report(changed.error());
  }
  if (*changed == 0) {
    print_error(fmt::format("outbox row {} is {}: only pending or dead rows can be dropped", id,
                            sidecar::to_string(row->state)));
    return exit_code(ExitCode::kFailure);
  }
  fmt::print("outbox row {}: {} -> dropped\n", id, sidecar::to_string(row->state));
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
