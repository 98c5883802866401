// A read-only copy of an XGBoost gbtree binary:logistic model, evaluated
// without calling into XGBoost. XGBoost's own prediction needs a DMatrix per
// call (about 50 µs for one row) and its SHAP contributions recompute every
// tree's node means per call (milliseconds); this walks the same trees over
// one input row, computes the same TreeSHAP values, and is safe to share
// between threads. Tests check both against XGBoost row by row.
//
//   auto trees = TreeEnsemble::from_xgboost_json(booster_json);
//   float margin = trees->margin(x);  // log-odds; sigmoid gives the probability
//   std::vector<float> phi(trees->num_features() + 1);
//   trees->contributions(x, phi);     // phi[i]: input i's share; phi.back(): bias
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace leadrouter::model {

class TreeEnsemble {
 public:
  // `json`: XGBoosterSaveModelToBuffer output in "json" format.
  static std::expected<TreeEnsemble, Error> from_xgboost_json(std::string_view json);

  // Log-odds for one row of num_features() values (NaN: missing).
  float margin(std::span<const float> row) const;
  double probability(std::span<const float> row) const;

  // SHAP values (Lundberg's TreeSHAP, as XGBoost's pred_contribs): `phi`
  // holds num_features() + 1 values, the last being the bias (expected
  // log-odds); they sum to margin(row).
  void contributions(std::span<const float> row, std::span<float> phi) const;

  std::size_t trees() const { return roots_.size(); }
  std::size_t num_features() const { return num_features_; }

 private:
  struct Node {
    float value = 0;         // split threshold, or the leaf value
    std::int32_t left = -1;  // -1: leaf
    std::int32_t right = -1;
    std::uint32_t feature = 0;
    bool default_left = false;  // where a missing value goes
    float cover = 0;            // training hessian sum through the node
  };
  struct PathElement {
    std::int64_t feature = -1;
    float zero_fraction = 0;
    float one_fraction = 0;
    float weight = 0;
  };

  void tree_shap(std::span<const float> row, std::span<float> phi, std::uint32_t node,
                 std::uint32_t depth, PathElement* parent_path, float zero_fraction,
                 float one_fraction, std::int64_t feature) const;

  std::vector<Node> nodes_;
  std::vector<std::uint32_t> roots_;
  float base_margin_ = 0;
  float bias_ = 0;                 // base margin plus every tree's cover-weighted mean leaf value
  std::size_t path_capacity_ = 0;  // PathElements one TreeSHAP walk needs
  std::size_t num_features_ = 0;
};

}  // namespace leadrouter::model
