// Labelled leads read straight from a CRM, for training a first model before
// the sidecar has decided anything (`leadrouter model train --from-crm`):
// every lead changed since a time, each labelled converted or not by the
// connector's outcomes for its record id. The result feeds training_table()
// and retrain_options() (model_manager.hpp), the sidecar's own training path.
#pragma once

#include <cstddef>
#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "connectors/crm_connector.hpp"
#include "connectors/field_mapping.hpp"
#include "core/time.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

struct CrmTrainingData {
  std::vector<LabelledLead> leads;  // oldest change first
  std::size_t positives = 0;
  // Custom lead fields filled from a property the outcomes are read from
  // (HubSpot's lifecyclestage, Salesforce's Status): today's value gives the
  // label away, so they are removed from every lead.
  std::vector<std::string> outcome_fields;
};

// Called after every page with the number of leads fetched so far.
using FetchProgress = std::function<void(std::size_t fetched)>;

// Pages through fetch_changed_leads from `since`, then reads the outcomes
// changed since then. A conversion is final, as in the sidecar: a record is
// converted when any of its outcomes says so. `mapping` is the connector's
// field mapping (to find the outcome fields).
std::expected<CrmTrainingData, Error> pull_labelled_leads(connectors::CrmConnector& connector,
                                                          const connectors::FieldMapping& mapping,
                                                          Timestamp since, int page_size,
                                                          const FetchProgress& progress = {});

}  // namespace leadrouter::sidecar
