#include "sidecar/cli/sla_command.hpp"

#include <fmt/core.h>

#include "sidecar/cli/ops_support.hpp"

namespace leadrouter::cli {
namespace {

std::string time_cell(const std::optional<sidecar::TimestampMs>& t) {
  return t ? format_iso8601(std::chrono::floor<std::chrono::seconds>(*t)) : "-";
}

std::string owners_cell(const std::vector<std::string>& owners) {
  std::string out;
  for (const std::string& owner : owners) {
    out += out.empty() ? owner : "," + owner;
  }
  return out.empty() ? "-" : out;
}

rapidjson::Value watch_value(const sidecar::SlaWatch& w, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value v(rapidjson::kObjectType);
  auto str = [&](const char* key, const std::string& value) {
    v.AddMember(rapidjson::StringRef(key), rapidjson::Value(value.c_str(), a), a);
  };
  auto time = [&](const char* key, const std::optional<sidecar::TimestampMs>& t) {
    if (t) {
      str(key, format_ms(*t));
    } else {
      v.AddMember(rapidjson::StringRef(key), rapidjson::Value(rapidjson::kNullType), a);
    }
  };
  str("connector", w.connector);
  str("lead_id", w.lead_id);
  str("state", sidecar::to_string(w.state));
  str("tier", w.tier);
  str("owner_id", w.owner_id);
  str("decision_id", w.decision_id);
  v.AddMember("step", w.step, a);
  time("started_at", w.started_at);
  time("deadline", w.deadline);
  time("due_at", w.due_at);
  time("breached_at", w.breached_at);
  time("closed_at", w.closed_at);
  time("first_touch_at", w.first_touch_at);
  rapidjson::Value owners(rapidjson::kArrayType);
  for (const std::string& o : w.previous_owners) {
    owners.PushBack(rapidjson::Value(o.c_str(), a), a);
  }
  v.AddMember("previous_owners", owners, a);
  str("evidence", w.evidence);
  return v;
}

}  // namespace

int run_sla_list(const std::vector<std::string>& args) {
  static constexpr CommandSpec kSpec{
      "sla list",
      "--state DIR [--status open|met|breached|cancelled|all] [--connector NAME]\n"
      "                              [--limit N] [--format table|jsonl]",
      "The SLA watches, next check first: which leads are waiting to be worked, by whom,\n"
      "the SLA deadline, the breach steps taken (STEP) and when the next check is due.\n"
      "Default: the open ones. Safe while the daemon runs."};
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("state", string_value()->required()->value_name("DIR"), "the daemon's state directory")
      ("status", string_value()->default_value("open")->value_name("STATE"), "watches in this state, or all")
      ("connector", string_value()->value_name("NAME"), "only this connector")
      ("limit", string_value()->default_value("100")->value_name("N"), "at most N watches")
      ("format", string_value()->default_value("table")->value_name("FMT"), "table or jsonl");
  // clang-format on
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, opts, {}, args, vm)) {
    return *done;
  }
  sidecar::SlaWatchQuery query;
  bool jsonl = false;
  if (auto bad = parse_limit(vm, query.limit)) {
    return *bad;
  }
  if (auto bad = parse_format(vm, jsonl)) {
    return *bad;
  }
  const auto& status = vm["status"].as<std::string>();
  if (status != "all") {
    query.state = sidecar::parse_sla_state(status);
    if (!query.state) {
      print_error(
          fmt::format("--status must be open, met, breached, cancelled or all, not '{}'", status));
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
  auto rows = (*store)->sla_watches(query);
  if (!rows) {
    return report(rows.error());
  }
  return print_listing(
      *rows, jsonl, "no SLA watches",
      [](const sidecar::SlaWatch& w, auto& alloc) { return watch_value(w, alloc); },
      {"CONNECTOR", "LEAD", "STATE", "TIER", "OWNER", "STEP", "DEADLINE", "NEXT CHECK", "OWNERS"},
      [](const sidecar::SlaWatch& w) -> std::vector<std::string> {
        const bool open = w.state == sidecar::SlaState::kOpen;
        return {w.connector,
                w.lead_id,
                sidecar::to_string(w.state),
                w.tier.empty() ? "-" : w.tier,
                w.owner_id,
                std::to_string(w.step),
                time_cell(w.deadline),
                open ? time_cell(w.due_at) : "-",
                owners_cell(w.previous_owners)};
      });
}

}  // namespace leadrouter::cli
