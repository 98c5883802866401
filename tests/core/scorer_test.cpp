#include "core/scorer.hpp"

#include <gtest/gtest.h>

#include "core/lead_facts.hpp"
#include "tests/core/routing_fixtures.hpp"

namespace leadrouter::core {
namespace {

using testing::at;
using testing::field_eq;
using testing::field_is;

TEST(DecayTest, HalvesEveryHalfLife) {
  EXPECT_DOUBLE_EQ(decay_factor(0, 24), 1.0);
  EXPECT_DOUBLE_EQ(decay_factor(24, 24), 0.5);
  EXPECT_DOUBLE_EQ(decay_factor(72, 24), 0.125);
  EXPECT_NEAR(decay_factor(12, 24), 0.70710678, 1e-8);
  EXPECT_DOUBLE_EQ(decay_factor(1000, 0), 1.0);  // no half-life: no decay
}

IntentConfig intent_config() {
  IntentConfig config;
  config.signals = {{"demo_request", 60, 24 * 7}, {"pricing_page_view", 20, 24}};
  config.full_scale = 100;
  config.lookback_days = 30;
  return config;
}

TEST(IntentTest, SumsDecayedWeightsPerSignal) {
  const Timestamp now = at("2026-05-10T12:00:00Z");
  const std::vector<EngagementEvent> events = {
      {"demo_request", at("2026-05-03T12:00:00Z")},       // one half-life: 30
      {"pricing_page_view", at("2026-05-10T12:00:00Z")},  // fresh: 20
      {"pricing_page_view", at("2026-05-09T12:00:00Z")},  // one half-life: 10
  };
  Scores s;
  score_intent(intent_config(), events, now, s);
  EXPECT_DOUBLE_EQ(s.intent, 60.0);
  ASSERT_EQ(s.intent_parts.size(), 2U);
  EXPECT_EQ(s.intent_parts[0].signal, "demo_request");
  EXPECT_EQ(s.intent_parts[0].events, 1);
  EXPECT_DOUBLE_EQ(s.intent_parts[0].points, 30.0);
  EXPECT_EQ(s.intent_parts[1].events, 2);
  EXPECT_DOUBLE_EQ(s.intent_parts[1].points, 30.0);
}

TEST(IntentTest, IgnoresFutureOldAndUnknownEvents) {
  const Timestamp now = at("2026-05-10T12:00:00Z");
  const std::vector<EngagementEvent> events = {
      {"demo_request", at("2026-05-10T12:00:01Z")},  // in the future
      {"demo_request", at("2026-04-09T12:00:00Z")},  // 31 days old, lookback 30
      {"webinar", at("2026-05-10T11:00:00Z")},       // no such signal
  };
  Scores s;
  score_intent(intent_config(), events, now, s);
  EXPECT_DOUBLE_EQ(s.intent, 0.0);
  EXPECT_TRUE(s.intent_parts.empty());
}

TEST(IntentTest, ScalesByFullScaleAndClamps) {
  IntentConfig config = intent_config();
  config.full_scale = 40;
  const Timestamp now = at("2026-05-10T12:00:00Z");
  Scores half;
  score_intent(config, {{"pricing_page_view", now}}, now, half);
  EXPECT_DOUBLE_EQ(half.intent, 50.0);
  Scores full;
  score_intent(config, {{"demo_request", now}, {"demo_request", now}}, now, full);
  EXPECT_DOUBLE_EQ(full.intent, 100.0);
}

TEST(FitTest, AddsPointsOfMatchingRulesAndClamps) {
  FitConfig config;
  config.base = 40;
  config.rules = {{"US", field_eq("country", std::string("US")), 30},
                  {"big", field_is("employees", Op::kGte, {500.0}), 50},
                  {"free mail", field_eq("is_free_mail", true), -200}};
  Lead lead = testing::make_lead("L1");
  lead.employees = 100;
  const LeadFacts facts = derive_facts(lead, FreeMailDomains{});
  const Enrichment enrichment;
  const FieldContext ctx{lead, facts, enrichment, nullptr};
  Scores s;
  score_fit(config, ctx, s);
  EXPECT_DOUBLE_EQ(s.fit, 70.0);
  ASSERT_EQ(s.fit_hits.size(), 1U);
  EXPECT_EQ(s.fit_hits[0].rule, "US");

  lead.employees = 900;
  Scores high;
  score_fit(config, ctx, high);
  EXPECT_DOUBLE_EQ(high.fit, 100.0);  // 120 clamped
  EXPECT_EQ(high.fit_hits.size(), 2U);
}

TEST(CombineTest, WeightedMeanRenormalizedWithoutModel) {
  const ScoreWeights w{0.25, 0.25, 0.5};
  EXPECT_DOUBLE_EQ(combine_scores(w, 80, 40, std::nullopt), 60.0);
  ModelScore m;
  m.probability = 0.2;
  EXPECT_DOUBLE_EQ(combine_scores(w, 80, 40, m), 0.25 * 80 + 0.25 * 40 + 0.5 * 20);
  // Model only, model missing: fit and intent equally.
  EXPECT_DOUBLE_EQ(combine_scores({0, 0, 1}, 80, 40, std::nullopt), 60.0);
  EXPECT_DOUBLE_EQ(combine_scores({0, 0, 1}, 80, 40, m), 20.0);
}

TEST(TierTest, FirstTierFromTheTopThatTheScoreReaches) {
  Policy policy;
  policy.tiers = {{"C", 10, 0, false, "LOW", std::nullopt},
                  {"A", 80, 30, true, "HIGH", std::nullopt},
                  {"B", 50, 60, false, "MEDIUM", std::nullopt}};
  const Scorer scorer(policy, nullptr);
  EXPECT_EQ(scorer.tier_for(95)->name, "A");
  EXPECT_EQ(scorer.tier_for(80)->name, "A");
  EXPECT_EQ(scorer.tier_for(79.9)->name, "B");
  EXPECT_EQ(scorer.tier_for(10)->name, "C");
  EXPECT_EQ(scorer.tier_for(9.99), nullptr);
}

class FixedModel : public ModelScorer {
 public:
  explicit FixedModel(std::expected<ModelScore, Error> result) : result_(std::move(result)) {}
  std::expected<ModelScore, Error> score(const Lead&, const LeadFacts&, const Enrichment&,
                                         Timestamp) const override {
    return result_;
  }

 private:
  std::expected<ModelScore, Error> result_;
};

TEST(ScorerTest, UsesTheModelAndSurvivesItsFailure) {
  Policy policy;
  policy.fit.base = 60;
  policy.weights = {0.5, 0.0, 0.5};
  const Lead lead = testing::make_lead("L1");
  const LeadFacts facts = derive_facts(lead, FreeMailDomains{});
  const Enrichment enrichment;
  const FieldContext ctx{lead, facts, enrichment, nullptr};
  const Timestamp now = at("2026-05-10T12:00:00Z");

  ModelScore good;
  good.probability = 0.9;
  good.model_version = "m1";
  const FixedModel working(good);
  const Scores with_model = Scorer(policy, &working).score(ctx, now);
  ASSERT_TRUE(with_model.model.has_value());
  EXPECT_EQ(with_model.model->model_version, "m1");
  EXPECT_DOUBLE_EQ(with_model.combined, 75.0);

  const FixedModel broken(std::unexpected(Error::internal("booster not loaded")));
  const Scores without = Scorer(policy, &broken).score(ctx, now);
  EXPECT_FALSE(without.model.has_value());
  EXPECT_EQ(without.model_error, "booster not loaded");
  EXPECT_DOUBLE_EQ(without.combined, 60.0);
}

}  // namespace
}  // namespace leadrouter::core
