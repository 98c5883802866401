#include "sidecar/pipeline/outbox_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sidecar/logging/log.hpp"

namespace leadrouter::sidecar {
namespace {

using std::chrono::milliseconds;

// The longest the writer sleeps without looking at the outbox: rows added by
// another process (`outbox retry`) are picked up within this time.
constexpr milliseconds kIdleWait{5000};
constexpr double kJitter = 0.2;

TimestampMs to_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<milliseconds>(t);
}

// Kinds where the same write may succeed later; the others (bad input, a
// record that is gone, a refused request) fail the same way every time.
bool retryable(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kRetryable:
    case ErrorKind::kRateLimited:
    case ErrorKind::kAuth:
    case ErrorKind::kInternal:
    case ErrorKind::kInvalidResponse:
      return true;
    case ErrorKind::kPermanent:
    case ErrorKind::kInvalidInput:
    case ErrorKind::kNotFound:
      return false;
  }
  return false;
}

std::string describe(const Error& error) {
  if (error.http_status != 0) {
    return fmt::format("{} (HTTP {}): {}", to_string(error.kind), error.http_status, error.message);
  }
  return fmt::format("{}: {}", to_string(error.kind), error.message);
}

}  // namespace

OutboxWriter::OutboxWriter(StateStore& store, connectors::CrmConnector& connector,
                           MetricsRegistry& metrics, OutboxConfig config, SystemClock clock,
                           std::uint64_t jitter_seed)
    : store_(store),
      connector_(connector),
      metrics_(metrics),
      config_(config),
      clock_(std::move(clock)),
      rng_(jitter_seed) {
  config_.batch_size = std::max(config_.batch_size, 1);
  config_.max_attempts = std::max(config_.max_attempts, 1);
}

std::chrono::milliseconds OutboxWriter::retry_delay(int attempts, const Error& error) {
  const double initial = static_cast<double>(config_.initial_backoff.count());
  const double cap = static_cast<double>(config_.max_backoff.count());
  // In doubles: 2^attempts overflows any integer long before max_attempts
  // is unreasonable.
  const double backoff = std::min(cap, initial * std::pow(2.0, std::max(attempts, 0)));
  std::uniform_real_distribution<double> jitter(1.0 - kJitter, 1.0 + kJitter);
  milliseconds delay{std::llround(backoff * jitter(rng_))};
  if (error.retry_after) {
    delay = std::max(delay, *error.retry_after);
  }
  // Never zero: a row retried "now" would be picked again in the same drain.
  return std::max(delay, milliseconds{1});
}

std::expected<int, Error> OutboxWriter::send_batch() {
  const std::string& name = connector_.name();
  auto rows = store_.due_outbox(name, to_ms(clock_()), config_.batch_size);
  if (!rows) {
    return std::unexpected(rows.error());
  }
  if (rows->empty()) {
    return 0;
  }
  std::vector<connectors::WriteBack> writes;
  writes.reserve(rows->size());
  for (const OutboxRow& row : *rows) {
    connectors::WriteBack write = row.write;
    // The row's own ids are the ones the store and the CRM marker key on.
    write.decision_id = row.decision_id;
    write.record_id = row.record_id;
    writes.push_back(std::move(write));
  }
  const std::vector<connectors::WriteResult> results = connector_.apply(writes);
  const auto done_time = clock_();
  const TimestampMs now = to_ms(done_time);

  auto& done = metrics_.counter("leadrouter_writes_total", "CRM write-backs by result",
                                {{"connector", name}, {"result", "done"}});
  auto& retried = metrics_.counter("leadrouter_writes_total", "CRM write-backs by result",
                                   {{"connector", name}, {"result", "retry"}});
  auto& dead = metrics_.counter("leadrouter_writes_total", "CRM write-backs by result",
                                {{"connector", name}, {"result", "dead"}});
  auto& speed = metrics_.histogram("leadrouter_speed_to_lead_seconds",
                                   "From the lead's creation in the CRM to its owner written",
                                   speed_to_lead_buckets_seconds(), {{"connector", name}});

  for (std::size_t i = 0; i < rows->size(); ++i) {
    const OutboxRow& row = (*rows)[i];
    const connectors::WriteResult* result = nullptr;
    if (i < results.size() && results[i].decision_id == row.decision_id) {
      result = &results[i];
    } else {
      auto it = std::ranges::find(results, row.decision_id, &connectors::WriteResult::decision_id);
      if (it != results.end()) {
        result = &*it;
      }
    }

    if (result != nullptr && result->ok()) {
      if (auto marked = store_.mark_done(row.id, result->task_id, now); !marked) {
        return std::unexpected(marked.error());
      }
      done.inc();
      log::info("write_back_done", {{"connector", name},
                                    {"decision_id", row.decision_id},
                                    {"record", row.record_id},
                                    {"task", result->task_id},
                                    {"task_already_existed", result->task_already_existed},
                                    {"attempts", row.attempts + 1}});
      if (!row.write.owner_id.empty()) {
        auto decision = store_.decision(row.decision_id);
        if (decision && *decision && (*decision)->lead_created_at) {
          const auto elapsed = now - *(*decision)->lead_created_at;
          if (elapsed.count() >= 0) {
            speed.observe(std::chrono::duration<double>(elapsed).count());
          }
        }
      }
      continue;
    }

    const Error error = result != nullptr
                            ? *result->error
                            : Error::internal("the connector returned no result for this write");
    const std::string reason = describe(error);
    if (!retryable(error.kind)) {
      if (auto marked = store_.mark_dead(row.id, reason, now); !marked) {
        return std::unexpected(marked.error());
      }
      dead.inc();
      log::error("write_back_dead", {{"connector", name},
                                     {"decision_id", row.decision_id},
                                     {"record", row.record_id},
                                     {"error", reason}});
      continue;
    }
    if (row.attempts + 1 >= config_.max_attempts) {
      const std::string why =
          fmt::format("gave up after {} attempts: {}", row.attempts + 1, reason);
      if (auto marked = store_.mark_dead(row.id, why, now); !marked) {
        return std::unexpected(marked.error());
      }
      dead.inc();
      log::error("write_back_dead", {{"connector", name},
                                     {"decision_id", row.decision_id},
                                     {"record", row.record_id},
                                     {"error", why}});
      continue;
    }
    const milliseconds delay = retry_delay(row.attempts, error);
    if (auto marked = store_.mark_retry(row.id, reason, now + delay, now); !marked) {
      return std::unexpected(marked.error());
    }
    retried.inc();
    log::warn("write_back_retry", {{"connector", name},
                                   {"decision_id", row.decision_id},
                                   {"record", row.record_id},
                                   {"attempt", row.attempts + 1},
                                   {"retry_in_ms", static_cast<std::int64_t>(delay.count())},
                                   {"error", reason}});
  }
  return static_cast<int>(rows->size());
}

std::expected<int, Error> OutboxWriter::drain_once() {
  int handled = 0;
  for (;;) {
    auto sent = send_batch();
    if (!sent) {
      return std::unexpected(sent.error());
    }
    handled += *sent;
    if (*sent < config_.batch_size) {
      return handled;
    }
  }
}

void OutboxWriter::run(std::stop_token stop) {
  const std::string& name = connector_.name();
  int failures = 0;
  while (!stop.stop_requested()) {
    milliseconds wait = kIdleWait;
    bool failed = false;
    // Batch by batch, so a stop request waits for one batch, not the backlog.
    while (!stop.stop_requested()) {
      auto sent = send_batch();
      if (!sent) {
        failed = true;
        ++failures;
        log::error("outbox_drain_failed", {{"connector", name}, {"error", sent.error().message}});
        break;
      }
      if (*sent < config_.batch_size) {
        break;
      }
    }
    if (failed) {
      const double backoff = static_cast<double>(config_.initial_backoff.count()) *
                             std::pow(2.0, std::min(failures - 1, 20));
      wait = std::min(kIdleWait, milliseconds{std::llround(backoff)});
    } else {
      failures = 0;
      auto next = store_.next_outbox_due(name);
      if (next && *next) {
        const auto until = **next - to_ms(clock_());
        wait =
            std::clamp(std::chrono::duration_cast<milliseconds>(until), milliseconds{0}, kIdleWait);
      }
    }
    std::unique_lock lock(mutex_);
    wake_cv_.wait_for(lock, stop, wait, [&] { return woken_; });
    woken_ = false;
  }
}

void OutboxWriter::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

}  // namespace leadrouter::sidecar
