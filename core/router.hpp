// Router::route turns a lead into a Decision: facts, fit, intent, model score,
// tier, route walk with fallbacks, rep eligibility, strategy, explanation.
// It is a pure function of its arguments: same inputs, same decision.
//
//   core::Router router(policy, free_mail, model);   // model may be null
//   core::Decision d = router.route(lead, {}, roster, now);
//   roster.commit(d);                                 // only when acting on it
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/decision.hpp"
#include "core/lead.hpp"
#include "core/lead_facts.hpp"
#include "core/model_scorer.hpp"
#include "core/policy.hpp"
#include "core/roster.hpp"

namespace leadrouter::core {

// Where a lead goes when even the policy's final fallback yields no one (a
// pool with no eligible rep, an owner who is away): a queue, never a drop.
inline constexpr std::string_view kUnassignedQueue = "unassigned";

// What a re-route knows that a first route does not.
struct RouteOptions {
  // Reps who already had the lead: an SLA reassignment never hands it back
  // to one of them (they are listed as excluded, "already had this lead").
  std::vector<std::string> exclude_reps;
};

class Router {
 public:
  Router(std::shared_ptr<const Policy> policy, std::shared_ptr<const FreeMailDomains> free_mail,
         std::shared_ptr<const ModelScorer> model = nullptr);

  Decision route(const Lead& lead, const Enrichment& enrichment, const Roster& roster,
                 Timestamp now, const RouteOptions& options) const;
  Decision route(const Lead& lead, const Enrichment& enrichment, const Roster& roster,
                 Timestamp now) const {
    return route(lead, enrichment, roster, now, RouteOptions{});
  }
  Decision route(const Lead& lead, const Roster& roster, Timestamp now) const {
    return route(lead, Enrichment{}, roster, now);
  }

  const Policy& policy() const { return *policy_; }

 private:
  std::shared_ptr<const Policy> policy_;
  std::shared_ptr<const FreeMailDomains> free_mail_;
  std::shared_ptr<const ModelScorer> model_;
  // Implementation details (precomputed pool membership, etc.) live in router.cpp.
  struct Plan;
  std::shared_ptr<const Plan> plan_;
};

}  // namespace leadrouter::core
