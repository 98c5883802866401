// The values that cross the CrmConnector interface: the change-feed cursor,
// pages of leads, accounts, write-backs and their results, outcomes and
// webhook events. CRM-neutral: ids are the CRM's own record ids.
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/http_message.hpp"
#include "core/error.hpp"
#include "core/lead.hpp"

namespace leadrouter::connectors {

using TimestampMs = std::chrono::sys_time<std::chrono::milliseconds>;

// A position in a CRM's change feed: everything up to (modified_at, last_id)
// in (modification time, record id) order has been delivered. An empty
// last_id means every record modified at or before modified_at is done.
struct LeadCursor {
  TimestampMs modified_at{};
  std::string last_id;

  // "v1:<epoch milliseconds>:<id>", stable across versions of this code.
  std::string serialize() const;
  static std::expected<LeadCursor, Error> parse(std::string_view text);

  friend bool operator==(const LeadCursor&, const LeadCursor&) = default;
};

// Orders record ids as the CRM does for a tie-break: numerically when both
// are decimal (HubSpot), otherwise by bytes (Salesforce ids).
int compare_record_ids(std::string_view a, std::string_view b);

// "2024-01-17T19:55:04.281Z", "...+0000", "...+01:00" or epoch milliseconds.
std::optional<TimestampMs> parse_crm_time(std::string_view text);
std::string format_time_ms(TimestampMs t);  // "2024-01-17T19:55:04.281Z"

struct ChangedLead {
  core::Lead lead;
  TimestampMs modified_at{};
  std::string owner_id;  // the current owner in the CRM; empty when unowned
};

struct LeadPage {
  std::vector<ChangedLead> leads;
  LeadCursor next;    // equals the input cursor when nothing new was found
  bool more = false;  // another call is likely to return more right away
};

struct AccountQuery {
  std::vector<std::string> domains;  // "acme.com"
  std::vector<std::string> names;    // "Acme Corp"
};

struct CrmAccount {
  std::string id;
  std::string name;
  std::string domain;   // HubSpot's company domain; Salesforce has none
  std::string website;  // HubSpot's website / Salesforce's Website, as entered
  std::string owner_id;
  double size = 0;  // employees when known, else annual revenue; 0 unknown
  TimestampMs modified_at{};
  std::optional<TimestampMs> last_activity_at;  // the CRM's last activity date, when it has one
};

// One page of the account change feed (fetch_changed_accounts), in the same
// (modified_at, id) order and cursor format as leads.
struct AccountPage {
  std::vector<CrmAccount> accounts;
  LeadCursor next;
  bool more = false;
};

// Existing leads/contacts that may be the same person as a new lead
// (find_people). A record matches by email when `by_email` and the emails are
// equal (case folded); by name when `by_name` and first and last name are
// equal (case folded). Company comparison is the caller's: the CRM cannot
// normalize names ("Acme, Inc." vs "ACME").
struct PeopleQuery {
  std::string exclude_record_id;  // the new lead itself
  std::string email;              // empty: no email lookup
  std::string first_name;         // both names empty: no name lookup
  std::string last_name;
  int limit = 20;
};

// A lead or contact found by find_people. Converted Salesforce leads are not
// returned: they live on as contacts.
struct CrmPerson {
  std::string id;
  std::string object_type;  // "contact" or "lead"
  std::string owner_id;     // empty when unowned
  std::string email;
  std::string first_name;
  std::string last_name;
  std::string company;     // the record's company text (HubSpot contact, Salesforce lead)
  std::string account_id;  // Salesforce contact's AccountId / HubSpot associatedcompanyid
  TimestampMs created_at{};
};

// Whether a lead was worked after `since` (SLA watch): its follow-up task
// completed, or, when `field` is set, that field on the record now holds a
// value outside `untouched_values` (e.g. hs_lead_status not NEW/empty,
// Salesforce Status not "Open - Not Contacted").
struct WorkCheck {
  std::string record_id;
  std::string task_id;      // our follow-up task; empty: look it up by decision_id
  std::string decision_id;  // the marker our task carries
  TimestampMs since{};
  bool task_completed = true;  // a completed follow-up task counts as worked
  std::string field;           // empty: only the task counts
  std::vector<std::string> untouched_values;
};

struct WorkStatus {
  bool worked = false;
  std::optional<TimestampMs> worked_at;  // the CRM's time of the touch when it reports one
  std::string evidence;                  // "task 9001 completed", "hs_lead_status=IN_PROGRESS"
};

struct FollowUpTask {
  std::string owner_id;
  Timestamp due;
  std::string priority;  // "high", "medium" or "low"
  std::string subject;
  std::string body;  // the decision's explanation
};

struct Notification {
  std::string recipient_id;
  std::string title;
  std::string body;
};

struct WriteBack {
  std::string decision_id;  // the idempotency marker
  std::string record_id;    // the lead (Salesforce) or contact (HubSpot)
  std::string owner_id;     // empty: leave the owner as it is
  std::optional<double> score;
  std::string tier;
  std::string reason;
  std::optional<FollowUpTask> task;
  std::optional<Notification> notification;
};

struct WriteResult {
  std::string decision_id;
  std::string record_id;
  std::optional<Error> error;  // the first part that failed; none: everything applied
  std::string task_id;         // the follow-up task, new or found
  bool task_already_existed = false;
  bool notified = false;

  bool ok() const { return !error; }
};

struct Outcome {
  std::string record_id;
  bool converted = false;
  std::optional<Timestamp> at;
  std::string detail;  // "lifecyclestage=customer", "IsConverted"
};

struct WebhookRequest {
  std::string method;
  std::string url;  // the full public URL the CRM called, as configured there
  HttpHeaders headers;
  std::string body;  // exact raw bytes
};

struct WebhookEvent {
  std::string event_id;
  std::string type;  // "contact.creation", "contact.propertyChange", ...
  std::string object_id;
  std::string property_name;
  std::string property_value;
  TimestampMs occurred_at{};
};

}  // namespace leadrouter::connectors
