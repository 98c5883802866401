// The account index's copy of each CRM's accounts and the account change
// feed's cursor (schema 3 tables `accounts`, `account_cursors`).
#include <fmt/core.h>

#include <chrono>
#include <cstdint>
#include <mutex>

#include "sidecar/store/sqlite_statement.hpp"
#include "sidecar/store/state_store.hpp"
#include "sidecar/store/state_store_impl.hpp"

namespace leadrouter::sidecar {

namespace {

std::int64_t epoch_ms(TimestampMs t) {
  return t.time_since_epoch().count();
}

TimestampMs from_epoch_ms(std::int64_t ms) {
  return TimestampMs(std::chrono::milliseconds(ms));
}

}  // namespace

std::expected<void, Error> StateStore::commit_accounts(const AccountCommit& c) {
  if (c.connector.empty()) {
    return std::unexpected(Error::invalid_input("an account commit needs a connector"));
  }
  std::lock_guard lock(impl_->mutex);
  auto tx = sqlite::Transaction::begin(impl_->db.get(), sqlite::Transaction::Kind::kImmediate);
  if (!tx) {
    return std::unexpected(std::move(tx.error()));
  }
  for (const connectors::CrmAccount& a : c.accounts) {
    if (a.id.empty()) {
      return std::unexpected(Error::invalid_input("an account without an id"));
    }
    auto q = impl_->prepare(
        "INSERT INTO accounts (connector, id, name, domain, website, owner_id, size, "
        "modified_at, last_activity_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT "
        "(connector, id) DO UPDATE SET name = excluded.name, domain = excluded.domain, website = "
        "excluded.website, owner_id = excluded.owner_id, size = excluded.size, modified_at = "
        "excluded.modified_at, last_activity_at = excluded.last_activity_at");
    if (!q) {
      return std::unexpected(std::move(q.error()));
    }
    std::optional<std::int64_t> activity;
    if (a.last_activity_at) {
      activity = epoch_ms(*a.last_activity_at);
    }
    q->bind(1, c.connector)
        .bind(2, a.id)
        .bind(3, a.name)
        .bind(4, a.domain)
        .bind(5, a.website)
        .bind(6, a.owner_id)
        .bind(7, a.size)
        .bind(8, epoch_ms(a.modified_at))
        .bind(9, activity);
    if (auto r = q->run(); !r) {
      return std::unexpected(std::move(r.error()));
    }
  }
  for (const std::string& id : c.removed_ids) {
    auto q = impl_->prepare("DELETE FROM accounts WHERE connector = ?1 AND id = ?2");
    if (!q) {
      return std::unexpected(std::move(q.error()));
    }
    if (auto r = q->bind(1, c.connector).bind(2, id).run(); !r) {
      return std::unexpected(std::move(r.error()));
    }
  }
  if (c.cursor) {
    auto q = impl_->prepare(
        "INSERT INTO account_cursors (connector, cursor, updated_at) VALUES (?1, ?2, ?3) ON "
        "CONFLICT (connector) DO UPDATE SET cursor = excluded.cursor, updated_at = "
        "excluded.updated_at");
    if (!q) {
      return std::unexpected(std::move(q.error()));
    }
    if (auto r = q->bind(1, c.connector).bind(2, *c.cursor).bind(3, epoch_ms(c.now)).run(); !r) {
      return std::unexpected(std::move(r.error()));
    }
  }
  return tx->commit();
}

std::expected<std::vector<connectors::CrmAccount>, Error> StateStore::accounts(
    std::string_view connector) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(
      "SELECT id, name, domain, website, owner_id, size, modified_at, last_activity_at FROM "
      "accounts WHERE connector = ?1 ORDER BY id");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  q->bind(1, connector);
  return q->collect([](const sqlite::Query& row) {
    connectors::CrmAccount a;
    a.id = row.text(0);
    a.name = row.text(1);
    a.domain = row.text(2);
    a.website = row.text(3);
    a.owner_id = row.text(4);
    a.size = row.real(5);
    a.modified_at = from_epoch_ms(row.int64(6));
    if (auto activity = row.optional_int64(7)) {
      a.last_activity_at = from_epoch_ms(*activity);
    }
    return a;
  });
}

std::expected<std::optional<std::string>, Error> StateStore::account_cursor(
    std::string_view connector) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare("SELECT cursor FROM account_cursors WHERE connector = ?1");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  auto row = q->bind(1, connector).step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<std::string>{};
  }
  return std::optional<std::string>(q->text(0));
}

}  // namespace leadrouter::sidecar
