// HubSpot webhook request signatures as HubSpot documents them (reference
// A.8.3): v3 = base64(HMAC-SHA256(client secret, method + URI + body +
// timestamp)), v1 = hex(SHA-256(client secret + body)).
//
//   auto sig = signature_v3(secret, "POST", "https://example.com/hook", body, "1564113600000");
#pragma once

#include <string>
#include <string_view>

namespace leadrouter::mock_crm::hubspot {

std::string signature_v3(std::string_view client_secret, std::string_view method,
                         std::string_view uri, std::string_view body,
                         std::string_view timestamp_ms);

std::string signature_v1(std::string_view client_secret, std::string_view body);

}  // namespace leadrouter::mock_crm::hubspot
