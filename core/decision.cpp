#include "core/decision.hpp"

namespace leadrouter::core {

const char* to_string(ExclusionReason reason) {
  switch (reason) {
    case ExclusionReason::kInactive:
      return "inactive";
    case ExclusionReason::kOutOfOffice:
      return "out_of_office";
    case ExclusionReason::kOutsideWorkingHours:
      return "outside_working_hours";
    case ExclusionReason::kOpenLoadCap:
      return "open_load_cap";
    case ExclusionReason::kDailyCap:
      return "daily_cap";
    case ExclusionReason::kHourlyCap:
      return "hourly_cap";
    case ExclusionReason::kMissingSkill:
      return "missing_skill";
    case ExclusionReason::kMissingLanguage:
      return "missing_language";
    case ExclusionReason::kTerritoryMismatch:
      return "territory_mismatch";
    case ExclusionReason::kAlreadyHadLead:
      return "already_had_lead";
  }
  return "unknown";
}

}  // namespace leadrouter::core
