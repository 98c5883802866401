// The SLA side of the decision engine: the watch a decision opens, and each
// breach step (remind, reassign, escalate) as a decision of its own, written
// through the outbox like the initial one. docs/sla.md describes the rules.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/decision_json.hpp"
#include "core/lead_json.hpp"
#include "core/working_time.hpp"
#include "sidecar/logging/log.hpp"
#include "sidecar/pipeline/decision_engine.hpp"
#include "sidecar/store/roster_state_json.hpp"

namespace leadrouter::sidecar {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kEscalationTaskDue = std::chrono::hours(4);

TimestampMs to_ms(Timestamp t) {
  return std::chrono::time_point_cast<milliseconds>(t);
}

Timestamp to_seconds(TimestampMs t) {
  return std::chrono::floor<seconds>(t);
}

const core::Tier* find_tier(const core::Policy& policy, std::string_view name) {
  for (const core::Tier& tier : policy.tiers) {
    if (tier.name == name) {
      return &tier;
    }
  }
  return nullptr;
}

// `amount` after `from`, in the rep's working time when the tier counts
// business hours and the rep has hours; otherwise wall-clock time.
Timestamp later_by(const core::Tier& tier, const core::Roster& roster, std::string_view rep_id,
                   Timestamp from, seconds amount) {
  if (tier.business_hours) {
    if (const auto index = roster.index_of(rep_id)) {
      const core::Rep& rep = roster.reps()[*index];
      if (rep.working_hours) {
        if (auto due = core::add_working_time(rep.working_hours->windows, roster.zone_at(*index),
                                              rep.time_off, from, amount)) {
          return *due;
        }
      }
    }
  }
  return from + amount;
}

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::ranges::find(ids, id) != ids.end();
}

std::string lead_name(const core::Lead& lead) {
  const std::string name = lead_display_name(lead);
  return lead.company.empty() ? name : fmt::format("{} ({})", name, lead.company);
}

// The enrichment the initial decision was made with, so that a reassignment
// honours the same account and duplicate owners (a duplicate's owner was the
// first owner, so the lead then goes to a queue, never to a second rep).
core::Enrichment enrichment_of(const std::string& decision_json) {
  core::Enrichment out;
  rapidjson::Document doc;
  doc.Parse(decision_json.c_str(), decision_json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return out;
  }
  const auto e = doc.FindMember("enrichment");
  if (e == doc.MemberEnd() || !e->value.IsObject()) {
    return out;
  }
  auto text = [](const rapidjson::Value& o, const char* key) {
    const auto it = o.FindMember(key);
    return it != o.MemberEnd() && it->value.IsString()
               ? std::string(it->value.GetString(), it->value.GetStringLength())
               : std::string();
  };
  if (const auto a = e->value.FindMember("account");
      a != e->value.MemberEnd() && a->value.IsObject()) {
    core::AccountMatch m;
    m.account_id = text(a->value, "account_id");
    m.account_name = text(a->value, "account_name");
    m.owner_id = text(a->value, "owner_id");
    if (const auto c = a->value.FindMember("confidence");
        c != a->value.MemberEnd() && c->value.IsNumber()) {
      m.confidence = c->value.GetDouble();
    }
    m.reason = text(a->value, "reason");
    out.account = std::move(m);
  }
  if (const auto d = e->value.FindMember("duplicate");
      d != e->value.MemberEnd() && d->value.IsObject()) {
    core::DuplicateMatch m;
    m.record_id = text(d->value, "record_id");
    m.object_type = text(d->value, "object_type");
    m.owner_id = text(d->value, "owner_id");
    m.reason = text(d->value, "reason");
    out.duplicate = std::move(m);
  }
  return out;
}

// The audit record of a remind or escalate step (a reassignment stores the
// router's full decision instead).
std::string step_json(core::BreachAction action, const SlaWatch& watch, int step,
                      std::string_view assignee_kind, std::string_view assignee_id,
                      std::string_view explanation) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto str = [&](std::string_view key, std::string_view value) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  str("kind", core::to_string(action));
  str("lead_id", watch.lead_id);
  str("tier", watch.tier);
  w.Key("step");
  w.Int(step);
  str("sla_deadline", connectors::format_time_ms(watch.deadline));
  str("previous_decision_id", watch.decision_id);
  str("previous_owner_id", watch.owner_id);
  str("assignee_kind", assignee_kind);
  str("assignee_id", assignee_id);
  w.Key("previous_owners");
  w.StartArray();
  for (const std::string& owner : watch.previous_owners) {
    w.String(owner.c_str(), static_cast<rapidjson::SizeType>(owner.size()));
  }
  w.EndArray();
  str("explanation", explanation);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

std::optional<SlaWatch> open_sla_watch(std::string_view connector, std::string_view decision_id,
                                       const core::Decision& decision, const core::Policy& policy,
                                       const core::Roster& roster) {
  if (decision.assignee_kind != core::AssigneeKind::kRep || !decision.sla_deadline) {
    return std::nullopt;
  }
  const core::Tier* tier = find_tier(policy, decision.tier);
  if (tier == nullptr) {
    return std::nullopt;
  }
  SlaWatch watch;
  watch.connector = std::string(connector);
  watch.lead_id = decision.lead_id;
  watch.decision_id = std::string(decision_id);
  watch.owner_id = decision.assignee_id;
  watch.tier = decision.tier;
  watch.started_at = to_ms(decision.decided_at);
  watch.deadline = to_ms(*decision.sla_deadline);
  const seconds first_after{tier->on_breach.empty() ? 0 : tier->on_breach.front().after_seconds};
  watch.due_at =
      to_ms(later_by(*tier, roster, decision.assignee_id, *decision.sla_deadline, first_after));
  watch.previous_owners = {decision.assignee_id};
  return watch;
}

connectors::CrmConnector* DecisionEngine::connector_for(std::string_view name) const {
  std::lock_guard lock(mutex_);
  const auto view = sla_view_locked(name);
  return view ? view->connector : nullptr;
}

std::expected<SlaOutcome, Error> DecisionEngine::apply_sla(const SlaWatch& due,
                                                           const connectors::WorkStatus& status) {
  std::unique_lock lock(mutex_);
  SlaOutcome outcome;
  outcome.connector = due.connector;
  outcome.tier = due.tier;
  const auto view = sla_view_locked(due.connector);
  if (!view) {
    return std::unexpected(Error::not_found(fmt::format("no connector '{}'", due.connector)));
  }
  auto current = store_.sla_watch(due.connector, due.lead_id);
  if (!current) {
    return std::unexpected(current.error());
  }
  if (!*current || (*current)->state != SlaState::kOpen ||
      (*current)->decision_id != due.decision_id || (*current)->step != due.step) {
    return outcome;  // kStale
  }
  SlaWatch watch = std::move(**current);
  const TimestampMs now = std::chrono::floor<milliseconds>(clock_());
  Commit commit;
  commit.connector = due.connector;

  if (status.worked) {
    const TimestampMs touched = status.worked_at.value_or(now);
    watch.first_touch_at = touched;
    watch.closed_at = now;
    watch.evidence = status.evidence;
    const bool in_time = !watch.breached_at && touched <= watch.deadline;
    if (in_time) {
      watch.state = SlaState::kMet;
      outcome.kind = SlaOutcome::Kind::kMet;
    } else {
      outcome.breached_now = !watch.breached_at;
      watch.breached_at = watch.breached_at.value_or(now);
      watch.state = SlaState::kBreached;
      outcome.kind = SlaOutcome::Kind::kWorkedLate;
    }
    const std::chrono::duration<double> ttft = touched - watch.started_at;
    outcome.first_touch_seconds = std::max(0.0, ttft.count());
    commit.sla_watches.push_back(watch);
    if (auto r = store_.commit(commit); !r) {
      return std::unexpected(r.error());
    }
    return outcome;
  }

  outcome.breached_now = !watch.breached_at;
  watch.breached_at = watch.breached_at.value_or(now);
  const core::Router& router = *view->router;
  const core::Policy& policy = router.policy();
  const core::Tier* tier = find_tier(policy, watch.tier);
  // A reloaded policy may have dropped the tier or its steps: nothing left to do.
  if (tier == nullptr || watch.step >= static_cast<int>(tier->on_breach.size())) {
    watch.state = SlaState::kBreached;
    watch.closed_at = now;
    outcome.kind = SlaOutcome::Kind::kExhausted;
    commit.sla_watches.push_back(watch);
    if (auto r = store_.commit(commit); !r) {
      return std::unexpected(r.error());
    }
    return outcome;
  }

  const core::BreachStep& step = tier->on_breach[static_cast<std::size_t>(watch.step)];
  auto previous = store_.decision(watch.decision_id);
  if (!previous) {
    return std::unexpected(previous.error());
  }
  if (!*previous) {
    return std::unexpected(
        Error::internal(fmt::format("SLA watch of {}/{} names unknown decision {}", watch.connector,
                                    watch.lead_id, watch.decision_id)));
  }
  const DecisionRow& last = **previous;
  auto lead = core::lead_from_json(last.lead_json);
  if (!lead) {
    return std::unexpected(Error::internal(
        fmt::format("stored lead of decision {} is unreadable", watch.decision_id)));
  }
  const bool writes = mode_ == Mode::kLive && view->write_back;
  const int n = watch.step + 2;  // the initial decision is 1
  const std::string decision_id = make_decision_id(watch.connector, watch.lead_id, n);
  const Timestamp now_s = to_seconds(now);
  core::Roster copy = *view->roster;
  bool roster_changed = false;
  const bool owner_is_rep = last.assignee_kind == "rep";

  DecisionRow row;
  row.decision_id = decision_id;
  row.connector = watch.connector;
  row.lead_id = watch.lead_id;
  row.kind = core::to_string(step.action);
  row.source = "sla";
  row.mode = to_string(mode_);
  row.decided_at = now;
  row.route = last.route;
  row.tier = last.tier;
  row.score = last.score;
  row.policy_name = policy.name;
  row.policy_version = policy.version;
  row.model_version = last.model_version;
  // No lead_created_at: speed-to-lead measures the first assignment only,
  // and the outbox writer observes it for every owner write that has one.
  row.lead_json = last.lead_json;
  const std::string name = lead_name(*lead);
  const std::string deadline_text = connectors::format_time_ms(watch.deadline);
  std::optional<connectors::WriteBack> write;

  switch (step.action) {
    case core::BreachAction::kRemind: {
      row.assignee_kind = last.assignee_kind;
      row.assignee_id = last.assignee_id;
      const std::string text =
          fmt::format("Reminder: {} (tier {}) was due to be worked by {}; it has not been yet.",
                      name, watch.tier, deadline_text);
      row.decision_json =
          step_json(step.action, watch, watch.step + 1, row.assignee_kind, row.assignee_id, text);
      if (owner_is_rep) {
        connectors::WriteBack w;
        w.decision_id = decision_id;
        w.record_id = watch.lead_id;
        w.notification =
            connectors::Notification{last.assignee_id, fmt::format("SLA overdue: {}", name), text};
        write = std::move(w);
      }
      break;
    }
    case core::BreachAction::kReassign: {
      core::RouteOptions options;
      options.exclude_reps = watch.previous_owners;
      if (owner_is_rep) {
        copy.release(last.assignee_id);
      }
      core::Decision decision =
          router.route(*lead, enrichment_of(last.decision_json), copy, now_s, options);
      decision.explanation = fmt::format("Reassigned after the SLA ({}) was missed by {}. {}",
                                         deadline_text, last.assignee_id, decision.explanation);
      copy.commit(decision);
      roster_changed = true;
      row.assignee_kind = core::to_string(decision.assignee_kind);
      row.assignee_id = decision.assignee_id;
      row.route = decision.route;
      row.tier = decision.tier;
      row.score = std::round(decision.scores.combined * 1e6) / 1e6;
      if (decision.scores.model) {
        row.model_version = decision.scores.model->model_version;
      }
      row.decision_json = core::decision_to_json(decision);
      write = write_back_for(decision, *lead, decision_id, watch.lead_id);
      if (write && decision.assignee_kind == core::AssigneeKind::kRep) {
        write->reason =
            fmt::format("SLA reassignment from {}; {}", last.assignee_id, write->reason);
      }
      break;
    }
    case core::BreachAction::kEscalate: {
      std::string manager;
      if (step.to == core::EscalateTo::kManager && owner_is_rep) {
        if (const core::Rep* rep = copy.find(last.assignee_id);
            rep != nullptr && !rep->manager_id.empty() && copy.find(rep->manager_id) != nullptr) {
          manager = rep->manager_id;
        }
      }
      if (owner_is_rep) {
        copy.release(last.assignee_id);
        roster_changed = true;
      }
      connectors::WriteBack w;
      w.decision_id = decision_id;
      w.record_id = watch.lead_id;
      w.tier = last.tier;
      std::string text;
      if (!manager.empty()) {
        const core::Rep* m = copy.find(manager);
        row.assignee_kind = "rep";
        row.assignee_id = manager;
        text = fmt::format(
            "Escalated to {}: {} (tier {}) was not worked by its SLA deadline {}; it was with {}.",
            m->name.empty() ? manager : m->name, name, watch.tier, deadline_text,
            fmt::join(watch.previous_owners, ", "));
        w.owner_id = manager;
        connectors::FollowUpTask task;
        task.owner_id = manager;
        task.due = now_s + kEscalationTaskDue;
        task.priority = "high";
        task.subject = fmt::format("Escalated: {}", name);
        task.body = text;
        w.task = std::move(task);
        w.notification =
            connectors::Notification{manager, fmt::format("Escalated lead: {}", name), text};
      } else {
        row.assignee_kind = "queue";
        row.assignee_id = step.queue;
        text = fmt::format(
            "Escalated to queue '{}': {} (tier {}) was not worked by its SLA deadline {}; it was "
            "with {}.",
            step.queue, name, watch.tier, deadline_text, fmt::join(watch.previous_owners, ", "));
      }
      w.reason = fmt::format("SLA escalation to {} {}", row.assignee_kind, row.assignee_id);
      row.decision_json =
          step_json(step.action, watch, watch.step + 1, row.assignee_kind, row.assignee_id, text);
      write = std::move(w);
      break;
    }
  }

  if (writes && write) {
    OutboxRow out;
    out.decision_id = decision_id;
    out.connector = watch.connector;
    out.record_id = watch.lead_id;
    out.write = std::move(*write);
    out.created_at = now;
    out.updated_at = now;
    out.next_attempt_at = now;
    commit.outbox.push_back(std::move(out));
  }

  // The watch follows the lead to its new owner and their follow-up task.
  watch.step += 1;
  if (step.action != core::BreachAction::kRemind) {
    watch.decision_id = decision_id;
    watch.owner_id = row.assignee_id;
    if (row.assignee_kind == "rep" && !contains(watch.previous_owners, row.assignee_id)) {
      watch.previous_owners.push_back(row.assignee_id);
    }
  }
  const bool last_step = step.action == core::BreachAction::kEscalate ||
                         watch.step >= static_cast<int>(tier->on_breach.size());
  if (last_step) {
    watch.state = SlaState::kBreached;
    watch.closed_at = now;
  } else {
    const seconds after{tier->on_breach[static_cast<std::size_t>(watch.step)].after_seconds};
    watch.due_at = to_ms(later_by(*tier, copy, watch.owner_id, now_s, after));
    // Seconds-granular steps: never due before the step that just fired.
    watch.due_at = std::max(watch.due_at, now);
  }
  commit.decisions.push_back(row);
  if (roster_changed) {
    commit.roster_state = roster_state_to_json(copy.snapshot());
  }
  commit.sla_watches.push_back(watch);
  auto result = store_.commit(commit);
  if (!result) {
    log::error("sla_step_commit_failed", {{"connector", watch.connector},
                                          {"lead", watch.lead_id},
                                          {"action", core::to_string(step.action)},
                                          {"error", result.error().message}});
    return std::unexpected(result.error());
  }
  if (roster_changed) {
    *view->roster = std::move(copy);
  }
  outcome.kind = SlaOutcome::Kind::kStep;
  outcome.action = step.action;
  outcome.decision_id = decision_id;
  outcome.assignee_id = row.assignee_id;
  outcome.wrote_outbox = !result->outbox_ids.empty();
  log::info("sla_step", {{"connector", watch.connector},
                         {"lead", watch.lead_id},
                         {"decision_id", decision_id},
                         {"action", core::to_string(step.action)},
                         {"step", watch.step},
                         {"previous_owner", last.assignee_id},
                         {"assignee", row.assignee_id}});

  std::function<void(const std::string&)> callback = committed_;
  lock.unlock();
  if (outcome.wrote_outbox && callback) {
    callback(watch.connector);
  }
  return outcome;
}

}  // namespace leadrouter::sidecar
