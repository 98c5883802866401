// Per-lead assignments of a backtest, for spreadsheets and other tools: one
// row (CSV) or object (JSONL) per lead in replay order.
//
// With two runs: lead_id, created_at, baseline_rep, new_rep, changed, tier,
// score, route (tier, score and route of the second run, the policy under
// test). With one run: lead_id, created_at, rep, tier, score, route.
// Owners read "005US01" for a rep, "queue:<id>" or "workflow:<id>" otherwise.
#pragma once

#include <string>

#include "core/backtest/replay.hpp"

namespace leadrouter::backtest {

std::string assignments_csv(const Replay& replay);
std::string assignments_jsonl(const Replay& replay);

}  // namespace leadrouter::backtest
