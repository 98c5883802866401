// Boost's typed_value<std::string>::notify trips GCC 12's -Wnull-dereference
// once inlined (see cli_support.cpp); every option here is a string.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "sidecar/cli/model_command.hpp"

#include <fmt/core.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <set>
#include <unordered_set>

#include "core/model/csv_table.hpp"
#include "core/model/metrics.hpp"
#include "core/model/model_file.hpp"
#include "core/model/trainer.hpp"
#include "core/model/xgboost_scorer.hpp"
#include "sidecar/cli/cli_support.hpp"

namespace leadrouter::cli {
namespace {

using model::ColumnType;
using model::CsvTable;
using JsonWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

constexpr int kProgressEvery = 10;
// Below these, a model's scores are noisy; the policy's rules should carry the
// routing (Salesforce Einstein asks for the same minimums).
constexpr std::size_t kThinRows = 1000;
constexpr std::size_t kThinPositives = 120;

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::size_t end = comma == std::string::npos ? text.size() : comma;
    std::string item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') {
      item.erase(item.begin());
    }
    while (!item.empty() && item.back() == ' ') {
      item.pop_back();
    }
    if (!item.empty()) {
      out.push_back(std::move(item));
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
}

// "--types age=numeric,code=categorical"
std::expected<std::map<std::string, ColumnType>, std::string> parse_types(const std::string& text) {
  std::map<std::string, ColumnType> out;
  for (const auto& item : split_list(text)) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return std::unexpected(
          fmt::format("--types: '{}' is not COLUMN=TYPE (numeric, categorical or date)", item));
    }
    const auto type = model::column_type_from_string(item.substr(eq + 1));
    if (!type) {
      return std::unexpected(
          fmt::format("--types: '{}' is not numeric, categorical or date (in '{}')",
                      item.substr(eq + 1), item));
    }
    out[item.substr(0, eq)] = *type;
  }
  return out;
}

template <typename T>
std::expected<T, std::string> parse_option_number(const po::variables_map& vm, const char* name,
                                                  T fallback, T min, T max) {
  if (vm.count(name) == 0) {
    return fallback;
  }
  const std::string& text = vm[name].as<std::string>();
  const auto value = model::parse_number(text);
  if (!value || *value < static_cast<double>(min) || *value > static_cast<double>(max) ||
      (std::is_integral_v<T> && std::floor(*value) != *value)) {
    return std::unexpected(fmt::format("--{}: '{}' is not a{} number between {} and {}", name, text,
                                       std::is_integral_v<T> ? " whole" : "", min, max));
  }
  return static_cast<T>(*value);
}

std::expected<CsvTable, std::string> load_csv(const std::string& path,
                                              const CsvTable::Options& options) {
  auto text = read_file(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  auto table = CsvTable::parse(*text, options, path);
  if (!table) {
    return std::unexpected(table.error().message);
  }
  return std::move(*table);
}

// Adds label column `label` = "1" for rows whose `id_column` value appears in
// the `id_column` column of `ids_path`, else "0": outcomes kept in another
// file, as with the Olist closed deals.
std::expected<void, std::string> join_positive_ids(CsvTable& table, const std::string& ids_path,
                                                   const std::string& id_column,
                                                   const std::string& label) {
  CsvTable::Options options;
  auto ids = load_csv(ids_path, options);
  if (!ids) {
    return std::unexpected(ids.error());
  }
  const auto ids_column = ids->column_index(id_column);
  if (!ids_column) {
    return std::unexpected(fmt::format("--positive-ids: {} has no column '{}' (the --id column)",
                                       ids_path, id_column));
  }
  const auto column = table.column_index(id_column);
  if (!column) {
    return std::unexpected(
        fmt::format("--id: {} has no column '{}'", table.source_name(), id_column));
  }
  std::unordered_set<std::string> positive;
  for (std::size_t r = 0; r < ids->rows(); ++r) {
    positive.insert(ids->text(r, *ids_column));
  }
  std::vector<std::string> cells(table.rows());
  for (std::size_t r = 0; r < table.rows(); ++r) {
    cells[r] = positive.contains(table.text(r, *column)) ? "1" : "0";
  }
  if (auto ok = table.add_column(label, std::move(cells)); !ok) {
    return std::unexpected(ok.error().message +
                           " (--label names the column --positive-ids creates)");
  }
  return {};
}

// --csv read with the column types --types forces.
std::expected<CsvTable, std::string> load_csv_option(const po::variables_map& vm) {
  CsvTable::Options csv_options;
  if (vm.count("types") != 0) {
    auto types = parse_types(vm["types"].as<std::string>());
    if (!types) {
      return std::unexpected(types.error());
    }
    csv_options.type_overrides = std::move(*types);
  }
  return load_csv(vm["csv"].as<std::string>(), csv_options);
}

// Applies --positive-ids when given; true when it did, since the label column
// it creates marks positives with "1" whatever the usual positive value is.
std::expected<bool, std::string> join_positive_ids_option(const po::variables_map& vm,
                                                          CsvTable& table,
                                                          const std::string& label) {
  if (vm.count("positive-ids") == 0) {
    return false;
  }
  if (vm.count("id") == 0) {
    return std::unexpected("--positive-ids needs --id to say which column to match");
  }
  if (auto ok = join_positive_ids(table, vm["positive-ids"].as<std::string>(),
                                  vm["id"].as<std::string>(), label);
      !ok) {
    return std::unexpected(ok.error());
  }
  return true;
}

void write_metrics(JsonWriter& w, const model::BinaryMetrics& m) {
  w.Key("rows");
  w.Uint64(m.rows);
  w.Key("positives");
  w.Uint64(m.positives);
  w.Key("auc");
  w.Double(m.auc);
  w.Key("log_loss");
  w.Double(m.log_loss);
  w.Key("brier");
  w.Double(m.brier);
  w.Key("calibration");
  w.StartArray();
  for (const auto& bin : m.calibration) {
    w.StartObject();
    w.Key("lower");
    w.Double(bin.lower);
    w.Key("upper");
    w.Double(bin.upper);
    w.Key("rows");
    w.Uint64(bin.rows);
    w.Key("mean_predicted");
    w.Double(bin.mean_predicted);
    w.Key("observed_rate");
    w.Double(bin.observed_rate);
    w.EndObject();
  }
  w.EndArray();
}

// Prints the object `write_members` fills, indented, on stdout.
template <typename WriteMembers>
void print_json_object(WriteMembers&& write_members) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  write_members(w);
  w.EndObject();
  fmt::print("{}\n", std::string_view(buffer.GetString(), buffer.GetSize()));
}

std::expected<std::unique_ptr<model::XgboostScorer>, std::string> load_scorer(
    const std::string& path) {
  auto text = read_file(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  auto file = model::ModelFile::parse(*text);
  if (!file) {
    return std::unexpected(fmt::format("{}: {}", path, file.error().message));
  }
  auto scorer = model::XgboostScorer::create(std::move(*file), {.top_factors = 0});
  if (!scorer) {
    return std::unexpected(fmt::format("{}: {}", path, scorer.error().message));
  }
  return std::move(*scorer);
}

int fail(ExitCode code, std::string_view message) {
  print_error(message);
  return exit_code(code);
}

constexpr CommandSpec kTrainSpec{
    "model train",
    "--csv FILE --label COLUMN [--positive VALUE] [--positive-ids FILE] [--exclude COLS] "
    "[--id COLUMN] [--time-column COLUMN] [--types COL=TYPE,...] --out MODEL\n"
    "   or: leadrouter model train --from-crm CONFIG [--crm-url URL] [--connector NAME] "
    "[--since ISO8601] --out MODEL",
    "Trains the conversion model (XGBoost, binary:logistic) on a CSV of historical leads with a\n"
    "header row. Column types are inferred (numeric, date, categorical) unless --types says\n"
    "otherwise. Early stopping uses a validation split: the latest rows by --time-column, or a\n"
    "stratified random split. Progress goes to stderr; a JSON summary to stdout.\n"
    "With --from-crm, the leads and their conversions come from the config's CRM connector and\n"
    "training is the sidecar's retraining (its features, parameters and retrain minimums);\n"
    "--csv, --label and the CSV options are not used then, and --csv with --from-crm is an error."};

}  // namespace

int run_model_train(const std::vector<std::string>& args) {
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("csv", string_value()->required()->value_name("FILE"), "historical leads, with a header row")
      ("label", string_value()->required()->value_name("COLUMN"), "the outcome column")
      ("positive", string_value()->value_name("VALUE"),
       "label value meaning converted (default: 1, yes, true, won or converted)")
      ("positive-ids", string_value()->value_name("FILE"),
       "CSV of converted ids: creates the --label column, 1 where the --id value occurs in FILE")
      ("exclude", string_value()->value_name("COLS"), "comma-separated columns that are not features")
      ("id", string_value()->value_name("COLUMN"), "record id column (never a feature)")
      ("time-column", string_value()->value_name("COLUMN"),
       "date column: validate on the latest rows instead of a stratified split")
      ("types", string_value()->value_name("COL=TYPE,..."),
       "override inferred column types: numeric, categorical, date")
      ("out", string_value()->required()->value_name("MODEL"), "model file to write")
      ("format", string_value()->default_value("ubj")->value_name("ubj|json"),
       "how the booster is stored inside the model file")
      ("validation-fraction", string_value()->value_name("F"), "share of rows held out (default 0.3)")
      ("min-count", string_value()->value_name("N"),
       "category values seen fewer times are bucketed as (other) (default 10)")
      ("max-rounds", string_value()->value_name("N"), "boosting rounds at most (default 1000)")
      ("early-stopping", string_value()->value_name("N"),
       "stop after N rounds without a better validation AUC (default 50)")
      ("learning-rate", string_value()->value_name("ETA"), "default 0.05")
      ("max-depth", string_value()->value_name("N"), "default 5")
      ("seed", string_value()->value_name("N"), "random seed (default 42)")
      ("threads", string_value()->value_name("N"), "XGBoost threads (default 1)")
      ("now", string_value()->value_name("ISO8601"), "training time recorded in the model (default: now)")
      ("from-crm", string_value()->value_name("CONFIG"),
       "train from the CRM of this sidecar config instead of --csv (no --label)")
      ("crm-url", string_value()->value_name("URL"), "--from-crm: every connector's API host")
      ("connector", string_value()->value_name("NAME"),
       "--from-crm: the connector, when the config has several")
      ("since", string_value()->value_name("ISO8601"),
       "--from-crm: leads changed since (default: the beginning)");
  // clang-format on
  if (wants_from_crm(args)) {
    return run_model_train_from_crm(args);
  }
  po::variables_map vm;
  if (auto done = parse_command_line(kTrainSpec, opts, {}, args, vm)) {
    return *done;
  }
  model::TrainOptions options;
  options.label = vm["label"].as<std::string>();
  if (vm.count("positive") != 0) {
    options.positive = vm["positive"].as<std::string>();
  }
  if (vm.count("exclude") != 0) {
    options.exclude = split_list(vm["exclude"].as<std::string>());
  }
  if (vm.count("id") != 0) {
    options.id_column = vm["id"].as<std::string>();
  }
  if (vm.count("time-column") != 0) {
    options.time_column = vm["time-column"].as<std::string>();
  }
  options.booster_format = vm["format"].as<std::string>();
  if (options.booster_format != "ubj" && options.booster_format != "json") {
    return fail(ExitCode::kBadInput,
                fmt::format("--format: '{}' is not ubj or json", options.booster_format));
  }
  auto fraction = parse_option_number<double>(vm, "validation-fraction", 0.3, 0.01, 0.99);
  auto min_count = parse_option_number<std::size_t>(vm, "min-count", 10, 1, 1000000);
  auto rounds = parse_option_number<int>(vm, "max-rounds", 1000, 1, 100000);
  auto early = parse_option_number<int>(vm, "early-stopping", 50, 1, 100000);
  auto eta = parse_option_number<double>(vm, "learning-rate", 0.05, 0.0001, 1.0);
  auto depth = parse_option_number<int>(vm, "max-depth", 5, 1, 20);
  auto seed = parse_option_number<std::uint64_t>(vm, "seed", 42, 0, 1u << 30);
  auto threads = parse_option_number<int>(vm, "threads", 1, 1, 256);
  for (const auto* problem :
       {fraction.has_value() ? nullptr : &fraction.error(),
        min_count.has_value() ? nullptr : &min_count.error(),
        rounds.has_value() ? nullptr : &rounds.error(),
        early.has_value() ? nullptr : &early.error(), eta.has_value() ? nullptr : &eta.error(),
        depth.has_value() ? nullptr : &depth.error(), seed.has_value() ? nullptr : &seed.error(),
        threads.has_value() ? nullptr : &threads.error()}) {
    if (problem != nullptr) {
      return fail(ExitCode::kBadInput, *problem);
    }
  }
  options.validation_fraction = *fraction;
  options.min_category_count = *min_count;
  options.params.max_rounds = *rounds;
  options.params.early_stopping_rounds = *early;
  options.params.learning_rate = *eta;
  options.params.max_depth = *depth;
  options.params.seed = *seed;
  options.params.threads = *threads;

  Timestamp now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (vm.count("now") != 0) {
    auto t = parse_time_option("now", vm["now"].as<std::string>());
    if (!t) {
      return fail(ExitCode::kBadInput, t.error());
    }
    now = *t;
  }
  auto table = load_csv_option(vm);
  if (!table) {
    return fail(ExitCode::kBadInput, table.error());
  }
  auto joined = join_positive_ids_option(vm, *table, options.label);
  if (!joined) {
    return fail(ExitCode::kBadInput, joined.error());
  }
  if (*joined) {
    options.positive = "1";
  }
  fmt::print(stderr, "model train: {} rows, {} columns\n", table->rows(), table->columns());
  options.progress = [](const model::TrainProgress& p) {
    if (p.iteration % kProgressEvery == 0) {
      fmt::print(stderr, "round {:4}: validation auc {:.4f} (best {:.4f} at round {})\n",
                 p.iteration, p.validation_auc, p.best_auc, p.best_iteration);
    }
  };
  auto trained = model::train_model(*table, options, now);
  if (!trained) {
    return fail(
        trained.error().kind == ErrorKind::kInvalidInput ? ExitCode::kBadInput : ExitCode::kFailure,
        trained.error().message);
  }
  for (const auto& dropped : trained->dropped_columns) {
    fmt::print(stderr, "model train: not a feature: {}\n", dropped);
  }
  std::vector<std::string> warnings;
  const auto positives = static_cast<std::size_t>(trained->file.metric("positives").value_or(0));
  if (table->rows() < kThinRows || positives < kThinPositives) {
    warnings.push_back(fmt::format(
        "thin data: {} rows with {} conversions (at least {} rows and {} conversions are "
        "recommended); prefer the policy's fit and intent rules until more outcomes arrive",
        table->rows(), positives, kThinRows, kThinPositives));
  }
  for (const auto& warning : warnings) {
    fmt::print(stderr, "model train: warning: {}\n", warning);
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

  print_json_object([&](JsonWriter& w) {
    w.Key("model");
    w.String(out_path.c_str());
    w.Key("version");
    w.String(trained->file.version.c_str());
    w.Key("rows");
    w.Uint64(table->rows());
    w.Key("positives");
    w.Uint64(positives);
    w.Key("features");
    w.Uint64(trained->file.spec.features.size());
    w.Key("input_columns");
    w.Uint64(trained->file.spec.width());
    w.Key("train_rows");
    w.Uint64(trained->train_rows);
    w.Key("validation_rows");
    w.Uint64(trained->validation_rows);
    w.Key("split");
    w.String(options.time_column ? "time" : "stratified");
    w.Key("best_iteration");
    w.Int(trained->best_iteration);
    w.Key("trees");
    w.Int(trained->best_iteration + 1);
    w.Key("validation");
    w.StartObject();
    write_metrics(w, trained->validation);
    w.EndObject();
    w.Key("warnings");
    w.StartArray();
    for (const auto& warning : warnings) {
      w.String(warning.c_str());
    }
    w.EndArray();
    w.Key("not_features");
    w.StartArray();
    for (const auto& dropped : trained->dropped_columns) {
      w.String(dropped.c_str());
    }
    w.EndArray();
  });
  return exit_code(ExitCode::kOk);
}

namespace {

constexpr CommandSpec kEvaluateSpec{
    "model evaluate", "--csv FILE --model MODEL [--label COLUMN] [--positive-ids FILE --id COLUMN]",
    "Scores every row of a labelled CSV with the model and prints one JSON object: auc, log_loss,\n"
    "brier, rows, positives and a 10-bin calibration table. The label defaults to the one the\n"
    "model was trained on, with the same positive value."};

}  // namespace

int run_model_evaluate(const std::vector<std::string>& args) {
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("csv", string_value()->required()->value_name("FILE"), "labelled leads, with a header row")
      ("model", string_value()->required()->value_name("MODEL"), "model file from `model train`")
      ("label", string_value()->value_name("COLUMN"), "outcome column (default: the model's label)")
      ("positive-ids", string_value()->value_name("FILE"),
       "CSV of converted ids: creates the --label column from --id, as in `model train`")
      ("id", string_value()->value_name("COLUMN"), "record id column, for --positive-ids")
      ("types", string_value()->value_name("COL=TYPE,..."), "override inferred column types");
  // clang-format on
  po::variables_map vm;
  if (auto done = parse_command_line(kEvaluateSpec, opts, {}, args, vm)) {
    return *done;
  }
  auto scorer = load_scorer(vm["model"].as<std::string>());
  if (!scorer) {
    return fail(ExitCode::kBadInput, scorer.error());
  }
  const model::ModelFile& file = (*scorer)->file();
  auto table = load_csv_option(vm);
  if (!table) {
    return fail(ExitCode::kBadInput, table.error());
  }
  const std::string label = vm.count("label") != 0 ? vm["label"].as<std::string>() : file.label;
  std::string positive = file.positive;
  auto joined = join_positive_ids_option(vm, *table, label);
  if (!joined) {
    return fail(ExitCode::kBadInput, joined.error());
  }
  if (*joined) {
    positive = "1";
  }
  auto labels = model::decode_labels(*table, label, positive);
  if (!labels) {
    return fail(ExitCode::kBadInput, labels.error().message);
  }
  auto predictions = (*scorer)->predict_table(*table);
  if (!predictions) {
    return fail(ExitCode::kBadInput, predictions.error().message);
  }
  const model::BinaryMetrics m = model::compute_metrics(*predictions, labels->values);
  print_json_object([&](JsonWriter& w) {
    w.Key("model_version");
    w.String(file.version.c_str());
    w.Key("label");
    w.String(label.c_str());
    w.Key("positive");
    w.String(positive.c_str());
    write_metrics(w, m);
  });
  return exit_code(ExitCode::kOk);
}

namespace {

constexpr CommandSpec kExplainSpec{
    "model explain", "--model MODEL --csv FILE --row N",
    "Explains the model's score for data row N (1 = the first row after the header): the\n"
    "probability, the bias and every feature's contribution to the log-odds (SHAP values)."};

}  // namespace

int run_model_explain(const std::vector<std::string>& args) {
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("model", string_value()->required()->value_name("MODEL"), "model file from `model train`")
      ("csv", string_value()->required()->value_name("FILE"), "leads with a header row")
      ("row", string_value()->required()->value_name("N"), "data row, 1-based")
      ("types", string_value()->value_name("COL=TYPE,..."), "override inferred column types");
  // clang-format on
  po::variables_map vm;
  if (auto done = parse_command_line(kExplainSpec, opts, {}, args, vm)) {
    return *done;
  }
  auto scorer = load_scorer(vm["model"].as<std::string>());
  if (!scorer) {
    return fail(ExitCode::kBadInput, scorer.error());
  }
  auto table = load_csv_option(vm);
  if (!table) {
    return fail(ExitCode::kBadInput, table.error());
  }
  auto row = parse_option_number<std::size_t>(vm, "row", 1, 1, table->rows());
  if (!row) {
    return fail(ExitCode::kBadInput, row.error());
  }
  const model::FeatureEncoder& encoder = (*scorer)->encoder();
  auto binding = encoder.bind(*table);
  if (!binding) {
    return fail(ExitCode::kBadInput, binding.error().message);
  }
  std::vector<model::RawValue> raw;
  encoder.extract(*table, *binding, *row - 1, raw);
  auto explanation = (*scorer)->explain(raw);
  if (!explanation) {
    return fail(ExitCode::kFailure, explanation.error().message);
  }
  print_json_object([&](JsonWriter& w) {
    w.Key("model_version");
    w.String((*scorer)->file().version.c_str());
    w.Key("row");
    w.Uint64(*row);
    w.Key("line");
    w.Uint64(table->line_of(*row - 1));
    w.Key("probability");
    w.Double(explanation->probability);
    w.Key("bias");
    w.Double(explanation->bias);
    w.Key("margin");
    w.Double(explanation->margin);
    w.Key("factors");
    w.StartArray();
    for (const auto& f : explanation->factors) {
      w.StartObject();
      w.Key("feature");
      w.String(f.feature.c_str());
      w.Key("value");
      w.String(f.value.c_str());
      w.Key("contribution");
      w.Double(f.contribution);
      w.Key("text");
      w.String(fmt::format("{} = {}: {:+.2f}", f.feature, f.value, f.contribution).c_str());
      w.EndObject();
    }
    w.EndArray();
  });
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
