#include "sidecar/config/sidecar_config.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <set>
#include <utility>

#include "connectors/url.hpp"
#include "core/json_reader.hpp"
#include "core/time.hpp"
#include "sidecar/config/routing_setup.hpp"

namespace leadrouter::sidecar {
namespace {

namespace fs = std::filesystem;
using core::JsonObjectReader;

constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};

std::string resolve_path(const std::string& base_dir, const std::string& path) {
  const fs::path p(path);
  if (p.is_absolute()) {
    return p.lexically_normal().string();
  }
  return (fs::path(base_dir) / p).lexically_normal().string();
}

// An integer member within [min, max]; `fallback` when absent, null or bad
// (the problem recorded with its path and the allowed range).
template <typename T>
T bounded(JsonObjectReader& r, std::string_view key, T fallback, long long min, long long max) {
  const auto* v = r.find(key);
  if (v == nullptr || v->IsNull()) {
    return fallback;
  }
  const auto range = fmt::format("expected a whole number from {} to {}", min, max);
  if (!v->IsNumber()) {
    r.error_at(key, fmt::format("{}, got {}", range, core::json_type_name(*v)));
    return fallback;
  }
  const double d = v->GetDouble();
  if (d != static_cast<double>(static_cast<long long>(d)) || d < static_cast<double>(min) ||
      d > static_cast<double>(max)) {
    r.error_at(key, fmt::format("{}, got {}", range, d));
    return fallback;
  }
  return static_cast<T>(d);
}

bool boolean_or(JsonObjectReader& r, std::string_view key, bool fallback) {
  const auto* v = r.find(key);
  if (v == nullptr || v->IsNull()) {
    return fallback;
  }
  return r.boolean(key).value_or(fallback);
}

// A non-empty string member; nullopt when absent or null.
std::optional<std::string> text(JsonObjectReader& r, std::string_view key) {
  const auto* v = r.find(key);
  if (v == nullptr || v->IsNull()) {
    return std::nullopt;
  }
  auto s = r.string(key);
  if (s && s->empty()) {
    r.error_at(key, "must not be empty (leave the key out or use null)");
    return std::nullopt;
  }
  return s;
}

// A file path member resolved against the config's directory.
std::optional<std::string> file_path(JsonObjectReader& r, std::string_view key,
                                     const std::string& base_dir) {
  auto s = text(r, key);
  if (!s) {
    return std::nullopt;
  }
  return resolve_path(base_dir, *s);
}

// " (did you mean 'x'?)" when one candidate is a plausible typo of `given`.
std::string did_you_mean(std::string_view given, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& c : candidates) {
    const auto d = core::typo_distance(given, c);
    if (d < best_distance) {
      best_distance = d;
      best = &c;
    }
  }
  if (best == nullptr || best_distance > core::typo_tolerance(given)) {
    return {};
  }
  return fmt::format(" (did you mean '{}'?)", *best);
}

std::optional<Mode> parse_mode(std::string_view text) {
  if (text == "live") {
    return Mode::kLive;
  }
  if (text == "shadow") {
    return Mode::kShadow;
  }
  return std::nullopt;
}

void read_mode(JsonObjectReader& r, SidecarConfig& config) {
  if (auto s = text(r, "mode")) {
    if (auto m = parse_mode(*s)) {
      config.mode = *m;
    } else {
      r.error_at("mode", fmt::format("'{}' is not a mode; expected \"live\" or \"shadow\"{}", *s,
                                     did_you_mean(*s, {"live", "shadow"})));
    }
  }
}

void read_http(JsonObjectReader& root, SidecarConfig& config) {
  const auto* v = root.find("http");
  if (v == nullptr || v->IsNull()) {
    return;
  }
  JsonObjectReader r(*v, root.path_of("http"), root.errors());
  if (!r.is_object()) {
    return;
  }
  config.http.body_limit = bounded<std::size_t>(r, "body_limit_bytes", config.http.body_limit, 1024,
                                                256LL * 1024 * 1024);
  config.http.threads = bounded<int>(r, "threads", config.http.threads, 1, 64);
  if (auto url = text(r, "public_url")) {
    auto parsed = connectors::parse_url(*url);
    if (!parsed) {
      r.error_at("public_url", parsed.error().message);
    } else if (parsed->target != "/") {
      r.error_at("public_url",
                 "must be a scheme and host only (\"https://lr.example.com\"); webhook paths are "
                 "added to it");
    } else {
      config.http.public_url = parsed->origin();
    }
  }
  r.reject_unknown_keys();
}

void read_log(JsonObjectReader& root, SidecarConfig& config) {
  const auto* v = root.find("log");
  if (v == nullptr || v->IsNull()) {
    return;
  }
  JsonObjectReader r(*v, root.path_of("log"), root.errors());
  if (!r.is_object()) {
    return;
  }
  if (auto level = text(r, "level")) {
    if (std::ranges::find(kLogLevels, *level) == std::end(kLogLevels)) {
      r.error_at("level",
                 fmt::format("'{}' is not a log level; expected one of: {}{}", *level,
                             fmt::join(kLogLevels, ", "),
                             did_you_mean(*level, {std::begin(kLogLevels), std::end(kLogLevels)})));
    } else {
      config.log.level = *level;
    }
  }
  if (auto format = text(r, "format")) {
    if (*format != "json" && *format != "text") {
      r.error_at("format", fmt::format("'{}': expected \"json\" or \"text\"", *format));
    } else {
      config.log.format = *format;
    }
  }
  r.reject_unknown_keys();
}

// "model": null says "no model" even when the default names one; absent
// keeps the default.
void read_routing_files(JsonObjectReader& r, const std::string& base_dir, RoutingFiles& files) {
  if (auto p = file_path(r, "policy", base_dir)) {
    files.policy = *p;
  }
  for (auto [key, field] : {std::pair{"roster", &files.roster}, std::pair{"model", &files.model}}) {
    const auto* v = r.find(key);
    if (v == nullptr) {
      continue;
    }
    if (v->IsNull()) {
      field->clear();
    } else if (auto p = file_path(r, key, base_dir)) {
      *field = *p;
    }
  }
}

void read_per_connector_routing(JsonObjectReader& root, const std::string& base_dir,
                                const std::vector<std::string>& connector_names,
                                SidecarConfig& config) {
  const auto* v = root.find("routing");
  if (v == nullptr || v->IsNull()) {
    return;
  }
  const std::string path = root.path_of("routing");
  if (!v->IsObject()) {
    root.error(path, fmt::format("expected an object of connector name -> {{policy, roster, "
                                 "model}}, got {}",
                                 core::json_type_name(*v)));
    return;
  }
  for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it) {
    const std::string name(it->name.GetString(), it->name.GetStringLength());
    const std::string where = core::json_path(path, name);
    // Only checkable when the connectors section itself parsed.
    if (!connector_names.empty() &&
        std::ranges::find(connector_names, name) == connector_names.end()) {
      root.error(where, fmt::format("no connector is named '{}'{}", name,
                                    did_you_mean(name, connector_names)));
      continue;
    }
    JsonObjectReader r(it->value, where, root.errors());
    if (!r.is_object()) {
      continue;
    }
    RoutingFiles files = config.routing;
    read_routing_files(r, base_dir, files);
    r.reject_unknown_keys();
    config.routing_by_connector[name] = std::move(files);
  }
}

void read_ingest(JsonObjectReader& root, bool has_hubspot, SidecarConfig& config) {
  const auto* v = root.find("ingest");
  if (v == nullptr || v->IsNull()) {
    return;
  }
  JsonObjectReader r(*v, root.path_of("ingest"), root.errors());
  if (!r.is_object()) {
    return;
  }
  auto& ingest = config.ingest;
  if (auto start = text(r, "start_from")) {
    if (*start != "now" && *start != "beginning" && !parse_iso8601(*start)) {
      r.error_at("start_from",
                 fmt::format("'{}': expected \"now\", \"beginning\" or an ISO 8601 time such as "
                             "\"2026-01-01T00:00:00Z\"",
                             *start));
    } else {
      ingest.start_from = *start;
    }
  }
  // One search page: HubSpot's search API returns at most 200 results,
  // Salesforce's SOQL paging at most 2000.
  ingest.page_size = bounded<int>(r, "page_size", ingest.page_size, 1, has_hubspot ? 200 : 2000);
  ingest.queue_limit = bounded<std::size_t>(r, "queue_limit", ingest.queue_limit, 1, 10'000'000);
  ingest.route_owned_leads = boolean_or(r, "route_owned_leads", ingest.route_owned_leads);
  if (const auto* ids = r.find("unassigned_owner_ids"); ids != nullptr && !ids->IsNull()) {
    ingest.unassigned_owner_ids = r.strings("unassigned_owner_ids");
  }
  r.reject_unknown_keys();
}

void read_outbox(JsonObjectReader& root, SidecarConfig& config) {
  const auto* v = root.find("outbox");
  if (v == nullptr || v->IsNull()) {
    return;
  }
  JsonObjectReader r(*v, root.path_of("outbox"), root.errors());
  if (!r.is_object()) {
    return;
  }
  auto& outbox = config.outbox;
  outbox.batch_size = bounded<int>(r, "batch_size", outbox.batch_size, 1, 1000);
  outbox.max_attempts = bounded<int>(r, "max_attempts", outbox.max_attempts, 1, 1000);
  constexpr long long kDayMs = 24LL * 3600 * 1000;
  outbox.initial_backoff = std::chrono::milliseconds{
      bounded<long long>(r, "initial_backoff_ms", outbox.initial_backoff.count(), 1, kDayMs)};
  outbox.max_backoff = std::chrono::milliseconds{
      bounded<long long>(r, "max_backoff_ms", outbox.max_backoff.count(), 1, kDayMs)};
  if (outbox.max_backoff < outbox.initial_backoff) {
    r.error_at("max_backoff_ms",
               fmt::format("must be at least initial_backoff_ms ({} < {})",
                           outbox.max_backoff.count(), outbox.initial_backoff.count()));
  }
  r.reject_unknown_keys();
}

void read_outcomes(JsonObjectReader& root, SidecarConfig& config) {
  const auto* v = root.find("outcomes");
  if (v == nullptr || v->IsNull()) {
    return;
  }
  JsonObjectReader r(*v, root.path_of("outcomes"), root.errors());
  if (!r.is_object()) {
    return;
  }
  config.outcomes.poll_seconds =
      bounded<int>(r, "poll_seconds", config.outcomes.poll_seconds, 1, 7 * 86400);
  r.reject_unknown_keys();
}

void read_retrain(JsonObjectReader& root, SidecarConfig& config) {
  const auto* v = root.find("retrain");
  if (v == nullptr || v->IsNull()) {
    return;
  }
  JsonObjectReader r(*v, root.path_of("retrain"), root.errors());
  if (!r.is_object()) {
    return;
  }
  auto& retrain = config.retrain;
  retrain.enabled = boolean_or(r, "enabled", retrain.enabled);
  retrain.min_new_outcomes =
      bounded<int>(r, "min_new_outcomes", retrain.min_new_outcomes, 1, 10'000'000);
  retrain.interval_hours = bounded<int>(r, "interval_hours", retrain.interval_hours, 0, 24 * 365);
  if (const auto* t = r.find("auc_tolerance"); t != nullptr && !t->IsNull()) {
    if (auto tolerance = r.number("auc_tolerance");
        tolerance && *tolerance >= 0 && *tolerance <= 1) {
      retrain.auc_tolerance = *tolerance;
    } else if (tolerance) {
      r.error_at("auc_tolerance", fmt::format("expected a number from 0 to 1, got {}", *tolerance));
    }
  }
  retrain.min_rows = bounded<int>(r, "min_rows", retrain.min_rows, 10, 100'000'000);
  retrain.min_positives = bounded<int>(r, "min_positives", retrain.min_positives, 2, 100'000'000);
  r.reject_unknown_keys();
}

bool is_ipv4(std::string_view host) {
  in_addr addr{};
  return inet_pton(AF_INET, std::string(host).c_str(), &addr) == 1;
}

bool is_ipv6(std::string_view host) {
  in6_addr addr{};
  return inet_pton(AF_INET6, std::string(host).c_str(), &addr) == 1;
}

std::string where(std::string_view path) {
  return path.empty() ? "(document)" : std::string(path);
}

}  // namespace

const char* to_string(Mode mode) {
  return mode == Mode::kShadow ? "shadow" : "live";
}

const RoutingFiles& SidecarConfig::routing_for(std::string_view connector) const {
  auto it = routing_by_connector.find(std::string(connector));
  return it == routing_by_connector.end() ? routing : it->second;
}

std::expected<std::pair<std::string, unsigned short>, std::string> parse_listen_address(
    std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return std::unexpected(fmt::format(
        "'{}': {}; expected HOST:PORT with an IPv4 address, localhost or [IPv6]", text, why));
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return bad("no port");
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      !std::ranges::all_of(port_text, [](char c) { return c >= '0' && c <= '9'; })) {
    return bad("the port must be a number from 0 to 65535");
  }
  const int port = std::stoi(std::string(port_text));
  if (port > 65535) {
    return bad("the port must be a number from 0 to 65535");
  }
  if (host.starts_with('[')) {
    if (!host.ends_with(']') || !is_ipv6(host.substr(1, host.size() - 2))) {
      return bad("not an IPv6 address in brackets");
    }
    host = host.substr(1, host.size() - 2);
  } else if (host != "localhost" && !is_ipv4(host)) {
    return bad(host.empty() ? "no host" : "the host is not an IPv4 address or localhost");
  }
  return std::pair{std::string(host), static_cast<unsigned short>(port)};
}

std::expected<SidecarConfig, ValidationErrors> parse_sidecar_config(std::string_view json_text,
                                                                    const std::string& base_dir) {
  ValidationErrors errors;
  auto doc = core::parse_json_document(json_text, errors);
  if (!doc) {
    return std::unexpected(std::move(errors));
  }
  SidecarConfig config;
  JsonObjectReader r(*doc, "", errors);
  if (!r.is_object()) {
    return std::unexpected(std::move(errors));
  }
  // The connectors section has its own validator; its errors join ours.
  r.find("connectors");
  auto connectors = connectors::parse_connector_configs(*doc);
  std::vector<std::string> connector_names;
  bool has_hubspot = false;
  if (connectors) {
    config.connectors = std::move(*connectors);
    for (const auto& c : config.connectors) {
      connector_names.push_back(c.name);
      has_hubspot = has_hubspot || c.type == "hubspot";
    }
  } else {
    errors.insert(errors.end(), connectors.error().begin(), connectors.error().end());
    // Unknown until the section parses; the wider HubSpot limit is the safe guess.
    has_hubspot = true;
  }

  read_mode(r, config);
  if (auto dir = file_path(r, "state_dir", base_dir)) {
    config.state_dir = *dir;
  }
  if (auto listen = text(r, "listen")) {
    if (auto address = parse_listen_address(*listen)) {
      config.http.host = address->first;
      config.http.port = address->second;
    } else {
      r.error_at("listen", address.error());
    }
  }
  read_http(r, config);
  read_log(r, config);

  const auto* policy = r.find("policy");
  if (policy == nullptr || policy->IsNull()) {
    errors.push_back({"/policy", "required: the policy file every connector routes with"});
  }
  read_routing_files(r, base_dir, config.routing);
  if (auto free_mail = file_path(r, "free_mail", base_dir)) {
    config.free_mail = *free_mail;
  }
  read_per_connector_routing(r, base_dir, connector_names, config);
  config.roster_refresh_seconds =
      bounded<int>(r, "roster_refresh_seconds", config.roster_refresh_seconds, 1, 7 * 86400);
  config.reload_on_change = boolean_or(r, "reload_on_change", config.reload_on_change);
  read_ingest(r, has_hubspot, config);
  read_outbox(r, config);
  read_outcomes(r, config);
  read_retrain(r, config);
  read_sla_config(r, connector_names, config.sla);
  read_accounts_config(r, base_dir, config.accounts);
  read_duplicates_config(r, config.duplicates);
  r.reject_unknown_keys();
  if (!errors.empty()) {
    return std::unexpected(std::move(errors));
  }
  return config;
}

std::expected<SidecarConfig, std::string> load_sidecar_config(const std::string& path,
                                                              const ConfigOverrides& overrides) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec).lexically_normal();
  const std::string file = ec ? path : absolute.string();
  auto text = read_text_file(file);
  if (!text) {
    return std::unexpected(text.error());
  }
  auto config = parse_sidecar_config(*text, absolute.parent_path().string());
  ValidationErrors errors;
  if (!config) {
    errors = std::move(config.error());
  }
  // Flags are checked even when the file has errors, so one run shows all.
  SidecarConfig dummy;
  SidecarConfig& c = config ? *config : dummy;
  if (overrides.mode) {
    if (auto m = parse_mode(*overrides.mode)) {
      c.mode = *m;
    } else {
      errors.push_back(
          {"--mode", fmt::format("'{}': expected \"live\" or \"shadow\"", *overrides.mode)});
    }
  }
  if (overrides.state_dir) {
    c.state_dir = fs::absolute(*overrides.state_dir, ec).lexically_normal().string();
  }
  if (overrides.listen) {
    if (auto address = parse_listen_address(*overrides.listen)) {
      c.http.host = address->first;
      c.http.port = address->second;
    } else {
      errors.push_back({"--listen", address.error()});
    }
  }
  if (overrides.crm_url) {
    if (auto done = connectors::override_crm_url(c.connectors, *overrides.crm_url); !done) {
      std::string_view reason = done.error().message;
      if (reason.starts_with("--crm-url: ")) {
        reason.remove_prefix(11);
      }
      errors.push_back({"--crm-url", std::string(reason)});
    }
  }
  if (!errors.empty()) {
    std::string out;
    for (const auto& e : errors) {
      if (e.path.starts_with("--")) {
        out += fmt::format("{}: {}\n", e.path, e.reason);
      } else {
        out += fmt::format("{}: {}: {}\n", file, where(e.path), e.reason);
      }
    }
    return std::unexpected(std::move(out));
  }
  config->path = file;
  return std::move(*config);
}

std::vector<std::string> check_config_references(const SidecarConfig& config,
                                                 const connectors::EnvLookup& env) {
  std::vector<std::string> problems;
  const auto add = [&](std::string message) {
    while (!message.empty() && message.back() == '\n') {
      message.pop_back();
    }
    if (std::ranges::find(problems, message) == problems.end()) {
      problems.push_back(std::move(message));
    }
  };
  // Every file once, however many connectors share it.
  std::set<std::string> checked;
  const auto check_files = [&](const RoutingFiles& files) {
    if (!files.policy.empty() && checked.insert("policy:" + files.policy).second) {
      if (auto policy = load_policy(files.policy); !policy) {
        add(policy.error());
      }
    }
    if (!files.roster.empty() && checked.insert("roster:" + files.roster).second) {
      if (auto roster = load_roster(files.roster); !roster) {
        add(roster.error());
      }
    }
    if (!files.model.empty() && checked.insert("model:" + files.model).second) {
      if (auto model = load_model(files.model); !model) {
        add(model.error());
      }
    }
  };
  check_files(config.routing);
  for (const auto& [name, files] : config.routing_by_connector) {
    check_files(files);
  }
  const std::string free_mail =
      config.free_mail.empty() ? default_free_mail_path() : config.free_mail;
  if (auto text = read_text_file(free_mail); !text) {
    add(fmt::format("free-mail domain list: {}", text.error()));
  }
  if (config.accounts.enabled) {
    if (auto text = read_text_file(config.accounts.public_suffix_list); !text) {
      add(fmt::format("accounts.public_suffix_list (Debian package publicsuffix): {}",
                      text.error()));
    }
  }

  for (const auto& c : config.connectors) {
    const auto secret = [&](const connectors::SecretRef& ref, std::string_view what) {
      if (ref.empty()) {
        return;
      }
      auto value =
          connectors::resolve_secret(ref, env, fmt::format("connector '{}' {}", c.name, what));
      if (!value) {
        add(value.error().message);
      }
    };
    secret(c.auth.token, "auth token");
    secret(c.auth.client_secret, "auth client secret");
    secret(c.auth.refresh_token, "auth refresh token");
    secret(c.auth.private_key, "auth private key");
    secret(c.webhook_secret, "webhook client secret");
    if (!c.ca_file.empty()) {
      if (auto text = read_text_file(c.ca_file); !text) {
        add(fmt::format("connector '{}' tls.ca_file: {}", c.name, text.error()));
      }
    }
  }

  // Whether the daemon may create the directory depends on who runs it (a
  // service user, --state); a file in its place is wrong for everyone.
  std::error_code ec;
  if (fs::exists(config.state_dir, ec) && !fs::is_directory(config.state_dir, ec)) {
    add(fmt::format("state_dir {}: exists and is not a directory", config.state_dir));
  }
  return problems;
}

}  // namespace leadrouter::sidecar
