#include "sidecar/pipeline/sla_watcher.hpp"

#include <fmt/format.h>

#include <utility>

#include "core/policy.hpp"
#include "sidecar/logging/log.hpp"

namespace leadrouter::sidecar {
namespace {

// Watches per tick; more wait for the next one, earliest due first.
constexpr int kBatch = 200;

}  // namespace

std::vector<double> first_touch_buckets_seconds() {
  return {30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800};
}

SlaWatcher::SlaWatcher(StateStore& store, DecisionEngine& engine, MetricsRegistry& metrics,
                       SlaConfig config, SystemClock clock)
    : store_(store),
      engine_(engine),
      metrics_(metrics),
      config_(std::move(config)),
      clock_(std::move(clock)) {}

void SlaWatcher::update_open_gauge() {
  if (auto open = store_.open_sla_watch_count()) {
    metrics_.gauge("leadrouter_sla_open", "Leads whose SLA is being watched")
        .set(static_cast<double>(*open));
  }
}

std::expected<SlaTickResult, Error> SlaWatcher::tick() {
  SlaTickResult result;
  const auto now = std::chrono::floor<std::chrono::milliseconds>(clock_());
  auto due = store_.due_sla_watches(now, kBatch);
  if (!due) {
    return std::unexpected(due.error());
  }
  for (const SlaWatch& watch : *due) {
    auto& errors = metrics_.counter("leadrouter_sla_check_errors_total",
                                    "SLA checks that failed and are retried next tick",
                                    {{"connector", watch.connector}});
    connectors::CrmConnector* connector = engine_.connector_for(watch.connector);
    if (connector == nullptr) {
      // A connector removed from the config: its watches wait for it.
      continue;
    }
    const SlaWorkedConfig& worked = config_.worked_for(watch.connector);
    connectors::WorkCheck check;
    check.record_id = watch.lead_id;
    check.decision_id = watch.decision_id;
    check.since = watch.started_at;
    check.task_completed = worked.task_completed;
    check.field = worked.field;
    check.untouched_values = worked.untouched_values;
    auto written =
        store_.outbox(OutboxQuery{.connector = watch.connector, .decision_id = watch.decision_id});
    if (!written) {
      return std::unexpected(written.error());
    }
    for (const OutboxRow& row : *written) {
      if (!row.task_id.empty()) {
        check.task_id = row.task_id;
      }
    }
    auto status = connector->work_status(check);
    if (!status) {
      ++result.errors;
      errors.inc();
      log::warn("sla_check_failed", {{"connector", watch.connector},
                                     {"lead", watch.lead_id},
                                     {"error", status.error().message}});
      continue;
    }
    ++result.checked;
    auto outcome = engine_.apply_sla(watch, *status);
    if (!outcome) {
      ++result.errors;
      errors.inc();
      log::error("sla_apply_failed", {{"connector", watch.connector},
                                      {"lead", watch.lead_id},
                                      {"error", outcome.error().message}});
      continue;
    }
    const std::string& tier = outcome->tier;
    if (outcome->kind == SlaOutcome::Kind::kMet) {
      ++result.met;
      metrics_
          .counter("leadrouter_sla_met_total", "Leads worked by their SLA deadline",
                   {{"connector", watch.connector}, {"tier", tier}})
          .inc();
    }
    if (outcome->breached_now) {
      ++result.breached;
      metrics_
          .counter("leadrouter_sla_breached_total", "Leads not worked by their SLA deadline",
                   {{"connector", watch.connector}, {"tier", tier}})
          .inc();
    }
    if (outcome->first_touch_seconds) {
      metrics_
          .histogram("leadrouter_time_to_first_touch_seconds",
                     "From our decision to the first time the CRM shows the lead worked",
                     first_touch_buckets_seconds(),
                     {{"connector", watch.connector}, {"tier", tier}})
          .observe(*outcome->first_touch_seconds);
    }
    if (outcome->kind == SlaOutcome::Kind::kStep && outcome->action) {
      ++result.steps;
      metrics_
          .counter("leadrouter_sla_steps_total", "SLA breach steps taken",
                   {{"connector", watch.connector}, {"action", core::to_string(*outcome->action)}})
          .inc();
    }
    if (outcome->kind != SlaOutcome::Kind::kStale && outcome->kind != SlaOutcome::Kind::kStep) {
      log::info("sla_closed", {{"connector", watch.connector},
                               {"lead", watch.lead_id},
                               {"met", outcome->kind == SlaOutcome::Kind::kMet},
                               {"evidence", status->evidence}});
    }
  }
  update_open_gauge();
  return result;
}

void SlaWatcher::run(std::stop_token stop) {
  update_open_gauge();
  while (!stop.stop_requested()) {
    auto r = tick();
    if (!r) {
      log::error("sla_tick_failed", {{"error", r.error().message}});
    } else if (r->checked >= kBatch) {
      continue;  // a full batch: more may be due already
    }
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, stop, std::chrono::seconds(config_.check_seconds), [] { return false; });
  }
}

}  // namespace leadrouter::sidecar
