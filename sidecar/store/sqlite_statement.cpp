#include "sidecar/store/sqlite_statement.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace leadrouter::sidecar::sqlite {

Error error(sqlite3* db, std::string_view what) {
  return Error::internal(fmt::format("{}: {}", what, db ? sqlite3_errmsg(db) : "out of memory"));
}

namespace {

// The first line of a statement, enough to say which one failed without
// pasting a whole migration into a message.
std::string_view describe(std::string_view sql) {
  while (!sql.empty() && (sql.front() == '\n' || sql.front() == ' ')) {
    sql.remove_prefix(1);
  }
  return sql.substr(0, std::min(sql.find('\n'), std::size_t{80}));
}

}  // namespace

std::expected<StatementHandle, Error> prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(raw);
    return std::unexpected(error(db, fmt::format("preparing {}", describe(sql))));
  }
  return StatementHandle(raw);
}

std::expected<void, Error> exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return std::unexpected(Error::internal(fmt::format("{}: {}", describe(sql), text)));
  }
  return {};
}

Query::~Query() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Query::note_bind(int rc, int index) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_index_ = index;
  }
}

Query& Query::bind(int index, std::string_view text) {
  note_bind(
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
  return *this;
}

Query& Query::bind(int index, std::int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Query& Query::bind(int index, double value) {
  note_bind(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

Query& Query::bind_null(int index) {
  note_bind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

std::expected<bool, Error> Query::step() {
  if (bind_rc_ != SQLITE_OK) {
    return std::unexpected(
        Error::internal(fmt::format("binding parameter {} of {}: {}", bind_index_,
                                    sqlite3_sql(stmt_), sqlite3_errstr(bind_rc_))));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return std::unexpected(error(db_, sqlite3_sql(stmt_)));
}

std::expected<void, Error> Query::run() {
  auto row = step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  if (*row) {
    return std::unexpected(Error::internal(
        fmt::format("{}: returned a row where none was expected", sqlite3_sql(stmt_))));
  }
  return {};
}

bool Query::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Query::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Query::real(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string Query::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::int64_t> Query::optional_int64(int column) const {
  if (is_null(column)) {
    return std::nullopt;
  }
  return int64(column);
}

std::expected<Query, Error> StatementCache::prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(raw);
      return std::unexpected(error(db_, fmt::format("preparing {}", describe(sql))));
    }
    it = statements_.emplace(std::string(sql), StatementHandle(raw)).first;
  }
  return Query(db_, it->second.get());
}

std::expected<Transaction, Error> Transaction::begin(sqlite3* db, Kind kind) {
  if (auto r = exec(db, kind == Kind::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN"); !r) {
    return std::unexpected(std::move(r.error()));
  }
  return Transaction(db);
}

Transaction::~Transaction() {
  rollback();
}

void Transaction::rollback() {
  // Some failures (I/O, out of memory) already rolled back inside SQLite;
  // a second ROLLBACK would only report "no transaction is active".
  if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  db_ = nullptr;
}

std::expected<void, Error> Transaction::commit() {
  if (db_ == nullptr) {
    return std::unexpected(Error::internal("commit of a transaction that already ended"));
  }
  if (auto r = exec(db_, "COMMIT"); !r) {
    rollback();
    return r;
  }
  db_ = nullptr;
  return {};
}

}  // namespace leadrouter::sidecar::sqlite
