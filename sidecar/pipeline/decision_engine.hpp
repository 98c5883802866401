// Turns ingested leads into stored decisions. Per connector it holds the
// router (policy, free-mail list, model) and the live roster; for each batch
// it skips leads already decided, routes the rest, builds each decision's
// write-back (owner, follow-up task, notification, score/tier/reason) and
// commits decisions + roster state + outbox rows + cursor in one store
// transaction. Only after the commit succeeds does the in-memory roster move:
// a failed commit leaves both sides as they were, and the batch is retried.
//
// Thread-safe: process() runs on the decision worker; preview(), reload and
// rep updates may come from other threads.
#pragma once

#include <chrono>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/crm_connector.hpp"
#include "core/decision.hpp"
#include "core/router.hpp"
#include "sidecar/config/routing_setup.hpp"
#include "sidecar/config/sidecar_config.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/pipeline/ingest_queue.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

using SystemClock = std::function<std::chrono::system_clock::time_point()>;

// The write a decision implies in `mode`; nullopt when nothing is written
// (shadow mode, write_back off). Pure, for tests.
std::optional<connectors::WriteBack> write_back_for(const core::Decision& decision,
                                                    std::string_view decision_id,
                                                    std::string_view record_id);
// The same, naming the lead ("<first last or email> (<company>)") in the
// task subject and the notification title instead of its record id.
std::optional<connectors::WriteBack> write_back_for(const core::Decision& decision,
                                                    const core::Lead& lead,
                                                    std::string_view decision_id,
                                                    std::string_view record_id);

// "<connector>:<lead id>:<n>": stable, so the CRM-side idempotency marker is
// the same however often a write is retried.
std::string make_decision_id(std::string_view connector, std::string_view lead_id, int step);

struct BatchResult {
  int decided = 0;
  int duplicates = 0;  // already decided before (poll/webhook race, redelivery)
  int skipped = 0;     // owned leads left alone, replayed webhook events
  int failed = 0;      // could not fetch (webhook) — logged, left for the poller
};

struct OutcomeBatchResult {
  int recorded = 0;     // new or changed labels stored
  int conversions = 0;  // conversions added to a rep's track record
  int unknown = 0;      // records we never decided (not ours to learn from)
  int unchanged = 0;    // labels already stored as they are
};

class DecisionEngine {
 public:
  DecisionEngine(StateStore& store, MetricsRegistry& metrics, Mode mode, IngestConfig ingest,
                 SystemClock clock);
  ~DecisionEngine();  // ConnectorState is complete only in the .cpp

  // Registers a connector with its routing setup; restores its roster state
  // from the store. `write_back` false: decisions are recorded, nothing written.
  std::expected<void, Error> add_connector(connectors::CrmConnector& connector, RoutingSetup setup,
                                           bool write_back);
  // A reloaded policy/roster/model; the roster keeps every rep's state.
  std::expected<void, Error> replace_routing(std::string_view connector, RoutingSetup setup);
  // The CRM's current users (roster refresh), merged with the configured attributes.
  void update_crm_users(std::string_view connector, std::vector<core::Rep> users);

  // Routes and commits a batch (items may mix connectors: one transaction per
  // connector). An error means nothing of that connector's part was stored.
  std::expected<BatchResult, Error> process(std::vector<IngestItem> items);

  // Stores the CRM's conversion labels for leads we decided and adds each
  // lead's conversion, once, to the track record of the rep our initial
  // decision assigned it to (in the decision's segment). Labels, roster
  // state and the outcome cursor `since` commit in one transaction.
  std::expected<OutcomeBatchResult, Error> record_outcomes(
      std::string_view connector, const std::vector<connectors::Outcome>& outcomes,
      std::optional<TimestampMs> since);

  // A decision for `lead` against the live roster; nothing is stored or changed.
  std::expected<core::Decision, Error> preview(std::string_view connector, const core::Lead& lead);

  // Called after each successful commit that created outbox rows.
  void on_committed(std::function<void(const std::string& connector)> callback);

  std::vector<std::string> connectors() const;

  struct ConnectorState;

 private:
  StateStore& store_;
  MetricsRegistry& metrics_;
  Mode mode_;
  IngestConfig ingest_;
  SystemClock clock_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<ConnectorState>, std::less<>> connectors_;
  std::function<void(const std::string&)> committed_;
};

}  // namespace leadrouter::sidecar
