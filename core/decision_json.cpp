#include "core/decision_json.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <string_view>

namespace leadrouter::core {

namespace {

using JsonValue = rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

JsonValue str(std::string_view s, Alloc& alloc) {
  return JsonValue(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
}

// A score that went NaN or infinite is a bug upstream, but it must not make
// the writer stop halfway through a line: it is written as null.
JsonValue num(double d) {
  return std::isfinite(d) ? JsonValue(d) : JsonValue(rapidjson::kNullType);
}

JsonValue time_or_null(const std::optional<Timestamp>& t, Alloc& alloc) {
  return t ? str(format_iso8601(*t), alloc) : JsonValue(rapidjson::kNullType);
}

JsonValue destination_value(const Destination& d, Alloc& alloc) {
  JsonValue out(rapidjson::kObjectType);
  out.AddMember("kind", JsonValue(rapidjson::StringRef(to_string(d.kind))), alloc);
  out.AddMember("target", str(d.target, alloc), alloc);
  return out;
}

JsonValue factors_value(const std::vector<ModelFactor>& factors, Alloc& alloc) {
  JsonValue out(rapidjson::kArrayType);
  for (const auto& f : factors) {
    JsonValue factor(rapidjson::kObjectType);
    factor.AddMember("feature", str(f.feature, alloc), alloc);
    factor.AddMember("value", str(f.value, alloc), alloc);
    factor.AddMember("contribution", num(f.contribution), alloc);
    out.PushBack(factor, alloc);
  }
  return out;
}

JsonValue scores_value(const Scores& s, Alloc& alloc) {
  JsonValue out(rapidjson::kObjectType);
  out.AddMember("combined", num(s.combined), alloc);
  out.AddMember("fit", num(s.fit), alloc);
  JsonValue hits(rapidjson::kArrayType);
  for (const auto& h : s.fit_hits) {
    JsonValue hit(rapidjson::kObjectType);
    hit.AddMember("rule", str(h.rule, alloc), alloc);
    hit.AddMember("points", num(h.points), alloc);
    hits.PushBack(hit, alloc);
  }
  out.AddMember("fit_hits", hits, alloc);
  out.AddMember("intent", num(s.intent), alloc);
  JsonValue parts(rapidjson::kArrayType);
  for (const auto& p : s.intent_parts) {
    JsonValue part(rapidjson::kObjectType);
    part.AddMember("signal", str(p.signal, alloc), alloc);
    part.AddMember("events", JsonValue(p.events), alloc);
    part.AddMember("points", num(p.points), alloc);
    parts.PushBack(part, alloc);
  }
  out.AddMember("intent_parts", parts, alloc);
  if (s.model) {
    JsonValue model(rapidjson::kObjectType);
    model.AddMember("probability", num(s.model->probability), alloc);
    model.AddMember("version", str(s.model->model_version, alloc), alloc);
    model.AddMember("top_positive", factors_value(s.model->top_positive, alloc), alloc);
    model.AddMember("top_negative", factors_value(s.model->top_negative, alloc), alloc);
    out.AddMember("model", model, alloc);
  } else {
    out.AddMember("model", JsonValue(rapidjson::kNullType), alloc);
  }
  if (!s.model_error.empty()) {
    out.AddMember("model_error", str(s.model_error, alloc), alloc);
  }
  return out;
}

JsonValue enrichment_value(const Enrichment& e, Alloc& alloc) {
  JsonValue out(rapidjson::kObjectType);
  if (e.account) {
    JsonValue account(rapidjson::kObjectType);
    account.AddMember("account_id", str(e.account->account_id, alloc), alloc);
    account.AddMember("account_name", str(e.account->account_name, alloc), alloc);
    account.AddMember("owner_id", str(e.account->owner_id, alloc), alloc);
    account.AddMember("confidence", num(e.account->confidence), alloc);
    account.AddMember("reason", str(e.account->reason, alloc), alloc);
    out.AddMember("account", account, alloc);
  } else {
    out.AddMember("account", JsonValue(rapidjson::kNullType), alloc);
  }
  if (e.duplicate) {
    JsonValue duplicate(rapidjson::kObjectType);
    duplicate.AddMember("record_id", str(e.duplicate->record_id, alloc), alloc);
    duplicate.AddMember("object_type", str(e.duplicate->object_type, alloc), alloc);
    duplicate.AddMember("owner_id", str(e.duplicate->owner_id, alloc), alloc);
    duplicate.AddMember("reason", str(e.duplicate->reason, alloc), alloc);
    out.AddMember("duplicate", duplicate, alloc);
  } else {
    out.AddMember("duplicate", JsonValue(rapidjson::kNullType), alloc);
  }
  return out;
}

JsonValue candidate_value(const Candidate& c, Alloc& alloc) {
  JsonValue out(rapidjson::kObjectType);
  out.AddMember("rep_id", str(c.rep_id, alloc), alloc);
  out.AddMember("rep_name", str(c.rep_name, alloc), alloc);
  out.AddMember("pool", str(c.pool, alloc), alloc);
  out.AddMember("eligible", JsonValue(c.eligible()), alloc);
  JsonValue exclusions(rapidjson::kArrayType);
  for (const auto& x : c.exclusions) {
    JsonValue exclusion(rapidjson::kObjectType);
    exclusion.AddMember("reason", JsonValue(rapidjson::StringRef(to_string(x.reason))), alloc);
    exclusion.AddMember("detail", str(x.detail, alloc), alloc);
    exclusions.PushBack(exclusion, alloc);
  }
  out.AddMember("exclusions", exclusions, alloc);
  out.AddMember("strategy_score", num(c.strategy_score), alloc);
  out.AddMember("note", str(c.note, alloc), alloc);
  return out;
}

}  // namespace

const char* to_string(AssigneeKind kind) {
  switch (kind) {
    case AssigneeKind::kRep:
      return "rep";
    case AssigneeKind::kQueue:
      return "queue";
    case AssigneeKind::kWorkflow:
      return "workflow";
  }
  return "unknown";
}

const char* to_string(DestinationKind kind) {
  switch (kind) {
    case DestinationKind::kPool:
      return "pool";
    case DestinationKind::kAccountOwner:
      return "account_owner";
    case DestinationKind::kDuplicateOwner:
      return "duplicate_owner";
    case DestinationKind::kQueue:
      return "queue";
    case DestinationKind::kWorkflow:
      return "workflow";
  }
  return "unknown";
}

const char* to_string(Strategy strategy) {
  switch (strategy) {
    case Strategy::kRoundRobin:
      return "round_robin";
    case Strategy::kWeightedRoundRobin:
      return "weighted_round_robin";
    case Strategy::kLeastLoaded:
      return "least_loaded";
    case Strategy::kBestMatch:
      return "best_match";
  }
  return "unknown";
}

rapidjson::Value decision_to_value(const Decision& d, Alloc& alloc) {
  JsonValue out(rapidjson::kObjectType);
  out.AddMember("lead_id", str(d.lead_id, alloc), alloc);
  JsonValue policy(rapidjson::kObjectType);
  policy.AddMember("name", str(d.policy_name, alloc), alloc);
  policy.AddMember("version", JsonValue(d.policy_version), alloc);
  out.AddMember("policy", policy, alloc);
  out.AddMember("decided_at", str(format_iso8601(d.decided_at), alloc), alloc);

  JsonValue assignee(rapidjson::kObjectType);
  assignee.AddMember("kind", JsonValue(rapidjson::StringRef(to_string(d.assignee_kind))), alloc);
  assignee.AddMember("id", str(d.assignee_id, alloc), alloc);
  assignee.AddMember("name", str(d.assignee_name, alloc), alloc);
  out.AddMember("assignee", assignee, alloc);

  out.AddMember("route", str(d.route, alloc), alloc);
  out.AddMember("pool", str(d.pool, alloc), alloc);
  out.AddMember("strategy",
                d.strategy ? JsonValue(rapidjson::StringRef(to_string(*d.strategy)))
                           : JsonValue(rapidjson::kNullType),
                alloc);
  out.AddMember("used_fallback", JsonValue(d.used_fallback), alloc);
  out.AddMember("tier", str(d.tier, alloc), alloc);
  out.AddMember("task_priority", str(d.task_priority, alloc), alloc);
  out.AddMember("territory", str(d.territory, alloc), alloc);
  out.AddMember("segment", str(d.segment, alloc), alloc);
  out.AddMember("sla_minutes", JsonValue(d.sla_minutes), alloc);
  out.AddMember("sla_deadline", time_or_null(d.sla_deadline, alloc), alloc);
  out.AddMember("scores", scores_value(d.scores, alloc), alloc);

  JsonValue facts(rapidjson::kObjectType);
  facts.AddMember("email_domain", str(d.facts.email_domain, alloc), alloc);
  facts.AddMember("is_free_mail", JsonValue(d.facts.is_free_mail), alloc);
  facts.AddMember("company_normalized", str(d.facts.company_normalized, alloc), alloc);
  facts.AddMember("website_domain", str(d.facts.website_domain, alloc), alloc);
  out.AddMember("facts", facts, alloc);
  out.AddMember("enrichment", enrichment_value(d.enrichment, alloc), alloc);

  JsonValue trail(rapidjson::kArrayType);
  for (const auto& step : d.trail) {
    JsonValue s(rapidjson::kObjectType);
    s.AddMember("route", str(step.route, alloc), alloc);
    s.AddMember("destination", destination_value(step.destination, alloc), alloc);
    s.AddMember("outcome", str(step.outcome, alloc), alloc);
    trail.PushBack(s, alloc);
  }
  out.AddMember("trail", trail, alloc);

  JsonValue candidates(rapidjson::kArrayType);
  for (const auto& c : d.candidates) {
    candidates.PushBack(candidate_value(c, alloc), alloc);
  }
  out.AddMember("candidates", candidates, alloc);
  out.AddMember("explanation", str(d.explanation, alloc), alloc);
  return out;
}

std::string decision_to_json(const Decision& decision) {
  rapidjson::Document doc;
  const JsonValue v = decision_to_value(decision, doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.SetMaxDecimalPlaces(6);
  v.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace leadrouter::core
