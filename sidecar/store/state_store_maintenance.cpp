// Housekeeping of the state store: tables that would otherwise only grow.
#include <sqlite3.h>

#include "sidecar/store/state_store.hpp"
#include "sidecar/store/state_store_impl.hpp"

namespace leadrouter::sidecar {

std::expected<int, Error> StateStore::prune_webhook_events(TimestampMs before) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare("DELETE FROM webhook_events WHERE seen_at < ?1");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  if (auto r = q->bind(1, before.time_since_epoch().count()).run(); !r) {
    return std::unexpected(std::move(r.error()));
  }
  return sqlite3_changes(impl_->db.get());
}

}  // namespace leadrouter::sidecar
