// The state store's connection and statement cache, shared by the files that
// implement StateStore (state_store.cpp and one file per later table group),
// so that each group of tables keeps its SQL in its own file.
#pragma once

#include <fmt/core.h>
#include <sqlite3.h>

#include <cstdint>
#include <expected>
#include <mutex>
#include <string>
#include <string_view>

#include "sidecar/store/sqlite_statement.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

struct StateStore::Impl {
  std::string path;
  StoreOptions options;
  std::mutex mutex;
  sqlite::Connection db;
  // Declared after db so its statements are finalized before db closes.
  sqlite::StatementCache statements{nullptr};

  std::expected<sqlite::Query, Error> prepare(std::string_view sql) {
    return statements.prepare(sql);
  }

  // Whether an outbox row exists, for telling "no such row" from "a row in
  // another state" after an UPDATE changed nothing.
  std::expected<bool, Error> outbox_exists(std::int64_t id) {
    auto q = prepare("SELECT 1 FROM outbox WHERE id = ?1");
    if (!q) {
      return std::unexpected(std::move(q.error()));
    }
    return q->bind(1, id).step();
  }

  // Runs an UPDATE of one outbox row; kNotFound when the id does not exist.
  // Changing nothing is not an error: the row moved on meanwhile (an
  // operator dropped it while the writer was writing it).
  std::expected<int, Error> update_outbox(sqlite::Query& q, std::int64_t id) {
    if (auto r = q.run(); !r) {
      return std::unexpected(std::move(r.error()));
    }
    const int changed = sqlite3_changes(db.get());
    if (changed == 0) {
      auto exists = outbox_exists(id);
      if (!exists) {
        return std::unexpected(std::move(exists.error()));
      }
      if (!*exists) {
        return std::unexpected(Error::not_found(fmt::format("no outbox row {}", id)));
      }
    }
    return changed;
  }

  // Prepares an UPDATE of one outbox row whose ?1 is the row id and whose
  // ?2, ?3, ... take `args` in order, then runs it as update_outbox does.
  template <typename... Args>
  std::expected<void, Error> change_outbox(std::string_view sql, std::int64_t id,
                                           const Args&... args) {
    auto q = prepare(sql);
    if (!q) {
      return std::unexpected(std::move(q.error()));
    }
    q->bind(1, id);
    int index = 2;
    (q->bind(index++, args), ...);
    if (auto r = update_outbox(*q, id); !r) {
      return std::unexpected(std::move(r.error()));
    }
    return {};
  }

  std::expected<CommitResult, Error> commit(const Commit& c);
  // Inside commit()'s transaction (state_store_sla.cpp).
  std::expected<void, Error> upsert_sla_watch(const SlaWatch& watch);
};

}  // namespace leadrouter::sidecar
