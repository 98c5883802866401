// What the sidecar knows about a new lead beyond its own fields
// (core::Enrichment): the CRM account it belongs to, from the account
// directory, and the existing lead or contact it duplicates, from the CRM.
//
// A duplicate is an existing record with the same email (case folded), or the
// same first and last name and the same normalized company (a Salesforce
// contact's company is its account's name); which rules apply is configured.
// Only records at least as old as the lead count, and the oldest wins. Its
// owner is the rep our own latest decision gave it when we decided it (the
// CRM may not show that owner yet), else its CRM owner unless that owner is
// one of ingest.unassigned_owner_ids (an integration user or a queue).
//
// A lead that duplicates another lead of the same batch learns that lead's
// owner from the batch (resolve_in_batch), under the engine's lock: the
// earlier lead's owner is not in the CRM, nor in the store, yet.
#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/crm_connector.hpp"
#include "core/lead.hpp"
#include "core/lead_facts.hpp"
#include "sidecar/config/account_config.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/pipeline/account_directory.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

// A lead decided earlier in the batch being routed, and the rep it got
// ("" when it went to a queue or workflow).
struct BatchDecision {
  const core::Lead* lead = nullptr;
  std::string assignee_rep;
};

class LeadEnricher {
 public:
  // `accounts` may be null (account matching off); it must outlive this.
  LeadEnricher(StateStore& store, MetricsRegistry& metrics, const AccountDirectory* accounts,
               DuplicatesConfig duplicates, std::vector<std::string> unassigned_owner_ids);

  // The network phase: the account match and the CRM's duplicate, if any.
  // An error means the CRM could not be asked now: the caller must not route
  // the lead then (a second rep could get a known person). A search the CRM
  // refuses for good gives a duplicate "unknown" with no owner instead, so
  // that one lead goes to review without holding up the others.
  std::expected<core::Enrichment, Error> enrich(connectors::CrmConnector& crm,
                                                const core::Lead& lead,
                                                const core::FreeMailDomains& free_mail) const;

  // The same-batch rule: when `enrichment` names a lead decided earlier in
  // the batch as its duplicate, or has none but duplicates one of them, the
  // owner is that lead's rep. Pure; call it under the engine's lock.
  void resolve_in_batch(const core::Lead& lead, const std::vector<BatchDecision>& earlier,
                        core::Enrichment& enrichment) const;

  // Why `person` is the same person as `lead` ("same email", "same name and
  // company"), or "" when it is not. `company` is the person's company as
  // compared (see the file comment).
  std::string same_person(const core::Lead& lead, const connectors::CrmPerson& person,
                          std::string_view company) const;

  bool duplicates_enabled() const { return duplicates_.enabled; }

 private:
  std::expected<std::optional<core::DuplicateMatch>, Error> find_duplicate(
      connectors::CrmConnector& crm, const core::Lead& lead) const;
  std::expected<std::string, Error> owner_of(const std::string& connector,
                                             const connectors::CrmPerson& person) const;

  StateStore& store_;
  MetricsRegistry& metrics_;
  const AccountDirectory* accounts_;
  DuplicatesConfig duplicates_;
  std::vector<std::string> unassigned_owner_ids_;
};

// "email_domain", "website", "name" or "acronym": how an account matched,
// from its reason (a metric label).
std::string account_match_method(const core::AccountMatch& match);

// leadrouter_account_matches_total{connector,method} and
// leadrouter_duplicates_found_total{connector,reason} for a stored decision.
void record_enrichment_metrics(MetricsRegistry& metrics, const std::string& connector,
                               const core::Enrichment& enrichment);

}  // namespace leadrouter::sidecar
