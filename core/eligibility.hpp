// Hard constraints on who may take a lead (step 7 of routing). Every reason a
// rep is excluded is reported, not just the first, so an admin reading a
// decision sees the whole picture ("OOO and daily cap reached").
//
//   EligibilityRules rules{.business_hours = tier.business_hours, ...};
//   std::vector<Exclusion> why;
//   if (!check_eligibility(rep, roster.state_at(i), roster.zone_at(i), rules, now, why)) ...
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/decision.hpp"
#include "core/rep.hpp"
#include "core/roster.hpp"
#include "core/time.hpp"

namespace leadrouter::core {

struct EligibilityRules {
  bool business_hours = false;  // the tier needs the rep to be in working hours now
  const std::vector<std::string>* required_skills = nullptr;
  bool match_territory = false;
  std::string_view territory;  // the lead's territory; "" when none matched
  bool match_language = false;
  std::string_view language;  // the lead's language; "" when unknown (no check)
};

// Appends one Exclusion per constraint `rep` fails at `now` and returns
// whether it passed them all. `zone` is the rep's resolved time zone (null:
// UTC) for working hours and the per-day cap.
bool check_eligibility(const Rep& rep, const RepState& state, const date::time_zone* zone,
                       const EligibilityRules& rules, Timestamp now,
                       std::vector<Exclusion>& exclusions);

// Leads assigned to the rep in the period containing `now` (a keyed counter
// from an earlier period reads as zero).
int assigned_in_day(const RepState& state, const date::time_zone* zone, Timestamp now);
int assigned_in_hour(const RepState& state, Timestamp now);

// Whether two BCP 47 tags share a primary language ("en-GB" ~ "EN").
bool same_language(std::string_view a, std::string_view b);

}  // namespace leadrouter::core
