// The one interface the sidecar uses for any CRM: pull changed leads from an
// opaque cursor, read reps and accounts, write decisions back, read outcomes
// for learning, and verify webhook calls. HubSpotConnector and
// SalesforceConnector implement it; tests use fakes.
//
//   auto cursor = LeadCursor::parse(stored).value_or(LeadCursor{});
//   auto page = connector.fetch_changed_leads(cursor, 100);
//   if (page) { route(page->leads); store(page->next.serialize()); }
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/crm_types.hpp"
#include "connectors/rate_limiter.hpp"
#include "core/error.hpp"
#include "core/lead.hpp"
#include "core/rep.hpp"

namespace leadrouter::connectors {

class CrmConnector {
 public:
  virtual ~CrmConnector() = default;

  virtual const std::string& name() const = 0;  // the configured connector name (tenant key)
  virtual std::string_view system() const = 0;  // "hubspot" or "salesforce"

  // Leads modified after `cursor`, oldest first, at most `page_size`, and the
  // cursor that follows the last one returned. Records sharing a timestamp are
  // ordered by id, so a page boundary inside a group skips and repeats nothing.
  virtual std::expected<LeadPage, Error> fetch_changed_leads(const LeadCursor& cursor,
                                                             int page_size) = 0;

  // One lead by its record id, as fetch_changed_leads would return it (the
  // webhook path: an event names a record, this reads it). kNotFound when
  // the record does not exist (deleted, or not a lead/contact).
  virtual std::expected<ChangedLead, Error> fetch_lead(const std::string& record_id) = 0;

  // Active users who can own leads (HubSpot owners, Salesforce active Users).
  virtual std::expected<std::vector<core::Rep>, Error> list_reps() = 0;

  // Accounts whose domain or name matches, for lead-to-account matching.
  virtual std::expected<std::vector<CrmAccount>, Error> find_accounts(
      const AccountQuery& query) = 0;

  // Accounts modified after `cursor`, oldest first, at most `page_size`: the
  // feed that keeps the sidecar's account index current. An empty cursor
  // starts at the oldest account.
  virtual std::expected<AccountPage, Error> fetch_changed_accounts(const LeadCursor& cursor,
                                                                   int page_size) = 0;

  // Existing leads and contacts with the query's email or name (duplicate
  // detection), oldest first.
  virtual std::expected<std::vector<CrmPerson>, Error> find_people(const PeopleQuery& query) = 0;

  // Whether the record was worked since check.since (SLA watch).
  virtual std::expected<WorkStatus, Error> work_status(const WorkCheck& check) = 0;

  // Applies each write-back and reports per item, so one bad record does not
  // fail the rest. Idempotent: a write-back applied twice (same decision_id)
  // sets the same fields and creates no second task.
  virtual std::vector<WriteResult> apply(const std::vector<WriteBack>& batch) = 0;

  // Conversion labels for records that changed since `since`.
  virtual std::expected<std::vector<Outcome>, Error> fetch_outcomes(Timestamp since) = 0;

  // Checks a webhook call (signature over the exact raw body, timestamp
  // window, replay) and parses its events. The error says why it was refused.
  virtual std::expected<std::vector<WebhookEvent>, Error> verify_webhook(
      const WebhookRequest& request, std::chrono::system_clock::time_point now) = 0;

  // What the tenant's rate limiter knows (for `crm check` and metrics).
  virtual RateLimiter::Snapshot rate_limit() const = 0;
};

}  // namespace leadrouter::connectors
