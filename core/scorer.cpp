#include "core/scorer.hpp"

#include <algorithm>
#include <cmath>

namespace leadrouter::core {

double decay_factor(double age_hours, double half_life_hours) {
  if (half_life_hours <= 0) {
    return 1.0;
  }
  return std::exp2(-age_hours / half_life_hours);
}

void score_fit(const FitConfig& config, const FieldContext& ctx, Scores& out) {
  double points = config.base;
  for (const FitRule& rule : config.rules) {
    if (evaluate(rule.when, ctx)) {
      points += rule.points;
      out.fit_hits.push_back({rule.name, rule.points});
    }
  }
  out.fit = std::clamp(points, 0.0, 100.0);
}

void score_intent(const IntentConfig& config, const std::vector<EngagementEvent>& events,
                  Timestamp now, Scores& out) {
  const Timestamp oldest = now - std::chrono::days{std::max(config.lookback_days, 0)};
  double total = 0;
  for (const IntentSignal& signal : config.signals) {
    IntentPart part{signal.type, 0, 0};
    for (const EngagementEvent& event : events) {
      if (event.type != signal.type || event.at > now || event.at < oldest) {
        continue;
      }
      const double age_hours =
          std::chrono::duration<double, std::ratio<3600>>(now - event.at).count();
      part.points += signal.weight * decay_factor(age_hours, signal.half_life_hours);
      ++part.events;
    }
    if (part.events > 0) {
      total += part.points;
      out.intent_parts.push_back(std::move(part));
    }
  }
  out.intent =
      config.full_scale > 0 ? std::clamp(100.0 * total / config.full_scale, 0.0, 100.0) : 0.0;
}

double combine_scores(const ScoreWeights& weights, double fit, double intent,
                      const std::optional<ModelScore>& model) {
  double sum = 0;
  double weight = 0;
  const auto add = [&](double w, double value) {
    if (w > 0) {
      sum += w * value;
      weight += w;
    }
  };
  add(weights.fit, fit);
  add(weights.intent, intent);
  if (model) {
    add(weights.model, 100.0 * std::clamp(model->probability, 0.0, 1.0));
  }
  if (weight <= 0) {
    return (fit + intent) / 2.0;
  }
  return std::clamp(sum / weight, 0.0, 100.0);
}

Scorer::Scorer(const Policy& policy, const ModelScorer* model) : policy_(&policy), model_(model) {
  for (const Tier& tier : policy.tiers) {
    tiers_.push_back(&tier);
  }
  // Stable, so equal thresholds keep the policy's order.
  std::stable_sort(tiers_.begin(), tiers_.end(),
                   [](const Tier* a, const Tier* b) { return a->min_score > b->min_score; });
}

Scores Scorer::score(const FieldContext& ctx, Timestamp now) const {
  Scores scores;
  score_fit(policy_->fit, ctx, scores);
  score_intent(policy_->intent, ctx.lead.events, now, scores);
  if (model_ != nullptr) {
    auto model = model_->score(ctx.lead, ctx.facts, ctx.enrichment, now);
    if (model) {
      scores.model = std::move(*model);
    } else {
      scores.model_error = model.error().message.empty() ? "model failed" : model.error().message;
    }
  }
  scores.combined = combine_scores(policy_->weights, scores.fit, scores.intent, scores.model);
  return scores;
}

const Tier* Scorer::tier_for(double combined) const {
  for (const Tier* tier : tiers_) {
    if (combined >= tier->min_score) {
      return tier;
    }
  }
  return nullptr;
}

}  // namespace leadrouter::core
