#include "core/router.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

#include "core/eligibility.hpp"
#include "core/explanation.hpp"
#include "core/field_value.hpp"
#include "core/scorer.hpp"
#include "core/segment_key.hpp"
#include "core/strategy.hpp"
#include "core/working_time.hpp"

namespace leadrouter::core {

namespace {

// Eligible losers listed per pool (excluded reps are always all listed).
// Weighted round-robin lists every eligible member: its ledger step needs them.
constexpr std::size_t kMaxRunnersUp = 5;

constexpr std::string_view kFinalFallbackStep = "final_fallback";

// Notes say why in words, short enough to need no allocation; the numbers
// are in Candidate::strategy_score.
const char* winner_note(Strategy strategy) {
  switch (strategy) {
    case Strategy::kRoundRobin:
      return "next in turn";
    case Strategy::kWeightedRoundRobin:
      return "most credit";
    case Strategy::kLeastLoaded:
      return "lowest load";
    case Strategy::kBestMatch:
      return "best value";
  }
  return "chosen";
}

const char* loser_note(Strategy strategy) {
  switch (strategy) {
    case Strategy::kRoundRobin:
      return "later in turn";
    case Strategy::kWeightedRoundRobin:
      return "less credit";
    case Strategy::kLeastLoaded:
      return "higher load";
    case Strategy::kBestMatch:
      return "lower value";
  }
  return "not chosen";
}

}  // namespace

namespace {

// Pools by name with what resolving their members needs; members themselves
// are resolved against each call's Roster, which may change between calls.
struct PoolPlan {
  const Pool* pool = nullptr;
  // Members may come from several teams plus listed ids and so repeat.
  bool may_repeat = false;
};

class PoolDirectory {
 public:
  explicit PoolDirectory(const Policy& policy) {
    for (const Pool& pool : policy.pools) {
      const bool may_repeat = pool.teams.size() + (pool.reps.empty() ? 0 : 1) > 1;
      pools_.try_emplace(pool.name, PoolPlan{&pool, may_repeat});
    }
  }

  const PoolPlan* find(std::string_view name) const {
    const auto it = pools_.find(name);
    return it == pools_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, PoolPlan, std::less<>> pools_;
};

}  // namespace

struct Router::Plan {
  Plan(std::shared_ptr<const Policy> p, const ModelScorer* model)
      : policy(std::move(p)), scorer(*policy, model), pools(*policy), segments(policy->segments) {}

  std::shared_ptr<const Policy> policy;
  Scorer scorer;
  PoolDirectory pools;
  SegmentKeyer segments;
};

namespace {

// Walks destinations for one lead and fills the decision as it goes.
class DestinationWalk {
 public:
  DestinationWalk(const Policy& policy, const PoolDirectory& pools, const Roster& roster,
                  const Lead& lead, const Tier* tier, Decision& decision, Timestamp now,
                  const RouteOptions& options)
      : policy_(policy),
        pools_(pools),
        roster_(roster),
        lead_(lead),
        tier_(tier),
        d_(decision),
        now_(now),
        options_(options) {}

  // Tries one destination under `route`'s constraints (null: none but the
  // hard ones). Records a trail step either way; true when someone got it.
  bool try_destination(const Destination& dest, const Route* route, std::string_view step) {
    RouteStep& s = d_.trail.emplace_back();
    s.route = std::string(step);
    s.destination = dest;
    const EligibilityRules rules = rules_for(route);
    switch (dest.kind) {
      case DestinationKind::kQueue:
      case DestinationKind::kWorkflow:
        d_.assignee_kind =
            dest.kind == DestinationKind::kQueue ? AssigneeKind::kQueue : AssigneeKind::kWorkflow;
        d_.assignee_id = dest.target;
        s.outcome = "matched";
        return true;
      case DestinationKind::kAccountOwner:
        if (!d_.enrichment.account || d_.enrichment.account->owner_id.empty()) {
          s.outcome = "no matched account owner";
          return false;
        }
        return try_owner(d_.enrichment.account->owner_id, "account owner", rules, s);
      case DestinationKind::kDuplicateOwner:
        if (!d_.enrichment.duplicate || d_.enrichment.duplicate->owner_id.empty()) {
          s.outcome = "no duplicate with an owner";
          return false;
        }
        return try_owner(d_.enrichment.duplicate->owner_id, "duplicate owner", rules, s);
      case DestinationKind::kPool:
        return try_pool(dest.target, rules, s);
    }
    s.outcome = "unknown destination kind";
    return false;
  }

 private:
  EligibilityRules rules_for(const Route* route) const {
    EligibilityRules rules;
    rules.business_hours = tier_ != nullptr && tier_->business_hours;
    if (route != nullptr) {
      rules.required_skills = route->required_skills.empty() ? nullptr : &route->required_skills;
      rules.match_territory = route->match_territory;
      rules.territory = d_.territory;
      rules.match_language = route->match_language;
      rules.language = lead_.language;
    }
    return rules;
  }

  Candidate make_candidate(const Rep& rep, std::string_view pool) const {
    Candidate c;
    c.rep_id = rep.id;
    c.rep_name = rep.name;
    c.pool = std::string(pool);
    return c;
  }

  void assign(const Rep& rep) {
    d_.assignee_kind = AssigneeKind::kRep;
    d_.assignee_id = rep.id;
    d_.assignee_name = rep.name;
  }

  // The owner of the duplicate record, when there is one: a duplicate goes
  // to that rep or to a queue (flagged), never to a second rep.
  const std::string* duplicate_owner() const {
    if (d_.enrichment.duplicate && !d_.enrichment.duplicate->owner_id.empty()) {
      return &d_.enrichment.duplicate->owner_id;
    }
    return nullptr;
  }

  bool had_lead(const Rep& rep) const {
    return std::ranges::find(options_.exclude_reps, rep.id) != options_.exclude_reps.end();
  }

  // Hard constraints plus "never back to a rep who already had the lead".
  bool eligible(const Rep& rep, std::size_t index, const EligibilityRules& rules,
                std::vector<Exclusion>& why) const {
    bool ok =
        check_eligibility(rep, roster_.state_at(index), roster_.zone_at(index), rules, now_, why);
    if (had_lead(rep)) {
      why.push_back({ExclusionReason::kAlreadyHadLead, "already had this lead"});
      ok = false;
    }
    return ok;
  }

  bool try_owner(const std::string& owner_id, std::string_view what, const EligibilityRules& rules,
                 RouteStep& s) {
    if (const std::string* dup = duplicate_owner(); dup != nullptr && *dup != owner_id) {
      s.outcome = fmt::format("{} '{}' is not the duplicate's owner '{}'", what, owner_id, *dup);
      return false;
    }
    const auto index = roster_.index_of(owner_id);
    if (!index) {
      s.outcome = fmt::format("{} '{}' is not on the roster", what, owner_id);
      return false;
    }
    const Rep& rep = roster_.reps()[*index];
    Candidate c = make_candidate(rep, "");
    if (!eligible(rep, *index, rules, c.exclusions)) {
      s.outcome = fmt::format("{} {} is not eligible", what, rep.name.empty() ? rep.id : rep.name);
      d_.candidates.push_back(std::move(c));
      return false;
    }
    c.note = fmt::format("{} of the lead", what);
    d_.candidates.push_back(std::move(c));
    assign(rep);
    s.outcome = "matched";
    return true;
  }

  void collect_members(const PoolPlan& plan) {
    members_.clear();
    for (const std::string& team : plan.pool->teams) {
      const std::span<const std::size_t> team_members = roster_.team_members(team);
      members_.insert(members_.end(), team_members.begin(), team_members.end());
    }
    for (const std::string& id : plan.pool->reps) {
      if (const auto index = roster_.index_of(id)) {
        members_.push_back(*index);
      }
    }
    if (plan.may_repeat) {
      std::sort(members_.begin(), members_.end());
      members_.erase(std::unique(members_.begin(), members_.end()), members_.end());
    }
  }

  bool try_pool(const std::string& name, const EligibilityRules& rules, RouteStep& s) {
    if (const std::string* dup = duplicate_owner(); dup != nullptr) {
      s.outcome = fmt::format("skipped: duplicate of {} '{}', owned by '{}'",
                              d_.enrichment.duplicate->object_type.empty()
                                  ? std::string("record")
                                  : d_.enrichment.duplicate->object_type,
                              d_.enrichment.duplicate->record_id, *dup);
      return false;
    }
    const PoolPlan* plan = pools_.find(name);
    if (plan == nullptr) {
      s.outcome = fmt::format("unknown pool '{}'", name);
      return false;
    }
    collect_members(*plan);
    if (members_.empty()) {
      s.outcome = fmt::format("pool '{}' has no members", name);
      return false;
    }
    const Pool& pool = *plan->pool;
    eligible_.clear();
    eligible_.reserve(members_.size());
    std::vector<Candidate> excluded;
    std::int64_t pool_assigned = 0;
    std::int64_t pool_converted = 0;
    const std::optional<std::uint32_t> segment =
        pool.strategy == Strategy::kBestMatch ? roster_.segment_id(d_.segment) : std::nullopt;
    std::vector<Exclusion> why;
    for (const std::size_t index : members_) {
      const Rep& rep = roster_.reps()[index];
      const RepState& state = roster_.state_at(index);
      const TrackRecord* record = segment ? roster_.track_record_at(index, *segment) : nullptr;
      if (record != nullptr) {
        pool_assigned += record->assigned;
        pool_converted += record->converted;
      }
      why.clear();
      if (eligible(rep, index, rules, why)) {
        eligible_.push_back({index, &rep, &state, record, 0});
      } else {
        Candidate& c = excluded.emplace_back(make_candidate(rep, name));
        c.exclusions = std::move(why);
        why = {};
      }
    }
    if (eligible_.empty()) {
      s.outcome = fmt::format("no eligible rep in pool '{}' ({} excluded)", name, excluded.size());
      std::move(excluded.begin(), excluded.end(), std::back_inserter(d_.candidates));
      return false;
    }

    StrategyContext context;
    // Only the round-robins read the ledger.
    if (pool.strategy == Strategy::kRoundRobin || pool.strategy == Strategy::kWeightedRoundRobin) {
      context.ledger = roster_.ledger(name);
    }
    context.combined_score = d_.scores.combined;
    context.pool_conversion_rate = pool_conversion_rate(pool_assigned, pool_converted);
    context.best_match = policy_.best_match;
    const std::size_t won = pick_rep(pool.strategy, eligible_, context);
    const StrategyEntry winner = eligible_[won];

    // Winner first, then the others best first.
    std::swap(eligible_[0], eligible_[won]);
    const std::size_t listed = pool.strategy == Strategy::kWeightedRoundRobin
                                   ? eligible_.size()
                                   : std::min(eligible_.size(), kMaxRunnersUp + 1);
    const auto by_score = [](const StrategyEntry& a, const StrategyEntry& b) {
      return a.score != b.score ? a.score > b.score : a.rep->id < b.rep->id;
    };
    // Top `listed` by insertion: a handful out of a pool of tens, cheaper
    // than any general-purpose partial sort.
    std::sort(eligible_.begin() + 1, eligible_.begin() + static_cast<std::ptrdiff_t>(listed),
              by_score);
    for (std::size_t i = listed; i < eligible_.size() && listed > 1; ++i) {
      if (!by_score(eligible_[i], eligible_[listed - 1])) {
        continue;
      }
      std::swap(eligible_[i], eligible_[listed - 1]);
      for (std::size_t j = listed - 1; j > 1 && by_score(eligible_[j], eligible_[j - 1]); --j) {
        std::swap(eligible_[j], eligible_[j - 1]);
      }
    }
    d_.candidates.reserve(d_.candidates.size() + listed + excluded.size());
    for (std::size_t i = 0; i < listed; ++i) {
      Candidate c = make_candidate(*eligible_[i].rep, name);
      c.strategy_score = eligible_[i].score;
      c.note = i == 0 ? winner_note(pool.strategy) : loser_note(pool.strategy);
      d_.candidates.push_back(std::move(c));
    }
    std::move(excluded.begin(), excluded.end(), std::back_inserter(d_.candidates));

    assign(*winner.rep);
    d_.pool = name;
    d_.strategy = pool.strategy;
    s.outcome =
        fmt::format(FMT_COMPILE("matched: {} of {} eligible"), winner.rep->id, eligible_.size());
    return true;
  }

  const Policy& policy_;
  const PoolDirectory& pools_;
  const Roster& roster_;
  const Lead& lead_;
  const Tier* tier_;
  Decision& d_;
  Timestamp now_;
  const RouteOptions& options_;
  std::vector<std::size_t> members_;
  std::vector<StrategyEntry> eligible_;
};

std::optional<Timestamp> sla_deadline(const Tier& tier, const Decision& d, const Roster& roster,
                                      Timestamp now) {
  if (tier.sla_duration_seconds() <= 0) {
    return std::nullopt;
  }
  const std::chrono::seconds sla{tier.sla_duration_seconds()};
  if (tier.business_hours && d.assignee_kind == AssigneeKind::kRep) {
    const auto index = roster.index_of(d.assignee_id);
    if (index) {
      const Rep& rep = roster.reps()[*index];
      if (rep.working_hours) {
        const auto due = add_working_time(rep.working_hours->windows, roster.zone_at(*index),
                                          rep.time_off, now, sla);
        // A rep whose hours never add up to the SLA still gets a deadline.
        if (due) {
          return due;
        }
      }
    }
  }
  return now + sla;
}

}  // namespace

Router::Router(std::shared_ptr<const Policy> policy,
               std::shared_ptr<const FreeMailDomains> free_mail,
               std::shared_ptr<const ModelScorer> model)
    : policy_(std::move(policy)),
      free_mail_(free_mail ? std::move(free_mail) : std::make_shared<const FreeMailDomains>()),
      model_(std::move(model)),
      plan_(std::make_shared<const Plan>(policy_, model_.get())) {}

Decision Router::route(const Lead& lead, const Enrichment& enrichment, const Roster& roster,
                       Timestamp now, const RouteOptions& options) const {
  const Policy& policy = *policy_;
  Decision d;
  d.lead_id = lead.id;
  d.policy_name = policy.name;
  d.policy_version = policy.version;
  d.decided_at = now;
  d.enrichment = enrichment;
  d.facts = derive_facts(lead, *free_mail_);

  const FieldContext lead_ctx{lead, d.facts, d.enrichment, nullptr};
  d.scores = plan_->scorer.score(lead_ctx, now);
  for (const Territory& territory : policy.territories) {
    if (evaluate(territory.when, lead_ctx)) {
      d.territory = territory.name;
      break;
    }
  }
  d.segment = plan_->segments.key(lead_ctx);
  const Tier* tier = plan_->scorer.tier_for(d.scores.combined);
  if (tier != nullptr) {
    d.tier = tier->name;
    d.task_priority = tier->task_priority;
  }

  RoutingFacts routing;
  routing.territory = d.territory;
  routing.tier = d.tier;
  routing.segment = d.segment;
  routing.score = d.scores.combined;
  routing.fit_score = d.scores.fit;
  routing.intent_score = d.scores.intent;
  if (d.scores.model) {
    routing.model_probability = d.scores.model->probability;
  }
  const FieldContext route_ctx{lead, d.facts, d.enrichment, &routing};

  DestinationWalk walk(policy, plan_->pools, roster, lead, tier, d, now, options);
  bool placed = false;
  if (tier != nullptr && tier->nurture) {
    d.route = fmt::format("tier:{} nurture", tier->name);
    placed = walk.try_destination(*tier->nurture, nullptr, d.route);
  } else {
    for (const Route& route : policy.routes) {
      if (!evaluate(route.when, route_ctx)) {
        continue;
      }
      d.route = route.name;
      placed = walk.try_destination(route.destination, &route, route.name);
      for (std::size_t i = 0; !placed && i < route.fallbacks.size(); ++i) {
        placed = walk.try_destination(route.fallbacks[i], &route,
                                      fmt::format("{} fallback {}", route.name, i + 1));
        d.used_fallback = placed;
      }
      // The first matching route owns the lead: its fallbacks, then the
      // policy's final fallback; later routes are not consulted.
      break;
    }
  }
  // A policy without final_fallback parses to a queue with no id; that means
  // "none configured", so such leads land in the unassigned queue below.
  const bool has_final_fallback = policy.final_fallback.kind != DestinationKind::kQueue ||
                                  !policy.final_fallback.target.empty();
  if (!placed && has_final_fallback) {
    d.route = std::string(kFinalFallbackStep);
    d.used_fallback = true;
    placed = walk.try_destination(policy.final_fallback, nullptr, kFinalFallbackStep);
  }
  if (!placed) {
    d.route = std::string(kFinalFallbackStep);
    d.assignee_kind = AssigneeKind::kQueue;
    d.assignee_id = std::string(kUnassignedQueue);
    d.trail.push_back({std::string(kUnassignedQueue),
                       Destination{DestinationKind::kQueue, std::string(kUnassignedQueue)},
                       "matched: nothing else could take the lead"});
  }
  if (d.assignee_kind != AssigneeKind::kRep) {
    d.pool.clear();
    d.strategy.reset();
  }

  if (tier != nullptr) {
    d.sla_minutes = tier->sla_minutes;
    d.sla_seconds = tier->sla_duration_seconds();
    d.sla_deadline = sla_deadline(*tier, d, roster, now);
  }
  d.explanation = explain(d);
  return d;
}

}  // namespace leadrouter::core
