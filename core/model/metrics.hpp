// Quality measures of a probabilistic classifier on labelled rows: ranking
// (AUC), sharpness (log loss, Brier) and calibration by probability decile.
//
//   BinaryMetrics m = compute_metrics(probabilities, labels);
//   fmt::print("auc {:.3f}\n", m.auc);
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace leadrouter::model {

struct CalibrationBin {
  double lower = 0;  // predicted probability range [lower, upper)
  double upper = 0;
  std::size_t rows = 0;
  double mean_predicted = 0;  // 0 when the bin is empty
  double observed_rate = 0;   // positives / rows; 0 when the bin is empty
};

struct BinaryMetrics {
  std::size_t rows = 0;
  std::size_t positives = 0;
  double auc = 0;  // 0.5 when only one class is present
  double log_loss = 0;
  double brier = 0;
  std::vector<CalibrationBin> calibration;  // 10 equal-width bins over [0, 1]
};

// Area under the ROC curve: the probability that a random positive ranks
// above a random negative, ties counting one half.
double roc_auc(std::span<const double> predicted, std::span<const float> labels);

// `labels` are 0 or 1; both spans have the same length.
BinaryMetrics compute_metrics(std::span<const double> predicted, std::span<const float> labels);

}  // namespace leadrouter::model
