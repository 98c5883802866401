#include "mock_crm/salesforce/salesforce_error.hpp"

namespace leadrouter::mock_crm::salesforce {

void write_error(rapidjson::Writer<rapidjson::StringBuffer>& out, const SfError& error,
                 ErrorCodeKey key) {
  out.StartObject();
  out.Key("message");
  out.String(error.message.c_str(), static_cast<rapidjson::SizeType>(error.message.size()));
  out.Key(key == ErrorCodeKey::kErrorCode ? "errorCode" : "statusCode");
  out.String(error.code.c_str(), static_cast<rapidjson::SizeType>(error.code.size()));
  // Collections results always carry the array; plain REST errors only when
  // a field is to blame, as Salesforce does.
  if (key == ErrorCodeKey::kStatusCode || !error.fields.empty()) {
    out.Key("fields");
    out.StartArray();
    for (const auto& f : error.fields) {
      out.String(f.c_str(), static_cast<rapidjson::SizeType>(f.size()));
    }
    out.EndArray();
  }
  out.EndObject();
}

std::string error_array_json(const std::vector<SfError>& errors) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> out(buffer);
  out.StartArray();
  for (const auto& e : errors) {
    write_error(out, e);
  }
  out.EndArray();
  return buffer.GetString();
}

}  // namespace leadrouter::mock_crm::salesforce
