// The HTTP request and response values that travel through an HttpTransport.
// They carry absolute URLs and raw bodies, nothing transport specific, so a
// fake transport in tests sees exactly what the real client would send.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leadrouter::connectors {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive lookup; HTTP header names are case-insensitive.
std::optional<std::string> find_header(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method;  // "GET", "POST", "PATCH", ...
  std::string url;     // absolute: "https://api.hubapi.com/crm/v3/owners?limit=100"
  HttpHeaders headers;
  std::string body;

  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  std::optional<std::string> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

}  // namespace leadrouter::connectors
