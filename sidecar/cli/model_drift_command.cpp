// `leadrouter model drift`: how far recent leads have moved from the data a
// model was trained on, per feature and for the predicted score, as the
// population stability index against the training profile in the model file.
#include <fmt/format.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "core/model/drift.hpp"
#include "core/model/model_file.hpp"
#include "core/model/xgboost_scorer.hpp"
#include "sidecar/cli/cli_support.hpp"
#include "sidecar/cli/model_command.hpp"

namespace leadrouter::cli {

namespace {

void write_drift(rapidjson::PrettyWriter<rapidjson::StringBuffer>& w,
                 const model::FeatureDrift& d) {
  w.StartObject();
  w.Key("feature");
  w.String(d.name.c_str());
  w.Key("source");
  w.String(d.source.c_str());
  w.Key("psi");
  w.Double(d.psi);
  w.Key("level");
  w.String(model::drift_level(d.psi));
  for (auto [key, values] : {std::pair{"training", &d.training}, std::pair{"recent", &d.recent}}) {
    w.Key(key);
    w.StartArray();
    for (double v : *values) {
      w.Double(v);
    }
    w.EndArray();
  }
  w.EndObject();
}

int fail(ExitCode code, std::string_view message) {
  print_error(message);
  return exit_code(code);
}

}  // namespace

int run_model_drift(const std::vector<std::string>& args) {
  static constexpr CommandSpec kSpec{
      "model drift", "--model MODEL --csv RECENT.csv",
      "Compares recent leads with the model's training data: for every feature and for the\n"
      "predicted score, the population stability index (PSI) of the recent rows' buckets\n"
      "against the training distribution saved in the model file. Below 0.1 is stable,\n"
      "0.1 to 0.25 a moderate shift, above 0.25 a major one (consider retraining).\n"
      "Prints one JSON object, features with the largest shift first."};
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("model", string_value()->required()->value_name("MODEL"), "model file from `model train`")
      ("csv", string_value()->required()->value_name("FILE"), "recent leads with a header row");
  // clang-format on
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, opts, {}, args, vm)) {
    return *done;
  }
  const auto& path = vm["model"].as<std::string>();
  auto text = read_file(path);
  if (!text) {
    return fail(ExitCode::kBadInput, text.error());
  }
  auto file = model::ModelFile::parse(*text);
  if (!file) {
    return fail(ExitCode::kBadInput, fmt::format("{}: {}", path, file.error().message));
  }
  if (!file->profile) {
    return fail(ExitCode::kBadInput,
                fmt::format("{}: the model file has no training profile (it was trained before "
                            "`model drift` existed); train it again to add one",
                            path));
  }
  const model::TrainingProfile profile = *file->profile;
  auto scorer = model::XgboostScorer::create(std::move(*file), {.top_factors = 0});
  if (!scorer) {
    return fail(ExitCode::kBadInput, fmt::format("{}: {}", path, scorer.error().message));
  }
  const auto& csv = vm["csv"].as<std::string>();
  auto csv_text = read_file(csv);
  if (!csv_text) {
    return fail(ExitCode::kBadInput, csv_text.error());
  }
  // The model's own column types: a recent file where a numeric feature holds
  // text is an error naming the line, not a silently different encoding.
  model::CsvTable::Options options;
  for (const auto& f : (*scorer)->encoder().spec().features) {
    options.type_overrides[f.source] =
        f.kind == model::FeatureKind::kNumeric       ? model::ColumnType::kNumeric
        : f.kind == model::FeatureKind::kCategorical ? model::ColumnType::kCategorical
                                                     : model::ColumnType::kDate;
  }
  auto table = model::CsvTable::parse(*csv_text, options, csv);
  if (!table) {
    return fail(ExitCode::kBadInput, table.error().message);
  }
  auto scores = (*scorer)->predict_table(*table);
  if (!scores) {
    return fail(ExitCode::kBadInput, scores.error().message);
  }
  auto report = model::measure_drift(profile, (*scorer)->encoder(), *table, *scores);
  if (!report) {
    return fail(ExitCode::kBadInput, report.error().message);
  }

  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  w.SetFormatOptions(rapidjson::kFormatSingleLineArray);
  w.StartObject();
  w.Key("model_version");
  w.String((*scorer)->file().version.c_str());
  w.Key("training_rows");
  w.Uint64(profile.rows);
  w.Key("rows");
  w.Uint64(report->rows);
  if (report->score) {
    w.Key("score");
    write_drift(w, *report->score);
  }
  w.Key("features");
  w.StartArray();
  for (const auto& d : report->features) {
    write_drift(w, d);
  }
  w.EndArray();
  w.EndObject();
  fmt::print("{}\n", std::string_view(buffer.GetString(), buffer.GetSize()));
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
