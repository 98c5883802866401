// `leadrouter model list | activate`: the model versions the daemon keeps in
// its state store (configured files and retrained models), and switching
// the active one, e.g. to roll back a retrained model.
#include <fmt/core.h>
#include <rapidjson/document.h>

#include "sidecar/cli/model_command.hpp"
#include "sidecar/cli/ops_support.hpp"

namespace leadrouter::cli {

namespace {

std::string table_time(sidecar::TimestampMs t) {
  return format_iso8601(std::chrono::floor<std::chrono::seconds>(t));
}

rapidjson::Value model_row_value(const sidecar::ModelRow& m,
                                 rapidjson::Document::AllocatorType& alloc) {
  rapidjson::Value v(rapidjson::kObjectType);
  auto str = [&](const std::string& s) {
    return rapidjson::Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), alloc);
  };
  v.AddMember("version", str(m.version), alloc);
  v.AddMember("created_at", str(format_ms(m.created_at)), alloc);
  v.AddMember("registered_at", str(format_ms(m.registered_at)), alloc);
  v.AddMember("source", str(m.source), alloc);
  if (m.auc) {
    v.AddMember("auc", *m.auc, alloc);
  } else {
    v.AddMember("auc", rapidjson::Value(rapidjson::kNullType), alloc);
  }
  v.AddMember("rows", m.rows, alloc);
  v.AddMember("positives", m.positives, alloc);
  v.AddMember("active", m.active, alloc);
  v.AddMember("path", str(m.path), alloc);
  return v;
}

}  // namespace

int run_model_list(const std::vector<std::string>& args) {
  static constexpr CommandSpec kSpec{
      "model list", "--state DIR [--format table|jsonl]",
      "The conversion-model versions the daemon knows, newest first: configured files and\n"
      "models retrained from outcomes, with their validation AUC, training rows and\n"
      "conversions. The active one (*) scores the leads; `model activate` switches it."};
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("state", string_value()->required()->value_name("DIR"), "the daemon's state directory")
      ("format", string_value()->default_value("table")->value_name("FMT"), "table or jsonl");
  // clang-format on
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, opts, {}, args, vm)) {
    return *done;
  }
  bool jsonl = false;
  if (auto bad = parse_format(vm, jsonl)) {
    return *bad;
  }
  auto store = open_state(vm["state"].as<std::string>(), true);
  if (!store) {
    return store.error();
  }
  auto models = (*store)->models();
  if (!models) {
    return report(models.error());
  }
  if (jsonl) {
    rapidjson::Document doc;
    for (const auto& m : *models) {
      fmt::print("{}\n", to_json_line(model_row_value(m, doc.GetAllocator())));
    }
    return exit_code(ExitCode::kOk);
  }
  if (models->empty()) {
    fmt::print("no models (the policy's rules route alone)\n");
    return exit_code(ExitCode::kOk);
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& m : *models) {
    cells.push_back({m.active ? "*" : "", m.version, table_time(m.created_at), m.source,
                     m.auc ? fmt::format("{:.4f}", *m.auc) : "-", std::to_string(m.rows),
                     std::to_string(m.positives)});
  }
  fmt::print("{}",
             format_table({"ACTIVE", "VERSION", "CREATED", "SOURCE", "AUC", "ROWS", "POSITIVES"},
                          cells, 64));
  return exit_code(ExitCode::kOk);
}

int run_model_activate(const std::vector<std::string>& args) {
  static constexpr CommandSpec kSpec{
      "model activate", "--state DIR VERSION",
      "Makes VERSION (from `model list`) the active conversion model. A running daemon\n"
      "switches to it within a second, without a restart; every later decision records\n"
      "that version."};
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("state", string_value()->required()->value_name("DIR"), "the daemon's state directory")
      ("version", string_value()->required()->value_name("VERSION"), "the model version");
  // clang-format on
  po::positional_options_description positional;
  positional.add("version", 1);
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, opts, positional, args, vm)) {
    return *done;
  }
  auto store = open_state(vm["state"].as<std::string>(), false);
  if (!store) {
    return store.error();
  }
  const auto& version = vm["version"].as<std::string>();
  if (auto r = (*store)->activate_model(version); !r) {
    return report(r.error());
  }
  fmt::print("model {} is active\n", version);
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
