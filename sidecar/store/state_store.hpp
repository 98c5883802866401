// The sidecar's embedded state: the audit log of decisions, the outbox of CRM
// writes they imply, each connector's poll cursor and roster state, and the
// webhook events already seen. SQLite in WAL mode; one database file per
// state directory (<dir>/leadrouter.db). docs/operations.md explains the
// durability settings.
//
// The invariant that makes the sidecar crash-safe: a decision, the roster
// change it causes, its outbox row and the cursor that moves past its lead are
// written in ONE transaction (commit()). Either all of it survives a crash or
// none of it does, and the lead is then fetched and decided again.
//
// Thread-safe: one connection behind a mutex. Other processes (the ops CLI)
// may open the same file at the same time.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/crm_types.hpp"
#include "core/error.hpp"

namespace leadrouter::sidecar {

using connectors::TimestampMs;

// A decision as stored. The JSON columns are the exact documents the API and
// the CLI show: core::decision_to_json and core::lead_to_json.
struct DecisionRow {
  std::int64_t seq = 0;  // assigned by the store, increasing
  std::string decision_id;
  std::string connector;
  std::string lead_id;
  std::string kind = "initial";  // also "owner_changed", "remind", "reassign", "escalate"
  std::string source;            // "poll", "webhook", "sla" (breach steps)
  std::string mode;              // "live", "shadow"
  TimestampMs decided_at{};
  std::string assignee_kind;  // "rep", "queue", "workflow"
  std::string assignee_id;
  std::string route;
  std::string tier;
  double score = 0;
  std::string policy_name;
  int policy_version = 0;
  std::string model_version;
  std::optional<TimestampMs> lead_created_at;  // the CRM's create time (speed-to-lead)
  std::string decision_json;
  std::string lead_json;
};

enum class OutboxState { kPending, kDone, kDead, kDropped };
const char* to_string(OutboxState state);
std::optional<OutboxState> parse_outbox_state(std::string_view text);

struct OutboxRow {
  std::int64_t id = 0;  // assigned by the store
  std::string decision_id;
  std::string connector;
  std::string record_id;
  connectors::WriteBack write;
  OutboxState state = OutboxState::kPending;
  int attempts = 0;
  TimestampMs created_at{};
  TimestampMs updated_at{};
  TimestampMs next_attempt_at{};
  std::string last_error;  // the latest failure; for dead rows, why it died
  std::string task_id;     // the CRM task, once written
};

// --- SLA (schema 3) ----------------------------------------------------------
// The SLA clock of a lead we gave to a rep (docs/sla.md). One row per lead;
// it follows the lead through its breach steps and ends in met, breached or
// cancelled.
enum class SlaState { kOpen, kMet, kBreached, kCancelled };
const char* to_string(SlaState state);
std::optional<SlaState> parse_sla_state(std::string_view text);

struct SlaWatch {
  std::string connector;
  std::string lead_id;
  std::string decision_id;  // the decision that gave the lead its current owner (its task)
  std::string owner_id;     // the current assignee: a rep, or a queue after an escalation
  std::string tier;
  TimestampMs started_at{};  // the initial decision: work since then counts
  TimestampMs deadline{};    // the SLA deadline
  TimestampMs due_at{};      // the next check: the deadline, then each breach step's time
  int step = 0;              // breach steps fired so far
  std::vector<std::string> previous_owners;  // every rep who had the lead, current included
  SlaState state = SlaState::kOpen;
  std::optional<TimestampMs> breached_at;  // set at the deadline when the lead was not worked
  std::optional<TimestampMs> closed_at;
  std::optional<TimestampMs> first_touch_at;  // when the CRM says the lead was first worked
  std::string evidence;                       // the CRM's word for it ("task 9001 completed")
};

struct SlaWatchQuery {
  std::optional<SlaState> state;  // none: every state
  std::string connector;          // empty: all
  int limit = 100;                // earliest due first
};

// Everything one routing step changes, committed atomically.
struct Commit {
  std::string connector;
  std::vector<DecisionRow> decisions;  // seq is ignored
  // Outbox rows for those decisions (state/attempts/ids are ignored). A row
  // whose decision is skipped as a duplicate is skipped with it.
  std::vector<OutboxRow> outbox;
  std::optional<std::string> cursor;           // the connector's new poll cursor
  std::optional<std::string> roster_state;     // roster_state_to_json after the decisions
  std::vector<std::string> webhook_event_ids;  // events handled by this commit
  // Upserted by (connector, lead_id); a watch whose decision_id is skipped as
  // a duplicate is skipped with it.
  std::vector<SlaWatch> sla_watches;
};

struct CommitResult {
  std::vector<std::string> committed;           // decision ids written
  std::vector<std::string> skipped_duplicates;  // lead already had an initial decision
  std::vector<std::int64_t> outbox_ids;         // rows created
};

struct DecisionQuery {
  std::string connector;                   // empty: all
  std::string lead_id;                     // empty: all
  std::optional<std::int64_t> before_seq;  // paging: rows with seq < this
  int limit = 50;                          // newest first
};

struct OutboxQuery {
  std::optional<OutboxState> state;  // none: every state
  std::string connector;
  std::string decision_id;  // empty: all
  int limit = 100;          // oldest first
};

// A conversion label read back from the CRM for a lead we decided. One row
// per lead; `counted` says its conversion is already in the rep's track
// record (a conversion counts once, however often the CRM reports it).
struct OutcomeRow {
  std::string connector;
  std::string lead_id;
  std::string decision_id;  // our initial decision for the lead
  bool converted = false;
  std::optional<TimestampMs> outcome_at;  // the CRM's time, when it gives one
  std::string detail;                     // "lifecyclestage=customer", "IsConverted"
  TimestampMs updated_at{};               // when the label last changed here
  bool counted = false;
};

// Outcome rows, the outcome cursor and the roster state they changed,
// committed atomically like a routing Commit.
struct OutcomeCommit {
  std::string connector;
  std::vector<OutcomeRow> outcomes;  // upserted by (connector, lead_id)
  std::optional<TimestampMs> since;  // where the next fetch_outcomes starts
  std::optional<std::string> roster_state;
};

// A decided lead with its label, for retraining.
struct LabelledLead {
  std::string connector;
  std::string lead_id;
  TimestampMs decided_at{};
  std::string lead_json;
  bool converted = false;
};

// One version of the conversion model. The file lives in
// <state_dir>/models/ (`path`), so rolling back never depends on a file
// someone may have overwritten.
struct ModelRow {
  std::string version;
  TimestampMs created_at{};     // when it was trained
  TimestampMs registered_at{};  // when this store learned of it
  std::string source;           // "file" (configured) or "retrained"
  std::optional<double> auc;    // validation AUC
  std::int64_t rows = 0;
  std::int64_t positives = 0;
  bool active = false;
  std::string path;
};

// A page of the account change feed and the cursor after it, committed
// together (commit_accounts), so a refresh interrupted by a crash resumes
// after the last page it stored.
struct AccountCommit {
  std::string connector;
  std::vector<connectors::CrmAccount> accounts;  // upserted by (connector, id)
  std::vector<std::string> removed_ids;          // accounts the CRM no longer lists
  std::optional<std::string> cursor;             // LeadCursor::serialize(); none: unchanged
  TimestampMs now{};
};

struct StoreOptions {
  bool read_only = false;  // the ops CLI's list/show commands
  // SQLite's synchronous setting under WAL: "FULL" (default; a committed
  // decision survives power loss) or "NORMAL" (survives a process crash, may
  // lose the last commits on power loss).
  std::string synchronous = "FULL";
  std::chrono::milliseconds busy_timeout{5000};
  // false: a writable open refuses a database with an older schema instead
  // of migrating it, so an ops command run right after an upgrade never
  // changes the schema under the daemon that is still running the old code.
  bool migrate = true;
};

class StateStore {
 public:
  // Opens (creating when missing, unless read-only) <state_dir>/leadrouter.db
  // and migrates its schema. The directory is created with mode 0700.
  static std::expected<std::unique_ptr<StateStore>, Error> open(const std::string& state_dir,
                                                                StoreOptions options = {});
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const std::string& path() const;  // the database file
  // <state_dir>/leadrouter.db, the file open() uses.
  static std::string database_path(const std::string& state_dir);

  // --- routing -------------------------------------------------------------
  // One transaction. A decision of kind "initial" for a lead that already has
  // one is skipped (reported, not an error), so a lead arriving twice is
  // decided once however the two arrivals race.
  std::expected<CommitResult, Error> commit(const Commit& commit);

  // The initial decision id for a lead, if it has one.
  std::expected<std::optional<std::string>, Error> decision_for_lead(std::string_view connector,
                                                                     std::string_view lead_id);
  std::expected<std::optional<std::string>, Error> cursor(std::string_view connector);
  std::expected<std::optional<std::string>, Error> roster_state(std::string_view connector);
  // Whether a webhook event id was already handled (replayed deliveries).
  std::expected<bool, Error> webhook_event_seen(std::string_view connector,
                                                std::string_view event_id);

  // --- audit log -----------------------------------------------------------
  std::expected<std::vector<DecisionRow>, Error> decisions(const DecisionQuery& query);
  std::expected<std::optional<DecisionRow>, Error> decision(std::string_view decision_id);

  // --- outbox --------------------------------------------------------------
  // Pending rows of a connector whose next attempt is due, oldest first.
  std::expected<std::vector<OutboxRow>, Error> due_outbox(std::string_view connector,
                                                          TimestampMs now, int limit);
  // The earliest next_attempt_at among a connector's pending rows.
  std::expected<std::optional<TimestampMs>, Error> next_outbox_due(std::string_view connector);
  std::expected<void, Error> mark_done(std::int64_t id, std::string_view task_id, TimestampMs now);
  // attempts + 1; stays pending until `next_attempt_at`.
  std::expected<void, Error> mark_retry(std::int64_t id, std::string_view error,
                                        TimestampMs next_attempt_at, TimestampMs now);
  std::expected<void, Error> mark_dead(std::int64_t id, std::string_view error, TimestampMs now);
  std::expected<std::vector<OutboxRow>, Error> outbox(const OutboxQuery& query);
  std::expected<std::optional<OutboxRow>, Error> outbox_row(std::int64_t id);
  // Dead (or dropped) rows back to pending, due now, attempts reset. Returns
  // how many changed. `id` none: every dead row.
  std::expected<int, Error> retry_outbox(std::optional<std::int64_t> id, TimestampMs now);
  // A pending or dead row is given up on: kept for the record as "dropped".
  std::expected<int, Error> drop_outbox(std::int64_t id, TimestampMs now);
  // Rows per state, for metrics.
  std::expected<std::map<OutboxState, std::int64_t>, Error> outbox_counts();

  // --- outcomes and models (schema 2) -------------------------------------
  std::expected<void, Error> commit_outcomes(const OutcomeCommit& commit);
  std::expected<std::optional<OutcomeRow>, Error> outcome(std::string_view connector,
                                                          std::string_view lead_id);
  std::expected<std::optional<TimestampMs>, Error> outcome_cursor(std::string_view connector);
  // The connector's first decision time: where outcome reading starts.
  std::expected<std::optional<TimestampMs>, Error> first_decision_at(std::string_view connector);
  // Outcome rows whose label changed at or after `since`.
  std::expected<std::int64_t, Error> outcomes_changed_since(TimestampMs since);
  // Every initial decision with its label, oldest first: converted when an
  // outcome says so, otherwise not (yet) converted.
  std::expected<std::vector<LabelledLead>, Error> labelled_leads();

  // Adds a model version; false when that version is already registered
  // (nothing changes then). `activate`: it becomes the only active one.
  std::expected<bool, Error> register_model(const ModelRow& model, bool activate);
  std::expected<std::vector<ModelRow>, Error> models();  // newest first
  std::expected<std::optional<ModelRow>, Error> active_model();
  // kNotFound for an unknown version.
  std::expected<void, Error> activate_model(std::string_view version);

  // --- accounts (schema 3) ------------------------------------------------
  // One transaction: the upserts, the removals and the cursor.
  std::expected<void, Error> commit_accounts(const AccountCommit& commit);
  // Every stored account of a connector, by id.
  std::expected<std::vector<connectors::CrmAccount>, Error> accounts(std::string_view connector);
  // The account change feed's cursor; none before the first full read.
  std::expected<std::optional<std::string>, Error> account_cursor(std::string_view connector);

  // --- SLA (schema 3) -----------------------------------------------------
  // Open watches whose next check is due at `now`, earliest first. A step and
  // its watch update are one commit() (decision, outbox row, roster state and
  // the watch in Commit::sla_watches).
  std::expected<std::vector<SlaWatch>, Error> due_sla_watches(TimestampMs now, int limit);
  std::expected<std::optional<SlaWatch>, Error> sla_watch(std::string_view connector,
                                                          std::string_view lead_id);
  std::expected<std::vector<SlaWatch>, Error> sla_watches(const SlaWatchQuery& query);
  // The earliest due_at among open watches.
  std::expected<std::optional<TimestampMs>, Error> next_sla_deadline();
  std::expected<std::int64_t, Error> open_sla_watch_count();

  // --- operations ----------------------------------------------------------
  // A consistent copy of the live database (SQLite online backup), written to
  // `file` (created 0600; an existing file is refused).
  std::expected<void, Error> backup(const std::string& file);
  // Forgets the webhook event ids first seen before `before`; returns how
  // many. Only ids a CRM may still redeliver need keeping.
  std::expected<int, Error> prune_webhook_events(TimestampMs before);

  struct Impl;

 private:
  explicit StateStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadrouter::sidecar
