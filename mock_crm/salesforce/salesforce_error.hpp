// One Salesforce API error ({message, errorCode, fields}) and how the REST API
// writes it: a JSON array at the top level, `statusCode` instead of
// `errorCode` inside sObject Collections results.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <vector>

namespace leadrouter::mock_crm::salesforce {

struct SfError {
  std::string code;  // "INVALID_FIELD", "MALFORMED_ID", ...
  std::string message;
  std::vector<std::string> fields;
};

enum class ErrorCodeKey { kErrorCode, kStatusCode };

void write_error(rapidjson::Writer<rapidjson::StringBuffer>& out, const SfError& error,
                 ErrorCodeKey key = ErrorCodeKey::kErrorCode);

// `[{"message":..,"errorCode":..,"fields":[..]}]`
std::string error_array_json(const std::vector<SfError>& errors);

}  // namespace leadrouter::mock_crm::salesforce
