// Human-readable renderings of decisions for the terminal: the one-row-per-
// lead table of `leadrouter route` and the full report of `leadrouter preview`.
#pragma once

#include <string>
#include <vector>

#include "core/decision.hpp"
#include "core/lead.hpp"

namespace leadrouter::cli {

// One row per lead (id, company, country, score, tier, assignee, route) with
// the explanation beneath it, then how many leads each assignee received.
// `leads` and `decisions` are parallel.
std::string format_decision_table(const std::vector<core::Lead>& leads,
                                  const std::vector<core::Decision>& decisions);

// Everything behind one decision: scores and their parts, tier, territory,
// segment, the route trail, every candidate and why it lost, the SLA.
std::string format_decision_report(const core::Lead& lead, const core::Decision& decision);

// "Ana Souza", "queue emea-inbound" or "workflow nurture-drip".
std::string assignee_label(const core::Decision& decision);

}  // namespace leadrouter::cli
