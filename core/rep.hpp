// A sales rep as the router sees them: static attributes (from the CRM's
// owners/users merged with the policy's rep attributes). Live counters such as
// open load live in RepState (roster.hpp), never here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace leadrouter::core {

// One weekly working window in the rep's local time. `end_minute` may equal
// 1440 (midnight at the end of the day). Windows do not cross midnight: a
// night shift is two windows.
struct WeeklyWindow {
  int weekday = 1;       // 0 = Sunday ... 6 = Saturday
  int start_minute = 0;  // minutes after local midnight, [0, 1440)
  int end_minute = 0;    // (start_minute, 1440]
};

struct WorkingHours {
  std::string time_zone;  // IANA name, e.g. "Europe/Berlin"
  std::vector<WeeklyWindow> windows;
};

// An absence (OOO, holiday, partial day): [start, end).
struct TimeOff {
  Timestamp start;
  Timestamp end;
  std::string reason;
};

struct Capacity {
  std::optional<int> max_open;      // open (unworked/unconverted) leads at once
  std::optional<int> max_per_day;   // calendar day in the rep's time zone (UTC if none)
  std::optional<int> max_per_hour;  // clock hour, UTC
};

struct Rep {
  std::string id;  // the CRM owner / user id
  std::string name;
  std::string email;
  std::vector<std::string> teams;
  std::vector<std::string> territories;
  std::vector<std::string> skills;
  std::vector<std::string> languages;
  double weight = 1.0;  // share in weighted round-robin; > 0
  Capacity capacity;
  std::optional<WorkingHours> working_hours;  // none: always available
  std::vector<TimeOff> time_off;
  bool active = true;
  std::string manager_id;  // for escalation; may be empty
};

}  // namespace leadrouter::core
