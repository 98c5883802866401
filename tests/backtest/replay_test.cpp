// The replay: time order, determinism, caps and hours at historical times,
// open-load release, and expected conversion from earlier outcomes only.
#include "core/backtest/replay.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/backtest/backtest_fixtures.hpp"

namespace leadrouter::backtest {
namespace {

using testing::at;
using testing::lead;
using testing::sales_policy;
using testing::sales_rep;
using testing::under_test;

std::vector<std::string> owners(const PolicyRun& run) {
  std::vector<std::string> out;
  for (const auto& a : run.assignments) {
    out.push_back(assignee_label(a));
  }
  return out;
}

TEST(BacktestReplay, DecidesLeadsInCreatedAtOrderTiesById) {
  const std::vector<core::Lead> leads = {
      lead("c", "2026-02-03T10:00:00Z"), lead("b", "2026-02-02T10:00:00Z"),
      lead("a", "2026-02-03T10:00:00Z"), lead("d", "2026-02-02T09:00:00Z")};
  const std::vector<PolicyUnderTest> runs = {
      under_test("p", sales_policy(), {sales_rep("r1"), sales_rep("r2")})};
  auto r = replay(leads, runs);
  ASSERT_TRUE(r) << r.error().message;
  std::vector<std::string> ids;
  for (const auto& l : r->leads) {
    ids.push_back(l.id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"d", "b", "a", "c"}));
  // Strict round-robin alternates in replay order, not file order.
  EXPECT_EQ(owners(r->runs[0]), (std::vector<std::string>{"r1", "r2", "r1", "r2"}));
}

TEST(BacktestReplay, SameLeadsInAnyFileOrderGiveTheSameReplay) {
  std::vector<core::Lead> leads;
  for (int i = 0; i < 40; ++i) {
    leads.push_back(lead(fmt::format("L{:02d}", i),
                         fmt::format("2026-02-{:02d}T{:02d}:15:00Z", 2 + i % 5, 8 + i % 9),
                         i % 3 == 0 ? "Retail" : "Software"));
  }
  const std::vector<PolicyUnderTest> runs = {
      under_test("base", sales_policy("round_robin"), {sales_rep("r1"), sales_rep("r2")}),
      under_test("new", sales_policy("best_match"), {sales_rep("r1"), sales_rep("r2")})};
  Outcomes outcomes;
  for (int i = 0; i < 40; i += 3) {
    outcomes[fmt::format("L{:02d}", i)] = i % 2 == 0;
  }
  auto first = replay(leads, runs, {.outcomes = &outcomes});
  std::reverse(leads.begin(), leads.end());
  auto second = replay(leads, runs, {.outcomes = &outcomes});
  ASSERT_TRUE(first && second);
  for (std::size_t run = 0; run < 2; ++run) {
    EXPECT_EQ(owners(first->runs[run]), owners(second->runs[run]));
    for (std::size_t i = 0; i < first->leads.size(); ++i) {
      EXPECT_EQ(first->runs[run].assignments[i].expected_conversion,
                second->runs[run].assignments[i].expected_conversion);
    }
  }
}

TEST(BacktestReplay, DailyCapsCountPerHistoricalDay) {
  core::Rep rep = sales_rep("r1");
  rep.capacity.max_per_day = 2;
  const std::vector<core::Lead> leads = {
      lead("a", "2026-02-02T10:00:00Z"), lead("b", "2026-02-02T11:00:00Z"),
      lead("c", "2026-02-02T12:00:00Z"), lead("d", "2026-02-03T09:00:00Z")};
  const std::vector<PolicyUnderTest> runs = {under_test("p", sales_policy(), {rep})};
  auto r = replay(leads, runs);
  ASSERT_TRUE(r);
  EXPECT_EQ(owners(r->runs[0]), (std::vector<std::string>{"r1", "r1", "queue:overflow", "r1"}));
  EXPECT_EQ(r->runs[0].assignments[2].daily_cap_hits, 1);
  EXPECT_EQ(r->runs[0].assignments[3].daily_cap_hits, 0);
}

TEST(BacktestReplay, OpenLoadIsReleasedAfterOpenFor) {
  core::Rep rep = sales_rep("r1");
  rep.capacity.max_open = 1;
  const std::vector<core::Lead> leads = {lead("a", "2026-02-02T10:00:00Z"),
                                         lead("b", "2026-02-02T11:00:00Z"),
                                         lead("c", "2026-02-02T13:00:00Z")};
  const std::vector<PolicyUnderTest> runs = {under_test("p", sales_policy(), {rep})};
  auto released = replay(leads, runs, {.open_for = std::chrono::hours{2}});
  ASSERT_TRUE(released);
  EXPECT_EQ(owners(released->runs[0]), (std::vector<std::string>{"r1", "queue:overflow", "r1"}));
  EXPECT_EQ(released->runs[0].assignments[1].open_cap_hits, 1);

  auto never = replay(leads, runs, {.open_for = std::nullopt});
  ASSERT_TRUE(never);
  EXPECT_EQ(owners(never->runs[0]),
            (std::vector<std::string>{"r1", "queue:overflow", "queue:overflow"}));
}

TEST(BacktestReplay, WorkingHoursAreJudgedAtTheHistoricalTime) {
  core::Rep rep = sales_rep("r1");
  core::WorkingHours hours;
  hours.time_zone = "Europe/Berlin";
  for (int day = 1; day <= 5; ++day) {
    hours.windows.push_back({day, 9 * 60, 17 * 60});
  }
  rep.working_hours = hours;
  // Monday 2 Feb 2026: 10:00 UTC is 11:00 in Berlin, 18:00 UTC is 19:00.
  const std::vector<core::Lead> leads = {lead("a", "2026-02-02T10:00:00Z"),
                                         lead("b", "2026-02-02T18:00:00Z")};
  const std::vector<PolicyUnderTest> anytime = {under_test("p", sales_policy(), {rep})};
  auto r = replay(leads, anytime);
  ASSERT_TRUE(r);
  EXPECT_EQ(owners(r->runs[0]), (std::vector<std::string>{"r1", "r1"}));
  EXPECT_FALSE(r->runs[0].assignments[0].outside_working_hours);
  EXPECT_TRUE(r->runs[0].assignments[1].outside_working_hours);

  // A business-hours tier keeps the evening lead away from the rep instead.
  const std::vector<PolicyUnderTest> strict = {
      under_test("p", sales_policy("round_robin", true), {rep})};
  auto s = replay(leads, strict);
  ASSERT_TRUE(s);
  EXPECT_EQ(owners(s->runs[0]), (std::vector<std::string>{"r1", "queue:overflow"}));
  EXPECT_FALSE(s->runs[0].assignments[1].outside_working_hours);
}

TEST(BacktestReplay, ExpectedConversionUsesOnlyEarlierOutcomes) {
  std::vector<core::Lead> leads;
  for (int i = 0; i < 6; ++i) {
    leads.push_back(lead(fmt::format("L{}", i), fmt::format("2026-02-02T1{}:00:00Z", i)));
  }
  const std::vector<PolicyUnderTest> runs = {
      under_test("p", sales_policy(), {sales_rep("r1"), sales_rep("r2")})};
  Outcomes outcomes = {{"L0", true},  {"L1", false}, {"L2", true},
                       {"L3", false}, {"L4", true},  {"L5", false}};
  auto base = replay(leads, runs, {.outcomes = &outcomes});
  ASSERT_TRUE(base);
  // Nothing is known before the first lead.
  EXPECT_FALSE(base->runs[0].assignments[0].expected_conversion.has_value());
  for (std::size_t i = 1; i < 6; ++i) {
    ASSERT_TRUE(base->runs[0].assignments[i].expected_conversion.has_value()) << i;
  }
  // Flipping lead 3's outcome changes no estimate up to and including lead 3.
  Outcomes flipped = outcomes;
  flipped["L3"] = true;
  auto changed = replay(leads, runs, {.outcomes = &flipped});
  ASSERT_TRUE(changed);
  for (std::size_t i = 0; i <= 3; ++i) {
    EXPECT_EQ(base->runs[0].assignments[i].expected_conversion,
              changed->runs[0].assignments[i].expected_conversion)
        << i;
  }
  EXPECT_NE(base->runs[0].assignments[5].expected_conversion,
            changed->runs[0].assignments[5].expected_conversion);
}

TEST(BacktestReplay, OutcomesCountOnlyOnceTheDelayHasPassed) {
  const std::vector<core::Lead> leads = {lead("a", "2026-02-02T10:00:00Z"),
                                         lead("b", "2026-02-02T20:00:00Z"),
                                         lead("c", "2026-02-04T10:00:00Z")};
  const std::vector<PolicyUnderTest> runs = {under_test("p", sales_policy(), {sales_rep("r1")})};
  const Outcomes outcomes = {{"a", true}, {"b", true}, {"c", false}};
  auto r = replay(leads, runs, {.outcomes = &outcomes, .outcome_delay = std::chrono::days{1}});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->has_outcomes);
  EXPECT_FALSE(r->runs[0].assignments[0].expected_conversion.has_value());
  EXPECT_FALSE(r->runs[0].assignments[1].expected_conversion.has_value());
  ASSERT_TRUE(r->runs[0].assignments[2].expected_conversion.has_value());
  // Two conversions out of two known: the estimate is above an even chance.
  EXPECT_GT(*r->runs[0].assignments[2].expected_conversion, 0.5);
}

TEST(BacktestReplay, KnownOutcomesSteerBestMatchButNeverRoundRobin) {
  // r1 gets the first lead and it converts; once that is known, best-match
  // prefers r1 for the segment while round-robin keeps alternating.
  std::vector<core::Lead> leads;
  Outcomes outcomes;
  for (int i = 0; i < 12; ++i) {
    leads.push_back(
        lead(fmt::format("L{:02d}", i), fmt::format("2026-02-02T{:02d}:00:00Z", 8 + i)));
    outcomes[fmt::format("L{:02d}", i)] = i == 0;
  }
  for (const std::string strategy : {"best_match", "round_robin"}) {
    const std::vector<PolicyUnderTest> runs = {
        under_test("p", sales_policy(strategy), {sales_rep("r1"), sales_rep("r2")})};
    auto with = replay(leads, runs, {.outcomes = &outcomes});
    auto without = replay(leads, runs);
    ASSERT_TRUE(with && without);
    EXPECT_EQ(with->runs[0].assignments[0].assignee_id, "r1") << strategy;
    if (strategy == "round_robin") {
      EXPECT_EQ(owners(with->runs[0]), owners(without->runs[0]));
    } else {
      EXPECT_NE(owners(with->runs[0]), owners(without->runs[0]));
      const auto o = owners(with->runs[0]);
      EXPECT_GT(std::count(o.begin(), o.end(), "r1"), std::count(o.begin(), o.end(), "r2"));
    }
  }
}

TEST(BacktestReplay, AModelProbabilityIsTheEstimateWhenThePolicyHasOne) {
  struct FixedModel : core::ModelScorer {
    std::expected<core::ModelScore, Error> score(const core::Lead&, const core::LeadFacts&,
                                                 const core::Enrichment&,
                                                 Timestamp) const override {
      return core::ModelScore{.probability = 0.25, .model_version = "fixed"};
    }
  };
  const std::vector<core::Lead> leads = {lead("a", "2026-02-02T10:00:00Z"),
                                         lead("b", "2026-02-02T11:00:00Z")};
  std::vector<PolicyUnderTest> runs = {under_test("p", sales_policy(), {sales_rep("r1")})};
  runs[0].model = std::make_shared<FixedModel>();
  const Outcomes outcomes = {{"a", true}};
  auto r = replay(leads, runs, {.outcomes = &outcomes});
  ASSERT_TRUE(r);
  for (const auto& a : r->runs[0].assignments) {
    ASSERT_TRUE(a.expected_conversion.has_value());
    EXPECT_DOUBLE_EQ(*a.expected_conversion, 0.25);
  }
}

TEST(BacktestReplay, RejectsLeadsWithoutCreatedAtAndEmptyPolicyLists) {
  core::Lead undated;
  undated.id = "x";
  const std::vector<core::Lead> leads = {undated};
  const std::vector<PolicyUnderTest> runs = {under_test("p", sales_policy(), {sales_rep("r1")})};
  auto r = replay(leads, runs);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("'x'"), std::string::npos) << r.error().message;
  EXPECT_FALSE(replay(leads, std::span<const PolicyUnderTest>{}));
}

TEST(BacktestReplay, ProgressIsReportedEveryNLeads) {
  std::vector<core::Lead> leads;
  for (int i = 0; i < 25; ++i) {
    leads.push_back(lead(fmt::format("L{:02d}", i), "2026-02-02T10:00:00Z"));
  }
  const std::vector<PolicyUnderTest> runs = {under_test("p", sales_policy(), {sales_rep("r1")})};
  std::vector<std::size_t> reported;
  auto r = replay(leads, runs,
                  {.progress =
                       [&](std::size_t done, std::size_t total) {
                         EXPECT_EQ(total, 25U);
                         reported.push_back(done);
                       },
                   .progress_every = 10});
  ASSERT_TRUE(r);
  EXPECT_EQ(reported, (std::vector<std::size_t>{10, 20}));
}

}  // namespace
}  // namespace leadrouter::backtest
