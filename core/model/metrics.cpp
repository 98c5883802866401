#include "core/model/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace leadrouter::model {
namespace {

constexpr std::size_t kCalibrationBins = 10;
// Keeps log loss finite for a confident wrong prediction.
constexpr double kProbabilityFloor = 1e-15;

}  // namespace

double roc_auc(std::span<const double> predicted, std::span<const float> labels) {
  const std::size_t n = predicted.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::ranges::sort(order,
                    [&](std::size_t a, std::size_t b) { return predicted[a] < predicted[b]; });
  // Mann-Whitney U: sum of the positives' ranks, tied groups sharing their
  // mean rank.
  double positive_rank_sum = 0;
  std::size_t positives = 0;
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i;
    while (j + 1 < n && predicted[order[j + 1]] == predicted[order[i]]) {
      ++j;
    }
    const double mean_rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) {
      if (labels[order[k]] > 0.5f) {
        positive_rank_sum += mean_rank;
        ++positives;
      }
    }
    i = j + 1;
  }
  const std::size_t negatives = n - positives;
  if (positives == 0 || negatives == 0) {
    return 0.5;
  }
  const double p = static_cast<double>(positives);
  const double u = positive_rank_sum - p * (p + 1.0) / 2.0;
  return u / (p * static_cast<double>(negatives));
}

BinaryMetrics compute_metrics(std::span<const double> predicted, std::span<const float> labels) {
  BinaryMetrics m;
  m.rows = predicted.size();
  m.calibration.resize(kCalibrationBins);
  for (std::size_t b = 0; b < kCalibrationBins; ++b) {
    m.calibration[b].lower = static_cast<double>(b) / kCalibrationBins;
    m.calibration[b].upper = static_cast<double>(b + 1) / kCalibrationBins;
  }
  if (m.rows == 0) {
    return m;
  }
  std::vector<std::size_t> bin_positives(kCalibrationBins, 0);
  double log_loss_sum = 0;
  double brier_sum = 0;
  for (std::size_t i = 0; i < m.rows; ++i) {
    const double p = predicted[i];
    const bool positive = labels[i] > 0.5f;
    m.positives += positive ? 1 : 0;
    const double clipped = std::clamp(p, kProbabilityFloor, 1.0 - kProbabilityFloor);
    log_loss_sum -= positive ? std::log(clipped) : std::log(1.0 - clipped);
    const double y = positive ? 1.0 : 0.0;
    brier_sum += (p - y) * (p - y);
    const auto bin = std::min(kCalibrationBins - 1,
                              static_cast<std::size_t>(std::max(0.0, p) * kCalibrationBins));
    m.calibration[bin].rows += 1;
    m.calibration[bin].mean_predicted += p;
    bin_positives[bin] += positive ? 1 : 0;
  }
  for (std::size_t b = 0; b < kCalibrationBins; ++b) {
    auto& bin = m.calibration[b];
    if (bin.rows > 0) {
      bin.mean_predicted /= static_cast<double>(bin.rows);
      bin.observed_rate = static_cast<double>(bin_positives[b]) / static_cast<double>(bin.rows);
    }
  }
  m.log_loss = log_loss_sum / static_cast<double>(m.rows);
  m.brier = brier_sum / static_cast<double>(m.rows);
  m.auc = roc_auc(predicted, labels);
  return m;
}

}  // namespace leadrouter::model
