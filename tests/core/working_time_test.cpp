#include "core/working_time.hpp"

#include <date/date.h>
#include <gtest/gtest.h>

#include "tests/core/routing_fixtures.hpp"

namespace leadrouter::core {
namespace {

using std::chrono::minutes;
using testing::at;

std::int64_t day_number(int y, unsigned m, unsigned d) {
  return date::sys_days{date::year{y} / date::month{m} / date::day{d}}.time_since_epoch().count();
}

class WorkingTimeTest : public ::testing::Test {
 protected:
  const date::time_zone* new_york = find_time_zone("America/New_York");
  const date::time_zone* berlin = find_time_zone("Europe/Berlin");
  std::vector<WeeklyWindow> office = testing::office_hours("").windows;
  std::vector<TimeOff> no_time_off;
};

TEST_F(WorkingTimeTest, ResolvesZonesAndRejectsUnknownOnes) {
  ASSERT_NE(new_york, nullptr);
  ASSERT_NE(berlin, nullptr);
  EXPECT_EQ(find_time_zone("Mars/Olympus_Mons"), nullptr);
  EXPECT_EQ(find_time_zone(""), nullptr);
}

TEST_F(WorkingTimeTest, NewYorkHoursFollowTheSpringChange) {
  // Friday before the change: 09:00 EST is 14:00Z.
  EXPECT_FALSE(in_working_hours(office, new_york, at("2026-03-06T13:59:00Z")));
  EXPECT_TRUE(in_working_hours(office, new_york, at("2026-03-06T14:00:00Z")));
  // Monday after 2026-03-08: 09:00 EDT is 13:00Z, 17:00 EDT is 21:00Z.
  EXPECT_FALSE(in_working_hours(office, new_york, at("2026-03-09T12:59:00Z")));
  EXPECT_TRUE(in_working_hours(office, new_york, at("2026-03-09T13:00:00Z")));
  EXPECT_TRUE(in_working_hours(office, new_york, at("2026-03-09T20:59:59Z")));
  EXPECT_FALSE(in_working_hours(office, new_york, at("2026-03-09T21:00:00Z")));
  // Sunday, the day of the change.
  EXPECT_FALSE(in_working_hours(office, new_york, at("2026-03-08T15:00:00Z")));
}

TEST_F(WorkingTimeTest, NewYorkHoursFollowTheAutumnChange) {
  EXPECT_TRUE(in_working_hours(office, new_york, at("2026-10-30T13:00:00Z")));   // 09:00 EDT
  EXPECT_FALSE(in_working_hours(office, new_york, at("2026-11-02T13:30:00Z")));  // 08:30 EST
  EXPECT_TRUE(in_working_hours(office, new_york, at("2026-11-02T14:00:00Z")));   // 09:00 EST
}

TEST_F(WorkingTimeTest, BerlinHoursFollowTheSpringChange) {
  EXPECT_FALSE(in_working_hours(office, berlin, at("2026-03-27T07:59:00Z")));  // 08:59 CET
  EXPECT_TRUE(in_working_hours(office, berlin, at("2026-03-27T08:00:00Z")));   // 09:00 CET
  EXPECT_FALSE(in_working_hours(office, berlin, at("2026-03-30T06:59:00Z")));  // 08:59 CEST
  EXPECT_TRUE(in_working_hours(office, berlin, at("2026-03-30T07:00:00Z")));   // 09:00 CEST
}

TEST_F(WorkingTimeTest, NoZoneMeansUtc) {
  EXPECT_TRUE(in_working_hours(office, nullptr, at("2026-03-09T09:00:00Z")));
  EXPECT_FALSE(in_working_hours(office, nullptr, at("2026-03-09T17:00:00Z")));
}

TEST_F(WorkingTimeTest, DayKeysAreLocalCalendarDays) {
  // 03:00Z on the 9th is still the evening of the 8th in New York...
  EXPECT_EQ(local_day_key(new_york, at("2026-03-09T03:00:00Z")), day_number(2026, 3, 8));
  // ...and 23:30Z on the 8th already the 9th in Berlin.
  EXPECT_EQ(local_day_key(berlin, at("2026-03-08T23:30:00Z")), day_number(2026, 3, 9));
  EXPECT_EQ(local_day_key(nullptr, at("2026-03-08T23:30:00Z")), day_number(2026, 3, 8));
  EXPECT_EQ(utc_hour_key(at("1970-01-02T01:59:59Z")), 25);
}

TEST_F(WorkingTimeTest, SlaSkipsTheWeekendAcrossSpringForward) {
  // Friday 16:30 EST + 60 working minutes: 30 on Friday, 30 on Monday (EDT).
  EXPECT_EQ(
      add_working_minutes(office, new_york, no_time_off, at("2026-03-06T21:30:00Z"), minutes{60}),
      at("2026-03-09T13:30:00Z"));
}

TEST_F(WorkingTimeTest, SlaSkipsTheWeekendAcrossFallBack) {
  EXPECT_EQ(
      add_working_minutes(office, new_york, no_time_off, at("2026-10-30T20:30:00Z"), minutes{60}),
      at("2026-11-02T14:30:00Z"));
}

TEST_F(WorkingTimeTest, SlaInBerlinAcrossTheChange) {
  EXPECT_EQ(
      add_working_minutes(office, berlin, no_time_off, at("2026-03-27T15:30:00Z"), minutes{60}),
      at("2026-03-30T07:30:00Z"));
}

TEST_F(WorkingTimeTest, SlaWithinAndBeforeAndAcrossDays) {
  EXPECT_EQ(
      add_working_minutes(office, new_york, no_time_off, at("2026-03-09T14:00:00Z"), minutes{30}),
      at("2026-03-09T14:30:00Z"));
  EXPECT_EQ(
      add_working_minutes(office, new_york, no_time_off, at("2026-03-09T11:00:00Z"), minutes{30}),
      at("2026-03-09T13:30:00Z"));
  // Two full working days from Monday's opening end at Tuesday's closing.
  EXPECT_EQ(add_working_minutes(office, new_york, no_time_off, at("2026-03-09T13:00:00Z"),
                                minutes{16 * 60}),
            at("2026-03-10T21:00:00Z"));
  EXPECT_EQ(
      add_working_minutes(office, new_york, no_time_off, at("2026-03-09T11:00:00Z"), minutes{0}),
      at("2026-03-09T11:00:00Z"));
}

TEST_F(WorkingTimeTest, WindowOnTheChangeDayIsAsLongAsTheWallClockSays) {
  // Sunday 00:00-06:00 local: five real hours on 2026-03-08, seven on 2026-11-01.
  const std::vector<WeeklyWindow> night = {{0, 0, 360}};
  EXPECT_EQ(
      add_working_minutes(night, new_york, no_time_off, at("2026-03-08T05:00:00Z"), minutes{300}),
      at("2026-03-08T10:00:00Z"));
  // The 301st minute is on the next Sunday, 00:00 EDT = 04:00Z.
  EXPECT_EQ(
      add_working_minutes(night, new_york, no_time_off, at("2026-03-08T05:00:00Z"), minutes{330}),
      at("2026-03-15T04:30:00Z"));
  EXPECT_EQ(
      add_working_minutes(night, new_york, no_time_off, at("2026-11-01T04:00:00Z"), minutes{420}),
      at("2026-11-01T11:00:00Z"));
  // Both passes through 01:30 on the fall-back night are in the window.
  EXPECT_TRUE(in_working_hours(night, new_york, at("2026-11-01T05:30:00Z")));
  EXPECT_TRUE(in_working_hours(night, new_york, at("2026-11-01T06:30:00Z")));
}

TEST_F(WorkingTimeTest, SlaSkipsTimeOff) {
  const std::vector<TimeOff> morning_off = {
      {at("2026-03-09T13:00:00Z"), at("2026-03-09T17:00:00Z"), "dentist"}};
  EXPECT_EQ(
      add_working_minutes(office, new_york, morning_off, at("2026-03-09T13:00:00Z"), minutes{60}),
      at("2026-03-09T18:00:00Z"));
  const std::vector<TimeOff> whole_week = {
      {at("2026-03-09T00:00:00Z"), at("2026-03-14T00:00:00Z"), "holiday"}};
  EXPECT_EQ(
      add_working_minutes(office, new_york, whole_week, at("2026-03-09T13:00:00Z"), minutes{30}),
      at("2026-03-16T13:30:00Z"));
}

TEST_F(WorkingTimeTest, NoWindowsNeverReachTheDeadline) {
  EXPECT_EQ(add_working_minutes({}, new_york, no_time_off, at("2026-03-09T13:00:00Z"), minutes{1}),
            std::nullopt);
}

TEST_F(WorkingTimeTest, TimeOffCoversHalfOpenIntervals) {
  const std::vector<TimeOff> off = {{at("2026-03-09T13:00:00Z"), at("2026-03-09T17:00:00Z"), ""}};
  EXPECT_EQ(time_off_at(off, at("2026-03-09T12:59:59Z")), nullptr);
  EXPECT_NE(time_off_at(off, at("2026-03-09T13:00:00Z")), nullptr);
  EXPECT_EQ(time_off_at(off, at("2026-03-09T17:00:00Z")), nullptr);
}

}  // namespace
}  // namespace leadrouter::core
