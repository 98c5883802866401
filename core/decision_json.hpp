// Decision -> JSON: one object per decision, as printed by
// `leadrouter route --format jsonl` and stored in the sidecar's audit log and
// admin API. docs/cli.md documents the keys. Enum values are written as the
// snake_case words the policy file uses ("best_match", "account_owner").
//
//   std::string line = core::decision_to_json(decision);  // no newline
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "core/decision.hpp"

namespace leadrouter::core {

rapidjson::Value decision_to_value(const Decision& decision,
                                   rapidjson::Document::AllocatorType& alloc);

// Compact, single-line JSON; numbers are written with at most 6 decimals so
// the output is stable and readable.
std::string decision_to_json(const Decision& decision);

const char* to_string(AssigneeKind kind);
const char* to_string(DestinationKind kind);
const char* to_string(Strategy strategy);

}  // namespace leadrouter::core
