// The normalized, CRM-independent lead the router decides on. Connectors map
// HubSpot contacts and Salesforce leads into this shape; nothing in core knows
// which CRM a lead came from beyond `source_system`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace leadrouter::core {

struct EngagementEvent {
  std::string type;  // e.g. "pricing_page_view", "demo_request", "email_click"
  Timestamp at;
};

struct Lead {
  std::string id;             // the CRM record id
  std::string source_system;  // "hubspot", "salesforce", "file"
  std::string object_type;    // "contact", "lead"
  std::string email;
  std::string first_name;
  std::string last_name;
  std::string title;
  std::string company;
  std::string website;
  std::string country;  // ISO 3166-1 alpha-2 where known ("US", "DE")
  std::string state;    // state / region / province code or name
  std::string city;
  std::string industry;
  std::optional<std::int64_t> employees;
  std::optional<double> annual_revenue;
  std::string lead_source;
  std::string language;  // BCP 47 primary tag where known ("en", "de")
  std::optional<Timestamp> created_at;
  std::map<std::string, std::string> custom;
  std::vector<EngagementEvent> events;
};

}  // namespace leadrouter::core
