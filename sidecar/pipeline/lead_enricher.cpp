#include "sidecar/pipeline/lead_enricher.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/text.hpp"
#include "sidecar/logging/log.hpp"

namespace leadrouter::sidecar {

namespace {

constexpr std::string_view kSameEmail = "same email";
constexpr std::string_view kSameNameCompany = "same name and company";

std::string_view clean(std::string_view s) {
  return trim(s);
}

// Whether `person` came into the CRM after `lead` (and so is not the record
// the lead duplicates, but the other way round). Unknown times never exclude.
// A lead's time has whole seconds only: within one second the record ids
// (which both CRMs hand out in increasing order) decide.
bool newer_than(const connectors::CrmPerson& person, const core::Lead& lead) {
  if (!lead.created_at || person.created_at == connectors::TimestampMs{}) {
    return false;
  }
  const auto person_s = std::chrono::floor<std::chrono::seconds>(person.created_at);
  if (person_s != *lead.created_at) {
    return person_s > *lead.created_at;
  }
  return connectors::compare_record_ids(person.id, lead.id) > 0;
}

// Errors that say the search itself is wrong (not that the CRM is
// unavailable right now): asking again gives the same answer.
bool refused_for_good(ErrorKind kind) {
  return kind == ErrorKind::kInvalidInput || kind == ErrorKind::kPermanent ||
         kind == ErrorKind::kNotFound || kind == ErrorKind::kInvalidResponse;
}

}  // namespace

std::string account_match_method(const core::AccountMatch& match) {
  if (match.reason.starts_with("email domain")) {
    return "email_domain";
  }
  if (match.reason.starts_with("website")) {
    return "website";
  }
  if (match.reason.find("(acronym)") != std::string::npos) {
    return "acronym";
  }
  return "name";
}

void record_enrichment_metrics(MetricsRegistry& metrics, const std::string& connector,
                               const core::Enrichment& enrichment) {
  if (enrichment.account) {
    metrics
        .counter("leadrouter_account_matches_total", "Decided leads matched to a CRM account",
                 {{"connector", connector}, {"method", account_match_method(*enrichment.account)}})
        .inc();
  }
  if (enrichment.duplicate) {
    const std::string reason =
        enrichment.duplicate->reason == kSameEmail ? "email" : "name_company";
    metrics
        .counter("leadrouter_duplicates_found_total",
                 "Decided leads that duplicate an existing lead or contact",
                 {{"connector", connector}, {"reason", reason}})
        .inc();
  }
}

LeadEnricher::LeadEnricher(StateStore& store, MetricsRegistry& metrics,
                           const AccountDirectory* accounts, DuplicatesConfig duplicates,
                           std::vector<std::string> unassigned_owner_ids)
    : store_(store),
      metrics_(metrics),
      accounts_(accounts),
      duplicates_(duplicates),
      unassigned_owner_ids_(std::move(unassigned_owner_ids)) {}

std::string LeadEnricher::same_person(const core::Lead& lead, const connectors::CrmPerson& person,
                                      std::string_view company) const {
  const std::string_view email = clean(lead.email);
  if (duplicates_.match_email && !email.empty() && iequals(email, clean(person.email))) {
    return std::string(kSameEmail);
  }
  if (!duplicates_.match_name_company) {
    return {};
  }
  const std::string_view first = clean(lead.first_name);
  const std::string_view last = clean(lead.last_name);
  if (first.empty() || last.empty() || !iequals(first, clean(person.first_name)) ||
      !iequals(last, clean(person.last_name))) {
    return {};
  }
  const std::string ours = core::normalize_company_name(lead.company);
  if (ours.empty() || ours != core::normalize_company_name(company)) {
    return {};
  }
  return std::string(kSameNameCompany);
}

std::expected<std::string, Error> LeadEnricher::owner_of(
    const std::string& connector, const connectors::CrmPerson& person) const {
  // Our own decision is the truth while its write-back is still in the outbox.
  auto latest =
      store_.decisions(DecisionQuery{.connector = connector, .lead_id = person.id, .limit = 1});
  if (!latest) {
    return std::unexpected(latest.error());
  }
  if (!latest->empty() && latest->front().assignee_kind == "rep" &&
      !latest->front().assignee_id.empty()) {
    return latest->front().assignee_id;
  }
  if (person.owner_id.empty() ||
      std::ranges::find(unassigned_owner_ids_, person.owner_id) != unassigned_owner_ids_.end()) {
    return std::string();
  }
  return person.owner_id;
}

std::expected<std::optional<core::DuplicateMatch>, Error> LeadEnricher::find_duplicate(
    connectors::CrmConnector& crm, const core::Lead& lead) const {
  connectors::PeopleQuery query;
  query.exclude_record_id = lead.id;
  if (duplicates_.match_email) {
    query.email = std::string(clean(lead.email));
  }
  if (duplicates_.match_name_company && !clean(lead.company).empty()) {
    query.first_name = std::string(clean(lead.first_name));
    query.last_name = std::string(clean(lead.last_name));
    if (query.first_name.empty() || query.last_name.empty()) {
      query.first_name.clear();
      query.last_name.clear();
    }
  }
  if (query.email.empty() && query.first_name.empty()) {
    return std::optional<core::DuplicateMatch>{};
  }
  auto people = crm.find_people(query);
  if (!people) {
    return std::unexpected(people.error());
  }
  const connectors::CrmPerson* best = nullptr;
  std::string best_reason;
  for (const connectors::CrmPerson& person : *people) {
    if (person.id == lead.id || newer_than(person, lead)) {
      continue;
    }
    // The record's own company text, else (a Salesforce contact has none,
    // a HubSpot contact may differ) the name of its account.
    std::string reason = same_person(lead, person, person.company);
    if (reason.empty() && accounts_ != nullptr && !person.account_id.empty()) {
      reason = same_person(lead, person, accounts_->account_name(crm.name(), person.account_id));
    }
    if (reason.empty()) {
      continue;
    }
    const bool older = best == nullptr || person.created_at < best->created_at ||
                       (person.created_at == best->created_at &&
                        connectors::compare_record_ids(person.id, best->id) < 0);
    if (older) {
      best = &person;
      best_reason = std::move(reason);
    }
  }
  if (best == nullptr) {
    return std::optional<core::DuplicateMatch>{};
  }
  auto owner = owner_of(crm.name(), *best);
  if (!owner) {
    return std::unexpected(owner.error());
  }
  return core::DuplicateMatch{best->id, best->object_type, std::move(*owner),
                              std::move(best_reason)};
}

std::expected<core::Enrichment, Error> LeadEnricher::enrich(
    connectors::CrmConnector& crm, const core::Lead& lead,
    const core::FreeMailDomains& free_mail) const {
  core::Enrichment enrichment;
  if (accounts_ != nullptr) {
    enrichment.account = accounts_->match(crm.name(), lead, core::derive_facts(lead, free_mail));
  }
  if (duplicates_.enabled) {
    auto duplicate = find_duplicate(crm, lead);
    if (!duplicate) {
      const Error& error = duplicate.error();
      const bool flag = refused_for_good(error.kind);
      metrics_
          .counter("leadrouter_duplicate_check_errors_total",
                   "Duplicate look-ups the CRM failed: the batch is retried, or the lead "
                   "flagged when the CRM refuses the search itself",
                   {{"connector", crm.name()}, {"result", flag ? "flagged" : "retried"}})
          .inc();
      if (!flag) {
        return std::unexpected(
            Error{error.kind,
                  fmt::format("duplicate check of lead {} failed: {}", lead.id, error.message)});
      }
      // Retrying a search the CRM refuses would hold up every later lead
      // for good. The lead is marked as a possible duplicate with no owner:
      // a duplicates route then sends it to its review queue.
      log::warn("duplicate_check_refused",
                {{"connector", crm.name()}, {"lead", lead.id}, {"error", error.message}});
      enrichment.duplicate = core::DuplicateMatch{
          "unknown", "", "",
          fmt::format("not checked: the CRM refused the search ({})", error.message)};
      return enrichment;
    }
    enrichment.duplicate = std::move(*duplicate);
  }
  return enrichment;
}

void LeadEnricher::resolve_in_batch(const core::Lead& lead,
                                    const std::vector<BatchDecision>& earlier,
                                    core::Enrichment& enrichment) const {
  if (!duplicates_.enabled) {
    return;
  }
  if (enrichment.duplicate) {
    for (const BatchDecision& d : earlier) {
      if (d.lead->id == enrichment.duplicate->record_id) {
        enrichment.duplicate->owner_id = d.assignee_rep;
        return;
      }
    }
    return;
  }
  // The CRM's search may not list a record created a moment ago (HubSpot's
  // search index lags), so the batch is compared directly too.
  for (const BatchDecision& d : earlier) {
    connectors::CrmPerson person;
    person.id = d.lead->id;
    person.email = d.lead->email;
    person.first_name = d.lead->first_name;
    person.last_name = d.lead->last_name;
    std::string reason = same_person(lead, person, d.lead->company);
    if (!reason.empty()) {
      enrichment.duplicate =
          core::DuplicateMatch{d.lead->id, d.lead->object_type, d.assignee_rep, std::move(reason)};
      return;
    }
  }
}

}  // namespace leadrouter::sidecar
