#include "sidecar/store/schema.hpp"

#include <fmt/core.h>

#include <charconv>
#include <span>
#include <string_view>

#include "sidecar/store/sqlite_statement.hpp"

namespace leadrouter::sidecar {

namespace {

// kMigrations[i] takes a database from version i to i + 1. Append only: a
// released migration never changes, since databases in the field ran it.
constexpr const char* kMigrations[] = {
    // 0 -> 1: the first schema. Times are epoch milliseconds.
    R"sql(
CREATE TABLE decisions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  decision_id TEXT NOT NULL UNIQUE,
  connector TEXT NOT NULL,
  lead_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  source TEXT NOT NULL,
  mode TEXT NOT NULL,
  decided_at INTEGER NOT NULL,
  assignee_kind TEXT NOT NULL,
  assignee_id TEXT NOT NULL,
  route TEXT NOT NULL,
  tier TEXT NOT NULL,
  score REAL NOT NULL,
  policy_name TEXT NOT NULL,
  policy_version INTEGER NOT NULL,
  model_version TEXT NOT NULL,
  lead_created_at INTEGER,
  decision_json TEXT NOT NULL,
  lead_json TEXT NOT NULL
);
-- "A lead is decided once" as a constraint, so it holds however two arrivals
-- of the same lead race, in this process or another.
CREATE UNIQUE INDEX decisions_initial_per_lead ON decisions (connector, lead_id)
  WHERE kind = 'initial';
CREATE INDEX decisions_by_lead ON decisions (connector, lead_id, seq);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  decision_id TEXT NOT NULL REFERENCES decisions (decision_id),
  connector TEXT NOT NULL,
  record_id TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'dead', 'dropped')),
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  task_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (connector, state, next_attempt_at);
CREATE INDEX outbox_by_state ON outbox (state, id);
CREATE INDEX outbox_by_decision ON outbox (decision_id);

CREATE TABLE cursors (
  connector TEXT PRIMARY KEY,
  cursor TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE roster_state (
  connector TEXT PRIMARY KEY,
  state_json TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE webhook_events (
  connector TEXT NOT NULL,
  event_id TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (connector, event_id)
) WITHOUT ROWID;
)sql",
    // 1 -> 2: learning from outcomes. Which leads' conversion labels were
    // read back (each lead's conversion counts once in its rep's track
    // record), where each connector's outcome reading stands, and the
    // versions of the conversion model.
    R"sql(
CREATE TABLE outcomes (
  connector TEXT NOT NULL,
  lead_id TEXT NOT NULL,
  decision_id TEXT NOT NULL,
  converted INTEGER NOT NULL,
  outcome_at INTEGER,
  detail TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  counted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (connector, lead_id)
) WITHOUT ROWID;
CREATE INDEX outcomes_by_update ON outcomes (updated_at);

CREATE TABLE outcome_cursors (
  connector TEXT PRIMARY KEY,
  since INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE models (
  version TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  registered_at INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('file', 'retrained')),
  auc REAL,
  rows INTEGER NOT NULL,
  positives INTEGER NOT NULL,
  active INTEGER NOT NULL DEFAULT 0,
  path TEXT NOT NULL
);
-- At most one active model, whoever activates it.
CREATE UNIQUE INDEX models_one_active ON models (active) WHERE active = 1;
)sql",
    // 2 -> 3: the account index's copy of each CRM's accounts (so a restart
    // resumes the change feed instead of reading every account again), the
    // SLA clock of every decided lead, and an index for pruning webhook ids.
    R"sql(
CREATE TABLE accounts (
  connector TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  domain TEXT NOT NULL,
  website TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  size REAL NOT NULL,
  modified_at INTEGER NOT NULL,
  last_activity_at INTEGER,
  PRIMARY KEY (connector, id)
) WITHOUT ROWID;

CREATE TABLE account_cursors (
  connector TEXT PRIMARY KEY,
  cursor TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE sla_watches (
  connector TEXT NOT NULL,
  lead_id TEXT NOT NULL,
  decision_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  tier TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  deadline INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  step INTEGER NOT NULL,
  previous_owners TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'met', 'breached', 'cancelled')),
  breached_at INTEGER,
  closed_at INTEGER,
  first_touch_at INTEGER,
  evidence TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (connector, lead_id)
) WITHOUT ROWID;
CREATE INDEX sla_watches_due ON sla_watches (due_at) WHERE state = 'open';

-- Pruning forgets old webhook event ids by age.
CREATE INDEX webhook_events_by_time ON webhook_events (seen_at);
)sql",
};

static_assert(std::size(kMigrations) == kSchemaVersion);

std::expected<bool, Error> has_meta_table(sqlite3* db) {
  auto stmt =
      sqlite::prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
  if (!stmt) {
    return std::unexpected(std::move(stmt.error()));
  }
  return sqlite::Query(db, stmt->get()).step();
}

std::expected<void, Error> set_version(sqlite3* db, int version) {
  auto stmt = sqlite::prepare(db,
                              "INSERT INTO meta (key, value) VALUES ('schema_version', ?1) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!stmt) {
    return std::unexpected(std::move(stmt.error()));
  }
  return sqlite::Query(db, stmt->get()).bind(1, std::to_string(version)).run();
}

Error newer_schema(const std::string& path, int version) {
  return Error::invalid_input(fmt::format(
      "{} has schema version {}, newer than the {} this leadrouter knows: it was written by a "
      "newer leadrouter. Run that version, or restore a backup made by this one; the file was "
      "left untouched.",
      path, version, kSchemaVersion));
}

}  // namespace

std::expected<int, Error> read_schema_version(sqlite3* db) {
  auto has_meta = has_meta_table(db);
  if (!has_meta) {
    return std::unexpected(std::move(has_meta.error()));
  }
  if (!*has_meta) {
    return 0;
  }
  auto stmt = sqlite::prepare(db, "SELECT value FROM meta WHERE key = 'schema_version'");
  if (!stmt) {
    return std::unexpected(std::move(stmt.error()));
  }
  sqlite::Query q(db, stmt->get());
  auto row = q.step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  if (!*row) {
    return 0;
  }
  const std::string text = q.text(0);
  int version = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc{} || end != text.data() + text.size() || version < 0) {
    return std::unexpected(
        Error::internal(fmt::format("the meta table's schema_version '{}' is not a number", text)));
  }
  return version;
}

std::expected<void, Error> migrate_schema(sqlite3* db, const std::string& path) {
  // IMMEDIATE: two processes opening a fresh database at once must not both
  // run the first migration.
  auto tx = sqlite::Transaction::begin(db, sqlite::Transaction::Kind::kImmediate);
  if (!tx) {
    return std::unexpected(std::move(tx.error()));
  }
  if (auto r = sqlite::exec(
          db, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      !r) {
    return r;
  }
  auto version = read_schema_version(db);
  if (!version) {
    return std::unexpected(std::move(version.error()));
  }
  if (*version > kSchemaVersion) {
    return std::unexpected(newer_schema(path, *version));
  }
  if (*version == kSchemaVersion) {
    return tx->commit();
  }
  for (int v = *version; v < kSchemaVersion; ++v) {
    if (auto r = sqlite::exec(db, kMigrations[v]); !r) {
      return std::unexpected(Error::internal(
          fmt::format("migrating {} from schema {} to {}: {}", path, v, v + 1, r.error().message)));
    }
  }
  if (auto r = set_version(db, kSchemaVersion); !r) {
    return r;
  }
  return tx->commit();
}

std::expected<void, Error> check_schema(sqlite3* db, const std::string& path) {
  auto version = read_schema_version(db);
  if (!version) {
    return std::unexpected(std::move(version.error()));
  }
  if (*version == 0) {
    return std::unexpected(Error::invalid_input(fmt::format(
        "{} is not an initialized leadrouter state database (no schema version)", path)));
  }
  if (*version > kSchemaVersion) {
    return std::unexpected(newer_schema(path, *version));
  }
  if (*version < kSchemaVersion) {
    return std::unexpected(Error::invalid_input(fmt::format(
        "{} has schema version {}, older than this leadrouter's {}; start the daemon of this "
        "version once (it migrates the database) before using the ops commands",
        path, *version, kSchemaVersion)));
  }
  return {};
}

}  // namespace leadrouter::sidecar
