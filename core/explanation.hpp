// The plain-language summary of a decision, short enough for a CRM task body:
//   "Routed to Ana Ruiz (pool emea-enterprise, best match): fit 82, intent 64,
//    tier A, SLA 30 min. Ben Ode excluded: daily cap 15 reached."
#pragma once

#include <string>

#include "core/decision.hpp"

namespace leadrouter::core {

// Built from the decision's own fields, so it always agrees with them.
std::string explain(const Decision& decision);

// "round-robin", "weighted round-robin", "least loaded", "best match".
const char* strategy_label(Strategy strategy);

}  // namespace leadrouter::core
