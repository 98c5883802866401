// The model file a team keeps under version control: one JSON document with
// the feature spec, the XGBoost booster (its "json" or "ubj" bytes, base64)
// and metadata (version, training time, label, validation metrics).
//
//   auto file = ModelFile::parse(text);            // validates everything
//   auto booster = Booster::load(file->booster_bytes);
//   std::string text2 = file->serialize();          // parse(text2) == *file
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/model/drift.hpp"
#include "core/model/feature_spec.hpp"
#include "core/time.hpp"

namespace leadrouter::model {

struct ModelFile {
  static constexpr std::string_view kFormat = "leadrouter-model";
  static constexpr int kFormatVersion = 1;

  std::string version;  // "<label>-<yyyymmddThhmmssZ>-<8 hex of the booster bytes>"
  Timestamp trained_at;
  std::string label;                                    // the CSV column it was trained to predict
  std::string positive;                                 // the label value counted as a conversion
  std::vector<std::pair<std::string, double>> metrics;  // validation_auc, rows, ...
  FeatureSpec spec;
  std::string booster_format;  // "json" or "ubj"
  std::string booster_bytes;
  // The training data's distributions, for `model drift`. Optional: files
  // written before it existed have none ("training_profile" absent).
  std::optional<TrainingProfile> profile;

  std::string serialize() const;
  static std::expected<ModelFile, Error> parse(std::string_view text);

  // Looks a metric up by name.
  std::optional<double> metric(std::string_view name) const;
};

// The version string for a model trained at `trained_at` with these bytes.
std::string model_version(std::string_view label, Timestamp trained_at,
                          std::string_view booster_bytes);

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace leadrouter::model
