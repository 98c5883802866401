// Error responses in each imitated CRM's own shape, for errors the server
// raises before a CRM handler runs (unknown path, oversized or unparsable
// request, injected faults) and for the handlers themselves.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mock_crm/crm_api.hpp"

namespace leadrouter::mock_crm {

// A random RFC 4122 version-4 UUID, as HubSpot's correlationId.
std::string new_correlation_id();

struct HubspotErrorDetail {
  std::string message;
  std::string code;
  std::map<std::string, std::vector<std::string>> context;
};

// {"status":"error","message":..,"correlationId":..,"category":..[,"context"][,"errors"]}
HttpResponse hubspot_error(int status, std::string_view category, std::string_view message,
                           const std::map<std::string, std::vector<std::string>>& context = {},
                           const std::vector<HubspotErrorDetail>& errors = {});

// HubSpot's 429 body: {"status":"error","message":..,"errorType":"RATE_LIMIT",
// "correlationId":..,"policyName":..,"requestId":..}
HttpResponse hubspot_rate_limit_error(std::string_view policy_name, std::string_view message);

// [{"message":..,"errorCode":..}]
HttpResponse salesforce_error(int status, std::string_view error_code, std::string_view message);

// The HubSpot category / Salesforce errorCode conventionally paired with an
// HTTP status, for errors not raised by a handler.
std::string hubspot_category_for(int status);
std::string salesforce_code_for(int status);

// Salesforce's shape under /services/, HubSpot's everywhere else.
HttpResponse error_for_path(std::string_view path, int status, std::string_view message);

}  // namespace leadrouter::mock_crm
