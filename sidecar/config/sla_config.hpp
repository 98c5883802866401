// The `sla` section of the sidecar config: how often the SLA watcher checks
// due watches, and what counts as "worked" in each CRM (docs/sla.md).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_reader.hpp"

namespace leadrouter::sidecar {

// The CRM-side evidence that a lead was worked. Field names are CRM-specific
// (hs_lead_status on HubSpot contacts, Status on Salesforce leads), hence the
// per-connector override.
struct SlaWorkedConfig {
  bool task_completed = true;                 // our follow-up task completed
  std::string field;                          // empty: only the task counts
  std::vector<std::string> untouched_values;  // values of `field` that mean "not worked yet"
};

struct SlaConfig {
  int check_seconds = 30;
  SlaWorkedConfig worked;
  std::map<std::string, SlaWorkedConfig, std::less<>> worked_by_connector;

  const SlaWorkedConfig& worked_for(std::string_view connector) const;
};

// Reads root["sla"] into `config`, every problem reported by JSON path.
// `connector_names` (may be empty when the connectors did not parse) checks
// the per-connector keys.
void read_sla_config(core::JsonObjectReader& root, const std::vector<std::string>& connector_names,
                     SlaConfig& config);

}  // namespace leadrouter::sidecar
