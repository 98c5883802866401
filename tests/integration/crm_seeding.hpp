// HubSpot contacts for the learning tests, created through mock-crm's API:
// an industry that predicts conversion, and the conversions themselves
// (lifecyclestage=customer). Throws std::runtime_error when the mock refuses.
//
//   const std::string id = create_hubspot_contact(mock.base_url(), token, "retrain", 7);
//   if (seeded_converts(7)) mark_hubspot_customer(mock.base_url(), token, id);
#pragma once

#include <stdexcept>
#include <string>

#include "tests/integration/test_support.hpp"

namespace leadrouter::integration {

// Software leads convert 3 times in 5, retail ones once in 20.
inline bool seeded_software(int n) {
  return n % 3 == 0;
}
inline bool seeded_converts(int n) {
  return seeded_software(n) ? n % 5 < 3 : n % 20 == 1;
}

// Contact number `n` ("<prefix>-<n>@corp<n>.example"); returns its record id.
inline std::string create_hubspot_contact(const std::string& mock_url, const std::string& token,
                                          const std::string& prefix, int n) {
  const std::string i = std::to_string(n);
  const std::string body = R"({"properties":{"email":")" + prefix + "-" + i + R"(@corp)" + i +
                           R"(.example","firstname":"Lead","lastname":"Number )" + i +
                           R"(","company":"Corp )" + i + R"(","industry":")" +
                           (seeded_software(n) ? "Software" : "Retail") +
                           R"(","lifecyclestage":"lead"}})";
  const auto response = http_post(mock_url + "/crm/v3/objects/contacts", body,
                                  {{"Authorization", "Bearer " + token}});
  if (response.status != 201) {
    throw std::runtime_error("create contact: " + std::to_string(response.status) + " " +
                             response.body);
  }
  return json_string(parse_json(response.body), "/id");
}

inline void mark_hubspot_customer(const std::string& mock_url, const std::string& token,
                                  const std::string& id) {
  const auto response = http_send("PATCH", mock_url + "/crm/v3/objects/contacts/" + id,
                                  R"({"properties":{"lifecyclestage":"customer"}})",
                                  {{"Authorization", "Bearer " + token}});
  if (response.status != 200) {
    throw std::runtime_error("update contact: " + std::to_string(response.status) + " " +
                             response.body);
  }
}

}  // namespace leadrouter::integration
