// The "connectors" section of the sidecar's JSON config: one entry per CRM
// tenant. Secrets never appear in the file itself, only where to find them:
// an environment variable (`*_env`) or a file (`*_file`) that only its owner
// may read. See docs/connectors.md for every key.
//
//   auto configs = load_connector_configs("/etc/leadrouter/config.json");
//   if (crm_url) override_crm_url(*configs, *crm_url);   // tests, demo
#pragma once

#include <rapidjson/document.h>

#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "connectors/field_mapping.hpp"
#include "connectors/rate_limiter.hpp"
#include "core/error.hpp"

namespace leadrouter::connectors {

// Where a secret lives: exactly one of env / file is set.
struct SecretRef {
  std::string env;
  std::string file;

  bool empty() const { return env.empty() && file.empty(); }
  std::string describe() const;  // "environment variable HUBSPOT_TOKEN" / "file /run/x"
};

struct AuthConfig {
  // hubspot: "private_app" | "oauth"
  // salesforce: "jwt_bearer" | "client_credentials" | "refresh_token"
  std::string kind;
  std::string client_id;
  std::string username;   // jwt_bearer
  std::string token_url;  // hubspot oauth; default {base_url}/oauth/v1/token
  SecretRef token;        // private_app
  SecretRef client_secret;
  SecretRef refresh_token;
  SecretRef private_key;  // jwt_bearer, PEM
};

struct ConnectorConfig {
  std::string name;
  std::string type;         // "hubspot" | "salesforce"
  std::string base_url;     // hubspot API host
  std::string login_url;    // salesforce token host
  std::string api_version;  // salesforce, "v62.0"
  AuthConfig auth;
  FieldMapping mapping;
  int poll_interval_seconds = 30;
  bool write_back = true;
  std::string ca_file;      // empty: system trust store
  std::string score_field;  // CRM property/field for the score; empty: not written
  std::string tier_field;
  std::string reason_field;
  std::string notification_type_id;  // salesforce
  SecretRef webhook_secret;          // hubspot: the app's client secret
  RateLimit rate_limit;
  std::vector<std::string> allowed_instance_suffixes{"salesforce.com", "force.com"};
  std::string test_origin;  // salesforce: an extra allowed instance origin (mock-crm)
};

// Parses {"connectors": [...]} (other top-level keys are left to their owners).
std::expected<std::vector<ConnectorConfig>, ValidationErrors> parse_connector_configs(
    const rapidjson::Value& root);

// Reads and parses a config file; errors are "file: /path: reason" lines.
std::expected<std::vector<ConnectorConfig>, Error> load_connector_configs(const std::string& path);

// Points every connector's API host and token/login host at one base URL
// (mock-crm), and allows that origin as a Salesforce instance_url.
std::expected<void, Error> override_crm_url(std::vector<ConnectorConfig>& configs,
                                            const std::string& url);

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_environment();

// The secret's value. A file must be a regular file that group and others
// cannot read or write (chmod 600); trailing newlines are removed.
std::expected<std::string, Error> resolve_secret(const SecretRef& ref, const EnvLookup& env,
                                                 std::string_view what);

// Replaces a secret file's content atomically, mode 0600 (rotated refresh tokens).
std::expected<void, Error> write_secret_file(const std::string& path, const std::string& value);

}  // namespace leadrouter::connectors
