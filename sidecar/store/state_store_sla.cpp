// The SLA watches (schema 3): one row per lead we gave to a rep, read by the
// SLA watcher and written by the routing and SLA-step commits.
#include <fmt/format.h>

#include <string>
#include <utility>

#include "sidecar/store/state_store.hpp"
#include "sidecar/store/state_store_impl.hpp"

namespace leadrouter::sidecar {
namespace {

constexpr std::string_view kColumns =
    "connector, lead_id, decision_id, owner_id, tier, started_at, deadline, due_at, step, "
    "previous_owners, state, breached_at, closed_at, first_touch_at, evidence";

std::int64_t ms(TimestampMs t) {
  return t.time_since_epoch().count();
}

TimestampMs from_ms(std::int64_t value) {
  return TimestampMs{std::chrono::milliseconds{value}};
}

std::optional<std::int64_t> optional_ms(const std::optional<TimestampMs>& t) {
  if (!t) {
    return std::nullopt;
  }
  return ms(*t);
}

std::optional<TimestampMs> optional_time(const sqlite::Query& q, int column) {
  if (auto value = q.optional_int64(column)) {
    return from_ms(*value);
  }
  return std::nullopt;
}

// Owner ids are CRM user ids (digits, or Salesforce's 005... ids): a comma
// never occurs in them.
std::string join_owners(const std::vector<std::string>& owners) {
  std::string out;
  for (const std::string& owner : owners) {
    out += out.empty() ? owner : "," + owner;
  }
  return out;
}

std::vector<std::string> split_owners(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    if (end > start) {
      out.push_back(text.substr(start, end - start));
    }
    start = end + 1;
  }
  return out;
}

SlaWatch read_watch(const sqlite::Query& q) {
  SlaWatch w;
  w.connector = q.text(0);
  w.lead_id = q.text(1);
  w.decision_id = q.text(2);
  w.owner_id = q.text(3);
  w.tier = q.text(4);
  w.started_at = from_ms(q.int64(5));
  w.deadline = from_ms(q.int64(6));
  w.due_at = from_ms(q.int64(7));
  w.step = static_cast<int>(q.int64(8));
  w.previous_owners = split_owners(q.text(9));
  w.state = parse_sla_state(q.text(10)).value_or(SlaState::kOpen);
  w.breached_at = optional_time(q, 11);
  w.closed_at = optional_time(q, 12);
  w.first_touch_at = optional_time(q, 13);
  w.evidence = q.text(14);
  return w;
}

}  // namespace

const char* to_string(SlaState state) {
  switch (state) {
    case SlaState::kOpen:
      return "open";
    case SlaState::kMet:
      return "met";
    case SlaState::kBreached:
      return "breached";
    case SlaState::kCancelled:
      return "cancelled";
  }
  return "open";
}

std::optional<SlaState> parse_sla_state(std::string_view text) {
  for (const SlaState s :
       {SlaState::kOpen, SlaState::kMet, SlaState::kBreached, SlaState::kCancelled}) {
    if (text == to_string(s)) {
      return s;
    }
  }
  return std::nullopt;
}

std::expected<void, Error> StateStore::Impl::upsert_sla_watch(const SlaWatch& w) {
  if (w.connector.empty() || w.lead_id.empty()) {
    return std::unexpected(Error::invalid_input("an SLA watch needs a connector and a lead"));
  }
  auto q = prepare(fmt::format(
      "INSERT INTO sla_watches ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
      "?13, ?14, ?15) ON CONFLICT (connector, lead_id) DO UPDATE SET decision_id = "
      "excluded.decision_id, owner_id = excluded.owner_id, tier = excluded.tier, started_at = "
      "excluded.started_at, deadline = excluded.deadline, due_at = excluded.due_at, step = "
      "excluded.step, previous_owners = excluded.previous_owners, state = excluded.state, "
      "breached_at = excluded.breached_at, closed_at = excluded.closed_at, first_touch_at = "
      "excluded.first_touch_at, evidence = excluded.evidence",
      kColumns));
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  auto r = q->bind(1, w.connector)
               .bind(2, w.lead_id)
               .bind(3, w.decision_id)
               .bind(4, w.owner_id)
               .bind(5, w.tier)
               .bind(6, ms(w.started_at))
               .bind(7, ms(w.deadline))
               .bind(8, ms(w.due_at))
               .bind(9, w.step)
               .bind(10, join_owners(w.previous_owners))
               .bind(11, to_string(w.state))
               .bind(12, optional_ms(w.breached_at))
               .bind(13, optional_ms(w.closed_at))
               .bind(14, optional_ms(w.first_touch_at))
               .bind(15, w.evidence)
               .run();
  if (!r) {
    return std::unexpected(Error::internal(fmt::format("storing the SLA watch of {}/{}: {}",
                                                       w.connector, w.lead_id, r.error().message)));
  }
  return {};
}

std::expected<std::vector<SlaWatch>, Error> StateStore::due_sla_watches(TimestampMs now,
                                                                        int limit) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(fmt::format(
      "SELECT {} FROM sla_watches WHERE state = 'open' AND due_at <= ?1 ORDER BY due_at, "
      "connector, lead_id LIMIT ?2",
      kColumns));
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  q->bind(1, ms(now)).bind(2, limit);
  return q->collect(read_watch);
}

std::expected<std::optional<SlaWatch>, Error> StateStore::sla_watch(std::string_view connector,
                                                                    std::string_view lead_id) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(
      fmt::format("SELECT {} FROM sla_watches WHERE connector = ?1 AND lead_id = ?2", kColumns));
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  auto row = q->bind(1, connector).bind(2, lead_id).step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<SlaWatch>();
  }
  return read_watch(*q);
}

std::expected<std::vector<SlaWatch>, Error> StateStore::sla_watches(const SlaWatchQuery& query) {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare(fmt::format(
      "SELECT {} FROM sla_watches WHERE (?1 = '' OR state = ?1) AND (?2 = '' OR connector = ?2) "
      "ORDER BY due_at, connector, lead_id LIMIT ?3",
      kColumns));
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  q->bind(1, query.state ? to_string(*query.state) : "")
      .bind(2, query.connector)
      .bind(3, query.limit);
  return q->collect(read_watch);
}

std::expected<std::optional<TimestampMs>, Error> StateStore::next_sla_deadline() {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare("SELECT MIN(due_at) FROM sla_watches WHERE state = 'open'");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  auto row = q->step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  if (!*row || q->is_null(0)) {
    return std::optional<TimestampMs>();
  }
  return from_ms(q->int64(0));
}

std::expected<std::int64_t, Error> StateStore::open_sla_watch_count() {
  std::lock_guard lock(impl_->mutex);
  auto q = impl_->prepare("SELECT COUNT(*) FROM sla_watches WHERE state = 'open'");
  if (!q) {
    return std::unexpected(std::move(q.error()));
  }
  auto row = q->step();
  if (!row) {
    return std::unexpected(std::move(row.error()));
  }
  return *row ? q->int64(0) : 0;
}

}  // namespace leadrouter::sidecar
