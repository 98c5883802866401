// One stored sObject record: typed field values keyed by the field's canonical
// name (an absent key is null), plus how values travel to and from JSON.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "mock_crm/salesforce/salesforce_datetime.hpp"
#include "mock_crm/salesforce/salesforce_error.hpp"
#include "mock_crm/salesforce/sobject_schema.hpp"

namespace leadrouter::mock_crm::salesforce {

// Numbers are doubles: Salesforce's int fields hold 8 digits, well within range.
using SfValue = std::variant<std::monostate, bool, double, std::string, DateTime, Date>;

struct SObjectRecord {
  std::string type;  // canonical sObject name
  std::map<std::string, SfValue> fields;
  bool deleted = false;

  const SfValue& get(const std::string& field) const;
  const std::string& id() const;
};

// A JSON value sent for `field` → the stored value, or JSON_PARSER_ERROR /
// STRING_TOO_LONG naming the field.
std::expected<SfValue, SfError> value_from_json(const SObjectDef& object, const FieldDef& field,
                                                const rapidjson::Value& json);

void write_value(rapidjson::Writer<rapidjson::StringBuffer>& out, const FieldDef& field,
                 const SfValue& value);

// A record as the REST API shows it: attributes {type, url} first, then the
// given fields (all fields when `fields` is empty) in the schema's order.
void write_record(rapidjson::Writer<rapidjson::StringBuffer>& out, const SObjectDef& object,
                  const SObjectRecord& record, std::string_view version,
                  const std::vector<const FieldDef*>& fields,
                  const std::vector<std::pair<std::string, std::string>>& extra = {});

}  // namespace leadrouter::mock_crm::salesforce
