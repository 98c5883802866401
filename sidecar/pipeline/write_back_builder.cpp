// What a decision writes to the CRM: the owner, a follow-up task, a
// notification and the score/tier/reason fields. Kept apart from the engine
// so the text the rep sees can be read and tested on its own.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/decision_json.hpp"
#include "core/time.hpp"
#include "sidecar/pipeline/decision_engine.hpp"

namespace leadrouter::sidecar {
namespace {

// CRM text fields (HubSpot single-line text, Salesforce Text(255)) cut longer
// values or refuse them; the reason must fit.
constexpr std::size_t kReasonLimit = 255;
constexpr auto kDefaultTaskDue = std::chrono::hours(24);
constexpr int kFactorsInTask = 3;

// Cuts at a code-point boundary so the CRM never receives broken UTF-8.
std::string truncate_utf8(std::string text, std::size_t limit) {
  if (text.size() <= limit) {
    return text;
  }
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  text.resize(cut);
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string score_text(double score) {
  return fmt::format("{}", std::lround(score));
}

std::string assignee_text(const core::Decision& d) {
  if (d.assignee_kind == core::AssigneeKind::kRep) {
    return d.assignee_name.empty() ? d.assignee_id : d.assignee_name;
  }
  return fmt::format("{} '{}'", core::to_string(d.assignee_kind), d.assignee_id);
}

std::string reason_text(const core::Decision& d) {
  std::string reason =
      fmt::format("{} {}", d.assignee_kind == core::AssigneeKind::kRep ? "Routed to" : "Sent to",
                  assignee_text(d));
  if (!d.route.empty()) {
    reason += fmt::format(" via {}", d.route);
  }
  if (!d.tier.empty()) {
    reason += fmt::format("; tier {}", d.tier);
  }
  reason += fmt::format("; score {}", score_text(d.scores.combined));
  if (d.sla_deadline) {
    reason += fmt::format("; SLA due {}", format_iso8601(*d.sla_deadline));
  }
  // A newline would break single-line CRM fields.
  std::ranges::replace(reason, '\n', ' ');
  return truncate_utf8(std::move(reason), kReasonLimit);
}

std::string task_body(const core::Decision& d) {
  std::string body = d.explanation;
  if (!d.scores.model) {
    return body;
  }
  const core::ModelScore& model = *d.scores.model;
  std::vector<const core::ModelFactor*> factors;
  for (int i = 0; i < kFactorsInTask && i < static_cast<int>(model.top_positive.size()); ++i) {
    factors.push_back(&model.top_positive[static_cast<std::size_t>(i)]);
  }
  for (int i = 0; i < kFactorsInTask && i < static_cast<int>(model.top_negative.size()); ++i) {
    factors.push_back(&model.top_negative[static_cast<std::size_t>(i)]);
  }
  if (factors.empty()) {
    return body;
  }
  body += fmt::format("\nModel {} factors:", model.model_version);
  for (const core::ModelFactor* f : factors) {
    body += fmt::format("\n- {} = {}: {:+.2f}", f->feature, f->value, f->contribution);
  }
  return body;
}

std::optional<connectors::WriteBack> build(const core::Decision& d, std::string_view name,
                                           std::string_view company, std::string_view decision_id,
                                           std::string_view record_id) {
  connectors::WriteBack write;
  write.decision_id = std::string(decision_id);
  write.record_id = std::string(record_id);
  write.score = d.scores.combined;
  write.tier = d.tier;
  write.reason = reason_text(d);
  if (d.assignee_kind != core::AssigneeKind::kRep) {
    // A queue or workflow is not a CRM user: the CRM's own assignment rules
    // (or the workflow) take the lead from here, guided by the fields.
    return write;
  }
  write.owner_id = d.assignee_id;

  connectors::FollowUpTask task;
  task.owner_id = d.assignee_id;
  task.due = d.sla_deadline.value_or(d.decided_at + kDefaultTaskDue);
  task.priority = d.task_priority.empty() ? "medium" : lower(d.task_priority);
  task.subject = company.empty() ? fmt::format("Follow up: {}", name)
                                 : fmt::format("Follow up: {} ({})", name, company);
  task.body = task_body(d);
  write.task = std::move(task);

  connectors::Notification note;
  note.recipient_id = d.assignee_id;
  note.title = d.tier.empty() ? fmt::format("New lead: {}", name)
                              : fmt::format("New {} lead: {}", d.tier, name);
  note.body = fmt::format("Route {}, score {}, SLA {}", d.route.empty() ? "-" : d.route,
                          score_text(d.scores.combined),
                          d.sla_deadline ? "due " + format_iso8601(*d.sla_deadline) : "none");
  write.notification = std::move(note);
  return write;
}

}  // namespace

std::string lead_display_name(const core::Lead& lead) {
  std::string name = lead.first_name;
  if (!lead.last_name.empty()) {
    name += name.empty() ? "" : " ";
    name += lead.last_name;
  }
  if (name.empty()) {
    name = lead.email;
  }
  if (name.empty()) {
    name = lead.id;
  }
  return name;
}

std::optional<connectors::WriteBack> write_back_for(const core::Decision& decision,
                                                    std::string_view decision_id,
                                                    std::string_view record_id) {
  return build(decision, decision.lead_id, {}, decision_id, record_id);
}

std::optional<connectors::WriteBack> write_back_for(const core::Decision& decision,
                                                    const core::Lead& lead,
                                                    std::string_view decision_id,
                                                    std::string_view record_id) {
  return build(decision, lead_display_name(lead), lead.company, decision_id, record_id);
}

std::string make_decision_id(std::string_view connector, std::string_view lead_id, int step) {
  return fmt::format("{}:{}:{}", connector, lead_id, step);
}

}  // namespace leadrouter::sidecar
