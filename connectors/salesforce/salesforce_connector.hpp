// CrmConnector for Salesforce: Lead records are the leads, active standard
// Users the reps, Accounts the accounts, Tasks the follow-ups and custom
// notifications the alerts. Requests go to the instance_url of the token
// (checked by the token provider), under /services/data/<api_version>.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "connectors/api_session.hpp"
#include "connectors/crm_connector.hpp"
#include "connectors/field_mapping.hpp"

namespace leadrouter::connectors::salesforce {

struct SalesforceConnectorOptions {
  std::string name = "salesforce";
  std::string api_version = "v62.0";
  FieldMapping mapping = FieldMapping::salesforce_defaults();
  // Lead fields for the decision's score, tier and reason ("Lead_Score__c");
  // empty: not written.
  std::string score_field;
  std::string tier_field;
  std::string reason_field;
  // The CustomNotificationType Id for assignment alerts; empty: no alerts.
  std::string notification_type_id;
  std::string task_status = "Not Started";
};

class SalesforceConnector final : public CrmConnector {
 public:
  SalesforceConnector(SalesforceConnectorOptions options, ApiSession session);

  const std::string& name() const override { return options_.name; }
  std::string_view system() const override { return "salesforce"; }
  std::expected<LeadPage, Error> fetch_changed_leads(const LeadCursor& cursor,
                                                     int page_size) override;
  std::expected<ChangedLead, Error> fetch_lead(const std::string& record_id) override;
  std::expected<std::vector<core::Rep>, Error> list_reps() override;
  std::expected<std::vector<CrmAccount>, Error> find_accounts(const AccountQuery& query) override;
  std::expected<AccountPage, Error> fetch_changed_accounts(const LeadCursor& cursor,
                                                           int page_size) override;
  std::expected<std::vector<CrmPerson>, Error> find_people(const PeopleQuery& query) override;
  std::expected<WorkStatus, Error> work_status(const WorkCheck& check) override;
  std::vector<WriteResult> apply(const std::vector<WriteBack>& batch) override;
  std::expected<std::vector<Outcome>, Error> fetch_outcomes(Timestamp since) override;
  std::expected<std::vector<WebhookEvent>, Error> verify_webhook(
      const WebhookRequest& request, std::chrono::system_clock::time_point now) override;
  RateLimiter::Snapshot rate_limit() const override { return session_.limiter().snapshot(); }

  // The text a follow-up task's Description carries so a second apply() finds it.
  static std::string task_marker(std::string_view decision_id);

 private:
  // Runs a SOQL query and follows nextRecordsUrl until `max_records` (0: all).
  std::expected<std::vector<rapidjson::Document>, Error> query(const std::string& soql,
                                                               std::size_t max_records,
                                                               std::string_view what);
  std::string data_path(std::string_view rest) const;
  // The mapped fields plus what the change feed needs (Id, OwnerId, SystemModstamp).
  std::set<std::string> lead_fields() const;
  // A Lead record (query row or single read) as the feed returns it.
  std::expected<ChangedLead, Error> to_changed_lead(const rapidjson::Value& record,
                                                    std::string_view what) const;
  // Existing leads (not converted) or contacts matching the query's email or name.
  std::expected<std::vector<CrmPerson>, Error> query_people(std::string_view object,
                                                            const PeopleQuery& query);
  // Our follow-up task on a record, by id or else by the decision's marker:
  // (Id, Status, IsClosed, LastModifiedDate) as text, or nullopt when it does
  // not exist (never made, or deleted).
  std::expected<std::optional<std::map<std::string, std::string>>, Error> find_task(
      const WorkCheck& check);
  void update_leads(const std::vector<WriteBack>& batch, std::vector<WriteResult>& results);
  void ensure_tasks(const std::vector<WriteBack>& batch, std::vector<WriteResult>& results,
                    std::vector<bool>& created);
  void notify(const std::vector<WriteBack>& batch, std::vector<WriteResult>& results,
              const std::vector<bool>& created);

  SalesforceConnectorOptions options_;
  mutable ApiSession session_;
};

}  // namespace leadrouter::connectors::salesforce
