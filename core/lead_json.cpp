#include "core/lead_json.hpp"

#include <fmt/core.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <limits>

#include "core/json_reader.hpp"

namespace leadrouter::core {

namespace {

// The plain string fields, in the order they are written.
struct StringField {
  std::string_view key;
  std::string Lead::*member;
};

constexpr StringField kStringFields[] = {
    {"id", &Lead::id},
    {"source_system", &Lead::source_system},
    {"object_type", &Lead::object_type},
    {"email", &Lead::email},
    {"first_name", &Lead::first_name},
    {"last_name", &Lead::last_name},
    {"title", &Lead::title},
    {"company", &Lead::company},
    {"website", &Lead::website},
    {"country", &Lead::country},
    {"state", &Lead::state},
    {"city", &Lead::city},
    {"industry", &Lead::industry},
    {"lead_source", &Lead::lead_source},
    {"language", &Lead::language},
};

constexpr std::string_view kOtherKeys[] = {"employees", "annual_revenue", "created_at", "custom",
                                           "events"};

std::string_view as_view(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

bool is_known_key(std::string_view key) {
  for (const auto& f : kStringFields) {
    if (f.key == key) {
      return true;
    }
  }
  for (const auto k : kOtherKeys) {
    if (k == key) {
      return true;
    }
  }
  return false;
}

class LeadParser {
 public:
  std::expected<Lead, ValidationErrors> parse(const rapidjson::Value& v) {
    if (!v.IsObject()) {
      fail("", fmt::format("a lead must be a JSON object, not {}", json_type_name(v)));
      return std::unexpected(std::move(errors_));
    }
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      const std::string_view key = as_view(it->name);
      if (!is_known_key(key)) {
        fail(json_path("", key), "unknown key (see docs/cli.md for the lead format)");
      }
    }
    for (const auto& f : kStringFields) {
      read_string(v, f.key, lead_.*(f.member));
    }
    // A wrongly typed id was reported by read_string already.
    const auto* id = member(v, "id");
    if (id == nullptr || (id->IsString() && id->GetStringLength() == 0)) {
      fail("/id", "required: a non-empty string");
    }
    read_employees(v);
    read_revenue(v);
    if (const auto* created = member(v, "created_at")) {
      lead_.created_at = read_time(*created, "/created_at");
    }
    read_custom(v);
    read_events(v);
    if (!errors_.empty()) {
      return std::unexpected(std::move(errors_));
    }
    return std::move(lead_);
  }

 private:
  void fail(std::string path, std::string reason) {
    errors_.push_back({std::move(path), std::move(reason)});
  }

  // The member's value, or null when absent or JSON null (both mean "not set").
  static const rapidjson::Value* member(const rapidjson::Value& obj, std::string_view key) {
    const auto it = obj.FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
    if (it == obj.MemberEnd() || it->value.IsNull()) {
      return nullptr;
    }
    return &it->value;
  }

  void read_string(const rapidjson::Value& obj, std::string_view key, std::string& out) {
    const auto* v = member(obj, key);
    if (v == nullptr) {
      return;
    }
    if (!v->IsString()) {
      fail(fmt::format("/{}", key), fmt::format("must be a string, not {}", json_type_name(*v)));
      return;
    }
    out.assign(v->GetString(), v->GetStringLength());
  }

  void read_employees(const rapidjson::Value& obj) {
    const auto* v = member(obj, "employees");
    if (v == nullptr) {
      return;
    }
    if (v->IsInt64()) {
      if (v->GetInt64() < 0) {
        fail("/employees", fmt::format("must not be negative, got {}", v->GetInt64()));
        return;
      }
      lead_.employees = v->GetInt64();
      return;
    }
    // 250.0 is an integer that went through a float on the way; 250.5 is not.
    if (v->IsDouble()) {
      const double d = v->GetDouble();
      if (std::isfinite(d) && d >= 0 && d < 9.0e15 && std::floor(d) == d) {
        lead_.employees = static_cast<std::int64_t>(d);
        return;
      }
    }
    if (v->IsUint64()) {
      fail("/employees", "is too large");
      return;
    }
    fail("/employees", v->IsNumber() ? "must be a non-negative whole number"
                                     : fmt::format("must be a number, not {}", json_type_name(*v)));
  }

  void read_revenue(const rapidjson::Value& obj) {
    const auto* v = member(obj, "annual_revenue");
    if (v == nullptr) {
      return;
    }
    if (!v->IsNumber()) {
      fail("/annual_revenue", fmt::format("must be a number, not {}", json_type_name(*v)));
      return;
    }
    const double d = v->GetDouble();
    if (!std::isfinite(d) || d < 0) {
      fail("/annual_revenue", "must be a non-negative number");
      return;
    }
    lead_.annual_revenue = d;
  }

  std::optional<Timestamp> read_time(const rapidjson::Value& v, const std::string& path) {
    if (!v.IsString()) {
      fail(path, fmt::format("must be an ISO 8601 string, not {}", json_type_name(v)));
      return std::nullopt;
    }
    auto t = parse_iso8601(as_view(v));
    if (!t) {
      fail(path, fmt::format("'{}' is not an ISO 8601 time with an offset "
                             "(e.g. 2026-03-09T14:30:00Z)",
                             as_view(v)));
    }
    return t;
  }

  void read_custom(const rapidjson::Value& obj) {
    const auto* v = member(obj, "custom");
    if (v == nullptr) {
      return;
    }
    if (!v->IsObject()) {
      fail("/custom", fmt::format("must be an object of strings, not {}", json_type_name(*v)));
      return;
    }
    for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it) {
      const std::string key(as_view(it->name));
      const std::string path = json_path("/custom", key);
      if (key.empty()) {
        fail(path, "custom field names must not be empty");
      } else if (!it->value.IsString()) {
        fail(path, fmt::format("custom values must be strings, not {}", json_type_name(it->value)));
      } else {
        lead_.custom[key] = std::string(as_view(it->value));
      }
    }
  }

  void read_events(const rapidjson::Value& obj) {
    const auto* v = member(obj, "events");
    if (v == nullptr) {
      return;
    }
    if (!v->IsArray()) {
      fail("/events", fmt::format("must be an array, not {}", json_type_name(*v)));
      return;
    }
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      const auto& e = (*v)[i];
      const std::string path = fmt::format("/events/{}", i);
      if (!e.IsObject()) {
        fail(path, fmt::format("an event must be an object, not {}", json_type_name(e)));
        continue;
      }
      for (auto it = e.MemberBegin(); it != e.MemberEnd(); ++it) {
        const std::string_view key = as_view(it->name);
        if (key != "type" && key != "at") {
          fail(json_path(path, key), "unknown key (an event has \"type\" and \"at\")");
        }
      }
      EngagementEvent event;
      const auto* type = member(e, "type");
      if (type == nullptr || !type->IsString() || type->GetStringLength() == 0) {
        fail(path + "/type", "required: a non-empty string");
      } else {
        event.type = std::string(as_view(*type));
      }
      const auto* at = member(e, "at");
      std::optional<Timestamp> when;
      if (at == nullptr) {
        fail(path + "/at", "required: an ISO 8601 time");
      } else {
        when = read_time(*at, path + "/at");
      }
      if (!event.type.empty() && when) {
        event.at = *when;
        lead_.events.push_back(std::move(event));
      }
    }
  }

  Lead lead_;
  ValidationErrors errors_;
};

}  // namespace

std::expected<Lead, ValidationErrors> lead_from_json(const rapidjson::Value& value) {
  return LeadParser{}.parse(value);
}

std::expected<Lead, ValidationErrors> lead_from_json(std::string_view json_text) {
  rapidjson::Document doc;
  doc.Parse(json_text.data(), json_text.size());
  if (doc.HasParseError()) {
    return std::unexpected(ValidationErrors{
        {"", fmt::format("invalid JSON at character {}: {}", doc.GetErrorOffset() + 1,
                         rapidjson::GetParseError_En(doc.GetParseError()))}});
  }
  return lead_from_json(static_cast<const rapidjson::Value&>(doc));
}

rapidjson::Value lead_to_value(const Lead& lead, rapidjson::Document::AllocatorType& alloc) {
  using rapidjson::StringRef;
  using rapidjson::Value;
  const auto str = [&alloc](std::string_view s) {
    return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
  };
  Value out(rapidjson::kObjectType);
  for (const auto& f : kStringFields) {
    const std::string& s = lead.*(f.member);
    if (!s.empty()) {
      out.AddMember(str(f.key), str(s), alloc);
    }
  }
  if (lead.employees) {
    out.AddMember("employees", Value(*lead.employees), alloc);
  }
  if (lead.annual_revenue && std::isfinite(*lead.annual_revenue)) {
    out.AddMember("annual_revenue", Value(*lead.annual_revenue), alloc);
  }
  if (lead.created_at) {
    out.AddMember("created_at", str(format_iso8601(*lead.created_at)), alloc);
  }
  if (!lead.custom.empty()) {
    Value custom(rapidjson::kObjectType);
    for (const auto& [k, v] : lead.custom) {
      custom.AddMember(str(k), str(v), alloc);
    }
    out.AddMember("custom", custom, alloc);
  }
  if (!lead.events.empty()) {
    Value events(rapidjson::kArrayType);
    for (const auto& e : lead.events) {
      Value event(rapidjson::kObjectType);
      event.AddMember("type", str(e.type), alloc);
      event.AddMember("at", str(format_iso8601(e.at)), alloc);
      events.PushBack(event, alloc);
    }
    out.AddMember("events", events, alloc);
  }
  return out;
}

std::string lead_to_json(const Lead& lead) {
  rapidjson::Document doc;
  rapidjson::Value v = lead_to_value(lead, doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace leadrouter::core
