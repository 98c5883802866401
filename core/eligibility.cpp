#include "core/eligibility.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/text.hpp"
#include "core/working_time.hpp"

namespace leadrouter::core {
namespace {

std::string_view primary_subtag(std::string_view tag) {
  return tag.substr(0, tag.find_first_of("-_"));
}

}  // namespace

bool same_language(std::string_view a, std::string_view b) {
  a = primary_subtag(a);
  b = primary_subtag(b);
  return iequals(a, b);
}

int assigned_in_day(const RepState& state, const date::time_zone* zone, Timestamp now) {
  return state.day_key == local_day_key(zone, now) ? state.assigned_in_day : 0;
}

int assigned_in_hour(const RepState& state, Timestamp now) {
  return state.hour_key == utc_hour_key(now) ? state.assigned_in_hour : 0;
}

bool check_eligibility(const Rep& rep, const RepState& state, const date::time_zone* zone,
                       const EligibilityRules& rules, Timestamp now,
                       std::vector<Exclusion>& exclusions) {
  const std::size_t before = exclusions.size();
  if (!rep.active) {
    exclusions.push_back({ExclusionReason::kInactive, "inactive"});
  }
  if (const TimeOff* off = time_off_at(rep.time_off, now)) {
    exclusions.push_back(
        {ExclusionReason::kOutOfOffice,
         off->reason.empty()
             ? fmt::format("out of office until {}", format_iso8601(off->end))
             : fmt::format("out of office ({}) until {}", off->reason, format_iso8601(off->end))});
  }
  if (rules.business_hours && rep.working_hours &&
      !in_working_hours(rep.working_hours->windows, zone, now)) {
    exclusions.push_back({ExclusionReason::kOutsideWorkingHours,
                          fmt::format("outside working hours ({})", rep.working_hours->time_zone)});
  }
  if (rep.capacity.max_open && state.open_load >= *rep.capacity.max_open) {
    exclusions.push_back({ExclusionReason::kOpenLoadCap,
                          fmt::format("open-load cap {} reached", *rep.capacity.max_open)});
  }
  // Under the cap whatever day the counter counts: skip the time-zone lookup.
  if (rep.capacity.max_per_day && state.assigned_in_day >= *rep.capacity.max_per_day &&
      assigned_in_day(state, zone, now) >= *rep.capacity.max_per_day) {
    exclusions.push_back({ExclusionReason::kDailyCap,
                          fmt::format("daily cap {} reached", *rep.capacity.max_per_day)});
  }
  if (rep.capacity.max_per_hour && state.assigned_in_hour >= *rep.capacity.max_per_hour &&
      assigned_in_hour(state, now) >= *rep.capacity.max_per_hour) {
    exclusions.push_back({ExclusionReason::kHourlyCap,
                          fmt::format("hourly cap {} reached", *rep.capacity.max_per_hour)});
  }
  if (rules.required_skills != nullptr) {
    for (const std::string& skill : *rules.required_skills) {
      if (std::find(rep.skills.begin(), rep.skills.end(), skill) == rep.skills.end()) {
        exclusions.push_back(
            {ExclusionReason::kMissingSkill, fmt::format("missing skill '{}'", skill)});
      }
    }
  }
  if (rules.match_language && !rules.language.empty() &&
      std::none_of(rep.languages.begin(), rep.languages.end(),
                   [&](const std::string& l) { return same_language(l, rules.language); })) {
    exclusions.push_back(
        {ExclusionReason::kMissingLanguage, fmt::format("does not speak '{}'", rules.language)});
  }
  if (rules.match_territory) {
    if (rules.territory.empty()) {
      // With no territory on the lead nobody can be shown to cover it; the
      // route's fallback decides instead of an arbitrary rep.
      exclusions.push_back({ExclusionReason::kTerritoryMismatch, "lead matched no territory"});
    } else if (std::find(rep.territories.begin(), rep.territories.end(), rules.territory) ==
               rep.territories.end()) {
      exclusions.push_back({ExclusionReason::kTerritoryMismatch,
                            fmt::format("does not cover territory '{}'", rules.territory)});
    }
  }
  return exclusions.size() == before;
}

}  // namespace leadrouter::core
