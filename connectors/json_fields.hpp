// Tolerant readers for CRM JSON: the vendors document every field as optional
// and send numbers, strings or null for the same field, so these return empty
// values instead of failing on absent or oddly typed members.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <string>

namespace leadrouter::connectors {

// A member as text: strings as is, numbers in shortest form ("250", "1.5e7"),
// booleans "true"/"false"; absent, null, arrays and objects give "".
std::string json_text(const rapidjson::Value& object, const char* name);
std::string json_scalar_text(const rapidjson::Value& value);

// Every scalar member of an object as text, nulls left out.
std::map<std::string, std::string> json_scalars(const rapidjson::Value& object);

const rapidjson::Value* json_member(const rapidjson::Value& object, const char* name);

}  // namespace leadrouter::connectors
