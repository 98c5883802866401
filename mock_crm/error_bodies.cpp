#include "mock_crm/error_bodies.hpp"

#include <fmt/format.h>

#include <mutex>
#include <random>

namespace leadrouter::mock_crm {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

std::string new_correlation_id() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(mu);
  std::uint64_t hi = rng();
  std::uint64_t lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff,
                     hi & 0xffff, lo >> 48, lo & 0xffffffffffffULL);
}

namespace {

void write_context(JsonWriter& w, const std::map<std::string, std::vector<std::string>>& context) {
  w.StartObject();
  for (const auto& [key, values] : context) {
    w.Key(key.c_str());
    w.StartArray();
    for (const auto& v : values) {
      w.String(v.c_str());
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

HttpResponse hubspot_error(int status, std::string_view category, std::string_view message,
                           const std::map<std::string, std::vector<std::string>>& context,
                           const std::vector<HubspotErrorDetail>& errors) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("status");
  w.String("error");
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.Key("correlationId");
  w.String(new_correlation_id().c_str());
  if (!context.empty()) {
    w.Key("context");
    write_context(w, context);
  }
  if (!errors.empty()) {
    w.Key("errors");
    w.StartArray();
    for (const auto& e : errors) {
      w.StartObject();
      w.Key("message");
      w.String(e.message.c_str());
      if (!e.code.empty()) {
        w.Key("code");
        w.String(e.code.c_str());
      }
      if (!e.context.empty()) {
        w.Key("context");
        write_context(w, e.context);
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("category");
  w.String(category.data(), static_cast<rapidjson::SizeType>(category.size()));
  w.EndObject();
  HttpResponse r;
  r.status = status;
  r.body = buf.GetString();
  return r;
}

HttpResponse hubspot_rate_limit_error(std::string_view policy_name, std::string_view message) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("status");
  w.String("error");
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.Key("errorType");
  w.String("RATE_LIMIT");
  w.Key("correlationId");
  w.String(new_correlation_id().c_str());
  w.Key("policyName");
  w.String(policy_name.data(), static_cast<rapidjson::SizeType>(policy_name.size()));
  w.Key("requestId");
  w.String(new_correlation_id().c_str());
  w.EndObject();
  HttpResponse r;
  r.status = 429;
  r.body = buf.GetString();
  return r;
}

HttpResponse salesforce_error(int status, std::string_view error_code, std::string_view message) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  w.StartObject();
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.Key("errorCode");
  w.String(error_code.data(), static_cast<rapidjson::SizeType>(error_code.size()));
  w.EndObject();
  w.EndArray();
  HttpResponse r;
  r.status = status;
  r.body = buf.GetString();
  return r;
}

std::string hubspot_category_for(int status) {
  switch (status) {
    case 400:
    case 413:
      return "VALIDATION_ERROR";
    case 401:
      return "INVALID_AUTHENTICATION";
    case 403:
      return "MISSING_SCOPES";
    case 404:
      return "OBJECT_NOT_FOUND";
    case 405:
      return "METHOD_NOT_ALLOWED";
    case 409:
      return "CONFLICT";
    case 423:
      return "LOCKED";
    case 429:
      return "RATE_LIMITS";
    default:
      return status >= 500 ? "INTERNAL_ERROR" : "VALIDATION_ERROR";
  }
}

std::string salesforce_code_for(int status) {
  switch (status) {
    case 400:
      return "JSON_PARSER_ERROR";
    case 401:
      return "INVALID_SESSION_ID";
    case 403:
      return "REQUEST_LIMIT_EXCEEDED";
    case 404:
      return "NOT_FOUND";
    case 405:
      return "METHOD_NOT_ALLOWED";
    case 413:
      return "REQUEST_ENTITY_TOO_LARGE";
    case 503:
      return "SERVER_UNAVAILABLE";
    default:
      return status >= 500 ? "UNKNOWN_EXCEPTION" : "INVALID_INPUT";
  }
}

HttpResponse error_for_path(std::string_view path, int status, std::string_view message) {
  if (path.starts_with("/services/")) {
    return salesforce_error(status, salesforce_code_for(status), message);
  }
  if (status == 429) {
    // HubSpot's 429s carry the rate-limit shape, not the usual error one.
    return hubspot_rate_limit_error("TEN_SECONDLY_ROLLING",
                                    "You have reached your ten_secondly_rolling limit.");
  }
  return hubspot_error(status, hubspot_category_for(status), message);
}

}  // namespace leadrouter::mock_crm
