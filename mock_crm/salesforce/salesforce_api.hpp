// mock-crm's imitation of Salesforce: the OAuth token endpoint and the REST
// API under /services/data/ (versions, SOQL query/queryAll with cursors,
// sObject describe and CRUD, sObject Collections, Composite, limits and the
// custom notification action), with Salesforce's shapes, statuses and error
// arrays, daily API usage (Sforce-Limit-Info) and expiring sessions.
//
//   std::unique_ptr<CrmApi> sf = make_salesforce_api();
//   sf->load_seed(seed["salesforce"], &seed["limits"]);
//   auto response = sf->handle(request, ctx);  // nullopt: not a Salesforce path
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mock_crm/crm_api.hpp"
#include "mock_crm/salesforce/salesforce_datetime.hpp"
#include "mock_crm/salesforce/salesforce_error.hpp"
#include "mock_crm/salesforce/salesforce_oauth.hpp"
#include "mock_crm/salesforce/salesforce_store.hpp"

namespace leadrouter::mock_crm::salesforce {

class SalesforceApi final : public CrmApi {
 public:
  SalesforceApi();

  std::optional<HttpResponse> handle(const HttpRequest& request, RequestContext& ctx) override;
  std::vector<std::string> load_seed(const rapidjson::Value& section,
                                     const rapidjson::Value* limits) override;
  void write_state(rapidjson::Writer<rapidjson::StringBuffer>& out) const override;
  void expire_access_tokens() override { oauth_.expire_access_tokens(); }
  bool revoke_refresh_token(std::string_view refresh_token) override {
    return oauth_.revoke_refresh_token(refresh_token);
  }

 private:
  // One authenticated REST call, after the version and token are checked.
  struct Call {
    const HttpRequest& request;
    RequestContext& ctx;
    std::string version;                // "v62.0"
    std::vector<std::string> segments;  // the path after the version
    std::string user_id;
    DateTime now;
  };
  // A query's rows, rendered when it ran, served page by page.
  struct QueryCursor {
    std::vector<std::string> rows;
    std::size_t batch_size = 2000;
    std::string version;
  };
  struct Notification {
    std::string sender_id;
    DateTime sent_at;
    std::string input_json;
  };

  HttpResponse dispatch(Call& call);
  HttpResponse versions() const;
  HttpResponse resources(const Call& call) const;
  HttpResponse limits(const Call& call) const;
  HttpResponse query(Call& call, bool include_deleted);
  HttpResponse query_page(const Call& call, const std::string& locator);
  HttpResponse describe_global(const Call& call) const;
  HttpResponse sobject_basic(const Call& call, const SObjectDef& object) const;
  HttpResponse describe(const Call& call, const SObjectDef& object) const;
  // sobjects/{Type}/updated and /deleted: what changed between start and end.
  HttpResponse changed_records(const Call& call, const SObjectDef& object, bool deleted) const;
  HttpResponse get_record(const Call& call, const SObjectDef& object, const std::string& id) const;
  HttpResponse create_record(Call& call, const SObjectDef& object);
  HttpResponse update_record(Call& call, const SObjectDef& object, const std::string& id);
  HttpResponse delete_record(Call& call, const SObjectDef& object, const std::string& id);
  HttpResponse collections(Call& call);
  HttpResponse composite(Call& call);
  HttpResponse custom_notification(Call& call);

  std::size_t api_usage(DateTime now);
  std::size_t query_batch_size(const HttpRequest& request) const;

  SalesforceStore store_;
  SalesforceOAuth oauth_;
  std::map<std::string, QueryCursor> cursors_;
  std::deque<std::string> cursor_order_;  // oldest first, to bound memory
  std::uint64_t next_cursor_ = 1;
  std::deque<DateTime> api_calls_;  // rolling 24 h
  std::size_t daily_api_limit_ = 15000;
  std::size_t default_batch_size_ = 2000;
  std::vector<Notification> notifications_;
};

std::unique_ptr<CrmApi> make_salesforce_api();

}  // namespace leadrouter::mock_crm::salesforce

namespace leadrouter::mock_crm {
using salesforce::make_salesforce_api;
}  // namespace leadrouter::mock_crm
