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
#include "sidecar/pipeline/lead_enricher.hpp"
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

// "First Last", else the email, else the record id: how tasks and
// notifications name a lead to the rep.
std::string lead_display_name(const core::Lead& lead);

// "<connector>:<lead id>:<n>": stable, so the CRM-side idempotency marker is
// the same however often a write is retried.
std::string make_decision_id(std::string_view connector, std::string_view lead_id, int step);

// The watch a new decision opens: a lead given to a rep with an SLA
// deadline, in a tier that has one. Its first check is due at the deadline
// plus the first breach step's `after` (working time when the tier says so).
std::optional<SlaWatch> open_sla_watch(std::string_view connector, std::string_view decision_id,
                                       const core::Decision& decision, const core::Policy& policy,
                                       const core::Roster& roster);

// What apply_sla did with a due watch (decision_engine_sla.cpp).
struct SlaOutcome {
  enum class Kind {
    kMet,         // worked by the deadline: the watch is closed
    kWorkedLate,  // worked, but after the deadline: closed as breached, no step
    kStep,        // not worked: the next breach step was committed
    kExhausted,   // not worked and no step left: closed as breached
    kStale,       // the watch changed or closed meanwhile: nothing done
  };
  Kind kind = Kind::kStale;
  std::string connector;
  std::string tier;
  bool breached_now = false;  // this call found the SLA breached (counted once per lead)
  std::optional<core::BreachAction> action;   // kStep
  std::string decision_id;                    // kStep: the step's decision
  std::string assignee_id;                    // kStep: who has the lead now
  std::optional<double> first_touch_seconds;  // kMet, kWorkedLate: from the initial decision
  bool wrote_outbox = false;
};

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

  // Account matches and duplicates for new leads (decision_engine_enrichment.cpp);
  // none: leads route without enrichment.
  void set_enricher(std::shared_ptr<const LeadEnricher> enricher);

  struct ConnectorState;

  // --- SLA (decision_engine_sla.cpp) ---------------------------------------
  // The connector a watch belongs to, for the CRM reads the SLA watcher does
  // without any lock; null when unknown.
  connectors::CrmConnector* connector_for(std::string_view name) const;
  // Settles one due watch with the CRM's answer: met, worked late, or the
  // next breach step (remind, reassign, escalate) committed as a decision
  // with its outbox row, roster state and the watch update in one store
  // transaction. The watch is read again under the lock, so an answer about
  // a watch that moved on meanwhile changes nothing.
  std::expected<SlaOutcome, Error> apply_sla(const SlaWatch& due,
                                             const connectors::WorkStatus& status);

 private:
  // Under mutex_: what the SLA steps need of a connector (defined in
  // decision_engine.cpp, where ConnectorState is complete).
  struct SlaView {
    connectors::CrmConnector* connector = nullptr;
    const core::Router* router = nullptr;
    core::Roster* roster = nullptr;
    bool write_back = false;
  };
  std::optional<SlaView> sla_view_locked(std::string_view connector) const;

  StateStore& store_;
  MetricsRegistry& metrics_;
  Mode mode_;
  IngestConfig ingest_;
  SystemClock clock_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<ConnectorState>, std::less<>> connectors_;
  std::function<void(const std::string&)> committed_;
  std::shared_ptr<const LeadEnricher> enricher_;

  // The enrichment of each lead (by id) that will be routed: leads already
  // decided, or owned and left alone, cost no CRM call. Runs without the
  // engine lock. An error: a duplicate check failed, route none of them.
  // `only_undecided` false (preview): every lead is enriched.
  std::expected<std::map<std::string, core::Enrichment, std::less<>>, Error> enrich_new_leads(
      connectors::CrmConnector& crm, const core::FreeMailDomains& free_mail,
      const std::vector<std::pair<const core::Lead*, std::string>>& leads_and_owners,
      bool only_undecided);
};

}  // namespace leadrouter::sidecar
