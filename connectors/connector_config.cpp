#include "connectors/connector_config.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "connectors/url.hpp"

namespace leadrouter::connectors {
namespace {

class Reader {
 public:
  Reader(const rapidjson::Value& object, std::string path, ValidationErrors& errors)
      : object_(object), path_(std::move(path)), errors_(errors) {}

  std::string string(const char* key, bool required, std::string fallback = {}) {
    const auto* v = find(key);
    if (!v || v->IsNull()) {
      if (required) {
        errors_.push_back({at(key), "required"});
      }
      return fallback;
    }
    if (!v->IsString() || (required && v->GetStringLength() == 0)) {
      errors_.push_back({at(key), required ? "must be a non-empty string" : "must be a string"});
      return fallback;
    }
    return v->GetString();
  }

  int integer(const char* key, int fallback, int min, int max) {
    const auto* v = find(key);
    if (!v || v->IsNull()) {
      return fallback;
    }
    if (!v->IsInt() || v->GetInt() < min || v->GetInt() > max) {
      errors_.push_back({at(key), fmt::format("must be an integer from {} to {}", min, max)});
      return fallback;
    }
    return v->GetInt();
  }

  bool boolean(const char* key, bool fallback) {
    const auto* v = find(key);
    if (!v || v->IsNull()) {
      return fallback;
    }
    if (!v->IsBool()) {
      errors_.push_back({at(key), "must be true or false"});
      return fallback;
    }
    return v->GetBool();
  }

  // name_env / name_file, exactly one of them.
  SecretRef secret(const std::string& name, bool required) {
    SecretRef ref;
    const auto env_key = name + "_env";
    const auto file_key = name + "_file";
    ref.env = string(env_key.c_str(), false);
    ref.file = string(file_key.c_str(), false);
    if (find(name.c_str())) {
      errors_.push_back(
          {at(name.c_str()), fmt::format("secrets are not allowed in the config file; use {} or {}",
                                         env_key, file_key)});
    }
    if (!ref.env.empty() && !ref.file.empty()) {
      errors_.push_back(
          {at(env_key.c_str()), fmt::format("give {} or {}, not both", env_key, file_key)});
    } else if (required && ref.empty()) {
      errors_.push_back(
          {at(env_key.c_str()), fmt::format("required ({} or {})", env_key, file_key)});
    }
    return ref;
  }

  const rapidjson::Value* find(const char* key) const {
    auto it = object_.FindMember(key);
    return it == object_.MemberEnd() ? nullptr : &it->value;
  }
  std::string at(const char* key) const { return path_ + "/" + key; }
  const std::string& path() const { return path_; }

  void check_keys(const std::set<std::string>& allowed) {
    for (const auto& m : object_.GetObject()) {
      if (!allowed.contains(m.name.GetString())) {
        errors_.push_back({at(m.name.GetString()), "unknown key"});
      }
    }
  }

 private:
  const rapidjson::Value& object_;
  std::string path_;
  ValidationErrors& errors_;
};

void check_url(ValidationErrors& errors, const std::string& where, const std::string& url) {
  if (url.empty()) {
    return;
  }
  auto parsed = parse_url(url);
  if (!parsed) {
    errors.push_back({where, parsed.error().message});
  } else if (parsed->scheme == "http" && !is_loopback_host(parsed->host)) {
    errors.push_back({where, "must be https (plain http is allowed only for loopback hosts)"});
  }
}

AuthConfig parse_auth(const rapidjson::Value& v, const std::string& path, const std::string& type,
                      ValidationErrors& errors) {
  AuthConfig auth;
  if (!v.IsObject()) {
    errors.push_back({path, "must be an object with a \"kind\""});
    return auth;
  }
  Reader r(v, path, errors);
  auth.kind = r.string("kind", true);
  if (type == "hubspot") {
    if (auth.kind == "private_app") {
      r.check_keys({"kind", "token_env", "token_file"});
      auth.token = r.secret("token", true);
    } else if (auth.kind == "oauth") {
      r.check_keys({"kind", "client_id", "client_secret_env", "client_secret_file",
                    "refresh_token_env", "refresh_token_file", "token_url"});
      auth.client_id = r.string("client_id", true);
      auth.client_secret = r.secret("client_secret", true);
      auth.refresh_token = r.secret("refresh_token", true);
      auth.token_url = r.string("token_url", false);
      check_url(errors, r.at("token_url"), auth.token_url);
    } else if (!auth.kind.empty()) {
      errors.push_back({r.at("kind"), "hubspot auth kind must be \"private_app\" or \"oauth\""});
    }
  } else if (type == "salesforce") {
    if (auth.kind == "jwt_bearer") {
      r.check_keys({"kind", "client_id", "username", "private_key_env", "private_key_file"});
      auth.client_id = r.string("client_id", true);
      auth.username = r.string("username", true);
      auth.private_key = r.secret("private_key", true);
    } else if (auth.kind == "client_credentials") {
      r.check_keys({"kind", "client_id", "client_secret_env", "client_secret_file"});
      auth.client_id = r.string("client_id", true);
      auth.client_secret = r.secret("client_secret", true);
    } else if (auth.kind == "refresh_token") {
      r.check_keys({"kind", "client_id", "client_secret_env", "client_secret_file",
                    "refresh_token_env", "refresh_token_file"});
      auth.client_id = r.string("client_id", true);
      auth.client_secret = r.secret("client_secret", false);
      auth.refresh_token = r.secret("refresh_token", true);
    } else if (!auth.kind.empty()) {
      errors.push_back({r.at("kind"),
                        "salesforce auth kind must be \"jwt_bearer\", \"client_credentials\" or "
                        "\"refresh_token\""});
    }
  }
  return auth;
}

ConnectorConfig parse_one(const rapidjson::Value& v, const std::string& path,
                          ValidationErrors& errors) {
  ConnectorConfig c;
  Reader r(v, path, errors);
  r.check_keys({"name", "type", "base_url", "login_url", "api_version", "auth", "field_mapping",
                "poll_interval_seconds", "write_back", "tls", "write_fields", "webhook",
                "notification_type_id", "rate_limit", "allowed_instance_suffixes", "test_host"});
  c.name = r.string("name", true);
  c.type = r.string("type", true);
  if (!c.type.empty() && c.type != "hubspot" && c.type != "salesforce") {
    errors.push_back({r.at("type"), "must be \"hubspot\" or \"salesforce\""});
  }
  const bool hubspot = c.type == "hubspot";
  c.base_url = r.string("base_url", false, hubspot ? "https://api.hubapi.com" : "");
  c.login_url = r.string("login_url", false, hubspot ? "" : "https://login.salesforce.com");
  c.api_version = r.string("api_version", false, "v62.0");
  check_url(errors, r.at("base_url"), c.base_url);
  check_url(errors, r.at("login_url"), c.login_url);
  if (!c.api_version.starts_with('v') || c.api_version.find('.') == std::string::npos) {
    errors.push_back({r.at("api_version"), "must look like \"v62.0\""});
  }
  if (const auto* auth = r.find("auth")) {
    c.auth = parse_auth(*auth, r.at("auth"), c.type, errors);
  } else {
    errors.push_back({r.at("auth"), "required"});
  }
  c.mapping = hubspot ? FieldMapping::hubspot_defaults() : FieldMapping::salesforce_defaults();
  if (const auto* fm = r.find("field_mapping"); fm && !fm->IsNull()) {
    auto mapping = FieldMapping::from_json(c.mapping, *fm, r.at("field_mapping"));
    if (mapping) {
      c.mapping = std::move(*mapping);
    } else {
      errors.insert(errors.end(), mapping.error().begin(), mapping.error().end());
    }
  }
  c.poll_interval_seconds = r.integer("poll_interval_seconds", 30, 1, 86400);
  c.write_back = r.boolean("write_back", true);
  if (const auto* tls = r.find("tls"); tls && !tls->IsNull()) {
    if (!tls->IsObject()) {
      errors.push_back({r.at("tls"), "must be an object"});
    } else {
      Reader t(*tls, r.at("tls"), errors);
      t.check_keys({"ca_file"});
      c.ca_file = t.string("ca_file", false);
    }
  }
  if (const auto* wf = r.find("write_fields"); wf && !wf->IsNull()) {
    if (!wf->IsObject()) {
      errors.push_back({r.at("write_fields"), "must be an object"});
    } else {
      Reader w(*wf, r.at("write_fields"), errors);
      w.check_keys({"score", "tier", "reason"});
      c.score_field = w.string("score", false);
      c.tier_field = w.string("tier", false);
      c.reason_field = w.string("reason", false);
    }
  }
  if (const auto* wh = r.find("webhook"); wh && !wh->IsNull()) {
    if (!wh->IsObject()) {
      errors.push_back({r.at("webhook"), "must be an object"});
    } else {
      Reader w(*wh, r.at("webhook"), errors);
      w.check_keys({"client_secret_env", "client_secret_file"});
      c.webhook_secret = w.secret("client_secret", false);
    }
  }
  c.notification_type_id = r.string("notification_type_id", false);
  c.rate_limit = hubspot ? RateLimit{100, std::chrono::milliseconds{10'000}}
                         : RateLimit{25, std::chrono::milliseconds{1'000}};
  if (const auto* rl = r.find("rate_limit"); rl && !rl->IsNull()) {
    if (!rl->IsObject()) {
      errors.push_back({r.at("rate_limit"), "must be an object"});
    } else {
      Reader l(*rl, r.at("rate_limit"), errors);
      l.check_keys({"requests", "interval_ms"});
      c.rate_limit.requests =
          l.integer("requests", static_cast<int>(c.rate_limit.requests), 1, 1'000'000);
      c.rate_limit.interval = std::chrono::milliseconds{
          l.integer("interval_ms", static_cast<int>(c.rate_limit.interval.count()), 1, 86'400'000)};
    }
  }
  if (const auto* s = r.find("allowed_instance_suffixes"); s && !s->IsNull()) {
    if (!s->IsArray() || s->Empty()) {
      errors.push_back(
          {r.at("allowed_instance_suffixes"), "must be a non-empty array of host suffixes"});
    } else {
      c.allowed_instance_suffixes.clear();
      for (const auto& e : s->GetArray()) {
        if (!e.IsString() || e.GetStringLength() == 0 ||
            std::string_view(e.GetString()).find('.') == std::string_view::npos) {
          errors.push_back({r.at("allowed_instance_suffixes"),
                            "entries must be domain suffixes such as \"salesforce.com\""});
          continue;
        }
        c.allowed_instance_suffixes.emplace_back(e.GetString());
      }
    }
  }
  c.test_origin = r.string("test_host", false);
  if (!c.test_origin.empty()) {
    auto parsed = parse_url(c.test_origin);
    if (!parsed) {
      errors.push_back({r.at("test_host"), parsed.error().message});
    } else {
      c.test_origin = parsed->origin();
    }
  }
  return c;
}

}  // namespace

std::string SecretRef::describe() const {
  return env.empty() ? "file " + file : "environment variable " + env;
}

std::expected<std::vector<ConnectorConfig>, ValidationErrors> parse_connector_configs(
    const rapidjson::Value& root) {
  ValidationErrors errors;
  if (!root.IsObject()) {
    errors.push_back({"", "the config must be a JSON object"});
    return std::unexpected(errors);
  }
  auto it = root.FindMember("connectors");
  if (it == root.MemberEnd() || !it->value.IsArray() || it->value.Empty()) {
    errors.push_back({"/connectors", "required: a non-empty array of connector objects"});
    return std::unexpected(errors);
  }
  std::vector<ConnectorConfig> out;
  std::set<std::string> names;
  for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
    const std::string path = fmt::format("/connectors/{}", i);
    if (!it->value[i].IsObject()) {
      errors.push_back({path, "must be an object"});
      continue;
    }
    auto c = parse_one(it->value[i], path, errors);
    if (!c.name.empty() && !names.insert(c.name).second) {
      errors.push_back({path + "/name", "duplicate connector name '" + c.name + "'"});
    }
    out.push_back(std::move(c));
  }
  if (!errors.empty()) {
    return std::unexpected(errors);
  }
  return out;
}

std::expected<std::vector<ConnectorConfig>, Error> load_connector_configs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::unexpected(Error::invalid_input(
        fmt::format("cannot read config file {}: {}", path, std::strerror(errno))));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    return std::unexpected(Error::invalid_input(
        fmt::format("config file {}: invalid JSON near byte {}", path, doc.GetErrorOffset())));
  }
  auto configs = parse_connector_configs(doc);
  if (!configs) {
    std::string message = "config file " + path + " is invalid:";
    for (const auto& e : configs.error()) {
      message += fmt::format("\n  {}: {}", e.path, e.reason);
    }
    return std::unexpected(Error::invalid_input(message));
  }
  return std::move(*configs);
}

std::expected<void, Error> override_crm_url(std::vector<ConnectorConfig>& configs,
                                            const std::string& url) {
  auto parsed = parse_url(url);
  if (!parsed) {
    return std::unexpected(Error::invalid_input("--crm-url: " + parsed.error().message));
  }
  const auto origin = parsed->origin();
  for (auto& c : configs) {
    c.base_url = origin;
    c.login_url = origin;
    c.test_origin = origin;
    c.auth.token_url.clear();
  }
  return {};
}

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) {
      return std::nullopt;
    }
    return std::string(v);
  };
}

std::expected<std::string, Error> resolve_secret(const SecretRef& ref, const EnvLookup& env,
                                                 std::string_view what) {
  if (!ref.env.empty()) {
    auto v = env(ref.env);
    if (!v || v->empty()) {
      return std::unexpected(Error::invalid_input(
          fmt::format("{}: environment variable {} is not set", what, ref.env)));
    }
    return *v;
  }
  if (ref.file.empty()) {
    return std::unexpected(Error::invalid_input(fmt::format("{}: no secret configured", what)));
  }
  struct stat st {};
  if (::stat(ref.file.c_str(), &st) != 0) {
    return std::unexpected(Error::invalid_input(
        fmt::format("{}: cannot read secret file {}: {}", what, ref.file, std::strerror(errno))));
  }
  if (!S_ISREG(st.st_mode)) {
    return std::unexpected(Error::invalid_input(
        fmt::format("{}: secret file {} is not a regular file", what, ref.file)));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return std::unexpected(Error::invalid_input(fmt::format(
        "{}: secret file {} is accessible by group or others (mode {:04o}); run chmod 600 {}", what,
        ref.file, st.st_mode & 07777, ref.file)));
  }
  std::ifstream in(ref.file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string value = ss.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
    value.pop_back();
  }
  if (value.empty()) {
    return std::unexpected(
        Error::invalid_input(fmt::format("{}: secret file {} is empty", what, ref.file)));
  }
  return value;
}

std::expected<void, Error> write_secret_file(const std::string& path, const std::string& value) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return std::unexpected(
        Error::internal(fmt::format("cannot write secret file {}: {}", tmp, std::strerror(errno))));
  }
  const std::string content = value + "\n";
  const bool ok =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return std::unexpected(Error::internal(
        fmt::format("cannot replace secret file {}: {}", path, std::strerror(errno))));
  }
  return {};
}

}  // namespace leadrouter::connectors
