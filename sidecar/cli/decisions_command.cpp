#include <fmt/core.h>

#include "sidecar/cli/ops_commands.hpp"
#include "sidecar/cli/ops_support.hpp"

namespace leadrouter::cli {

namespace {

std::string assignee_cell(const sidecar::DecisionRow& d) {
  if (d.assignee_kind == "rep" || d.assignee_kind.empty()) {
    return d.assignee_id;
  }
  return d.assignee_kind + " " + d.assignee_id;
}

std::string table_time(sidecar::TimestampMs t) {
  return format_iso8601(std::chrono::floor<std::chrono::seconds>(t));
}

}  // namespace

int run_decisions_list(const std::vector<std::string>& args) {
  static constexpr CommandSpec kSpec{
      "decisions list",
      "--state DIR [--lead ID] [--connector NAME] [--limit N] [--format table|jsonl]",
      "The audit log, newest first: one row per decision the daemon committed. jsonl prints\n"
      "every stored column and the full decision document. Safe while the daemon runs."};
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("state", string_value()->required()->value_name("DIR"), "the daemon's state directory")
      ("lead", string_value()->value_name("ID"), "only this lead (its CRM record id)")
      ("connector", string_value()->value_name("NAME"), "only this connector")
      ("limit", string_value()->default_value("50")->value_name("N"), "at most N decisions")
      ("format", string_value()->default_value("table")->value_name("FMT"), "table or jsonl");
  // clang-format on
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, opts, {}, args, vm)) {
    return *done;
  }
  sidecar::DecisionQuery query;
  bool jsonl = false;
  if (auto bad = parse_limit(vm, query.limit)) {
    return *bad;
  }
  if (auto bad = parse_format(vm, jsonl)) {
    return *bad;
  }
  if (vm.count("lead")) {
    query.lead_id = vm["lead"].as<std::string>();
  }
  if (vm.count("connector")) {
    query.connector = vm["connector"].as<std::string>();
  }
  auto store = open_state(vm["state"].as<std::string>(), true);
  if (!store) {
    return store.error();
  }
  auto rows = (*store)->decisions(query);
  if (!rows) {
    return report(rows.error());
  }
  return print_listing(
      *rows, jsonl, "no decisions",
      [](const sidecar::DecisionRow& row, auto& alloc) {
        return decision_row_value(row, false, alloc);
      },
      {"SEQ", "TIME", "CONNECTOR", "LEAD", "KIND", "ASSIGNEE", "ROUTE", "TIER", "SCORE", "MODE"},
      [](const sidecar::DecisionRow& d) -> std::vector<std::string> {
        return {std::to_string(d.seq),
                table_time(d.decided_at),
                d.connector,
                d.lead_id,
                d.kind,
                assignee_cell(d),
                d.route.empty() ? "-" : d.route,
                d.tier.empty() ? "-" : d.tier,
                fmt::format("{:.1f}", d.score),
                d.mode};
      });
}

int run_decisions_show(const std::vector<std::string>& args) {
  static constexpr CommandSpec kSpec{
      "decisions show", "--state DIR DECISION_ID",
      "One decision as stored, pretty-printed JSON: its columns, the full decision and lead\n"
      "documents, and its outbox rows (state, attempts, last error, task id)."};
  auto parsed =
      parse_state_and_argument(kSpec, {"decision-id", "ID", "the decision to show"}, args);
  if (!parsed) {
    return parsed.error();
  }
  auto store = open_state(parsed->state_dir, true);
  if (!store) {
    return store.error();
  }
  const std::string& id = parsed->argument;
  auto row = (*store)->decision(id);
  if (!row) {
    return report(row.error());
  }
  if (!*row) {
    print_error(fmt::format("no decision '{}' in {}", id, (*store)->path()));
    return exit_code(ExitCode::kBadInput);
  }
  sidecar::OutboxQuery outbox_query;
  outbox_query.decision_id = id;
  outbox_query.limit = 0;
  auto outbox = (*store)->outbox(outbox_query);
  if (!outbox) {
    return report(outbox.error());
  }
  rapidjson::Document doc;
  auto& alloc = doc.GetAllocator();
  rapidjson::Value value = decision_row_value(**row, true, alloc);
  rapidjson::Value writes(rapidjson::kArrayType);
  for (const auto& o : *outbox) {
    writes.PushBack(outbox_row_value(o, alloc), alloc);
  }
  value.AddMember("outbox", writes, alloc);
  fmt::print("{}\n", to_pretty_json(value));
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
