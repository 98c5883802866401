#include "sidecar/pipeline/outcome_tracker.hpp"

#include <algorithm>
#include <utility>

#include "sidecar/logging/log.hpp"

namespace leadrouter::sidecar {

OutcomeTracker::OutcomeTracker(connectors::CrmConnector& connector, StateStore& store,
                               DecisionEngine& engine, MetricsRegistry& metrics, SystemClock clock)
    : connector_(connector),
      store_(store),
      engine_(engine),
      metrics_(metrics),
      clock_(std::move(clock)) {}

std::expected<OutcomeBatchResult, Error> OutcomeTracker::poll_once() {
  const std::string& name = connector_.name();
  auto cursor = store_.outcome_cursor(name);
  if (!cursor) {
    return std::unexpected(cursor.error());
  }
  std::optional<TimestampMs> since = *cursor;
  if (!since) {
    auto first = store_.first_decision_at(name);
    if (!first) {
      return std::unexpected(first.error());
    }
    if (!*first) {
      return OutcomeBatchResult{};
    }
    since = *first;
  }
  auto outcomes = connector_.fetch_outcomes(std::chrono::floor<std::chrono::seconds>(*since));
  if (!outcomes) {
    metrics_
        .counter("leadrouter_outcome_polls_total", "Outcome reads from the CRM by result",
                 {{"connector", name}, {"result", "error"}})
        .inc();
    log::warn("outcome_poll_failed", {{"connector", name}, {"error", outcomes.error().message}});
    return std::unexpected(outcomes.error());
  }
  // The CRM's own times move the cursor, never our clock, so a CRM clock
  // ahead of or behind ours loses nothing. The newest second is read again
  // next time (the fetch is inclusive); labels are idempotent per lead.
  TimestampMs next = *since;
  for (const connectors::Outcome& o : *outcomes) {
    if (o.at) {
      next = std::max(next, std::chrono::time_point_cast<std::chrono::milliseconds>(*o.at));
    }
  }
  auto result = engine_.record_outcomes(name, *outcomes, next);
  if (!result) {
    return result;
  }
  metrics_
      .counter("leadrouter_outcome_polls_total", "Outcome reads from the CRM by result",
               {{"connector", name}, {"result", "ok"}})
      .inc();
  if (result->recorded > 0) {
    metrics_
        .counter("leadrouter_outcomes_recorded_total", "Conversion labels stored for decided leads",
                 {{"connector", name}})
        .inc(result->recorded);
  }
  if (result->conversions > 0) {
    metrics_
        .counter("leadrouter_track_record_conversions_total",
                 "Conversions added to reps' track records", {{"connector", name}})
        .inc(result->conversions);
  }
  if (result->recorded > 0) {
    log::info("outcomes_recorded", {{"connector", name},
                                    {"recorded", result->recorded},
                                    {"conversions", result->conversions},
                                    {"unknown", result->unknown},
                                    {"unchanged", result->unchanged}});
  }
  return result;
}

}  // namespace leadrouter::sidecar
