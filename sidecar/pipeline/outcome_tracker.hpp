// Reads conversion outcomes back from one CRM and hands them to the decision
// engine, which stores each lead's label and counts its conversion in the
// assigned rep's track record (best-match learns from it). Where reading
// stands (the outcome cursor) moves only through the store, in the same
// transaction as the labels, so a crash re-reads instead of skipping.
#pragma once

#include <expected>

#include "connectors/crm_connector.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/pipeline/decision_engine.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

class OutcomeTracker {
 public:
  OutcomeTracker(connectors::CrmConnector& connector, StateStore& store, DecisionEngine& engine,
                 MetricsRegistry& metrics, SystemClock clock);

  // One fetch_outcomes from the stored cursor (or, the first time, from the
  // connector's first decision; nothing is read before any decision exists).
  std::expected<OutcomeBatchResult, Error> poll_once();

 private:
  connectors::CrmConnector& connector_;
  StateStore& store_;
  DecisionEngine& engine_;
  MetricsRegistry& metrics_;
  SystemClock clock_;
};

}  // namespace leadrouter::sidecar
