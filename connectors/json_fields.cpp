#include "connectors/json_fields.hpp"

#include <fmt/format.h>

namespace leadrouter::connectors {

std::string json_scalar_text(const rapidjson::Value& v) {
  if (v.IsString()) {
    return std::string(v.GetString(), v.GetStringLength());
  }
  if (v.IsBool()) {
    return v.GetBool() ? "true" : "false";
  }
  if (v.IsInt64()) {
    return std::to_string(v.GetInt64());
  }
  if (v.IsUint64()) {
    return std::to_string(v.GetUint64());
  }
  if (v.IsNumber()) {
    return fmt::format("{}", v.GetDouble());
  }
  return {};
}

const rapidjson::Value* json_member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) {
    return nullptr;
  }
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string json_text(const rapidjson::Value& object, const char* name) {
  const auto* v = json_member(object, name);
  return v ? json_scalar_text(*v) : std::string{};
}

std::map<std::string, std::string> json_scalars(const rapidjson::Value& object) {
  std::map<std::string, std::string> out;
  if (!object.IsObject()) {
    return out;
  }
  for (const auto& m : object.GetObject()) {
    if (m.value.IsNull() || m.value.IsObject() || m.value.IsArray()) {
      continue;
    }
    out[m.name.GetString()] = json_scalar_text(m.value);
  }
  return out;
}

}  // namespace leadrouter::connectors
