// Verifies HubSpot webhook calls (signature v3) and parses their events:
//   signature = base64(HMAC-SHA256(client secret,
//                      method + URI + raw body + X-HubSpot-Request-Timestamp))
// compared in constant time; the timestamp must be within `window` of now
// (both directions); a signature already accepted within the window is a
// replay and refused. Thread-safe.
#pragma once

#include <chrono>
#include <expected>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/crm_types.hpp"

namespace leadrouter::connectors::hubspot {

class WebhookVerifier {
 public:
  explicit WebhookVerifier(std::string client_secret,
                           std::chrono::milliseconds window = std::chrono::minutes{5});

  std::expected<std::vector<WebhookEvent>, Error> verify(const WebhookRequest& request,
                                                         std::chrono::system_clock::time_point now);

  // The v3 signature for these inputs (for tests and for mock-crm clients).
  static std::string sign_v3(std::string_view client_secret, std::string_view method,
                             std::string_view uri, std::string_view body,
                             std::string_view timestamp_ms);

  // HubSpot decodes these escapes (and only these) before signing the URI.
  static std::string normalize_uri(std::string_view uri);

 private:
  std::string client_secret_;
  std::chrono::milliseconds window_;
  std::mutex mu_;
  std::map<std::string, std::chrono::system_clock::time_point> seen_;  // signature -> expiry
};

}  // namespace leadrouter::connectors::hubspot
