#include "sidecar/store/state_store.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>

#include "sidecar/store/schema.hpp"
#include "sidecar/store/sqlite_statement.hpp"
#include "sidecar/store/state_store_impl.hpp"
#include "sidecar/store/write_back_json.hpp"

namespace leadrouter::sidecar {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDatabaseName = "leadrouter.db";

constexpr std::array<std::pair<OutboxState, const char*>, 4> kOutboxStates = {{
    {OutboxState::kPending, "pending"},
    {OutboxState::kDone, "done"},
    {OutboxState::kDead, "dead"},
    {OutboxState::kDropped, "dropped"},
}};

std::int64_t to_ms(TimestampMs t) {
  return t.time_since_epoch().count();
}

TimestampMs from_ms(std::int64_t ms) {
  return TimestampMs{std::chrono::milliseconds{ms}};
}

// Bookkeeping times nothing decides on (when a cursor or an event id was
// written); routing times always come from the caller.
TimestampMs wall_now() {
  return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::string sql_limit(int limit) {
  return limit > 0 ? fmt::format(" LIMIT {}", limit) : std::string();
}

constexpr const char* kDecisionColumns =
    "seq, decision_id, connector, lead_id, kind, source, mode, decided_at, assignee_kind, "
    "assignee_id, route, tier, score, policy_name, policy_version, model_version, "
    "lead_created_at, decision_json, lead_json";

DecisionRow read_decision(const sqlite::Query& q) {
  DecisionRow d;
  d.seq = q.int64(0);
  d.decision_id = q.text(1);
  d.connector = q.text(2);
  d.lead_id = q.text(3);
  d.kind = q.text(4);
  d.source = q.text(5);
  d.mode = q.text(6);
  d.decided_at = from_ms(q.int64(7));
  d.assignee_kind = q.text(8);
  d.assignee_id = q.text(9);
  d.route = q.text(10);
  d.tier = q.text(11);
  d.score = q.real(12);
  d.policy_name = q.text(13);
  d.policy_version = static_cast<int>(q.int64(14));
  d.model_version = q.text(15);
  if (auto created = q.optional_int64(16)) {
    d.lead_created_at = from_ms(*created);
  }
  d.decision_json = q.text(17);
  d.lead_json = q.text(18);
  return d;
}

constexpr const char* kOutboxColumns =
    "id, decision_id, connector, record_id, payload_json, state, attempts, created_at, "
    "updated_at, next_attempt_at, last_error, task_id";

std::expected<OutboxRow, Error> read_outbox(const sqlite::Query& q) {
  OutboxRow row;
  row.id = q.int64(0);
  row.decision_id = q.text(1);
  row.connector = q.text(2);
  row.record_id = q.text(3);
  auto write = write_back_from_json(q.text(4));
  if (!write) {
    return std::unexpected(Error::internal(fmt::format(
        "outbox row {}: stored payload does not parse: {}", row.id, write.error().message)));
  }
  row.write = std::move(*write);
  const std::string state = q.text(5);
  auto parsed = parse_outbox_state(state);
  if (!parsed) {
    return std::unexpected(
        Error::internal(fmt::format("outbox row {}: unknown state '{}'", row.id, state)));
  }
  row.state = *parsed;
  row.attempts = static_cast<int>(q.int64(6));
  row.created_at = from_ms(q.int64(7));
  row.updated_at = from_ms(q.int64(8));
  row.next_attempt_at = from_ms(q.int64(9));
  row.last_error = q.text(10);
  row.task_id = q.text(11);
  return row;
}

std::expected<void, Error> create_state_dir(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      return std::unexpected(Error::invalid_input(
          fmt::format("state directory {} exists but is not a directory", dir)));
    }
    return {};
  }
  fs::create_directories(dir, ec);
  if (!ec) {
    // Decisions and lead documents are personal data: owner only, whatever
    // the umask says.
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  if (ec) {
    return std::unexpected(
        Error::internal(fmt::format("cannot create state directory {}: {}", dir, ec.message())));
  }
  return {};
}

// Creating the file ourselves is what gives it mode 0600; SQLite would use
// 0644 less the umask. Its -wal and -shm files copy the database's mode.
std::expected<void, Error> create_owner_only_file(const std::string& path, bool exclusive) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : 0),
                        S_IRUSR | S_IWUSR);
  if (fd < 0) {
    if (errno == EEXIST) {
      return std::unexpected(Error::invalid_input(fmt::format("{} already exists", path)));
    }
    return std::unexpected(
        Error::internal(fmt::format("cannot create {}: {}", path, std::strerror(errno))));
  }
  ::close(fd);
  return {};
}

std::expected<std::string, Error> synchronous_pragma(std::string_view setting) {
  std::string upper(setting);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (upper == "FULL" || upper == "NORMAL" || upper == "EXTRA") {
    return "PRAGMA synchronous = " + upper;
  }
  return std::unexpected(Error::invalid_input(
      fmt::format("synchronous must be FULL, NORMAL or EXTRA, not '{}' (OFF could lose committed "
                  "decisions)",
                  setting)));
}

std::expected<void, Error> enable_wal(sqlite3* db, const std::string& path) {
  auto stmt = sqlite::prepare(db, "PRAGMA journal_mode = WAL");
  if (!stmt) {
    return std::unexpected(std::move(stmt.error()));
  }
  sqlite::Query q(db, stmt->get());
  auto row = q.step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  const std::string mode = *row ? q.text(0) : std::string();
  if (mode != "wal") {
    return std::unexpected(Error::internal(fmt::format(
        "{}: cannot switch to WAL mode (journal mode is '{}'); is the file on a network file "
        "system?",
        path, mode)));
  }
  return {};
}

}  // namespace

const char* to_string(OutboxState state) {
  for (const auto& [s, name] : kOutboxStates) {
    if (s == state) {
      return name;
    }
  }
  return "unknown";
}

std::optional<OutboxState> parse_outbox_state(std::string_view text) {
  for (const auto& [s, name] : kOutboxStates) {
    if (text == name) {
      return s;
    }
  }
  return std::nullopt;
}

StateStore::StateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StateStore::~StateStore() = default;

const std::string& StateStore::path() const {
  return impl_->path;
}

std::string StateStore::database_path(const std::string& state_dir) {
  return (fs::path(state_dir) / kDatabaseName).string();
}

std::expected<std::unique_ptr<StateStore>, Error> StateStore::open(const std::string& state_dir,
                                                                   StoreOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->path = database_path(state_dir);
  impl->options = options;
  std::error_code ec;
  if (options.read_only) {
    if (!fs::is_directory(state_dir, ec)) {
      return std::unexpected(
          Error::not_found(fmt::format("state directory {} does not exist", state_dir)));
    }
    if (!fs::exists(impl->path, ec)) {
      return std::unexpected(Error::not_found(
          fmt::format("no state database in {} (expected {}; has the daemon run with --state {}?)",
                      state_dir, impl->path, state_dir)));
    }
  } else {
    if (auto r = create_state_dir(state_dir); !r) {
      return std::unexpected(std::move(r.error()));
    }
    if (auto r = create_owner_only_file(impl->path, false); !r) {
      return std::unexpected(std::move(r.error()));
    }
  }
  auto sync = synchronous_pragma(options.synchronous);
  if (!sync) {
    return std::unexpected(std::move(sync.error()));
  }

  sqlite3* raw = nullptr;
  const int flags = (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
  const int rc = sqlite3_open_v2(impl->path.c_str(), &raw, flags, nullptr);
  impl->db.reset(raw);
  if (rc != SQLITE_OK) {
    return std::unexpected(sqlite::error(raw, fmt::format("cannot open {}", impl->path)));
  }
  sqlite3* db = impl->db.get();
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  // Every failure from here on names the file: "file is not a database"
  // alone does not say which one.
  auto named = [&](Error e) {
    if (e.message.find(impl->path) == std::string::npos) {
      e.message = impl->path + ": " + e.message;
    }
    return std::unexpected(std::move(e));
  };
  if (auto r = sqlite::exec(db, "PRAGMA foreign_keys = ON"); !r) {
    return named(std::move(r.error()));
  }
  if (options.read_only) {
    if (auto r = check_schema(db, impl->path); !r) {
      return named(std::move(r.error()));
    }
  } else {
    if (auto r = enable_wal(db, impl->path); !r) {
      return named(std::move(r.error()));
    }
    if (auto r = sqlite::exec(db, sync->c_str()); !r) {
      return named(std::move(r.error()));
    }
    auto r = options.migrate ? migrate_schema(db, impl->path) : check_schema(db, impl->path);
    if (!r) {
      return named(std::move(r.error()));
    }
  }
  impl->statements = sqlite::StatementCache(db);
  return std::unique_ptr<StateStore>(new StateStore(std::move(impl)));
}

std::expected<CommitResult, Error> StateStore::Impl::commit(const Commit& c) {
  if (c.connector.empty() && (c.cursor || c.roster_state || !c.webhook_event_ids.empty())) {
    return std::unexpected(
        Error::invalid_input("a commit with a cursor, roster state or events needs a connector"));
  }
  auto tx = sqlite::Transaction::begin(db.get(), sqlite::Transaction::Kind::kImmediate);
  if (!tx) {
    return std::unexpected(std::move(tx.error()));
  }
  CommitResult result;
  std::map<std::string, TimestampMs, std::less<>> decided;
  std::set<std::string, std::less<>> skipped;

  for (const auto& d : c.decisions) {
    const std::string& connector = d.connector.empty() ? c.connector : d.connector;
    if (d.kind == "initial") {
      // Inside BEGIN IMMEDIATE this read cannot race another writer; the
      // unique index would still refuse a second initial decision if it did.
      auto q = prepare(
          "SELECT decision_id FROM decisions WHERE connector = ?1 AND lead_id = ?2 AND kind = "
          "'initial'");
      if (!q) {
        return std::unexpected(std::move(q.error()));
      }
      auto row = q->bind(1, connector).bind(2, d.lead_id).step();
      if (!row) {
        return std::unexpected(std::move(row.error()));
      }
      if (*row) {
        result.skipped_duplicates.push_back(d.decision_id);
        skipped.insert(d.decision_id);
        continue;
      }
    }
    auto q = prepare(
        "INSERT INTO decisions (decision_id, connector, lead_id, kind, source, mode, decided_at, "
        "assignee_kind, assignee_id, route, tier, score, policy_name, policy_version, "
        "model_version, lead_created_at, decision_json, lead_json) VALUES (?1, ?2, ?3, ?4, ?5, "
        "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
    if (!q) {
      return std::unexpected(std::move(q.error()));
    }
    std::optional<std::int64_t> created;
    if (d.lead_created_at) {
      created = to_ms(*d.lead_created_at);
    }
    auto r = q->bind(1, d.decision_id)
                 .bind(2, connector)
                 .bind(3, d.lead_id)
                 .bind(4, d.kind)
                 .bind(5, d.source)
                 .bind(6, d.mode)
                 .bind(7, to_ms(d.decided_at))
                 .bind(8, d.assignee_kind)
                 .bind(9, d.assignee_id)
                 .bind(10, d.route)
                 .bind(11, d.tier)
                 .bind(12, d.score)
                 .bind(13, d.policy_name)
                 .bind(14, d.policy_version)
                 .bind(15, d.model_version)
                 .bind(16, created)
                 .bind(17, d.decision_json)
                 .bind(18, d.lead_json)
                 .run();
    if (!r) {
      return std::unexpected(Error::internal(
          fmt::format("storing decision {}: {}", d.decision_id, r.error().message)));
    }
    result.committed.push_back(d.decision_id);
    decided.emplace(d.decision_id, d.decided_at);
  }

  for (const auto& o : c.outbox) {
    const std::string& decision_id = o.decision_id.empty() ? o.write.decision_id : o.decision_id;
    if (skipped.contains(decision_id)) {
      continue;
    }
    // A row is due from the moment its decision was made, which keeps the
    // outbox in decision order and the store free of its own clock.
    TimestampMs created = o.created_at != TimestampMs{} ? o.created_at : wall_now();
    if (auto it = decided.find(decision_id); it != decided.end()) {
      created = it->second;
    }
    auto q = prepare(
        "INSERT INTO outbox (decision_id, connector, record_id, payload_json, state, attempts, "
        "created_at, updated_at, next_attempt_at, last_error, task_id) VALUES (?1, ?2, ?3, ?4, "
        "'pending', 0, ?5, ?5, ?5, '', '')");
    if (!q) {
      return std::unexpected(std::move(q.error()));
    }
    auto r = q->bind(1, decision_id)
                 .bind(2, o.connector.empty() ? c.connector : o.connector)
                 .bind(3, o.record_id.empty() ? o.write.record_id : o.record_id)
                 .bind(4, write_back_to_json(o.write))
                 .bind(5, to_ms(created))
                 .run();
    if (!r) {
      return std::unexpected(Error::internal(fmt::format(
          "storing the outbox row of decision {}: {}", decision_id, r.error().message)));
    }
    result.outbox_ids.push_back(sqlite3_last_insert_rowid(db.get()));
  }

  const std::int64_t now = to_ms(wall_now());
  if (c.cursor) {
    auto q = prepare(
        "INSERT INTO cursors (connector, cursor, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT "
        "(connector) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at");
    if (!q) {
      return std::unexpected(std::move(q.error()));
    }
    if (auto r = q->bind(1, c.connector).bind(2, *c.cursor).bind(3, now).run(); !r) {
      return std::unexpected(std::move(r.error()));
    }
  }
  if (c.roster_state) {
    auto q = prepare(
        "INSERT INTO roster_state (connector, state_json, updated_at) VALUES (?1, ?2, ?3) ON "
        "CONFLICT (connector) DO UPDATE SET state_json = excluded.state_json, updated_at = "
        "excluded.updated_at");
    if (!q) {
      return std::unexpected(std::move(q.error()));
    }
    if (auto r = q->bind(1, c.connector).bind(2, *c.roster_state).bind(3, now).run(); !r) {
      return std::unexpected(std::move(r.error()));
    }
  }
  for (const auto& event_id : c.webhook_event_ids) {
    auto q = prepare(
        "INSERT INTO webhook_events (connector, event_id, seen_at) VALUES (?1, ?2, ?3) ON "
        "CONFLICT (connector, event_id) DO NOTHING");
    if (!q) {
      return std::unexpected(std::move(q.error()));
    }
    if (auto r = q->bind(1, c.connector).bind(2, event_id).bind(3, now).run(); !r) {
      return std::unexpected(std::move(r.error()));
    }
  }
  for (const SlaWatch& watch : c.sla_watches) {
    if (skipped.contains(watch.decision_id)) {
      continue;
    }
    if (auto r = upsert_sla_watch(watch); !r) {
      return std::unexpected(std::move(r.error()));
    }
  }
  if (auto r = tx->commit(); !r) {
    return std::unexpected(std::move(r.error()));
  }
  return result;
}

std::expected<CommitResult, Error> StateStore::commit(const Commit& commit) {
  std::lock_guard lock(impl_->mutex);
  return impl_->commit(commit);
}

namespace {

std::expected<std::optional<std::string>, Error> optional_text(sqlite::Query& q) {
  auto row = q.step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(q.text(0));
}

}  // namespace

std::expected<std::optional<std::string>, Error> StateStore::decision_for_lead(
    std::string_view connector, std::string_view lead_id) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(
      "SELECT decision_id FROM decisions WHERE connector = ?1 AND lead_id = ?2 AND kind = "
      "'initial'");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  q->bind(1, connector).bind(2, lead_id);
  return optional_text(*q);
}

std::expected<std::optional<std::string>, Error> StateStore::cursor(std::string_view connector) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare("SELECT cursor FROM cursors WHERE connector = ?1");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  q->bind(1, connector);
  return optional_text(*q);
}

std::expected<std::optional<std::string>, Error> StateStore::roster_state(
    std::string_view connector) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare("SELECT state_json FROM roster_state WHERE connector = ?1");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  q->bind(1, connector);
  return optional_text(*q);
}

std::expected<bool, Error> StateStore::webhook_event_seen(std::string_view connector,
                                                          std::string_view event_id) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare("SELECT 1 FROM webhook_events WHERE connector = ?1 AND event_id = ?2");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  return q->bind(1, connector).bind(2, event_id).step();
}

std::expected<std::vector<DecisionRow>, Error> StateStore::decisions(const DecisionQuery& query) {
  // Only the filters given appear in the SQL, so SQLite can use the lead
  // index; the few variants each get their own cached statement.
  std::string sql = fmt::format("SELECT {} FROM decisions WHERE 1", kDecisionColumns);
  if (!query.connector.empty()) {
    sql += " AND connector = ?1";
  }
  if (!query.lead_id.empty()) {
    sql += " AND lead_id = ?2";
  }
  if (query.before_seq) {
    sql += " AND seq < ?3";
  }
  sql += " ORDER BY seq DESC" + sql_limit(query.limit);

  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(sql);
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  if (!query.connector.empty()) {
    q->bind(1, query.connector);
  }
  if (!query.lead_id.empty()) {
    q->bind(2, query.lead_id);
  }
  if (query.before_seq) {
    q->bind(3, *query.before_seq);
  }
  return q->collect(read_decision);
}

std::expected<std::optional<DecisionRow>, Error> StateStore::decision(
    std::string_view decision_id) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(
      fmt::format("SELECT {} FROM decisions WHERE decision_id = ?1", kDecisionColumns));
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  auto row = q->bind(1, decision_id).step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<DecisionRow>();
  }
  return std::optional<DecisionRow>(read_decision(*q));
}

namespace {

std::expected<std::vector<OutboxRow>, Error> read_outbox_rows(sqlite::Query& q) {
  std::vector<OutboxRow> rows;
  while (true) {
    auto row = q.step();
    if (!row) {
      return std::unexpected(std::move(row.error()));
    }
    if (!*row) {
      return rows;
    }
    auto o = read_outbox(q);
    if (!o) {
      return std::unexpected(std::move(o.error()));
    }
    rows.push_back(std::move(*o));
  }
}

}  // namespace

std::expected<std::vector<OutboxRow>, Error> StateStore::due_outbox(std::string_view connector,
                                                                    TimestampMs now, int limit) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(
      fmt::format("SELECT {} FROM outbox WHERE connector = ?1 AND state = 'pending' AND "
                  "next_attempt_at <= ?2 ORDER BY next_attempt_at, id LIMIT ?3",
                  kOutboxColumns));
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  q->bind(1, connector).bind(2, to_ms(now)).bind(3, limit > 0 ? limit : -1);
  return read_outbox_rows(*q);
}

std::expected<std::optional<TimestampMs>, Error> StateStore::next_outbox_due(
    std::string_view connector) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(
      "SELECT MIN(next_attempt_at) FROM outbox WHERE connector = ?1 AND state = 'pending'");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  auto row = q->bind(1, connector).step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  if (!*row || q->is_null(0)) {
    return std::optional<TimestampMs>();
  }
  return std::optional<TimestampMs>(from_ms(q->int64(0)));
}

std::expected<void, Error> StateStore::mark_done(std::int64_t id, std::string_view task_id,
                                                 TimestampMs now) {
  std::lock_guard lock(impl_->mutex);
  // Whatever state an operator moved the row to meanwhile, the CRM write
  // happened, and the record must say so.
  return impl_->change_outbox(
      "UPDATE outbox SET state = 'done', task_id = ?2, attempts = attempts + 1, updated_at = ?3 "
      "WHERE id = ?1 AND state != 'done'",
      id, task_id, to_ms(now));
}

std::expected<void, Error> StateStore::mark_retry(std::int64_t id, std::string_view error,
                                                  TimestampMs next_attempt_at, TimestampMs now) {
  std::lock_guard lock(impl_->mutex);
  return impl_->change_outbox(
      "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3, "
      "updated_at = ?4 WHERE id = ?1 AND state = 'pending'",
      id, error, to_ms(next_attempt_at), to_ms(now));
}

std::expected<void, Error> StateStore::mark_dead(std::int64_t id, std::string_view error,
                                                 TimestampMs now) {
  std::lock_guard lock(impl_->mutex);
  return impl_->change_outbox(
      "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?2, updated_at = "
      "?3 WHERE id = ?1 AND state = 'pending'",
      id, error, to_ms(now));
}

std::expected<std::vector<OutboxRow>, Error> StateStore::outbox(const OutboxQuery& query) {
  std::string sql = fmt::format("SELECT {} FROM outbox WHERE 1", kOutboxColumns);
  if (query.state) {
    sql += " AND state = ?1";
  }
  if (!query.connector.empty()) {
    sql += " AND connector = ?2";
  }
  if (!query.decision_id.empty()) {
    sql += " AND decision_id = ?3";
  }
  sql += " ORDER BY id" + sql_limit(query.limit);

  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(sql);
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  if (query.state) {
    q->bind(1, to_string(*query.state));
  }
  if (!query.connector.empty()) {
    q->bind(2, query.connector);
  }
  if (!query.decision_id.empty()) {
    q->bind(3, query.decision_id);
  }
  return read_outbox_rows(*q);
}

std::expected<std::optional<OutboxRow>, Error> StateStore::outbox_row(std::int64_t id) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(fmt::format("SELECT {} FROM outbox WHERE id = ?1", kOutboxColumns));
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  q->bind(1, id);
  auto rows = read_outbox_rows(*q);
  if (!rows) {
    return std::unexpected(std::move(rows.error()));
  }
  if (rows->empty()) {
    return std::optional<OutboxRow>();
  }
  return std::optional<OutboxRow>(std::move(rows->front()));
}

std::expected<int, Error> StateStore::retry_outbox(std::optional<std::int64_t> id,
                                                   TimestampMs now) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(
      id ? "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2, updated_at "
           "= ?2 WHERE id = ?1 AND state IN ('dead', 'dropped')"
         : "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2, updated_at "
           "= ?2 WHERE state = 'dead'");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  if (id) {
    q->bind(1, *id);
  }
  q->bind(2, to_ms(now));
  if (auto r = q->run(); !r) {
    return std::unexpected(std::move(r.error()));
  }
  return sqlite3_changes(impl_->db.get());
}

std::expected<int, Error> StateStore::drop_outbox(std::int64_t id, TimestampMs now) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(
      "UPDATE outbox SET state = 'dropped', updated_at = ?2 WHERE id = ?1 AND state IN "
      "('pending', 'dead')");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  q->bind(1, id).bind(2, to_ms(now));
  if (auto r = q->run(); !r) {
    return std::unexpected(std::move(r.error()));
  }
  return sqlite3_changes(impl_->db.get());
}

std::expected<std::map<OutboxState, std::int64_t>, Error> StateStore::outbox_counts() {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare("SELECT state, COUNT(*) FROM outbox GROUP BY state");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  std::map<OutboxState, std::int64_t> counts;
  for (const auto& [state, name] : kOutboxStates) {
    counts[state] = 0;
  }
  while (true) {
    auto row = q->step();
    if (!row) {
      return std::unexpected(std::move(row.error()));
    }
    if (!*row) {
      return counts;
    }
    if (auto state = parse_outbox_state(q->text(0))) {
      counts[*state] = q->int64(1);
    }
  }
}

namespace {

std::expected<void, Error> check_integrity(sqlite3* db, const std::string& file) {
  auto stmt = sqlite::prepare(db, "PRAGMA integrity_check");
  if (!stmt) {
    return std::unexpected(std::move(stmt.error()));
  }
  sqlite::Query q(db, stmt->get());
  std::string problems;
  while (true) {
    auto row = q.step();
    if (!row) {
      return std::unexpected(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    const std::string line = q.text(0);
    if (line != "ok") {
      problems += (problems.empty() ? "" : "; ") + line;
    }
  }
  if (!problems.empty()) {
    return std::unexpected(Error::internal(
        fmt::format("the backup {} fails its integrity check: {}", file, problems)));
  }
  return {};
}

// Copies `source` into the new file `file` and checks the copy.
std::expected<void, Error> copy_database(sqlite3* source, const std::string& file) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nullptr);
  sqlite::Connection dest(raw);
  if (rc != SQLITE_OK) {
    return std::unexpected(sqlite::error(raw, fmt::format("cannot open {}", file)));
  }
  sqlite3_backup* backup = sqlite3_backup_init(dest.get(), "main", source, "main");
  if (backup == nullptr) {
    return std::unexpected(sqlite::error(dest.get(), fmt::format("backing up to {}", file)));
  }
  // One step copies everything inside a single read transaction: a
  // consistent snapshot, and in WAL mode the daemon keeps writing meanwhile.
  const int step = sqlite3_backup_step(backup, -1);
  const int finish = sqlite3_backup_finish(backup);
  if (step != SQLITE_DONE || finish != SQLITE_OK) {
    return std::unexpected(Error::internal(fmt::format(
        "backing up to {}: {}", file, sqlite3_errstr(step != SQLITE_DONE ? step : finish))));
  }
  return check_integrity(dest.get(), file);
}

}  // namespace

std::expected<void, Error> StateStore::backup(const std::string& file) {
  std::lock_guard lock(impl_->mutex);
  if (auto r = create_owner_only_file(file, true); !r) {
    if (r.error().kind == ErrorKind::kInvalidInput) {
      return std::unexpected(Error::invalid_input(
          fmt::format("{} already exists; a backup never overwrites a file", file)));
    }
    return r;
  }
  auto r = copy_database(impl_->db.get(), file);
  if (!r) {
    // A partial copy must not be mistaken for a good one later.
    std::error_code ignored;
    fs::remove(file, ignored);
    fs::remove(file + "-wal", ignored);
    fs::remove(file + "-shm", ignored);
  }
  return r;
}

// --- outcomes and models -----------------------------------------------------

std::expected<void, Error> StateStore::commit_outcomes(const OutcomeCommit& c) {
  if (c.connector.empty()) {
    return std::unexpected(Error::invalid_input("an outcome commit needs a connector"));
  }
  std::lock_guard lock(impl_->mutex);
  auto tx = sqlite::Transaction::begin(impl_->db.get(), sqlite::Transaction::Kind::kImmediate);
  if (!tx) {
    return std::unexpected(std::move(tx.error()));
  }
  const std::int64_t now = to_ms(wall_now());
  for (const OutcomeRow& o : c.outcomes) {
    auto q = impl_->prepare(
        "INSERT INTO outcomes (connector, lead_id, decision_id, converted, outcome_at, detail, "
        "updated_at, counted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (connector, "
        "lead_id) DO UPDATE SET decision_id = excluded.decision_id, converted = "
        "excluded.converted, outcome_at = excluded.outcome_at, detail = excluded.detail, "
        "updated_at = excluded.updated_at, counted = excluded.counted");
    if (!q) {
      return std::unexpected(std::move(q.error()));
    }
    std::optional<std::int64_t> at;
    if (o.outcome_at) {
      at = to_ms(*o.outcome_at);
    }
    q->bind(1, c.connector)
        .bind(2, o.lead_id)
        .bind(3, o.decision_id)
        .bind(4, o.converted ? 1 : 0)
        .bind(5, at)
        .bind(6, o.detail)
        .bind(7, to_ms(o.updated_at))
        .bind(8, o.counted ? 1 : 0);
    if (auto r = q->run(); !r) {
      return std::unexpected(std::move(r.error()));
    }
  }
  if (c.since) {
    auto q = impl_->prepare(
        "INSERT INTO outcome_cursors (connector, since, updated_at) VALUES (?1, ?2, ?3) ON "
        "CONFLICT (connector) DO UPDATE SET since = excluded.since, updated_at = "
        "excluded.updated_at");
    if (!q) {
      return std::unexpected(std::move(q.error()));
    }
    if (auto r = q->bind(1, c.connector).bind(2, to_ms(*c.since)).bind(3, now).run(); !r) {
      return std::unexpected(std::move(r.error()));
    }
  }
  if (c.roster_state) {
    auto q = impl_->prepare(
        "INSERT INTO roster_state (connector, state_json, updated_at) VALUES (?1, ?2, ?3) ON "
        "CONFLICT (connector) DO UPDATE SET state_json = excluded.state_json, updated_at = "
        "excluded.updated_at");
    if (!q) {
      return std::unexpected(std::move(q.error()));
    }
    if (auto r = q->bind(1, c.connector).bind(2, *c.roster_state).bind(3, now).run(); !r) {
      return std::unexpected(std::move(r.error()));
    }
  }
  return tx->commit();
}

std::expected<std::optional<OutcomeRow>, Error> StateStore::outcome(std::string_view connector,
                                                                    std::string_view lead_id) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(
      "SELECT decision_id, converted, outcome_at, detail, updated_at, counted FROM outcomes "
      "WHERE connector = ?1 AND lead_id = ?2");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  auto row = q->bind(1, connector).bind(2, lead_id).step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<OutcomeRow>();
  }
  OutcomeRow o;
  o.connector = std::string(connector);
  o.lead_id = std::string(lead_id);
  o.decision_id = q->text(0);
  o.converted = q->int64(1) != 0;
  if (auto at = q->optional_int64(2)) {
    o.outcome_at = from_ms(*at);
  }
  o.detail = q->text(3);
  o.updated_at = from_ms(q->int64(4));
  o.counted = q->int64(5) != 0;
  return std::optional<OutcomeRow>(std::move(o));
}

namespace {

std::expected<std::optional<TimestampMs>, Error> optional_time(sqlite::Query& q) {
  auto row = q.step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  if (!*row || q.is_null(0)) {
    return std::optional<TimestampMs>();
  }
  return std::optional<TimestampMs>(from_ms(q.int64(0)));
}

constexpr const char* kModelColumns =
    "version, created_at, registered_at, source, auc, rows, positives, active, path";

ModelRow read_model(const sqlite::Query& q) {
  ModelRow m;
  m.version = q.text(0);
  m.created_at = from_ms(q.int64(1));
  m.registered_at = from_ms(q.int64(2));
  m.source = q.text(3);
  if (!q.is_null(4)) {
    m.auc = q.real(4);
  }
  m.rows = q.int64(5);
  m.positives = q.int64(6);
  m.active = q.int64(7) != 0;
  m.path = q.text(8);
  return m;
}

}  // namespace

std::expected<std::optional<TimestampMs>, Error> StateStore::outcome_cursor(
    std::string_view connector) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare("SELECT since FROM outcome_cursors WHERE connector = ?1");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  q->bind(1, connector);
  return optional_time(*q);
}

std::expected<std::optional<TimestampMs>, Error> StateStore::first_decision_at(
    std::string_view connector) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare("SELECT MIN(decided_at) FROM decisions WHERE connector = ?1");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  q->bind(1, connector);
  return optional_time(*q);
}

std::expected<std::int64_t, Error> StateStore::outcomes_changed_since(TimestampMs since) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare("SELECT COUNT(*) FROM outcomes WHERE updated_at >= ?1");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  auto row = q->bind(1, to_ms(since)).step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  return *row ? q->int64(0) : 0;
}

std::expected<std::vector<LabelledLead>, Error> StateStore::labelled_leads() {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(
      "SELECT d.connector, d.lead_id, d.decided_at, d.lead_json, COALESCE(o.converted, 0) FROM "
      "decisions d LEFT JOIN outcomes o ON o.connector = d.connector AND o.lead_id = d.lead_id "
      "WHERE d.kind = 'initial' ORDER BY d.seq");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  return q->collect([](const sqlite::Query& row) {
    return LabelledLead{.connector = row.text(0),
                        .lead_id = row.text(1),
                        .decided_at = from_ms(row.int64(2)),
                        .lead_json = row.text(3),
                        .converted = row.int64(4) != 0};
  });
}

std::expected<bool, Error> StateStore::register_model(const ModelRow& m, bool activate) {
  if (m.source != "file" && m.source != "retrained") {
    return std::unexpected(
        Error::invalid_input(fmt::format("model source '{}' is not file or retrained", m.source)));
  }
  std::lock_guard lock(impl_->mutex);
  auto tx = sqlite::Transaction::begin(impl_->db.get(), sqlite::Transaction::Kind::kImmediate);
  if (!tx) {
    return std::unexpected(std::move(tx.error()));
  }
  auto exists = impl_->prepare("SELECT 1 FROM models WHERE version = ?1");
  if (!exists) {
    return std::unexpected(std::move(exists.error()));
  }
  auto found = exists->bind(1, m.version).step();
  if (!found) {
    return std::unexpected(std::move(found.error()));
  }
  if (*found) {
    return false;
  }
  if (activate) {
    if (auto r = sqlite::exec(impl_->db.get(), "UPDATE models SET active = 0 WHERE active = 1");
        !r) {
      return std::unexpected(std::move(r.error()));
    }
  }
  auto q =
      impl_->prepare(fmt::format("INSERT INTO models ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                                 "?8, ?9)",
                                 kModelColumns));
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  q->bind(1, m.version)
      .bind(2, to_ms(m.created_at))
      .bind(3, to_ms(m.registered_at))
      .bind(4, m.source);
  if (m.auc) {
    q->bind(5, *m.auc);
  } else {
    q->bind_null(5);
  }
  q->bind(6, m.rows).bind(7, m.positives).bind(8, activate ? 1 : 0).bind(9, m.path);
  if (auto r = q->run(); !r) {
    return std::unexpected(std::move(r.error()));
  }
  if (auto r = tx->commit(); !r) {
    return std::unexpected(std::move(r.error()));
  }
  return true;
}

std::expected<std::vector<ModelRow>, Error> StateStore::models() {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(fmt::format(
      "SELECT {} FROM models ORDER BY registered_at DESC, version DESC", kModelColumns));
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  return q->collect(read_model);
}

std::expected<std::optional<ModelRow>, Error> StateStore::active_model() {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(fmt::format("SELECT {} FROM models WHERE active = 1", kModelColumns));
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  auto row = q->step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<ModelRow>();
  }
  return std::optional<ModelRow>(read_model(*q));
}

std::expected<void, Error> StateStore::activate_model(std::string_view version) {
  std::lock_guard lock(impl_->mutex);
  auto tx = sqlite::Transaction::begin(impl_->db.get(), sqlite::Transaction::Kind::kImmediate);
  if (!tx) {
    return std::unexpected(std::move(tx.error()));
  }
  auto exists = impl_->prepare("SELECT 1 FROM models WHERE version = ?1");
  if (!exists) {
    return std::unexpected(std::move(exists.error()));
  }
  auto found = exists->bind(1, version).step();
  if (!found) {
    return std::unexpected(std::move(found.error()));
  }
  if (!*found) {
    return std::unexpected(Error::not_found(fmt::format("no model version '{}'", version)));
  }
  if (auto r = sqlite::exec(impl_->db.get(), "UPDATE models SET active = 0 WHERE active = 1"); !r) {
    return std::unexpected(std::move(r.error()));
  }
  auto q = impl_->prepare("UPDATE models SET active = 1 WHERE version = ?1");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  if (auto r = q->bind(1, version).run(); !r) {
    return std::unexpected(std::move(r.error()));
  }
  return tx->commit();
}

}  // namespace leadrouter::sidecar
