// The HubSpot half of mock-crm: OAuth (/oauth/...), CRM objects (contacts,
// companies, tasks under /crm/v3/objects/ and the /crm/objects/2026-03/
// aliases), owners, search, batch endpoints, rate limits and webhooks, with
// HubSpot's paths, JSON shapes, status codes and error bodies.
//
//   auto api = make_hubspot_api();
//   api->load_seed(seed["hubspot"], &seed["limits"]);
//   RequestContext ctx{clock, "http://127.0.0.1:8080"};
//   std::optional<HttpResponse> r = api->handle(request, ctx);
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mock_crm/crm_api.hpp"
#include "mock_crm/hubspot/hubspot_oauth.hpp"
#include "mock_crm/hubspot/hubspot_rate_limiter.hpp"
#include "mock_crm/hubspot/hubspot_records.hpp"
#include "mock_crm/hubspot/search_request.hpp"
#include "mock_crm/hubspot/webhook_dispatcher.hpp"

namespace leadrouter::mock_crm::hubspot {

struct WebhookSubscription {
  std::int64_t id = 0;
  std::string event_type;     // "contact.creation", "contact.propertyChange"
  std::string property_name;  // for propertyChange
  bool active = true;
};

struct WebhookTarget {
  std::int64_t app_id = 0;
  std::string target_url;  // "{self}" stands for this server's base URL
  std::string client_secret;
  std::vector<WebhookSubscription> subscriptions;
  DeliveryPolicy policy;
};

// Settings from the seed's "limits.hubspot" object.
struct HubspotSettings {
  RateLimitSettings rate;
  SearchLimits search;
  std::int64_t search_result_cap = 10000;
  int max_batch_inputs = 100;
  int max_list_limit = 100;
  int max_owner_limit = 500;
  int access_token_ttl_seconds = 1800;
};

class HubspotApi final : public CrmApi {
 public:
  HubspotApi() = default;

  std::optional<HttpResponse> handle(const HttpRequest& request, RequestContext& ctx) override;
  std::vector<std::string> load_seed(const rapidjson::Value& section,
                                     const rapidjson::Value* limits) override;
  void write_state(rapidjson::Writer<rapidjson::StringBuffer>& out) const override;
  void expire_access_tokens() override;
  bool revoke_refresh_token(std::string_view refresh_token) override;
  void flush_outbound() override { dispatcher_.flush(); }

 private:
  struct Principal {
    std::string key;  // rate-limit bucket
    std::string label;
    bool oauth = false;
    bool all_scopes = false;
    std::vector<std::string> scopes;
  };
  struct PreparedCreate {
    std::map<std::string, std::string> properties;
    std::vector<std::pair<std::string, std::uint64_t>> associations;  // (type, id)
  };

  std::expected<Principal, HttpResponse> authenticate(const HttpRequest& req, std::int64_t now);
  HttpResponse crm(const HttpRequest& req, const std::string& path, RequestContext& ctx,
                   std::int64_t now);
  HttpResponse objects(const HttpRequest& req, const std::vector<std::string>& segs,
                       RequestContext& ctx, std::int64_t now);
  HttpResponse owners(const HttpRequest& req, const std::vector<std::string>& segs,
                      const RequestContext& ctx);
  HttpResponse webhook_settings(const HttpRequest& req, const std::vector<std::string>& segs);

  HttpResponse list(const ObjectType& type, const HttpRequest& req, const RequestContext& ctx);
  HttpResponse get_one(const ObjectType& type, const std::string& id, const HttpRequest& req);
  HttpResponse create(const ObjectType& type, const HttpRequest& req, RequestContext& ctx,
                      std::int64_t now);
  HttpResponse update(const ObjectType& type, const std::string& id, const HttpRequest& req,
                      RequestContext& ctx, std::int64_t now);
  HttpResponse archive(const ObjectType& type, const std::string& id, const HttpRequest& req,
                       std::int64_t now);
  HttpResponse search(const ObjectType& type, const HttpRequest& req);
  HttpResponse batch(const ObjectType& type, const std::string& op, const HttpRequest& req,
                     RequestContext& ctx, std::int64_t now);

  std::expected<PreparedCreate, HttpResponse> prepare_create(
      const ObjectType& type, const rapidjson::Value& input,
      const std::set<std::string>& emails_in_batch) const;
  std::uint64_t commit_create(const ObjectType& type, PreparedCreate prepared, RequestContext& ctx,
                              std::int64_t now);
  std::expected<std::map<std::string, std::string>, HttpResponse> prepare_update(
      const ObjectType& type, const Record& record, const rapidjson::Value& properties) const;
  void commit_update(const ObjectType& type, Record& record,
                     const std::map<std::string, std::string>& changes, RequestContext& ctx,
                     std::int64_t now);

  Record* find_record(const ObjectType& type, const std::string& id, const std::string& id_property,
                      bool archived);
  void emit(const std::string& event_type, const Record& record, const std::string& property,
            const std::string& value, RequestContext& ctx, std::int64_t now);

  std::vector<std::string> load_records(const ObjectType& type, const rapidjson::Value& list,
                                        const std::string& where);

  HubspotSettings settings_;
  std::int64_t portal_id_ = 0;
  std::string developer_api_key_;
  std::vector<std::string> private_app_tokens_;
  std::vector<OAuthApp> apps_;
  std::vector<Owner> owners_;
  std::map<std::string, std::map<std::uint64_t, Record>> records_;  // type -> id -> record
  std::map<std::string, std::uint64_t> next_id_;
  std::map<std::string, std::set<std::string>> custom_properties_;  // defined by the seed
  std::vector<WebhookTarget> webhooks_;
  std::int64_t next_event_id_ = 1;

  HubspotOAuth oauth_;
  HubspotRateLimiter limiter_;
  const MockClock* clock_ = nullptr;
  WebhookDispatcher dispatcher_;  // last: its thread stops before the rest goes
};

std::unique_ptr<CrmApi> make_hubspot_api();

}  // namespace leadrouter::mock_crm::hubspot

namespace leadrouter::mock_crm {
using hubspot::make_hubspot_api;
}
