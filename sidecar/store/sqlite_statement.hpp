// Thin RAII layer over the SQLite C API for the state store: owned
// connections and statements, a statement in use that always resets (so a
// cached statement never keeps a read transaction open), a statement cache,
// and a transaction that rolls back unless committed. Failures become
// kInternal errors carrying SQLite's own message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace leadrouter::sidecar::sqlite {

struct ConnectionCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// "<what>: <sqlite's message>" as a kInternal error.
Error error(sqlite3* db, std::string_view what);

// A statement prepared for one use (schema work at open); the cache is for
// the statements every commit runs.
std::expected<StatementHandle, Error> prepare(sqlite3* db, std::string_view sql);

// Runs SQL that returns no rows (pragmas with no result, DDL, BEGIN/COMMIT).
std::expected<void, Error> exec(sqlite3* db, const char* sql);

// A prepared statement being bound and stepped. Binding errors are kept and
// reported by the next step(), so call sites stay a flat chain of binds.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Query();
  Query(Query&& other) noexcept
      : db_(other.db_),
        stmt_(other.stmt_),
        bind_rc_(other.bind_rc_),
        bind_index_(other.bind_index_) {
    other.stmt_ = nullptr;
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  Query& operator=(Query&&) = delete;

  // Parameters are numbered from 1, as in the SQL (?1, ?2, ...).
  Query& bind(int index, std::string_view text);
  Query& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Query& bind(int index, std::int64_t value);
  Query& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Query& bind(int index, double value);
  Query& bind_null(int index);
  Query& bind(int index, const std::optional<std::int64_t>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // true: a row is available; false: the statement has finished.
  std::expected<bool, Error> step();
  // Steps a statement that must not return rows (INSERT, UPDATE, DELETE).
  std::expected<void, Error> run();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;  // "" for NULL
  std::optional<std::int64_t> optional_int64(int column) const;

  // Steps through every remaining row and collects read(*this) for each.
  template <typename Read>
  auto collect(Read&& read)
      -> std::expected<std::vector<std::decay_t<std::invoke_result_t<Read&, Query&>>>, Error> {
    std::vector<std::decay_t<std::invoke_result_t<Read&, Query&>>> out;
    for (;;) {
      auto row = step();
      if (!row) {
        return std::unexpected(std::move(row.error()));
      }
      if (!*row) {
        return out;
      }
      out.push_back(read(*this));
    }
  }

 private:
  void note_bind(int rc, int index);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
  int bind_index_ = 0;
};

// Statements prepared once per connection and reused; keyed by their SQL,
// which call sites pass as string literals.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  std::expected<Query, Error> prepare(std::string_view sql);
  void clear() { statements_.clear(); }

 private:
  sqlite3* db_;
  std::map<std::string, StatementHandle, std::less<>> statements_;
};

// BEGIN [IMMEDIATE] ... COMMIT; destroyed without commit() it rolls back, so
// an early return on error never leaves a transaction open.
class Transaction {
 public:
  enum class Kind { kDeferred, kImmediate };
  static std::expected<Transaction, Error> begin(sqlite3* db, Kind kind);
  ~Transaction();
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;

  std::expected<void, Error> commit();

 private:
  explicit Transaction(sqlite3* db) : db_(db) {}
  void rollback();
  sqlite3* db_;  // null once committed or rolled back
};

}  // namespace leadrouter::sidecar::sqlite
