// Per-policy figures: Gini, score bands, volumes, cap hits and owner changes.
#include "core/backtest/summary.hpp"

#include <gtest/gtest.h>

#include "tests/backtest/backtest_fixtures.hpp"

namespace leadrouter::backtest {
namespace {

using testing::lead;
using testing::sales_policy;
using testing::sales_rep;
using testing::under_test;

TEST(BacktestGini, EqualCountsAreZeroAndOneHolderApproachesOne) {
  const std::vector<std::int64_t> equal = {5, 5, 5, 5};
  EXPECT_DOUBLE_EQ(gini(equal), 0.0);
  const std::vector<std::int64_t> one = {0, 0, 0, 12};
  EXPECT_DOUBLE_EQ(gini(one), 0.75);  // (n - 1) / n for n = 4
  const std::vector<std::int64_t> empty;
  EXPECT_DOUBLE_EQ(gini(empty), 0.0);
  const std::vector<std::int64_t> zeros = {0, 0};
  EXPECT_DOUBLE_EQ(gini(zeros), 0.0);
}

TEST(BacktestGini, MatchesThePairwiseDefinitionAndIgnoresOrder) {
  const std::vector<std::int64_t> counts = {3, 1, 7, 0, 9};
  double pairs = 0;
  double total = 0;
  for (auto a : counts) {
    total += static_cast<double>(a);
    for (auto b : counts) {
      pairs += std::abs(static_cast<double>(a - b));
    }
  }
  const double n = static_cast<double>(counts.size());
  EXPECT_NEAR(gini(counts), pairs / (2 * n * total), 1e-12);
  const std::vector<std::int64_t> shuffled = {9, 0, 3, 7, 1};
  EXPECT_DOUBLE_EQ(gini(counts), gini(shuffled));
}

TEST(BacktestSummary, ScoreBinsCoverZeroToHundred) {
  EXPECT_EQ(score_bin(0), 0U);
  EXPECT_EQ(score_bin(9.99), 0U);
  EXPECT_EQ(score_bin(10), 1U);
  EXPECT_EQ(score_bin(89.9), 8U);
  EXPECT_EQ(score_bin(90), 9U);
  EXPECT_EQ(score_bin(100), 9U);
  EXPECT_EQ(score_bin(-3), 0U);
}

TEST(BacktestSummary, CountsVolumeCapsAndChangedOwners) {
  core::Rep capped = sales_rep("r1");
  capped.capacity.max_per_day = 1;
  core::Rep inactive = sales_rep("r3");
  inactive.active = false;
  std::vector<core::Lead> leads;
  for (int i = 0; i < 4; ++i) {
    leads.push_back(lead(fmt::format("L{}", i), fmt::format("2026-02-02T1{}:00:00Z", i)));
  }
  const std::vector<PolicyUnderTest> runs = {
      under_test("base", sales_policy(), {sales_rep("r1"), sales_rep("r2"), inactive}),
      under_test("new", sales_policy(), {capped, sales_rep("r2"), inactive})};
  auto r = replay(leads, runs);
  ASSERT_TRUE(r);

  const PolicySummary base = summarize(*r, 0);
  EXPECT_EQ(base.leads, 4);
  EXPECT_EQ(base.to_reps, 4);
  ASSERT_EQ(base.volume.size(), 3U);
  EXPECT_EQ(base.volume[0].leads, 2);
  EXPECT_EQ(base.volume[1].leads, 2);
  EXPECT_EQ(base.volume[2].leads, 0);
  // The inactive rep is not part of the load distribution.
  EXPECT_DOUBLE_EQ(base.load_gini, 0.0);
  EXPECT_EQ(base.cap_hits(), 0);
  EXPECT_EQ(base.tiers.at("all"), 4);
  EXPECT_EQ(base.scores[0] + base.scores[1] + base.scores[2] + base.scores[3] + base.scores[4] +
                base.scores[5] + base.scores[6] + base.scores[7] + base.scores[8] + base.scores[9],
            4);
  EXPECT_FALSE(base.expected_conversions.has_value());

  // r1 takes one lead a day: r1, r2, then r2 twice (r1 excluded each time).
  const PolicySummary next = summarize(*r, 1);
  EXPECT_EQ(next.volume[0].leads, 1);
  EXPECT_EQ(next.volume[1].leads, 3);
  // r1 is excluded (and counted) in every decision after its first lead.
  EXPECT_EQ(next.daily_cap_hits, 3);
  EXPECT_EQ(next.leads_hitting_a_cap, 3);
  EXPECT_GT(next.load_gini, 0.2);
  EXPECT_EQ(changed_count(*r, 0, 1), 1);  // base: r1 r2 r1 r2; new: r1 r2 r2 r2
  EXPECT_DOUBLE_EQ(changed_share(*r, 0, 1), 0.25);
  EXPECT_EQ(changed_count(*r, 1, 1), 0);
}

TEST(BacktestSummary, ExpectedConversionsSumTheEstimates) {
  std::vector<core::Lead> leads;
  Outcomes outcomes;
  for (int i = 0; i < 8; ++i) {
    leads.push_back(lead(fmt::format("L{}", i), fmt::format("2026-02-02T1{}:00:00Z", i)));
    outcomes[fmt::format("L{}", i)] = i % 4 == 0;
  }
  const std::vector<PolicyUnderTest> runs = {under_test("p", sales_policy(), {sales_rep("r1")})};
  auto r = replay(leads, runs, {.outcomes = &outcomes});
  ASSERT_TRUE(r);
  const PolicySummary s = summarize(*r, 0);
  double sum = 0;
  for (const auto& a : r->runs[0].assignments) {
    sum += a.expected_conversion.value_or(0);
  }
  ASSERT_TRUE(s.expected_conversions.has_value());
  EXPECT_DOUBLE_EQ(*s.expected_conversions, sum);
  EXPECT_EQ(s.estimated_leads, 7);  // all but the first
  EXPECT_EQ(s.actual_conversions_estimated, 1);
  EXPECT_EQ(s.known_outcomes, 8);
  EXPECT_EQ(s.actual_conversions, 2);
}

}  // namespace
}  // namespace leadrouter::backtest
