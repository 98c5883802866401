#include "mock_crm/salesforce/sobject_record.hpp"

#include <fmt/format.h>

#include <cmath>

namespace leadrouter::mock_crm::salesforce {
namespace {

const SfValue kNull{};
const std::string kEmpty;

SfError parse_error(const SObjectDef& object, const FieldDef& field, std::string_view expected,
                    const rapidjson::Value& json) {
  const char* got = json.IsString()   ? "VALUE_STRING"
                    : json.IsNumber() ? "VALUE_NUMBER"
                    : json.IsBool()   ? (json.GetBool() ? "VALUE_TRUE" : "VALUE_FALSE")
                    : json.IsObject() ? "START_OBJECT"
                    : json.IsArray()  ? "START_ARRAY"
                                      : "VALUE_NULL";
  return {"JSON_PARSER_ERROR",
          fmt::format("Cannot deserialize instance of {} from {} value for field {} on {}",
                      expected, got, field.name, object.name),
          {field.name}};
}

}  // namespace

const SfValue& SObjectRecord::get(const std::string& field) const {
  auto it = fields.find(field);
  return it == fields.end() ? kNull : it->second;
}

const std::string& SObjectRecord::id() const {
  const auto* s = std::get_if<std::string>(&get("Id"));
  return s != nullptr ? *s : kEmpty;
}

std::expected<SfValue, SfError> value_from_json(const SObjectDef& object, const FieldDef& field,
                                                const rapidjson::Value& json) {
  if (json.IsNull()) {
    return SfValue{};
  }
  if (is_text(field.type)) {
    if (!json.IsString()) {
      return std::unexpected(parse_error(object, field, "string", json));
    }
    std::string s(json.GetString(), json.GetStringLength());
    if (field.length > 0 && static_cast<int>(s.size()) > field.length) {
      return std::unexpected(SfError{
          "STRING_TOO_LONG",
          fmt::format("{}: data value too large: {} (max length={})", field.label, s, field.length),
          {field.name}});
    }
    // Salesforce stores an empty string as null.
    if (s.empty()) {
      return SfValue{};
    }
    return SfValue{std::move(s)};
  }
  switch (field.type) {
    case FieldType::kBoolean:
      if (!json.IsBool()) {
        return std::unexpected(parse_error(object, field, "boolean", json));
      }
      return SfValue{json.GetBool()};
    case FieldType::kInt:
      if (!json.IsNumber() || std::trunc(json.GetDouble()) != json.GetDouble()) {
        return std::unexpected(parse_error(object, field, "int", json));
      }
      return SfValue{json.GetDouble()};
    case FieldType::kDouble:
    case FieldType::kCurrency:
    case FieldType::kPercent:
      if (!json.IsNumber()) {
        return std::unexpected(parse_error(object, field, "double", json));
      }
      return SfValue{json.GetDouble()};
    case FieldType::kDate: {
      if (!json.IsString()) {
        return std::unexpected(parse_error(object, field, "date", json));
      }
      std::string_view text(json.GetString(), json.GetStringLength());
      auto d = parse_date(text);
      if (!d) {
        // Salesforce accepts a datetime for a date field and keeps its date.
        auto dt = parse_datetime(text);
        if (!dt) {
          return std::unexpected(parse_error(object, field, "date", json));
        }
        d = std::chrono::floor<std::chrono::days>(*dt);
      }
      return SfValue{*d};
    }
    case FieldType::kDateTime: {
      if (!json.IsString()) {
        return std::unexpected(parse_error(object, field, "datetime", json));
      }
      std::string_view text(json.GetString(), json.GetStringLength());
      auto dt = parse_datetime(text);
      if (!dt) {
        auto d = parse_date(text);
        if (!d) {
          return std::unexpected(parse_error(object, field, "datetime", json));
        }
        dt = DateTime{*d};
      }
      return SfValue{*dt};
    }
    default:
      return std::unexpected(parse_error(object, field, to_string(field.type), json));
  }
}

void write_value(rapidjson::Writer<rapidjson::StringBuffer>& out, const FieldDef& field,
                 const SfValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out.Null();
        } else if constexpr (std::is_same_v<T, bool>) {
          out.Bool(v);
        } else if constexpr (std::is_same_v<T, double>) {
          if (field.type == FieldType::kInt) {
            out.Int64(static_cast<std::int64_t>(v));
          } else {
            out.Double(v);
          }
        } else if constexpr (std::is_same_v<T, std::string>) {
          out.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
        } else if constexpr (std::is_same_v<T, DateTime>) {
          out.String(format_datetime(v).c_str());
        } else {
          out.String(format_date(v).c_str());
        }
      },
      value);
}

void write_record(rapidjson::Writer<rapidjson::StringBuffer>& out, const SObjectDef& object,
                  const SObjectRecord& record, std::string_view version,
                  const std::vector<const FieldDef*>& fields,
                  const std::vector<std::pair<std::string, std::string>>& extra) {
  out.StartObject();
  out.Key("attributes");
  out.StartObject();
  out.Key("type");
  out.String(object.name.c_str());
  out.Key("url");
  out.String(
      fmt::format("/services/data/{}/sobjects/{}/{}", version, object.name, record.id()).c_str());
  out.EndObject();
  auto write_field = [&](const FieldDef& f) {
    out.Key(f.name.c_str());
    write_value(out, f, record.get(f.name));
  };
  if (fields.empty()) {
    for (const auto& f : object.fields) {
      write_field(f);
    }
  } else {
    for (const auto* f : fields) {
      write_field(*f);
    }
  }
  for (const auto& [key, value] : extra) {
    out.Key(key.c_str());
    out.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  }
  out.EndObject();
}

}  // namespace leadrouter::mock_crm::salesforce
