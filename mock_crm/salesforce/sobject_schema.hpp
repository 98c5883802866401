// The sObject types mock-crm knows (Lead, Account, Contact, User, Task,
// Opportunity),
// their fields as describe reports them, and custom fields a seed adds.
// Field and object names are case-insensitive, as in SOQL and REST.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadrouter::mock_crm::salesforce {

enum class FieldType {
  kId,
  kReference,
  kString,
  kPicklist,
  kEmail,
  kPhone,
  kUrl,
  kTextarea,
  kBoolean,
  kInt,
  kDouble,
  kCurrency,
  kPercent,
  kDate,
  kDateTime,
};

// The name describe uses: "id", "reference", "string", ...
const char* to_string(FieldType type);
std::optional<FieldType> field_type_from_string(std::string_view name);
bool is_text(FieldType type);     // compared as (case-insensitive) strings
bool is_numeric(FieldType type);  // compared as numbers

struct FieldDef {
  std::string name;
  FieldType type = FieldType::kString;
  std::string label;
  int length = 0;  // text types only
  bool createable = true;
  bool updateable = true;
  bool nillable = true;
  bool required = false;  // must hold a value once the record exists
  bool custom = false;
  std::vector<std::string> reference_to;  // sObject names a reference points at
};

struct SObjectDef {
  std::string name;
  std::string label;
  std::string label_plural;
  std::string key_prefix;
  std::vector<FieldDef> fields;

  const FieldDef* field(std::string_view field_name) const;
};

class SObjectSchema {
 public:
  SObjectSchema();  // the standard objects and fields

  const SObjectDef* object(std::string_view name) const;
  const SObjectDef* object_for_id(std::string_view id) const;  // by key prefix
  const std::vector<SObjectDef>& objects() const { return objects_; }

  // Adds a custom field ("Score__c") to an object; an error message if the
  // object is unknown, the name is not a custom name, or it already exists.
  std::optional<std::string> add_custom_field(std::string_view object_name, FieldDef def);

 private:
  std::vector<SObjectDef> objects_;
};

}  // namespace leadrouter::mock_crm::salesforce
