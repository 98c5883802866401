// Boost's typed_value<std::string>::notify trips GCC 12's -Wnull-dereference
// once inlined (see cli_support.cpp); every option here is a string.
#pragma GCC diagnostic ignored "-Wnull-dereference"

// `leadrouter model train --from-crm CONFIG`: a first model from the CRM's own
// history, trained exactly as the sidecar retrains (training_table() and
// retrain_options()), with the config's retrain minimums.

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>

#include "connectors/connector_factory.hpp"
#include "core/model/model_file.hpp"
#include "core/model/trainer.hpp"
#include "sidecar/cli/cli_support.hpp"
#include "sidecar/cli/model_command.hpp"
#include "sidecar/config/routing_setup.hpp"
#include "sidecar/config/sidecar_config.hpp"
#include "sidecar/pipeline/crm_training_data.hpp"
#include "sidecar/pipeline/model_manager.hpp"

namespace leadrouter::cli {
namespace {

constexpr int kProgressEvery = 10;
constexpr int kPageSize = 200;

constexpr CommandSpec kFromCrmSpec{
    "model train",
    "--from-crm CONFIG [--crm-url URL] [--connector NAME] [--since ISO8601] --out MODEL",
    "Trains the conversion model from the CRM itself: every lead changed since --since (default:\n"
    "the beginning), labelled converted or not by the connector's outcomes, with the features,\n"
    "parameters and minimums (retrain.min_rows, retrain.min_positives) of the sidecar's own\n"
    "retraining. --csv and --label are not used in this mode."};

int fail(ExitCode code, std::string_view message) {
  print_error(message);
  return exit_code(code);
}

std::expected<const connectors::ConnectorConfig*, std::string> pick_connector(
    const sidecar::SidecarConfig& config, const po::variables_map& vm) {
  std::vector<std::string> names;
  for (const auto& c : config.connectors) {
    names.push_back(c.name);
  }
  if (vm.count("connector") != 0) {
    const std::string& wanted = vm["connector"].as<std::string>();
    for (const auto& c : config.connectors) {
      if (c.name == wanted) {
        return &c;
      }
    }
    return std::unexpected(fmt::format("--connector: no connector named '{}' in {} (it has: {})",
                                       wanted, config.path, fmt::join(names, ", ")));
  }
  if (config.connectors.size() != 1) {
    return std::unexpected(
        fmt::format("{} has {} connectors ({}); say which to train from with --connector NAME",
                    config.path, names.size(), fmt::join(names, ", ")));
  }
  return &config.connectors.front();
}

// The configured model, whose features a retrained model keeps, as in the
// sidecar; nullopt when none is configured.
std::expected<std::optional<model::ModelFile>, std::string> configured_model(
    const std::string& path) {
  if (path.empty()) {
    return std::nullopt;
  }
  auto text = sidecar::read_text_file(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  auto file = model::ModelFile::parse(*text);
  if (!file) {
    return std::unexpected(fmt::format("{}: {}", path, file.error().message));
  }
  return std::optional<model::ModelFile>(std::move(*file));
}

void print_summary(const std::string& out_path, const std::string& connector,
                   const sidecar::CrmTrainingData& data, const model::TrainedModel& trained) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("model");
  w.String(out_path.c_str());
  w.Key("version");
  w.String(trained.file.version.c_str());
  w.Key("connector");
  w.String(connector.c_str());
  w.Key("rows");
  w.Uint64(data.leads.size());
  w.Key("positives");
  w.Uint64(data.positives);
  w.Key("features");
  w.Uint64(trained.file.spec.features.size());
  w.Key("train_rows");
  w.Uint64(trained.train_rows);
  w.Key("validation_rows");
  w.Uint64(trained.validation_rows);
  w.Key("split");
  w.String("stratified");
  w.Key("best_iteration");
  w.Int(trained.best_iteration);
  w.Key("trees");
  w.Int(trained.best_iteration + 1);
  w.Key("validation");
  w.StartObject();
  w.Key("rows");
  w.Uint64(trained.validation.rows);
  w.Key("positives");
  w.Uint64(trained.validation.positives);
  w.Key("auc");
  w.Double(trained.validation.auc);
  w.Key("log_loss");
  w.Double(trained.validation.log_loss);
  w.Key("brier");
  w.Double(trained.validation.brier);
  w.EndObject();
  w.Key("outcome_fields");
  w.StartArray();
  for (const auto& field : data.outcome_fields) {
    w.String(field.c_str());
  }
  w.EndArray();
  w.Key("not_features");
  w.StartArray();
  for (const auto& dropped : trained.dropped_columns) {
    w.String(dropped.c_str());
  }
  w.EndArray();
  w.EndObject();
  fmt::print("{}\n", std::string_view(buffer.GetString(), buffer.GetSize()));
}

}  // namespace

bool wants_from_crm(const std::vector<std::string>& args) {
  return std::ranges::any_of(
      args, [](const std::string& a) { return a == "--from-crm" || a.starts_with("--from-crm="); });
}

int run_model_train_from_crm(const std::vector<std::string>& args) {
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("from-crm", string_value()->required()->value_name("CONFIG"), "the sidecar's config file")
      ("crm-url", string_value()->value_name("URL"), "every connector's API host (mock-crm)")
      ("connector", string_value()->value_name("NAME"), "which connector, when the config has several")
      ("since", string_value()->value_name("ISO8601"), "leads changed since (default: the beginning)")
      ("out", string_value()->required()->value_name("MODEL"), "model file to write")
      ("now", string_value()->value_name("ISO8601"), "training time recorded in the model (default: now)")
      ("csv", string_value()->value_name("FILE"), "not with --from-crm")
      ("label", string_value()->value_name("COLUMN"), "not with --from-crm");
  // clang-format on
  po::variables_map vm;
  if (auto done = parse_command_line(kFromCrmSpec, opts, {}, args, vm)) {
    return *done;
  }
  if (vm.count("csv") != 0) {
    return fail(ExitCode::kBadInput,
                "--csv and --from-crm are mutually exclusive: train from a CSV file or from the "
                "CRM, not both");
  }
  if (vm.count("label") != 0) {
    return fail(ExitCode::kBadInput,
                "--label is not used with --from-crm: the label is the CRM's conversion outcome");
  }
  Timestamp since{};
  if (vm.count("since") != 0) {
    auto t = parse_time_option("since", vm["since"].as<std::string>());
    if (!t) {
      return fail(ExitCode::kBadInput, t.error());
    }
    since = *t;
  }
  Timestamp now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (vm.count("now") != 0) {
    auto t = parse_time_option("now", vm["now"].as<std::string>());
    if (!t) {
      return fail(ExitCode::kBadInput, t.error());
    }
    now = *t;
  }
  sidecar::ConfigOverrides overrides;
  if (vm.count("crm-url") != 0) {
    overrides.crm_url = vm["crm-url"].as<std::string>();
  }
  auto config = sidecar::load_sidecar_config(vm["from-crm"].as<std::string>(), overrides);
  if (!config) {
    return fail(ExitCode::kBadInput, config.error());
  }
  auto connector_config = pick_connector(*config, vm);
  if (!connector_config) {
    return fail(ExitCode::kBadInput, connector_config.error());
  }
  const std::string& name = (*connector_config)->name;
  const sidecar::RoutingFiles& routing = config->routing_for(name);
  // The policy can add free-mail domains, so it is read as the sidecar does.
  auto setup = sidecar::load_routing_setup(routing.policy, {}, config->free_mail);
  if (!setup) {
    return fail(ExitCode::kBadInput, setup.error());
  }
  auto current = configured_model(routing.model);
  if (!current) {
    return fail(ExitCode::kBadInput, current.error());
  }
  auto built = connectors::build_connector(**connector_config, {});
  if (!built) {
    return fail(ExitCode::kFailure, fmt::format("connector {}: {}", name, built.error().message));
  }

  auto data = sidecar::pull_labelled_leads(
      *built->connector, (*connector_config)->mapping, since, kPageSize,
      [](std::size_t fetched) { fmt::print(stderr, "model train: fetched {} leads\n", fetched); });
  if (!data) {
    return fail(ExitCode::kFailure,
                fmt::format("reading {} failed: {}", name, data.error().message));
  }
  fmt::print(stderr, "model train: {} leads from {} since {}, {} converted\n", data->leads.size(),
             name, format_iso8601(since), data->positives);
  for (const auto& field : data->outcome_fields) {
    fmt::print(stderr, "model train: not a feature: {} (read from the outcome's CRM property)\n",
               field);
  }
  const auto& minimums = config->retrain;
  if (data->leads.size() < static_cast<std::size_t>(minimums.min_rows) ||
      data->positives < static_cast<std::size_t>(minimums.min_positives)) {
    return fail(ExitCode::kFailure,
                fmt::format("too few leads to train: {} leads with {} conversions from {}; at "
                            "least {} leads and {} conversions are needed (retrain.min_rows and "
                            "retrain.min_positives in {})",
                            data->leads.size(), data->positives, name, minimums.min_rows,
                            minimums.min_positives, config->path));
  }
  const model::ModelFile* spec_source = *current ? &**current : nullptr;
  if (spec_source != nullptr) {
    fmt::print(stderr, "model train: keeping the features of the configured model {}\n",
               routing.model);
  }
  auto table = sidecar::training_table(data->leads, spec_source ? &spec_source->spec : nullptr,
                                       *setup->free_mail);
  if (!table) {
    return fail(ExitCode::kFailure, table.error().message);
  }
  fmt::print(stderr, "model train: {} rows, {} columns\n", table->rows(), table->columns());
  model::TrainOptions options = sidecar::retrain_options(spec_source);
  options.progress = [](const model::TrainProgress& p) {
    if (p.iteration % kProgressEvery == 0) {
      fmt::print(stderr, "round {:4}: validation auc {:.4f} (best {:.4f} at round {})\n",
                 p.iteration, p.validation_auc, p.best_auc, p.best_iteration);
    }
  };
  auto trained = model::train_model(*table, options, now);
  if (!trained) {
    return fail(ExitCode::kFailure, trained.error().message);
  }
  for (const auto& dropped : trained->dropped_columns) {
    fmt::print(stderr, "model train: not a feature: {}\n", dropped);
  }
  const std::string out_path = vm["out"].as<std::string>();
  {
    std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
    const std::string text = trained->file.serialize();
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) {
      return fail(ExitCode::kFailure, fmt::format("cannot write {}", out_path));
    }
  }
  fmt::print(stderr, "model train: validation AUC {:.4f} on {} rows; wrote {}\n",
             trained->validation.auc, trained->validation_rows, out_path);
  print_summary(out_path, name, *data, *trained);
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
