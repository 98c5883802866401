// CrmConnector for HubSpot: contacts are the leads, owners the reps, companies
// the accounts, tasks the follow-ups. Paths use the v3 object API under a
// configurable prefix (HubSpot is moving to date-based paths).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/api_session.hpp"
#include "connectors/crm_connector.hpp"
#include "connectors/field_mapping.hpp"
#include "connectors/hubspot/webhook_verifier.hpp"

namespace leadrouter::connectors::hubspot {

struct HubSpotConnectorOptions {
  std::string name = "hubspot";
  std::string objects_path = "/crm/v3/objects";
  std::string owners_path = "/crm/v3/owners";
  FieldMapping mapping = FieldMapping::hubspot_defaults();
  std::string modified_property = "lastmodifieddate";
  // Companies carry only the hs_ name for their modification date.
  std::string company_modified_property = "hs_lastmodifieddate";
  std::string owner_property = "hubspot_owner_id";
  // Contact properties for the decision's score, tier and reason; empty: not written.
  std::string score_property;
  std::string tier_property;
  std::string reason_property;
  std::vector<std::string> converted_stages{"opportunity", "customer"};
  int task_to_contact_association = 204;
  std::string webhook_client_secret;  // the app's client secret; empty: webhooks refused
};

class HubSpotConnector final : public CrmConnector {
 public:
  HubSpotConnector(HubSpotConnectorOptions options, ApiSession session);

  const std::string& name() const override { return options_.name; }
  std::string_view system() const override { return "hubspot"; }
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

  // The token a follow-up task carries so a second apply() finds it.
  static std::string task_marker(std::string_view decision_id);

 private:
  struct Filter {
    std::string property;
    std::string op;
    std::string value;
    std::vector<std::string> values;
  };
  std::expected<rapidjson::Document, Error> search(std::string_view object,
                                                   const std::vector<std::vector<Filter>>& groups,
                                                   std::string_view sort_property,
                                                   const std::vector<std::string>& properties,
                                                   int limit, std::string_view after,
                                                   std::string_view what);
  // The mapped properties plus what the change feed needs (modified time, owner, id).
  std::vector<std::string> lead_properties() const;
  // A contact object (search result or single read) as the feed returns it.
  std::expected<ChangedLead, Error> to_changed_lead(const rapidjson::Value& record,
                                                    std::string_view what) const;
  std::expected<std::vector<ChangedLead>, Error> search_leads(const std::vector<Filter>& filters,
                                                              std::string_view sort_property,
                                                              int limit);
  std::vector<std::string> account_properties() const;
  // A company object as an account; modified_at stays zero without a parseable date.
  CrmAccount to_account(const rapidjson::Value& record) const;
  std::expected<std::vector<CrmAccount>, Error> search_accounts(const std::vector<Filter>& filters,
                                                                std::string_view sort_property,
                                                                int limit);
  // Our follow-up task on a contact: by id, else by the decision's marker.
  // nullopt when it does not exist (never made, or deleted).
  std::expected<std::optional<rapidjson::Document>, Error> find_task(const WorkCheck& check);
  void update_records(const std::vector<WriteBack>& batch, std::vector<WriteResult>& results);
  void ensure_task(const WriteBack& wb, WriteResult& result);

  HubSpotConnectorOptions options_;
  mutable ApiSession session_;
  WebhookVerifier webhooks_;
};

}  // namespace leadrouter::connectors::hubspot
