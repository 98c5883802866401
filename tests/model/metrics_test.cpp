#include "core/model/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace leadrouter::model {
namespace {

TEST(Metrics, AucOfPerfectInvertedAndTiedRankings) {
  const std::vector<float> y = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(roc_auc(std::vector<double>{0.1, 0.2, 0.8, 0.9}, y), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc(std::vector<double>{0.9, 0.8, 0.2, 0.1}, y), 0.0);
  EXPECT_DOUBLE_EQ(roc_auc(std::vector<double>{0.5, 0.5, 0.5, 0.5}, y), 0.5);
}

TEST(Metrics, AucCountsPairsByHand) {
  // Positives at 0.35 and 0.8; negatives at 0.1, 0.4, 0.35.
  // Pairs (pos > neg): 0.8 beats all 3; 0.35 beats 0.1, ties 0.35 (1/2),
  // loses to 0.4. (3 + 1.5) / 6 = 0.75.
  const std::vector<double> p = {0.1, 0.4, 0.35, 0.8, 0.35};
  const std::vector<float> y = {0, 0, 1, 1, 0};
  EXPECT_DOUBLE_EQ(roc_auc(p, y), 0.75);
}

TEST(Metrics, SingleClassAucIsOneHalf) {
  EXPECT_DOUBLE_EQ(roc_auc(std::vector<double>{0.1, 0.9}, std::vector<float>{1, 1}), 0.5);
}

TEST(Metrics, LogLossBrierAndCalibrationByHand) {
  const std::vector<double> p = {0.8, 0.3, 0.05, 0.95};
  const std::vector<float> y = {1, 0, 0, 0};
  const BinaryMetrics m = compute_metrics(p, y);
  EXPECT_EQ(m.rows, 4u);
  EXPECT_EQ(m.positives, 1u);
  const double expected_log_loss =
      -(std::log(0.8) + std::log(0.7) + std::log(0.95) + std::log(0.05)) / 4;
  EXPECT_NEAR(m.log_loss, expected_log_loss, 1e-12);
  const double expected_brier = (0.04 + 0.09 + 0.0025 + 0.9025) / 4;
  EXPECT_NEAR(m.brier, expected_brier, 1e-12);
  ASSERT_EQ(m.calibration.size(), 10u);
  EXPECT_EQ(m.calibration[0].rows, 1u);  // 0.05
  EXPECT_DOUBLE_EQ(m.calibration[0].mean_predicted, 0.05);
  EXPECT_EQ(m.calibration[3].rows, 1u);  // 0.3
  EXPECT_EQ(m.calibration[8].rows, 1u);  // 0.8
  EXPECT_DOUBLE_EQ(m.calibration[8].observed_rate, 1.0);
  EXPECT_EQ(m.calibration[9].rows, 1u);  // 0.95
  EXPECT_DOUBLE_EQ(m.calibration[9].observed_rate, 0.0);
  EXPECT_DOUBLE_EQ(m.calibration[9].lower, 0.9);
  EXPECT_DOUBLE_EQ(m.calibration[9].upper, 1.0);
  EXPECT_EQ(m.calibration[5].rows, 0u);
  // The positive at 0.8 outranks 2 of 3 negatives.
  EXPECT_NEAR(m.auc, 2.0 / 3.0, 1e-12);
}

TEST(Metrics, ProbabilityOneFallsInTheLastBinAndLogLossStaysFinite) {
  const BinaryMetrics m = compute_metrics(std::vector<double>{1.0, 0.0}, std::vector<float>{0, 1});
  EXPECT_EQ(m.calibration[9].rows, 1u);
  EXPECT_EQ(m.calibration[0].rows, 1u);
  EXPECT_TRUE(std::isfinite(m.log_loss));
  EXPECT_GT(m.log_loss, 30);
}

}  // namespace
}  // namespace leadrouter::model
