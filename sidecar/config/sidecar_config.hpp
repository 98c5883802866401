// The sidecar's JSON config file: everything `leadrouter serve` needs besides
// secrets. Validated as a whole at start (every error at once, each with its
// JSON path) and by `leadrouter config check`. docs/configuration.md lists
// every key. Relative file paths are resolved against the config file's
// directory, so a config and its policy can move together.
//
//   auto config = load_sidecar_config(path, overrides);   // flags win over the file
//   if (!config) { std::cerr << config.error(); return 2; }
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/connector_config.hpp"
#include "core/error.hpp"
#include "sidecar/config/account_config.hpp"
#include "sidecar/config/sla_config.hpp"

namespace leadrouter::sidecar {

// live: decide and write back. shadow: decide and record, write nothing to
// any CRM (for running a policy beside an existing routing setup).
enum class Mode { kLive, kShadow };
const char* to_string(Mode mode);

// What one connector routes with. `roster` holds rep attributes (territories,
// skills, capacity, hours) merged over the CRM's own users by id; optional.
struct RoutingFiles {
  std::string policy;  // absolute path
  std::string roster;  // absolute path; empty: CRM users with the policy's "reps" only
  std::string model;   // absolute path to a model file; empty: no model
};

struct IngestConfig {
  // Where a connector with no stored cursor starts: "now" (only leads
  // changed after the first start), "beginning", or an ISO 8601 time.
  std::string start_from = "now";
  int page_size = 100;
  std::size_t queue_limit = 10000;  // pollers wait while the queue is this full
  // false: a lead that already has an owner outside `unassigned_owner_ids`
  // keeps it and is not routed.
  bool route_owned_leads = true;
  std::vector<std::string> unassigned_owner_ids;  // queues, integration users
};

struct OutboxConfig {
  int batch_size = 20;
  int max_attempts = 10;  // then the row is dead-lettered
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{300000};
};

// Conversion outcomes read back from each CRM (docs/model.md, "In the sidecar").
struct OutcomesConfig {
  int poll_seconds = 300;
};

// Retraining the conversion model from decided leads and their outcomes.
struct RetrainConfig {
  bool enabled = false;
  int min_new_outcomes = 200;   // outcomes changed since the active model was made
  int interval_hours = 24;      // at most one retrain per interval
  double auc_tolerance = 0.01;  // a new model must reach the active AUC minus this
  int min_rows = 500;
  int min_positives = 50;
};

struct HttpConfig {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: pick a free port
  std::size_t body_limit = 1024 * 1024;
  // The public base URL the CRM calls for webhooks ("https://lr.acme.com"),
  // part of what HubSpot v3 signs. Empty: "http://" + the Host header.
  std::string public_url;
  int threads = 2;
};

struct LogConfig {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "json";  // "json" or "text"
};

struct SidecarConfig {
  std::string path;  // the file it was read from (absolute)
  Mode mode = Mode::kLive;
  std::string state_dir = "/var/lib/leadrouter";
  HttpConfig http;
  LogConfig log;
  RoutingFiles routing;                                      // every connector's default
  std::map<std::string, RoutingFiles> routing_by_connector;  // "routing": {"<name>": {...}}
  std::string free_mail;  // empty: the list shipped with leadrouter
  int roster_refresh_seconds = 300;
  bool reload_on_change = true;  // also reload when the policy/roster file changes (SIGHUP always)
  IngestConfig ingest;
  OutboxConfig outbox;
  OutcomesConfig outcomes;
  RetrainConfig retrain;
  SlaConfig sla;
  AccountsConfig accounts;      // account_config.hpp
  DuplicatesConfig duplicates;  // account_config.hpp
  std::vector<connectors::ConnectorConfig> connectors;

  const RoutingFiles& routing_for(std::string_view connector) const;
};

// Command-line flags of `serve`; set values replace the file's.
struct ConfigOverrides {
  std::optional<std::string> crm_url;    // every connector's API/login host (mock-crm)
  std::optional<std::string> state_dir;  // --state
  std::optional<std::string> listen;     // --listen HOST:PORT
  std::optional<std::string> mode;       // --mode live|shadow
};

// Parses and validates the document; `base_dir` resolves relative paths.
std::expected<SidecarConfig, ValidationErrors> parse_sidecar_config(std::string_view json_text,
                                                                    const std::string& base_dir);

// Reads `path`, parses it and applies the overrides. The error is
// ready to print: one "<file>: <json path>: <reason>" line per problem.
std::expected<SidecarConfig, std::string> load_sidecar_config(const std::string& path,
                                                              const ConfigOverrides& overrides);

// What `config check` and start-up verify beyond the JSON itself: every
// referenced file exists and validates (policy, roster, free-mail, model),
// every secret resolves (env var set / file owner-only). One line per problem.
std::vector<std::string> check_config_references(const SidecarConfig& config,
                                                 const connectors::EnvLookup& env);

// "HOST:PORT" (IPv4, "localhost" or [IPv6]); port 0 allowed.
std::expected<std::pair<std::string, unsigned short>, std::string> parse_listen_address(
    std::string_view text);

}  // namespace leadrouter::sidecar
