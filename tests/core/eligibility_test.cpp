#include "core/eligibility.hpp"

#include <gtest/gtest.h>

#include "core/working_time.hpp"
#include "tests/core/routing_fixtures.hpp"

namespace leadrouter::core {
namespace {

using testing::at;

class EligibilityTest : public ::testing::Test {
 protected:
  std::vector<ExclusionReason> reasons(const Rep& r, const RepState& s,
                                       const EligibilityRules& rules) {
    std::vector<Exclusion> exclusions;
    const bool ok =
        check_eligibility(r, s, find_time_zone(r.working_hours ? r.working_hours->time_zone : ""),
                          rules, now, exclusions);
    EXPECT_EQ(ok, exclusions.empty());
    std::vector<ExclusionReason> out;
    for (const Exclusion& e : exclusions) {
      out.push_back(e.reason);
      details.push_back(e.detail);
    }
    return out;
  }

  // Monday 10:00 in New York.
  Timestamp now = at("2026-03-09T14:00:00Z");
  Rep rep = testing::make_rep("r1", "Ana Ruiz");
  RepState state;
  EligibilityRules rules;
  std::vector<std::string> details;
};

using Reasons = std::vector<ExclusionReason>;

TEST_F(EligibilityTest, PlainRepIsEligible) {
  EXPECT_EQ(reasons(rep, state, rules), Reasons{});
}

TEST_F(EligibilityTest, Inactive) {
  rep.active = false;
  EXPECT_EQ(reasons(rep, state, rules), Reasons{ExclusionReason::kInactive});
}

TEST_F(EligibilityTest, OutOfOfficeNowOnly) {
  rep.time_off = {{at("2026-03-09T13:00:00Z"), at("2026-03-09T15:00:00Z"), "dentist"}};
  EXPECT_EQ(reasons(rep, state, rules), Reasons{ExclusionReason::kOutOfOffice});
  EXPECT_EQ(details.back(), "out of office (dentist) until 2026-03-09T15:00:00Z");
  now = at("2026-03-09T15:00:00Z");
  EXPECT_EQ(reasons(rep, state, rules), Reasons{});
}

TEST_F(EligibilityTest, WorkingHoursOnlyWhenTheTierNeedsThem) {
  rep.working_hours = testing::office_hours("America/New_York");
  now = at("2026-03-09T12:30:00Z");  // 08:30 EDT
  EXPECT_EQ(reasons(rep, state, rules), Reasons{});
  rules.business_hours = true;
  EXPECT_EQ(reasons(rep, state, rules), Reasons{ExclusionReason::kOutsideWorkingHours});
  now = at("2026-03-09T13:00:00Z");  // 09:00 EDT
  EXPECT_EQ(reasons(rep, state, rules), Reasons{});
}

TEST_F(EligibilityTest, OpenLoadCap) {
  rep.capacity.max_open = 5;
  state.open_load = 4;
  EXPECT_EQ(reasons(rep, state, rules), Reasons{});
  state.open_load = 5;
  EXPECT_EQ(reasons(rep, state, rules), Reasons{ExclusionReason::kOpenLoadCap});
  EXPECT_EQ(details.back(), "open-load cap 5 reached");
}

TEST_F(EligibilityTest, DailyCapCountsTheRepsLocalDay) {
  rep.working_hours = testing::office_hours("America/New_York");
  rep.capacity.max_per_day = 15;
  const date::time_zone* ny = find_time_zone("America/New_York");
  state.day_key = local_day_key(ny, now);
  state.assigned_in_day = 15;
  EXPECT_EQ(reasons(rep, state, rules), Reasons{ExclusionReason::kDailyCap});
  EXPECT_EQ(details.back(), "daily cap 15 reached");
  // 03:00Z on the 10th is still the 9th in New York: still capped.
  now = at("2026-03-10T03:00:00Z");
  EXPECT_EQ(reasons(rep, state, rules), Reasons{ExclusionReason::kDailyCap});
  // Local midnight (04:00Z) starts a new day.
  now = at("2026-03-10T04:00:00Z");
  EXPECT_EQ(reasons(rep, state, rules), Reasons{});
}

TEST_F(EligibilityTest, HourlyCapCountsTheClockHour) {
  rep.capacity.max_per_hour = 2;
  state.hour_key = utc_hour_key(now);
  state.assigned_in_hour = 2;
  EXPECT_EQ(reasons(rep, state, rules), Reasons{ExclusionReason::kHourlyCap});
  now = at("2026-03-09T15:00:00Z");
  EXPECT_EQ(reasons(rep, state, rules), Reasons{});
}

TEST_F(EligibilityTest, EachMissingSkill) {
  rep.skills = {"spanish", "healthcare"};
  const std::vector<std::string> required = {"healthcare", "security", "gov"};
  rules.required_skills = &required;
  EXPECT_EQ(reasons(rep, state, rules),
            (Reasons{ExclusionReason::kMissingSkill, ExclusionReason::kMissingSkill}));
  EXPECT_EQ(details[0], "missing skill 'security'");
}

TEST_F(EligibilityTest, LanguageByPrimaryTagWhenKnown) {
  rep.languages = {"en", "pt-BR"};
  rules.match_language = true;
  rules.language = "";
  EXPECT_EQ(reasons(rep, state, rules), Reasons{});  // unknown language: no check
  rules.language = "PT";
  EXPECT_EQ(reasons(rep, state, rules), Reasons{});
  rules.language = "de-AT";
  EXPECT_EQ(reasons(rep, state, rules), Reasons{ExclusionReason::kMissingLanguage});
  rules.match_language = false;
  EXPECT_EQ(reasons(rep, state, rules), Reasons{});
}

TEST_F(EligibilityTest, TerritoryMismatch) {
  rep.territories = {"US-East"};
  rules.match_territory = true;
  rules.territory = "US-East";
  EXPECT_EQ(reasons(rep, state, rules), Reasons{});
  rules.territory = "EMEA";
  EXPECT_EQ(reasons(rep, state, rules), Reasons{ExclusionReason::kTerritoryMismatch});
  rules.territory = "";
  EXPECT_EQ(reasons(rep, state, rules), Reasons{ExclusionReason::kTerritoryMismatch});
}

TEST_F(EligibilityTest, EveryReasonIsReportedNotJustTheFirst) {
  rep.active = false;
  rep.capacity.max_open = 1;
  state.open_load = 3;
  rep.time_off = {{at("2026-03-09T00:00:00Z"), at("2026-03-10T00:00:00Z"), ""}};
  EXPECT_EQ(reasons(rep, state, rules),
            (Reasons{ExclusionReason::kInactive, ExclusionReason::kOutOfOffice,
                     ExclusionReason::kOpenLoadCap}));
}

TEST(ExclusionReasonTest, NamesAreStable) {
  EXPECT_STREQ(to_string(ExclusionReason::kDailyCap), "daily_cap");
  EXPECT_STREQ(to_string(ExclusionReason::kOutsideWorkingHours), "outside_working_hours");
  EXPECT_STREQ(to_string(ExclusionReason::kAlreadyHadLead), "already_had_lead");
}

}  // namespace
}  // namespace leadrouter::core
