// Trains the conversion model: labels decoded from a CSV column, a validation
// split (time-ordered when a time column is given, else stratified by label),
// the feature spec fitted on the training rows, and XGBoost binary:logistic
// with early stopping on validation AUC. Deterministic for a given seed.
//
//   TrainOptions options{.label = "y", .exclude = {"duration"}};
//   options.progress = [](const TrainProgress& p) { ... };
//   auto trained = train_model(table, options, now);
//   if (trained) { save(trained->file.serialize()); }
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/model/csv_table.hpp"
#include "core/model/metrics.hpp"
#include "core/model/model_file.hpp"
#include "core/time.hpp"

namespace leadrouter::model {

struct TrainProgress {
  int iteration = 0;  // 0-based round just finished
  double validation_auc = 0;
  int best_iteration = 0;
  double best_auc = 0;
};

struct BoosterParams {
  int max_rounds = 1000;
  int early_stopping_rounds = 50;  // 0: no early stopping, keep every round
  double learning_rate = 0.05;
  int max_depth = 5;
  double min_child_weight = 1;
  double subsample = 0.8;
  double colsample_bytree = 0.8;
  std::uint64_t seed = 42;
  int threads = 1;
};

struct TrainOptions {
  std::string label;                    // required
  std::optional<std::string> positive;  // the label value that means "converted"
  std::vector<std::string> exclude;     // further non-feature columns
  std::optional<std::string> id_column;
  std::optional<std::string> time_column;  // a date column: validate on the latest rows
  double validation_fraction = 0.3;
  std::size_t min_category_count = 10;
  std::string booster_format = "ubj";  // how the model file stores the booster
  BoosterParams params;
  std::function<void(const TrainProgress&)> progress;
};

struct TrainedModel {
  ModelFile file;
  BinaryMetrics validation;
  std::size_t train_rows = 0;
  std::size_t validation_rows = 0;
  int best_iteration = 0;
  std::vector<std::string> dropped_columns;  // with reasons
};

// 1 for the positive class, 0 otherwise. Without `positive`, 0/1 columns and
// two-valued columns with one of yes/true/won/converted are understood;
// anything else asks for an explicit positive value. Errors name the line.
struct DecodedLabels {
  std::vector<float> values;
  std::string positive;
  std::size_t positives = 0;
};
std::expected<DecodedLabels, Error> decode_labels(const CsvTable& table, const std::string& label,
                                                  const std::optional<std::string>& positive);

struct Split {
  std::vector<std::size_t> train;
  std::vector<std::size_t> validation;
};
// Each class is shuffled (seeded) and `fraction` of it goes to validation.
Split stratified_split(std::span<const float> labels, double fraction, std::uint64_t seed);
// The latest `fraction` of rows by time go to validation; rows without a
// time count as oldest.
Split time_split(std::span<const double> seconds, double fraction);

struct BoosterFit {
  std::string booster_bytes;  // in the requested format, cut at the best round
  int best_iteration = 0;
  std::vector<double> validation_predictions;
};
// Trains on row-major matrices of `width` columns.
std::expected<BoosterFit, Error> fit_booster(
    std::span<const float> train_x, std::span<const float> train_y, std::span<const float> valid_x,
    std::span<const float> valid_y, std::size_t width, const BoosterParams& params,
    const std::string& booster_format, const std::function<void(const TrainProgress&)>& progress);

std::expected<TrainedModel, Error> train_model(const CsvTable& table, const TrainOptions& options,
                                               Timestamp trained_at);

}  // namespace leadrouter::model
