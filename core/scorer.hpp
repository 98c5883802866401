// Scoring (steps 2-5 of routing): ICP fit from the policy's rules, intent
// from engagement events with exponential decay, the optional model score,
// their weighted combination and the tier it falls in.
//
//   Scorer scorer(policy, model);                  // model may be null
//   Scores s = scorer.score(lead, facts, enrichment, now);
//   const Tier* tier = scorer.tier_for(s.combined); // null: below every tier
#pragma once

#include <optional>
#include <vector>

#include "core/decision.hpp"
#include "core/field_value.hpp"
#include "core/lead.hpp"
#include "core/model_scorer.hpp"
#include "core/policy.hpp"
#include "core/time.hpp"

namespace leadrouter::core {

// 0.5^(age / half-life); no decay for a non-positive half-life.
double decay_factor(double age_hours, double half_life_hours);

// base + points of every matching rule, clamped to [0, 100]; hits recorded.
void score_fit(const FitConfig& config, const FieldContext& ctx, Scores& out);

// Sum over events of weight x decay, scaled so `full_scale` points read as
// 100 and clamped to [0, 100]. Events dated after `now` or older than the
// lookback are ignored, as are event types with no signal.
void score_intent(const IntentConfig& config, const std::vector<EngagementEvent>& events,
                  Timestamp now, Scores& out);

// The weighted mean documented on ScoreWeights. When no part with a positive
// weight is available (a model-only policy whose model failed), fit and
// intent count equally, so a lead still gets a score.
double combine_scores(const ScoreWeights& weights, double fit, double intent,
                      const std::optional<ModelScore>& model);

class Scorer {
 public:
  // Both must outlive the Scorer.
  Scorer(const Policy& policy, const ModelScorer* model);

  // A model error is recorded in Scores::model_error and the score falls back
  // to fit and intent; it never fails the decision.
  Scores score(const FieldContext& ctx, Timestamp now) const;

  // The first tier, highest min_score first, whose min_score the score reaches.
  const Tier* tier_for(double combined) const;

 private:
  const Policy* policy_;
  const ModelScorer* model_;
  std::vector<const Tier*> tiers_;  // highest min_score first
};

}  // namespace leadrouter::core
