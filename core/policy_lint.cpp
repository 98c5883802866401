// lint_policy: checks that need the whole policy (and the reps) at once and
// that point at mistakes rather than at invalid input.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/field_value.hpp"
#include "core/json_reader.hpp"
#include "core/policy.hpp"

namespace leadrouter::core {
namespace {

using Severity = LintFinding::Severity;

bool always_false(const Condition& c);

bool always_true(const Condition& c) {
  switch (c.kind) {
    case Condition::Kind::kAlways:
      return true;
    case Condition::Kind::kAll:
      return std::all_of(c.children.begin(), c.children.end(), always_true);
    case Condition::Kind::kAny:
      return std::any_of(c.children.begin(), c.children.end(), always_true);
    case Condition::Kind::kNot:
      return c.children.size() == 1 && always_false(c.children.front());
    case Condition::Kind::kField:
      return false;
  }
  return false;
}

bool always_false(const Condition& c) {
  switch (c.kind) {
    case Condition::Kind::kAlways:
      return false;
    case Condition::Kind::kAll:
      return std::any_of(c.children.begin(), c.children.end(), always_false);
    case Condition::Kind::kAny:
      return std::all_of(c.children.begin(), c.children.end(), always_false);
    case Condition::Kind::kNot:
      return c.children.size() == 1 && always_true(c.children.front());
    case Condition::Kind::kField:
      return false;
  }
  return false;
}

bool same_condition(const Condition& a, const Condition& b) {
  if (a.kind != b.kind || a.children.size() != b.children.size()) {
    return false;
  }
  if (a.kind == Condition::Kind::kField) {
    return a.field.field == b.field.field && a.field.op == b.field.op &&
           a.field.values == b.field.values && a.field.case_sensitive == b.field.case_sensitive;
  }
  for (std::size_t i = 0; i < a.children.size(); ++i) {
    if (!same_condition(a.children[i], b.children[i])) {
      return false;
    }
  }
  return true;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

class Linter {
 public:
  Linter(const Policy& policy, const std::vector<Rep>& roster) : policy_(policy) {
    // The policy's rep attributes are merged over the roster's (CRM) reps.
    for (const auto& rep : roster) {
      reps_[rep.id] = {&rep, fmt::format("roster:{}", rep.id)};
    }
    for (std::size_t i = 0; i < policy.reps.size(); ++i) {
      reps_[policy.reps[i].id] = {&policy.reps[i], json_path("/reps", i)};
    }
  }

  std::vector<LintFinding> run() {
    check_fields();
    check_routes();
    check_tiers();
    if (policy_.final_fallback.target.empty()) {
      add(Severity::kWarning, "/final_fallback",
          "no final_fallback: a lead that no route places has nowhere to go; add "
          "{\"queue\": \"...\"}");
    }
    if (reps_.empty()) {
      add(Severity::kWarning, "/reps", "no reps known; pool, skill and territory checks skipped");
    } else {
      check_pools();
      check_reps();
    }
    return std::move(findings_);
  }

 private:
  struct RepRef {
    const Rep* rep = nullptr;
    std::string path;
  };

  void add(Severity severity, std::string path, std::string message) {
    findings_.push_back({severity, std::move(path), std::move(message)});
  }

  void check_condition_fields(const Condition& c, const std::string& path, bool routing_allowed) {
    switch (c.kind) {
      case Condition::Kind::kAlways:
        return;
      case Condition::Kind::kAll:
      case Condition::Kind::kAny:
        for (std::size_t i = 0; i < c.children.size(); ++i) {
          check_condition_fields(
              c.children[i],
              json_path(json_path(path, c.kind == Condition::Kind::kAll ? "all" : "any"), i),
              routing_allowed);
        }
        return;
      case Condition::Kind::kNot:
        for (const auto& child : c.children) {
          check_condition_fields(child, json_path(path, "not"), routing_allowed);
        }
        return;
      case Condition::Kind::kField: {
        const FieldScope scope = field_scope(c.field.field);
        if (scope == FieldScope::kUnknown) {
          add(Severity::kError, json_path(path, "field"),
              fmt::format("unknown field '{}'", c.field.field));
        } else if (scope == FieldScope::kRouting && !routing_allowed) {
          add(Severity::kError, json_path(path, "field"),
              fmt::format("field '{}' is only known when routing; it never matches here",
                          c.field.field));
        }
        return;
      }
    }
  }

  // Policies parsed from JSON are already checked; policies built in code
  // (tests, tools) are not.
  void check_fields() {
    for (std::size_t i = 0; i < policy_.fit.rules.size(); ++i) {
      check_condition_fields(policy_.fit.rules[i].when,
                             json_path(json_path("/fit/rules", i), "when"), false);
    }
    for (std::size_t i = 0; i < policy_.territories.size(); ++i) {
      check_condition_fields(policy_.territories[i].when,
                             json_path(json_path("/territories", i), "when"), false);
    }
    for (std::size_t i = 0; i < policy_.routes.size(); ++i) {
      check_condition_fields(policy_.routes[i].when, json_path(json_path("/routes", i), "when"),
                             true);
    }
    for (std::size_t i = 0; i < policy_.segments.size(); ++i) {
      if (field_scope(policy_.segments[i].field) != FieldScope::kLead) {
        add(Severity::kError, json_path(json_path("/segments", i), "field"),
            fmt::format("'{}' is not a lead field", policy_.segments[i].field));
      }
    }
  }

  void check_routes() {
    const auto& routes = policy_.routes;
    for (std::size_t i = 0; i < routes.size(); ++i) {
      const std::string path = json_path("/routes", i);
      bool shadowed = false;
      for (std::size_t j = 0; j < i && !shadowed; ++j) {
        if (always_true(routes[j].when)) {
          add(Severity::kError, path,
              fmt::format("route '{}' is unreachable: route '{}' ({}) before it matches every lead",
                          routes[i].name, routes[j].name, json_path("/routes", j)));
          shadowed = true;
        } else if (same_condition(routes[j].when, routes[i].when)) {
          add(Severity::kError, path,
              fmt::format("route '{}' is unreachable: route '{}' ({}) before it has the same "
                          "condition",
                          routes[i].name, routes[j].name, json_path("/routes", j)));
          shadowed = true;
        }
      }
      if (!shadowed && always_false(routes[i].when)) {
        add(Severity::kError, json_path(path, "when"),
            fmt::format("route '{}' can never match: its condition is always false",
                        routes[i].name));
      }
    }
  }

  void check_tiers() {
    const auto& tiers = policy_.tiers;
    if (tiers.empty()) {
      add(Severity::kWarning, "/tiers",
          "no tiers: leads get no tier, SLA or task priority; add at least one tier with "
          "min_score 0");
      return;
    }
    // Tiers are sorted highest first, so the last one is the floor.
    if (tiers.back().min_score > 0) {
      add(Severity::kWarning, json_path("/tiers", tiers.size() - 1),
          fmt::format("scores below {} fall in no tier; give the lowest tier ('{}') min_score 0 "
                      "or add one",
                      tiers.back().min_score, tiers.back().name));
    }
    for (std::size_t i = 0; i + 1 < tiers.size(); ++i) {
      if (tiers[i].min_score == tiers[i + 1].min_score) {
        add(Severity::kError, json_path("/tiers", i + 1),
            fmt::format("tiers '{}' and '{}' overlap: both start at {}", tiers[i].name,
                        tiers[i + 1].name, tiers[i].min_score));
      }
      if (tiers[i].nurture && !tiers[i + 1].nurture) {
        add(Severity::kWarning, json_path("/tiers", i),
            fmt::format("tier '{}' sends leads to nurture although the lower tier '{}' routes "
                        "them to reps",
                        tiers[i].name, tiers[i + 1].name));
      }
    }
    check_breach_steps();
  }

  // Breach steps that can never do what they say.
  void check_breach_steps() {
    const bool any_manager = std::any_of(reps_.begin(), reps_.end(), [](const auto& entry) {
      return !entry.second.rep->manager_id.empty();
    });
    for (std::size_t i = 0; i < policy_.tiers.size(); ++i) {
      const Tier& tier = policy_.tiers[i];
      if (tier.on_breach.empty()) {
        continue;
      }
      const std::string path = json_path(json_path("/tiers", i), "on_breach");
      if (tier.nurture) {
        add(Severity::kWarning, path,
            fmt::format("tier '{}' sends leads to nurture, not to a rep: its breach steps never "
                        "run",
                        tier.name));
        continue;
      }
      for (std::size_t s = 0; s < tier.on_breach.size(); ++s) {
        const BreachStep& step = tier.on_breach[s];
        if (step.action == BreachAction::kEscalate && step.to == EscalateTo::kManager &&
            !any_manager && !reps_.empty()) {
          add(Severity::kWarning, json_path(path, s),
              fmt::format("no rep has a manager_id: every escalation of tier '{}' goes to queue "
                          "'{}'",
                          tier.name, step.queue));
        }
      }
    }
  }

  std::vector<const Rep*> members(const Pool& pool) const {
    std::vector<const Rep*> out;
    for (const auto& [id, ref] : reps_) {
      const bool by_team =
          std::any_of(ref.rep->teams.begin(), ref.rep->teams.end(),
                      [&](const std::string& t) { return contains(pool.teams, t); });
      if (by_team || contains(pool.reps, id)) {
        out.push_back(ref.rep);
      }
    }
    return out;
  }

  bool pool_used(const std::string& name) const {
    auto uses = [&](const Destination& d) {
      return d.kind == DestinationKind::kPool && d.target == name;
    };
    for (const auto& route : policy_.routes) {
      if (uses(route.destination) ||
          std::any_of(route.fallbacks.begin(), route.fallbacks.end(), uses)) {
        return true;
      }
    }
    return false;
  }

  // True when `d` is a pool with members, none of whom has `skill`.
  bool lacks_skill(const Destination& d, const std::string& skill) const {
    if (d.kind != DestinationKind::kPool) {
      return false;
    }
    const Pool* pool = policy_.find_pool(d.target);
    if (pool == nullptr) {
      return false;
    }
    const auto m = members(*pool);
    return !m.empty() && std::none_of(m.begin(), m.end(),
                                      [&](const Rep* r) { return contains(r->skills, skill); });
  }

  void check_pools() {
    for (std::size_t i = 0; i < policy_.pools.size(); ++i) {
      const Pool& pool = policy_.pools[i];
      const std::string path = json_path("/pools", i);
      for (std::size_t k = 0; k < pool.reps.size(); ++k) {
        if (!reps_.contains(pool.reps[k])) {
          add(Severity::kWarning, json_path(json_path(path, "reps"), k),
              fmt::format("rep '{}' of pool '{}' is not in the roster", pool.reps[k], pool.name));
        }
      }
      const auto m = members(pool);
      if (m.empty()) {
        add(Severity::kError, path,
            fmt::format("pool '{}' has no reps: no rep is in its teams or listed by id",
                        pool.name));
      } else if (std::none_of(m.begin(), m.end(), [](const Rep* r) { return r->active; })) {
        add(Severity::kWarning, path,
            fmt::format("pool '{}' has no active reps; every lead falls back", pool.name));
      }
      if (!pool_used(pool.name)) {
        add(Severity::kWarning, path,
            fmt::format("pool '{}' is not used by any route or fallback", pool.name));
      }
    }

    for (std::size_t i = 0; i < policy_.routes.size(); ++i) {
      const Route& route = policy_.routes[i];
      const std::string path = json_path("/routes", i);
      for (std::size_t k = 0; k < route.required_skills.size(); ++k) {
        const std::string& skill = route.required_skills[k];
        const std::string skill_path = json_path(json_path(path, "required_skills"), k);
        const bool anyone = std::any_of(reps_.begin(), reps_.end(), [&](const auto& entry) {
          return contains(entry.second.rep->skills, skill);
        });
        if (!anyone) {
          add(Severity::kError, skill_path,
              fmt::format("no rep has skill '{}'; route '{}' can never assign a rep", skill,
                          route.name));
          continue;
        }
        if (lacks_skill(route.destination, skill)) {
          add(Severity::kError, skill_path,
              fmt::format("no rep in pool '{}' has skill '{}'; route '{}' always falls back",
                          route.destination.target, skill, route.name));
        }
        for (std::size_t f = 0; f < route.fallbacks.size(); ++f) {
          if (lacks_skill(route.fallbacks[f], skill)) {
            add(Severity::kWarning, json_path(json_path(path, "fallbacks"), f),
                fmt::format("no rep in fallback pool '{}' has skill '{}' that route '{}' "
                            "requires; this fallback never assigns",
                            route.fallbacks[f].target, skill, route.name));
          }
        }
      }
    }
  }

  void check_reps() {
    std::set<std::string, std::less<>> territories;
    for (const auto& t : policy_.territories) {
      territories.insert(t.name);
    }
    for (const auto& [id, ref] : reps_) {
      const Rep& rep = *ref.rep;
      if (rep.active &&
          std::none_of(policy_.pools.begin(), policy_.pools.end(), [&](const Pool& p) {
            return contains(p.reps, id) ||
                   std::any_of(rep.teams.begin(), rep.teams.end(),
                               [&](const std::string& t) { return contains(p.teams, t); });
          })) {
        add(Severity::kWarning, ref.path,
            fmt::format("rep '{}' ({}) is in no pool and never receives pool leads", rep.name, id));
      }
      for (const auto& t : rep.territories) {
        if (!territories.contains(t)) {
          add(Severity::kWarning, ref.path,
              fmt::format("rep '{}' covers territory '{}', which the policy does not define",
                          rep.name, t));
        }
      }
    }
  }

  const Policy& policy_;
  std::map<std::string, RepRef, std::less<>> reps_;
  std::vector<LintFinding> findings_;
};

}  // namespace

std::vector<LintFinding> lint_policy(const Policy& policy, const std::vector<Rep>& roster) {
  return Linter(policy, roster).run();
}

}  // namespace leadrouter::core
