#include "connectors/field_mapping.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <set>

#include "connectors/country_codes.hpp"
#include "core/time.hpp"

namespace leadrouter::connectors {

const std::vector<std::string_view>& FieldMapping::lead_fields() {
  static const std::vector<std::string_view> kFields = {
      "email",     "first_name",     "last_name",   "title",    "company",
      "website",   "country",        "state",       "city",     "industry",
      "employees", "annual_revenue", "lead_source", "language", "created_at"};
  return kFields;
}

FieldMapping FieldMapping::hubspot_defaults() {
  FieldMapping m;
  m.fields_ = {{"email", "email"},
               {"first_name", "firstname"},
               {"last_name", "lastname"},
               {"title", "jobtitle"},
               {"company", "company"},
               {"website", "website"},
               {"country", "country"},
               {"state", "state"},
               {"city", "city"},
               {"industry", "industry"},
               {"employees", "numemployees"},
               {"annual_revenue", "annualrevenue"},
               {"lead_source", "hs_analytics_source"},
               {"language", "hs_language"},
               {"created_at", "createdate"}};
  return m;
}

FieldMapping FieldMapping::salesforce_defaults() {
  FieldMapping m;
  m.fields_ = {{"email", "Email"},
               {"first_name", "FirstName"},
               {"last_name", "LastName"},
               {"title", "Title"},
               {"company", "Company"},
               {"website", "Website"},
               {"country", "Country"},
               {"state", "State"},
               {"city", "City"},
               {"industry", "Industry"},
               {"employees", "NumberOfEmployees"},
               {"annual_revenue", "AnnualRevenue"},
               {"lead_source", "LeadSource"},
               {"created_at", "CreatedDate"}};
  return m;
}

std::expected<FieldMapping, ValidationErrors> FieldMapping::from_json(FieldMapping base,
                                                                      const rapidjson::Value& json,
                                                                      const std::string& path) {
  ValidationErrors errors;
  if (!json.IsObject()) {
    errors.push_back({path, "must be an object mapping lead fields to CRM property names"});
    return std::unexpected(errors);
  }
  const auto& known = lead_fields();
  for (const auto& member : json.GetObject()) {
    const std::string key = member.name.GetString();
    const std::string where = path + "/" + key;
    if (key == "custom") {
      if (!member.value.IsObject()) {
        errors.push_back({where, "must be an object of custom key -> CRM property"});
        continue;
      }
      for (const auto& c : member.value.GetObject()) {
        if (!c.value.IsString() || c.value.GetStringLength() == 0) {
          errors.push_back({where + "/" + c.name.GetString(), "must be a non-empty property name"});
          continue;
        }
        base.custom_[c.name.GetString()] = c.value.GetString();
      }
      continue;
    }
    if (std::ranges::find(known, key) == known.end()) {
      errors.push_back({where, fmt::format("unknown lead field; expected one of {} or custom",
                                           fmt::join(known, ", "))});
      continue;
    }
    if (!member.value.IsString()) {
      errors.push_back({where, "must be a CRM property name (a string; \"\" unmaps the field)"});
      continue;
    }
    if (member.value.GetStringLength() == 0) {
      base.fields_.erase(key);
    } else {
      base.fields_[key] = member.value.GetString();
    }
  }
  if (!errors.empty()) {
    return std::unexpected(errors);
  }
  return base;
}

std::vector<std::string> FieldMapping::crm_properties() const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& [field, property] : fields_) {
    if (seen.insert(property).second) {
      out.push_back(property);
    }
  }
  for (const auto& [key, property] : custom_) {
    if (seen.insert(property).second) {
      out.push_back(property);
    }
  }
  return out;
}

std::string FieldMapping::crm_property(std::string_view lead_field) const {
  auto it = fields_.find(lead_field);
  return it == fields_.end() ? std::string{} : it->second;
}

core::Lead FieldMapping::to_lead(const std::map<std::string, std::string>& properties,
                                 std::vector<std::string>* problems) const {
  core::Lead lead;
  auto value = [&](std::string_view field) -> std::string {
    auto it = fields_.find(field);
    if (it == fields_.end()) {
      return {};
    }
    auto p = properties.find(it->second);
    return p == properties.end() ? std::string{} : p->second;
  };
  auto problem = [&](std::string_view field, const std::string& v) {
    if (problems) {
      problems->push_back(fmt::format("{} ({}): cannot parse '{}'", field, crm_property(field), v));
    }
  };
  lead.email = value("email");
  lead.first_name = value("first_name");
  lead.last_name = value("last_name");
  lead.title = value("title");
  lead.company = value("company");
  lead.website = value("website");
  // Policies name territories by ISO code; CRMs store names ("United States").
  lead.country = normalize_country(value("country"));
  lead.state = value("state");
  lead.city = value("city");
  lead.industry = value("industry");
  lead.lead_source = value("lead_source");
  lead.language = value("language");
  if (auto v = value("employees"); !v.empty()) {
    // Salesforce sends JSON numbers, which arrive here as "250" or "250.0".
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (end != v.c_str() + v.size() || d < 0 ||
        d != static_cast<double>(static_cast<std::int64_t>(d))) {
      problem("employees", v);
    } else {
      lead.employees = static_cast<std::int64_t>(d);
    }
  }
  if (auto v = value("annual_revenue"); !v.empty()) {
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (end != v.c_str() + v.size()) {
      problem("annual_revenue", v);
    } else {
      lead.annual_revenue = d;
    }
  }
  if (auto v = value("created_at"); !v.empty()) {
    if (auto t = parse_iso8601(v)) {
      lead.created_at = *t;
    } else {
      problem("created_at", v);
    }
  }
  for (const auto& [key, property] : custom_) {
    if (auto p = properties.find(property); p != properties.end() && !p->second.empty()) {
      lead.custom[key] = p->second;
    }
  }
  return lead;
}

}  // namespace leadrouter::connectors
