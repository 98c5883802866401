// Drift between the data a model was trained on and the leads it scores now:
// the training distribution of every feature (and of the predicted score) is
// saved in the model file as a profile of buckets, and recent rows are
// bucketed the same way and compared with the population stability index,
//   PSI = Σ (recent − training) · ln(recent / training)
// over the buckets. Rules of thumb: < 0.1 stable, 0.1–0.25 moderate shift,
// > 0.25 major shift.
//
//   file.profile = profile_training(encoder, table, binding, train_rows, validation_scores);
//   auto report = measure_drift(file, encoder, recent_table, recent_scores);
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/model/csv_table.hpp"
#include "core/model/feature_encoder.hpp"

namespace leadrouter::model {

// One distribution as buckets. Numeric kinds (and the score): bucket i < n
// holds values below edges[i] (the last, values from edges[n-1] up), then one
// bucket for missing values. Categorical: one bucket per category, then
// "(other)", then missing.
struct BucketProfile {
  std::string name;    // the feature's readable name, or "score"
  std::string source;  // the feature's source ("" for the score)
  bool categorical = false;
  std::vector<double> edges;            // numeric: ascending decile edges
  std::vector<std::string> categories;  // categorical: the spec's categories
  std::vector<double> fractions;        // per bucket, summing to 1
};

struct TrainingProfile {
  std::vector<BucketProfile> features;  // in spec order
  std::optional<BucketProfile> score;   // predicted probabilities on validation rows
  std::size_t rows = 0;

  rapidjson::Value to_value(rapidjson::Document::AllocatorType& alloc) const;
  static std::expected<TrainingProfile, Error> from_value(const rapidjson::Value& value);
};

// Profiles `rows` of the table (the training split). `scores`: predicted
// probabilities to profile as the score distribution (may be empty).
TrainingProfile profile_training(const FeatureEncoder& encoder, const CsvTable& table,
                                 const FeatureEncoder::CsvBinding& binding,
                                 std::span<const std::size_t> rows, std::span<const double> scores);

struct FeatureDrift {
  std::string name;
  std::string source;
  double psi = 0;
  std::vector<double> training;  // bucket fractions
  std::vector<double> recent;
};

struct DriftReport {
  std::size_t rows = 0;
  std::vector<FeatureDrift> features;  // largest PSI first
  std::optional<FeatureDrift> score;
};

// Buckets every row of `table` like the profile and compares. `scores`: the
// model's probabilities for those rows (empty: no score drift).
std::expected<DriftReport, Error> measure_drift(const TrainingProfile& profile,
                                                const FeatureEncoder& encoder,
                                                const CsvTable& table,
                                                std::span<const double> scores);

// Σ (a − e) · ln(a / e), each fraction floored at 1e-4 so an empty bucket
// counts as a large but finite shift.
double population_stability_index(std::span<const double> expected, std::span<const double> actual);

// "stable" (< 0.1), "moderate" (< 0.25) or "major".
const char* drift_level(double psi);

}  // namespace leadrouter::model
