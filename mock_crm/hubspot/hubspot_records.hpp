// HubSpot's data as the mock keeps it: CRM object types (contacts, companies,
// tasks) with their property definitions, records, associations and owners.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace leadrouter::mock_crm::hubspot {

// What differs between the CRM object types the mock serves.
struct ObjectType {
  std::string name;      // path segment: "contacts"
  std::string singular;  // "contact", used in association labels and messages
  std::string created_property;
  std::string modified_property;
  std::vector<std::string> default_properties;  // returned when none are asked for
  std::set<std::string> properties;             // defined in every portal
  std::set<std::string> read_only;
  std::vector<std::string> text_properties;  // searched by the free-text "query"
  std::string read_scope;
  std::string write_scope;
  std::string unique_property;  // usable as idProperty; empty if none
};

// nullptr for object types the mock does not serve.
const ObjectType* find_object_type(std::string_view name);
const std::vector<ObjectType>& object_types();

// The type an association of `from` with this HUBSPOT_DEFINED type id points
// to ("contacts" for a task with 204); empty when the id is not known.
std::string association_target(std::string_view from_type, int type_id);
// The type id written back for a default association from one type to another.
int default_association_type_id(std::string_view from_type, std::string_view to_type);

struct Record {
  std::uint64_t id = 0;
  std::map<std::string, std::string> properties;  // including hs_object_id and the dates
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  bool archived = false;
  std::map<std::string, std::vector<std::uint64_t>> associations;  // "contacts" -> ids
};

struct OwnerTeam {
  std::string id;
  std::string name;
  bool primary = false;
};

struct Owner {
  std::string id;
  std::string email;
  std::string first_name;
  std::string last_name;
  std::int64_t user_id = 0;  // 0: none (queues)
  std::string type = "PERSON";
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  bool archived = false;
  std::vector<OwnerTeam> teams;
};

// The API answers with HubSpot's owner shape; the admin state dump keeps every
// field, even an empty email, so a seed round-trips unchanged.
enum class OwnerJson { kApi, kState };
void write_owner(rapidjson::Writer<rapidjson::StringBuffer>& w, const Owner& o, OwnerJson shape);

// HubSpot takes JSON strings, booleans and integers as text. Doubles and nulls
// are left to the caller because property values and search filters differ there.
std::optional<std::string> exact_scalar_text(const rapidjson::Value& v);

}  // namespace leadrouter::mock_crm::hubspot
