#include "core/model/xgboost_scorer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/model/booster.hpp"

namespace leadrouter::model {

XgboostScorer::XgboostScorer(ModelFile file, Options options, TreeEnsemble trees)
    : file_(std::move(file)), options_(options), encoder_(file_.spec), trees_(std::move(trees)) {}

std::expected<std::unique_ptr<XgboostScorer>, Error> XgboostScorer::create(ModelFile file,
                                                                           Options options) {
  auto booster = Booster::load(file.booster_bytes);
  if (!booster) {
    return std::unexpected(booster.error());
  }
  // The tree walk needs the JSON form whichever format the file stores.
  auto json = booster->save("json");
  if (!json) {
    return std::unexpected(json.error());
  }
  auto trees = TreeEnsemble::from_xgboost_json(*json);
  if (!trees) {
    return std::unexpected(trees.error());
  }
  const std::size_t width = file.spec.width();
  if (trees->num_features() != width) {
    return std::unexpected(Error::invalid_input(
        fmt::format("model file {}: the booster expects {} inputs but the feature spec encodes {}",
                    file.version, trees->num_features(), width)));
  }
  return std::unique_ptr<XgboostScorer>(
      new XgboostScorer(std::move(file), options, std::move(*trees)));
}

std::expected<core::ModelScore, Error> XgboostScorer::score(const core::Lead& lead,
                                                            const core::LeadFacts& facts,
                                                            const core::Enrichment& enrichment,
                                                            Timestamp now) const {
  std::vector<RawValue> raw;
  encoder_.extract(LeadInputs{lead, facts, enrichment, now}, raw);
  core::ModelScore score;
  score.model_version = file_.version;
  if (options_.top_factors == 0) {
    std::vector<float> x(encoder_.width());
    encoder_.encode(raw, x);
    score.probability = trees_.probability(x);
    return score;
  }
  auto explanation = explain(raw);
  if (!explanation) {
    return std::unexpected(explanation.error());
  }
  score.probability = explanation->probability;
  for (const auto& f : explanation->factors) {
    if (f.contribution > 0 && score.top_positive.size() < options_.top_factors) {
      score.top_positive.push_back(f);
    }
  }
  for (auto it = explanation->factors.rbegin(); it != explanation->factors.rend(); ++it) {
    if (it->contribution < 0 && score.top_negative.size() < options_.top_factors) {
      score.top_negative.push_back(*it);
    }
  }
  return score;
}

std::expected<std::vector<double>, Error> XgboostScorer::predict_table(
    const CsvTable& table) const {
  auto binding = encoder_.bind(table);
  if (!binding) {
    return std::unexpected(binding.error());
  }
  std::vector<double> out(table.rows());
  std::vector<RawValue> raw;
  std::vector<float> x(encoder_.width());
  for (std::size_t r = 0; r < table.rows(); ++r) {
    encoder_.extract(table, *binding, r, raw);
    encoder_.encode(raw, x);
    out[r] = trees_.probability(x);
  }
  return out;
}

std::expected<Explanation, Error> XgboostScorer::explain(std::span<const RawValue> raw) const {
  const std::size_t width = encoder_.width();
  std::vector<float> x(width);
  encoder_.encode(raw, x);
  std::vector<float> contributions(width + 1);
  trees_.contributions(x, contributions);
  Explanation e;
  e.bias = contributions[width];
  e.margin = e.bias;
  for (std::size_t f = 0; f < encoder_.feature_count(); ++f) {
    const FeatureDef& def = encoder_.spec().features[f];
    double sum = 0;
    for (std::size_t k = 0; k < def.width(); ++k) {
      sum += contributions[encoder_.offset(f) + k];
    }
    e.margin += sum;
    e.factors.push_back(core::ModelFactor{def.name, encoder_.describe(f, raw[f]), sum});
  }
  std::ranges::stable_sort(e.factors, [](const core::ModelFactor& a, const core::ModelFactor& b) {
    return a.contribution > b.contribution;
  });
  e.probability = trees_.probability(x);
  return e;
}

}  // namespace leadrouter::model
