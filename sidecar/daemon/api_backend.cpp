#include "sidecar/daemon/api_backend.hpp"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "core/decision_json.hpp"
#include "sidecar/logging/log.hpp"

namespace leadrouter::sidecar {

namespace {

// The events that can mean a lead to route; others (deletions, company
// changes) are acknowledged and dropped.
bool routable_event(std::string_view type) {
  return type == "contact.creation" || type == "contact.propertyChange";
}

std::string format_age(std::chrono::system_clock::duration age) {
  return fmt::format("{}s ago", std::chrono::duration_cast<std::chrono::seconds>(age).count());
}

}  // namespace

DaemonApiBackend::DaemonApiBackend(StateStore& store, DecisionEngine& engine, IngestQueue& queue,
                                   MetricsRegistry& metrics, SystemClock clock, Options options)
    : store_(store),
      engine_(engine),
      queue_(queue),
      metrics_(metrics),
      clock_(std::move(clock)),
      options_(options),
      started_at_(clock_()) {
  metrics_.add_collector([this](MetricsRegistry& registry) {
    auto counts = store_.outbox_counts();
    if (!counts) {
      return;
    }
    for (const auto state :
         {OutboxState::kPending, OutboxState::kDone, OutboxState::kDead, OutboxState::kDropped}) {
      const auto it = counts->find(state);
      registry
          .gauge("leadrouter_outbox_rows", "Outbox rows by state", {{"state", to_string(state)}})
          .set(it == counts->end() ? 0.0 : static_cast<double>(it->second));
    }
  });
  metrics_.add_collector([this](MetricsRegistry& registry) {
    registry.gauge("leadrouter_ingest_queue_depth", "Leads waiting for the decision worker")
        .set(static_cast<double>(queue_.size()));
  });
}

void DaemonApiBackend::add_connector(ConnectorEntry entry) {
  connectors_.push_back(entry);
}

std::vector<ReadinessCheck> DaemonApiBackend::readiness() {
  std::vector<ReadinessCheck> checks;
  if (auto probe = store_.outbox_counts(); probe) {
    checks.push_back({"store", true, "open"});
  } else {
    checks.push_back({"store", false, probe.error().message});
  }
  const auto now = clock_();
  for (const auto& entry : connectors_) {
    const std::string& name = entry.connector->name();
    checks.push_back(
        {"token:" + name, entry.token_obtained, entry.token_obtained ? "obtained" : "no token"});
    if (entry.poller == nullptr) {
      continue;
    }
    const auto last = entry.poller->last_success();
    const auto allowed = 3 * entry.poll_interval + options_.poll_grace;
    if (last) {
      const bool ok = now - *last <= allowed;
      checks.push_back({"poll:" + name, ok, "last success " + format_age(now - *last)});
    } else {
      const bool ok = now - started_at_ <= allowed;
      checks.push_back({"poll:" + name, ok, "no successful poll yet"});
    }
  }
  if (account_status_) {
    for (const auto& entry : connectors_) {
      const std::string& name = entry.connector->name();
      checks.push_back({"accounts:" + name, true, account_status_(name)});
    }
  }
  if (model_status_) {
    checks.push_back({"model", true, model_status_()});
  }
  return checks;
}

void DaemonApiBackend::set_account_status(
    std::function<std::string(const std::string& connector)> status) {
  account_status_ = std::move(status);
}

void DaemonApiBackend::set_model_status(std::function<std::string()> status) {
  model_status_ = std::move(status);
}

std::string DaemonApiBackend::metrics_text() {
  return metrics_.render();
}

std::expected<std::vector<DecisionRow>, Error> DaemonApiBackend::decisions(
    const DecisionQuery& query) {
  return store_.decisions(query);
}

std::expected<std::optional<DecisionRow>, Error> DaemonApiBackend::decision(std::string_view id) {
  return store_.decision(id);
}

std::expected<std::string, Error> DaemonApiBackend::preview(std::string_view connector,
                                                            const core::Lead& lead) {
  std::string name;
  if (connector.empty()) {
    if (connectors_.empty()) {
      return std::unexpected(Error::not_found("no connector is configured"));
    }
    name = connectors_.front().connector->name();
  } else if (const auto* entry = find(connector)) {
    name = entry->connector->name();
  } else {
    return std::unexpected(Error::not_found(fmt::format("no connector named '{}'", connector)));
  }
  auto decision = engine_.preview(name, lead);
  if (!decision) {
    return std::unexpected(decision.error());
  }
  return core::decision_to_json(*decision);
}

std::expected<int, Error> DaemonApiBackend::webhook(std::string_view connector,
                                                    const connectors::WebhookRequest& request) {
  const auto* entry = find(connector);
  if (entry == nullptr) {
    // Not counted: the name comes from the caller, and labels must stay few.
    return std::unexpected(Error::not_found(fmt::format("no connector named '{}'", connector)));
  }
  auto result = accept_webhook(*entry, request);
  std::string outcome = "accepted";
  if (!result) {
    switch (result.error().kind) {
      case ErrorKind::kAuth:
        outcome = "unauthorized";
        break;
      case ErrorKind::kInvalidInput:
        outcome = "invalid";
        break;
      case ErrorKind::kRetryable:
        outcome = "overloaded";
        break;
      default:
        outcome = "error";
        break;
    }
  }
  metrics_
      .counter("leadrouter_webhooks_total", "Webhook calls by outcome",
               {{"connector", entry->connector->name()}, {"result", outcome}})
      .inc();
  return result;
}

std::expected<int, Error> DaemonApiBackend::accept_webhook(
    const ConnectorEntry& entry, const connectors::WebhookRequest& request) {
  auto& connector = *entry.connector;
  auto events = connector.verify_webhook(request, clock_());
  if (!events) {
    return std::unexpected(events.error());
  }
  int queued = 0;
  std::set<std::string, std::less<>> in_this_call;
  for (const auto& event : *events) {
    if (!routable_event(event.type) || event.object_id.empty()) {
      continue;
    }
    if (!event.event_id.empty()) {
      if (!in_this_call.insert(event.event_id).second) {
        continue;
      }
      auto seen = store_.webhook_event_seen(connector.name(), event.event_id);
      if (!seen) {
        return std::unexpected(seen.error());
      }
      if (*seen) {
        continue;
      }
    }
    IngestItem item;
    item.connector = connector.name();
    item.source = "webhook";
    item.record_id = event.object_id;
    item.webhook_event_id = event.event_id;
    item.received_at = std::chrono::steady_clock::now();
    if (!queue_.try_push(std::move(item))) {
      return std::unexpected(
          Error{ErrorKind::kRetryable, "the ingest queue is full; deliver again later"});
    }
    ++queued;
  }
  log::info("webhook_accepted",
            {{"connector", connector.name()}, {"events", events->size()}, {"queued", queued}});
  return queued;
}

const DaemonApiBackend::ConnectorEntry* DaemonApiBackend::find(std::string_view connector) const {
  for (const auto& entry : connectors_) {
    if (entry.connector->name() == connector) {
      return &entry;
    }
  }
  if (connector == "hubspot" || connector == "salesforce") {
    for (const auto& entry : connectors_) {
      if (entry.connector->system() == connector) {
        return &entry;
      }
    }
  }
  return nullptr;
}

}  // namespace leadrouter::sidecar
