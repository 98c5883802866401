// Decides whether an instance_url from a Salesforce token response may receive
// our access token. Without this check a tampered or misconfigured token
// endpoint could send every later request, bearer token included, anywhere.
//
// Allowed: https, no user info or path, host equal to or under one of the
// allowed suffixes (default salesforce.com and force.com, which covers
// *.my.salesforce.com and *.lightning.force.com), never an IP literal; or
// exactly the configured test origin (mock-crm on loopback).
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace leadrouter::connectors::salesforce {

struct InstanceUrlPolicy {
  std::vector<std::string> allowed_suffixes{"salesforce.com", "force.com"};
  std::string test_origin;  // e.g. "http://127.0.0.1:18080"; empty: none

  // The normalized origin ("https://acme.my.salesforce.com") or why not.
  std::expected<std::string, Error> check(std::string_view instance_url) const;
};

}  // namespace leadrouter::connectors::salesforce
