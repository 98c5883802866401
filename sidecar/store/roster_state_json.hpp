// core::RosterSnapshot <-> JSON, the form roster state takes in the store: a
// restart resumes open loads, daily/hourly counters, round-robin cursors,
// fairness ledgers and track records exactly where they were.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/roster.hpp"

namespace leadrouter::sidecar {

std::string roster_state_to_json(const core::RosterSnapshot& snapshot);
std::expected<core::RosterSnapshot, Error> roster_state_from_json(std::string_view json);

}  // namespace leadrouter::sidecar
