// Which CRM property fills which field of core::Lead, per connector. Each CRM
// has defaults for its standard fields; the config may override any of them,
// unmap one (empty string), and add custom fields:
//   "field_mapping": {"title": "job_function__c", "language": "",
//                     "custom": {"segment": "Segment__c"}}
#pragma once

#include <rapidjson/document.h>

#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/lead.hpp"

namespace leadrouter::connectors {

class FieldMapping {
 public:
  static FieldMapping hubspot_defaults();
  static FieldMapping salesforce_defaults();

  // The lead fields a mapping may name.
  static const std::vector<std::string_view>& lead_fields();

  // `base` with the overrides of a JSON object; every problem is reported
  // with its JSON path under `path`.
  static std::expected<FieldMapping, ValidationErrors> from_json(FieldMapping base,
                                                                 const rapidjson::Value& json,
                                                                 const std::string& path);

  // The CRM properties to ask for, without duplicates, in a stable order.
  std::vector<std::string> crm_properties() const;

  // "" when the lead field is not mapped.
  std::string crm_property(std::string_view lead_field) const;

  // Fills a lead from a record's property values (absent or empty: unset).
  // Values that do not parse (employees "many") are left unset and described
  // in `problems` when given.
  core::Lead to_lead(const std::map<std::string, std::string>& properties,
                     std::vector<std::string>* problems = nullptr) const;

 private:
  std::map<std::string, std::string, std::less<>> fields_;  // lead field -> CRM property
  std::map<std::string, std::string> custom_;               // custom key -> CRM property
};

}  // namespace leadrouter::connectors
