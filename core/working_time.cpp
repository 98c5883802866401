#include "core/working_time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace leadrouter::core {
namespace {

using std::chrono::floor;
using std::chrono::minutes;
using std::chrono::seconds;

// How far ahead an SLA deadline is searched before giving up.
constexpr int kHorizonDays = 400;

date::local_seconds to_local(const date::time_zone* zone, Timestamp t) {
  if (zone == nullptr) {
    return date::local_seconds{t.time_since_epoch()};
  }
  return zone->to_local(t);
}

// A window's opening uses the earliest reading of an ambiguous local time and
// its closing the latest, so a window spanning the repeated hour of a
// fall-back night covers both passes; a local time skipped by spring-forward
// maps to the moment of the change.
Timestamp to_sys(const date::time_zone* zone, date::local_seconds t, date::choose choice) {
  if (zone == nullptr) {
    return Timestamp{t.time_since_epoch()};
  }
  return zone->to_sys(t, choice);
}

}  // namespace

const date::time_zone* find_time_zone(std::string_view name) {
  if (name.empty()) {
    return nullptr;
  }
  try {
    return date::locate_zone(name);
  } catch (const std::runtime_error&) {
    // date/tz.h reports an unknown zone by throwing; here it is a plain answer.
    return nullptr;
  }
}

std::int64_t local_day_key(const date::time_zone* zone, Timestamp t) {
  return floor<date::days>(to_local(zone, t)).time_since_epoch().count();
}

std::int64_t utc_hour_key(Timestamp t) {
  return floor<std::chrono::hours>(t).time_since_epoch().count();
}

bool in_working_hours(const std::vector<WeeklyWindow>& windows, const date::time_zone* zone,
                      Timestamp t) {
  const date::local_seconds local = to_local(zone, t);
  const date::local_days day = floor<date::days>(local);
  const int weekday = static_cast<int>(date::weekday{day}.c_encoding());
  const auto minute = static_cast<int>(floor<minutes>(local - day).count());
  return std::any_of(windows.begin(), windows.end(), [&](const WeeklyWindow& w) {
    return w.weekday == weekday && w.start_minute <= minute && minute < w.end_minute;
  });
}

const TimeOff* time_off_at(const std::vector<TimeOff>& time_off, Timestamp t) {
  for (const TimeOff& off : time_off) {
    if (off.start <= t && t < off.end) {
      return &off;
    }
  }
  return nullptr;
}

std::optional<Timestamp> add_working_minutes(const std::vector<WeeklyWindow>& windows,
                                             const date::time_zone* zone,
                                             const std::vector<TimeOff>& time_off, Timestamp start,
                                             minutes amount) {
  return add_working_time(windows, zone, time_off, start, amount);
}

std::optional<Timestamp> add_working_time(const std::vector<WeeklyWindow>& windows,
                                          const date::time_zone* zone,
                                          const std::vector<TimeOff>& time_off, Timestamp start,
                                          seconds amount) {
  seconds remaining = amount;
  if (remaining <= seconds::zero()) {
    return start;
  }
  std::vector<WeeklyWindow> sorted = windows;
  std::sort(sorted.begin(), sorted.end(), [](const WeeklyWindow& a, const WeeklyWindow& b) {
    return a.weekday != b.weekday ? a.weekday < b.weekday : a.start_minute < b.start_minute;
  });
  std::vector<TimeOff> absences = time_off;
  std::sort(absences.begin(), absences.end(),
            [](const TimeOff& a, const TimeOff& b) { return a.start < b.start; });

  // `cursor` is the end of the working time already counted; overlapping
  // windows therefore never count the same minute twice.
  Timestamp cursor = start;
  const date::local_days first_day = floor<date::days>(to_local(zone, start));
  for (int i = 0; i < kHorizonDays; ++i) {
    const date::local_days day = first_day + date::days{i};
    const int weekday = static_cast<int>(date::weekday{day}.c_encoding());
    for (const WeeklyWindow& w : sorted) {
      if (w.weekday != weekday) {
        continue;
      }
      const Timestamp open = to_sys(zone, day + minutes{w.start_minute}, date::choose::earliest);
      const Timestamp close = to_sys(zone, day + minutes{w.end_minute}, date::choose::latest);
      if (close <= cursor) {
        continue;
      }
      Timestamp piece_start = std::max(open, cursor);
      // Walk the window's pieces between absences.
      for (const TimeOff& off : absences) {
        if (piece_start >= close) {
          break;
        }
        if (off.end <= piece_start) {
          continue;
        }
        if (off.start >= close) {
          break;
        }
        if (off.start > piece_start) {
          const seconds length = off.start - piece_start;
          if (length >= remaining) {
            return piece_start + remaining;
          }
          remaining -= length;
        }
        piece_start = std::max(piece_start, off.end);
      }
      if (piece_start < close) {
        const seconds length = close - piece_start;
        if (length >= remaining) {
          return piece_start + remaining;
        }
        remaining -= length;
      }
      cursor = close;
    }
  }
  return std::nullopt;
}

}  // namespace leadrouter::core
