// core::ModelScorer backed by a model file: encodes the lead with the file's
// feature spec, predicts with the file's trees, and explains the score with
// SHAP contributions (XGBoost's pred_contribs, computed by TreeEnsemble)
// summed per feature ("Job = student: +0.61").
//
// Thread-safe without locks: after create() the scorer only reads an
// immutable TreeEnsemble; the XGBoost booster is used once, to load the file,
// and is not kept (XGBoost does not promise concurrent prediction on one
// booster is safe).
//
//   auto scorer = XgboostScorer::create(*ModelFile::parse(text), {.top_factors = 3});
//   auto score = (*scorer)->score(lead, facts, enrichment, now);
#pragma once

#include <cstddef>
#include <expected>
#include <memory>
#include <span>
#include <vector>

#include "core/error.hpp"
#include "core/model/csv_table.hpp"
#include "core/model/feature_encoder.hpp"
#include "core/model/model_file.hpp"
#include "core/model/tree_ensemble.hpp"
#include "core/model_scorer.hpp"

namespace leadrouter::model {

struct Explanation {
  double probability = 0;
  double margin = 0;  // log-odds = bias + sum of contributions
  double bias = 0;    // the expected log-odds over the training data
  // One factor per feature, largest contribution first.
  std::vector<core::ModelFactor> factors;
};

class XgboostScorer final : public core::ModelScorer {
 public:
  struct Options {
    // Factors reported on each side; 0 skips the explanation (faster).
    std::size_t top_factors = 3;
  };

  static std::expected<std::unique_ptr<XgboostScorer>, Error> create(ModelFile file,
                                                                     Options options);

  std::expected<core::ModelScore, Error> score(const core::Lead& lead, const core::LeadFacts& facts,
                                               const core::Enrichment& enrichment,
                                               Timestamp now) const override;

  // Probability for each row of a table holding the spec's columns.
  std::expected<std::vector<double>, Error> predict_table(const CsvTable& table) const;

  // Full explanation of one row's raw values (from FeatureEncoder::extract).
  std::expected<Explanation, Error> explain(std::span<const RawValue> raw) const;

  const ModelFile& file() const { return file_; }
  const FeatureEncoder& encoder() const { return encoder_; }
  const TreeEnsemble& trees() const { return trees_; }

 private:
  XgboostScorer(ModelFile file, Options options, TreeEnsemble trees);

  ModelFile file_;
  Options options_;
  FeatureEncoder encoder_;
  TreeEnsemble trees_;
};

}  // namespace leadrouter::model
