// Working-time arithmetic in a rep's own time zone: whether a rep is in hours
// or away, which local calendar day a moment falls on (for per-day caps), and
// SLA deadlines that count only working time. DST-correct because every local
// time goes through the IANA database (date/tz.h); nothing here hand-rolls
// offsets.
//
//   const date::time_zone* berlin = find_time_zone("Europe/Berlin");
//   bool working = in_working_hours(rep.working_hours->windows, berlin, now);
//   auto due = add_working_minutes(rep.working_hours->windows, berlin, rep.time_off,
//                                  now, std::chrono::minutes{30});
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/rep.hpp"
#include "core/time.hpp"

namespace date {
class time_zone;
}

namespace leadrouter::core {

// The IANA zone named `name`, or null when the database does not know it.
// Looking a zone up is slow; callers resolve once and keep the pointer (zone
// objects live as long as the process).
const date::time_zone* find_time_zone(std::string_view name);

// Days since 1970-01-01 of the local calendar day `t` falls on in `zone`
// (UTC when `zone` is null). Per-day caps count within one such key.
std::int64_t local_day_key(const date::time_zone* zone, Timestamp t);

// Hours since the epoch, UTC. Per-hour caps count within one such key.
std::int64_t utc_hour_key(Timestamp t);

// Whether the local wall-clock time of `t` in `zone` lies in one of the weekly
// windows ([start, end) in minutes after local midnight).
bool in_working_hours(const std::vector<WeeklyWindow>& windows, const date::time_zone* zone,
                      Timestamp t);

// The absence covering `t`, if any.
const TimeOff* time_off_at(const std::vector<TimeOff>& time_off, Timestamp t);

// The moment at which `amount` of working time has passed since `start`,
// counting only the weekly windows (in `zone`) minus the absences. Windows on
// days when the clocks change are as long as the wall clock says they are.
// nullopt when the windows and absences never provide that much time within
// about a year (no windows at all, or a year-long absence).
std::optional<Timestamp> add_working_minutes(const std::vector<WeeklyWindow>& windows,
                                             const date::time_zone* zone,
                                             const std::vector<TimeOff>& time_off, Timestamp start,
                                             std::chrono::minutes amount);
// The same to the second (SLAs given in sla_seconds, breach steps).
std::optional<Timestamp> add_working_time(const std::vector<WeeklyWindow>& windows,
                                          const date::time_zone* zone,
                                          const std::vector<TimeOff>& time_off, Timestamp start,
                                          std::chrono::seconds amount);

}  // namespace leadrouter::core
