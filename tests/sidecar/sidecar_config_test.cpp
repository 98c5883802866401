#include "sidecar/config/sidecar_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "tests/scratch_dir.hpp"

namespace leadrouter::sidecar {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

const std::string kExamples = LEADROUTER_SOURCE_DIR "/examples";

using test_support::ScratchDir;

constexpr const char* kConnectors = R"("connectors": [
  {"name": "hs", "type": "hubspot", "auth": {"kind": "private_app", "token_env": "HS_TOKEN"},
   "webhook": {"client_secret_env": "HS_SECRET"}},
  {"name": "sf", "type": "salesforce",
   "auth": {"kind": "client_credentials", "client_id": "cid", "client_secret_file": "/nonexistent/sf-secret"}}])";

std::string config_with(const std::string& members) {
  return "{" + members + (members.empty() ? "" : ", ") + kConnectors + "}";
}

ValidationErrors errors_of(const std::string& json, const std::string& base = "/etc/lr") {
  auto config = parse_sidecar_config(json, base);
  EXPECT_FALSE(config) << "expected errors for " << json;
  return config ? ValidationErrors{} : config.error();
}

// "path: reason" of every error, for matching.
std::string described(const ValidationErrors& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += e.path + ": " + e.reason + "\n";
  }
  return out;
}

TEST(SidecarConfig, MinimalConfigGetsTheDocumentedDefaults) {
  auto config = parse_sidecar_config(config_with(R"("policy": "policy.json")"), "/etc/lr");
  ASSERT_TRUE(config) << described(config.error());
  EXPECT_EQ(config->mode, Mode::kLive);
  EXPECT_EQ(config->state_dir, "/var/lib/leadrouter");
  EXPECT_EQ(config->http.host, "127.0.0.1");
  EXPECT_EQ(config->http.port, 8080);
  EXPECT_EQ(config->http.body_limit, 1024u * 1024u);
  EXPECT_EQ(config->http.threads, 2);
  EXPECT_EQ(config->http.public_url, "");
  EXPECT_EQ(config->log.level, "info");
  EXPECT_EQ(config->log.format, "json");
  EXPECT_EQ(config->routing.policy, "/etc/lr/policy.json");
  EXPECT_EQ(config->routing.roster, "");
  EXPECT_EQ(config->routing.model, "");
  EXPECT_EQ(config->free_mail, "");
  EXPECT_EQ(config->roster_refresh_seconds, 300);
  EXPECT_TRUE(config->reload_on_change);
  EXPECT_EQ(config->ingest.start_from, "now");
  EXPECT_EQ(config->ingest.page_size, 100);
  EXPECT_EQ(config->ingest.queue_limit, 10000u);
  EXPECT_TRUE(config->ingest.route_owned_leads);
  EXPECT_TRUE(config->ingest.unassigned_owner_ids.empty());
  EXPECT_EQ(config->outbox.batch_size, 20);
  EXPECT_EQ(config->outbox.max_attempts, 10);
  EXPECT_EQ(config->outbox.initial_backoff.count(), 1000);
  EXPECT_EQ(config->outbox.max_backoff.count(), 300000);
  ASSERT_EQ(config->connectors.size(), 2u);
  EXPECT_EQ(config->connectors[0].name, "hs");
  EXPECT_EQ(&config->routing_for("hs"), &config->routing);
}

TEST(SidecarConfig, EveryKeyIsRead) {
  auto config = parse_sidecar_config(config_with(R"(
    "mode": "shadow", "state_dir": "state", "listen": "0.0.0.0:9090",
    "http": {"body_limit_bytes": 65536, "public_url": "https://lr.example.com/", "threads": 4},
    "log": {"level": "debug", "format": "text"},
    "policy": "/srv/policy.json", "roster": "rosters/../roster.json", "model": "model.json",
    "free_mail": "free.txt",
    "routing": {"sf": {"policy": "sf-policy.json", "model": null}},
    "roster_refresh_seconds": 60, "reload_on_change": false,
    "ingest": {"start_from": "2026-01-01T00:00:00Z", "page_size": 50, "queue_limit": 500,
               "route_owned_leads": false, "unassigned_owner_ids": ["q1", "q2"]},
    "outbox": {"batch_size": 5, "max_attempts": 3, "initial_backoff_ms": 200, "max_backoff_ms": 200})"),
                                     "/etc/lr");
  ASSERT_TRUE(config) << described(config.error());
  EXPECT_EQ(config->mode, Mode::kShadow);
  EXPECT_EQ(config->state_dir, "/etc/lr/state");
  EXPECT_EQ(config->http.host, "0.0.0.0");
  EXPECT_EQ(config->http.port, 9090);
  EXPECT_EQ(config->http.body_limit, 65536u);
  EXPECT_EQ(config->http.public_url, "https://lr.example.com");
  EXPECT_EQ(config->http.threads, 4);
  EXPECT_EQ(config->log.level, "debug");
  EXPECT_EQ(config->log.format, "text");
  EXPECT_EQ(config->routing.policy, "/srv/policy.json");
  EXPECT_EQ(config->routing.roster, "/etc/lr/roster.json");
  EXPECT_EQ(config->routing.model, "/etc/lr/model.json");
  EXPECT_EQ(config->free_mail, "/etc/lr/free.txt");
  // A connector's own routing inherits what it does not set; null clears.
  const auto& sf = config->routing_for("sf");
  EXPECT_EQ(sf.policy, "/etc/lr/sf-policy.json");
  EXPECT_EQ(sf.roster, "/etc/lr/roster.json");
  EXPECT_EQ(sf.model, "");
  EXPECT_EQ(config->routing_for("hs").policy, "/srv/policy.json");
  EXPECT_EQ(config->roster_refresh_seconds, 60);
  EXPECT_FALSE(config->reload_on_change);
  EXPECT_EQ(config->ingest.start_from, "2026-01-01T00:00:00Z");
  EXPECT_EQ(config->ingest.page_size, 50);
  EXPECT_EQ(config->ingest.queue_limit, 500u);
  EXPECT_FALSE(config->ingest.route_owned_leads);
  EXPECT_EQ(config->ingest.unassigned_owner_ids, (std::vector<std::string>{"q1", "q2"}));
  EXPECT_EQ(config->outbox.batch_size, 5);
  EXPECT_EQ(config->outbox.max_attempts, 3);
  EXPECT_EQ(config->outbox.initial_backoff.count(), 200);
  EXPECT_EQ(config->outbox.max_backoff.count(), 200);
}

TEST(SidecarConfig, PolicyAndConnectorsAreRequired) {
  const auto errors = errors_of(R"({"mode": "live"})");
  const auto text = described(errors);
  EXPECT_THAT(text, HasSubstr("/policy: required"));
  EXPECT_THAT(text, HasSubstr("/connectors: required"));
}

TEST(SidecarConfig, UnknownKeysAreErrorsWithHints) {
  const auto text = described(errors_of(config_with(
      R"("policy": "p.json", "polcy": "x", "ingest": {"page_sise": 5}, "outbox": {"retries": 1},
         "http": {"thread": 2}, "log": {"levle": "info"}, "bogus_key_entirely": 1)")));
  EXPECT_THAT(text, HasSubstr("/polcy: unknown key 'polcy' (did you mean 'policy'?)"));
  EXPECT_THAT(text, HasSubstr("/ingest/page_sise: unknown key 'page_sise' (did you mean "
                              "'page_size'?)"));
  EXPECT_THAT(text, HasSubstr("/outbox/retries: unknown key 'retries'"));
  EXPECT_THAT(text, HasSubstr("/http/thread: unknown key 'thread' (did you mean 'threads'?)"));
  EXPECT_THAT(text, HasSubstr("/log/levle: unknown key 'levle' (did you mean 'level'?)"));
  EXPECT_THAT(text, HasSubstr("/bogus_key_entirely: unknown key 'bogus_key_entirely' (expected "
                              "one of:"));
}

TEST(SidecarConfig, EveryRangeAndEnumIsChecked) {
  const auto errors = errors_of(config_with(R"(
    "policy": "p.json", "mode": "dry-run", "listen": "example.com:80",
    "http": {"body_limit_bytes": 0, "threads": 0, "public_url": "ftp://x"},
    "log": {"level": "verbose", "format": "xml"},
    "roster_refresh_seconds": -5, "reload_on_change": "yes",
    "ingest": {"start_from": "yesterday", "page_size": 500, "queue_limit": 0,
               "route_owned_leads": 1, "unassigned_owner_ids": "q1"},
    "outbox": {"batch_size": 1.5, "max_attempts": 0, "initial_backoff_ms": 5000,
               "max_backoff_ms": 1000})"));
  const auto text = described(errors);
  for (const char* path :
       {"/mode:", "/listen:", "/http/body_limit_bytes:", "/http/threads:", "/http/public_url:",
        "/log/level:", "/log/format:", "/roster_refresh_seconds:", "/reload_on_change:",
        "/ingest/start_from:", "/ingest/page_size:", "/ingest/queue_limit:",
        "/ingest/route_owned_leads:", "/ingest/unassigned_owner_ids:", "/outbox/batch_size:",
        "/outbox/max_attempts:", "/outbox/max_backoff_ms:"}) {
    EXPECT_THAT(text, HasSubstr(path));
  }
  EXPECT_THAT(text, HasSubstr("/ingest/page_size: expected a whole number from 1 to 200, got 500"));
  EXPECT_THAT(text, HasSubstr("/outbox/max_backoff_ms: must be at least initial_backoff_ms"));
  EXPECT_THAT(text, HasSubstr("'dry-run' is not a mode"));
}

TEST(SidecarConfig, MistypedValuesGetHints) {
  const auto text = described(errors_of(config_with(
      R"("policy": "p.json", "mode": "shadw", "log": {"level": "debgu"}, "routing": [],
         "http": "fast", "ingest": {"start_from": "begining"})")));
  EXPECT_THAT(text, HasSubstr("/mode: 'shadw' is not a mode; expected \"live\" or \"shadow\" "
                              "(did you mean 'shadow'?)"));
  EXPECT_THAT(text, HasSubstr("/log/level: 'debgu' is not a log level; expected one of: trace, "
                              "debug, info, warn, error (did you mean 'debug'?)"));
  EXPECT_THAT(text, HasSubstr("/routing: expected an object of connector name"));
  EXPECT_THAT(text, HasSubstr("/http: expected an object, got a string"));
  EXPECT_THAT(text, HasSubstr("/ingest/start_from: 'begining': expected \"now\", \"beginning\""));
}

TEST(SidecarConfig, SalesforceOnlyAllowsLargerPages) {
  auto config = parse_sidecar_config(R"({"policy": "p.json", "ingest": {"page_size": 1000},
    "connectors": [{"name": "sf", "type": "salesforce",
      "auth": {"kind": "client_credentials", "client_id": "c", "client_secret_env": "S"}}]})",
                                     "/etc");
  ASSERT_TRUE(config) << described(config.error());
  EXPECT_EQ(config->ingest.page_size, 1000);
}

TEST(SidecarConfig, RoutingNamesMustBeConfiguredConnectors) {
  const auto text = described(errors_of(config_with(
      R"("policy": "p.json", "routing": {"hs1": {"roster": "r.json"}, "sf": {"rostr": "x"}})")));
  EXPECT_THAT(text, HasSubstr("/routing/hs1: no connector is named 'hs1' (did you mean 'hs'?)"));
  EXPECT_THAT(text, HasSubstr("/routing/sf/rostr: unknown key 'rostr' (did you mean 'roster'?)"));
}

TEST(SidecarConfig, ConnectorErrorsAreMergedWithOurs) {
  const auto text = described(errors_of(R"({"policy": 7, "connectors": [
    {"name": "hs", "type": "hubspot", "auth": {"kind": "private_app", "token": "pat-secret"}}]})"));
  EXPECT_THAT(text, HasSubstr("/policy: expected a string, got a number"));
  EXPECT_THAT(text, HasSubstr("/connectors/0/auth/token: secrets are not allowed"));
}

TEST(SidecarConfig, BadJsonNamesLineAndColumn) {
  const auto errors = errors_of("{\n  \"policy\": \"p.json\",\n}");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].path, HasSubstr("line 3"));
  EXPECT_THAT(errors[0].reason, HasSubstr("invalid JSON"));
  EXPECT_THAT(described(errors_of("[1, 2]")), HasSubstr("expected an object"));
}

TEST(SidecarConfig, ListenAddresses) {
  EXPECT_EQ(parse_listen_address("127.0.0.1:8080").value(),
            (std::pair<std::string, unsigned short>{"127.0.0.1", 8080}));
  EXPECT_EQ(parse_listen_address("localhost:0").value().second, 0);
  EXPECT_EQ(parse_listen_address("[::1]:65535").value(),
            (std::pair<std::string, unsigned short>{"::1", 65535}));
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:80x", ":80",
                          "example.com:80", "[::1:80", "::1:80", "256.1.1.1:80", "[nothost]:80"}) {
    EXPECT_FALSE(parse_listen_address(bad)) << bad;
  }
  EXPECT_THAT(parse_listen_address("127.0.0.1:99999").error(), HasSubstr("0 to 65535"));
}

TEST(SidecarConfig, LoadResolvesAgainstTheFileAndAppliesOverrides) {
  ScratchDir dir;
  const auto path = dir.write("etc/config.json", config_with(R"("policy": "policy.json",
      "state_dir": "state", "listen": "127.0.0.1:8080", "mode": "live")"));
  ConfigOverrides overrides;
  overrides.crm_url = "http://127.0.0.1:4555";
  overrides.state_dir = dir.file("other-state");
  overrides.listen = "127.0.0.1:0";
  overrides.mode = "shadow";
  auto config = load_sidecar_config(path, overrides);
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->path, path);
  EXPECT_EQ(config->routing.policy, dir.file("etc/policy.json"));
  EXPECT_EQ(config->state_dir, dir.file("other-state"));
  EXPECT_EQ(config->http.port, 0);
  EXPECT_EQ(config->mode, Mode::kShadow);
  for (const auto& c : config->connectors) {
    EXPECT_EQ(c.base_url, "http://127.0.0.1:4555") << c.name;
    EXPECT_EQ(c.login_url, "http://127.0.0.1:4555") << c.name;
  }
  // Without overrides the file's values stand.
  auto plain = load_sidecar_config(path, {});
  ASSERT_TRUE(plain) << plain.error();
  EXPECT_EQ(plain->state_dir, dir.file("etc/state"));
  EXPECT_EQ(plain->http.port, 8080);
  EXPECT_EQ(plain->mode, Mode::kLive);
}

TEST(SidecarConfig, ARelativeConfigPathIsMadeAbsolute) {
  ScratchDir dir;
  dir.write("conf/config.json", config_with(R"("policy": "../policy.json")"));
  const auto cwd = fs::current_path();
  fs::current_path(dir.path());
  auto config = load_sidecar_config("conf/config.json", {});
  fs::current_path(cwd);
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->path, dir.file("conf/config.json"));
  EXPECT_EQ(config->routing.policy, dir.file("policy.json"));
}

TEST(SidecarConfig, LoadReportsFileAndFlagProblemsTogether) {
  ScratchDir dir;
  const auto path = dir.write("config.json", config_with(R"("policy": "p.json", "mode": "x")"));
  ConfigOverrides overrides;
  overrides.listen = "nowhere";
  overrides.mode = "loud";
  auto config = load_sidecar_config(path, overrides);
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error(), HasSubstr(path + ": /mode: 'x' is not a mode"));
  EXPECT_THAT(config.error(), HasSubstr("--listen: 'nowhere': no port"));
  EXPECT_THAT(config.error(), HasSubstr("--mode: 'loud'"));
  auto missing = load_sidecar_config(dir.file("absent.json"), {});
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error(), HasSubstr("cannot read " + dir.file("absent.json")));
}

// check_config_references against files in a scratch directory.
class ConfigReferences : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::map<std::string, std::string> env{{"HS_TOKEN", "pat-x"}, {"HS_SECRET", "s"}};

  connectors::EnvLookup lookup() {
    return [this](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      return it == env.end() ? std::nullopt : std::optional(it->second);
    };
  }

  SidecarConfig load(const std::string& members) {
    const auto path = dir.write("config.json", config_with(members));
    auto config = load_sidecar_config(path, {});
    EXPECT_TRUE(config) << config.error();
    return config ? *config : SidecarConfig{};
  }

  void write_secret(mode_t mode) {
    const auto p = dir.write("sf-secret", "shh\n");
    ::chmod(p.c_str(), mode);
  }

  std::string sf_secret_member() const {
    return R"("connectors": [{"name": "sf", "type": "salesforce", "auth": {"kind": "client_credentials", "client_id": "cid", "client_secret_file": ")" +
           dir.file("sf-secret") + R"("}}])";
  }
};

TEST_F(ConfigReferences, TheExampleConfigsFilesAllValidate) {
  dir.write("sf-secret", "shh\n");
  ::chmod(dir.file("sf-secret").c_str(), 0600);
  const auto text = std::string(R"({"policy": ")") + kExamples +
                    R"(/sidecar/policy.json", "routing": {"sf": {"roster": ")" + kExamples +
                    R"(/sidecar/salesforce-roster.json"}}, )" + sf_secret_member() + "}";
  auto config = parse_sidecar_config(text, dir.path());
  ASSERT_TRUE(config) << described(config.error());
  EXPECT_THAT(check_config_references(*config, lookup()), ::testing::IsEmpty());
}

TEST_F(ConfigReferences, EveryMissingFileAndSecretIsNamed) {
  dir.write("bad-policy.json", R"({"version": 1, "tiers": "A"})");
  auto config = load(R"("policy": "bad-policy.json", "roster": "absent-roster.json",
      "model": "absent.model", "free_mail": "absent-free.txt", "state_dir": "config.json")");
  env.erase("HS_TOKEN");
  const auto problems = check_config_references(config, lookup());
  std::string all;
  for (const auto& p : problems) {
    all += p + "\n";
  }
  EXPECT_THAT(all, HasSubstr(dir.file("bad-policy.json") + ": "));
  EXPECT_THAT(all, HasSubstr("cannot read " + dir.file("absent-roster.json")));
  EXPECT_THAT(all, HasSubstr("cannot read " + dir.file("absent.model")));
  EXPECT_THAT(all, HasSubstr("free-mail domain list: cannot read " + dir.file("absent-free.txt")));
  EXPECT_THAT(all,
              HasSubstr("connector 'hs' auth token: environment variable HS_TOKEN is not set"));
  EXPECT_THAT(all, HasSubstr("connector 'sf' auth client secret: cannot read secret file "
                             "/nonexistent/sf-secret"));
  EXPECT_THAT(all, HasSubstr("state_dir " + dir.file("config.json") +
                             ": exists and is not a "
                             "directory"));
  // HS_SECRET is set: the webhook secret is not reported.
  EXPECT_THAT(all, ::testing::Not(HasSubstr("webhook")));
}

TEST_F(ConfigReferences, ASecretFileOthersCanReadIsRefused) {
  write_secret(0644);
  const auto text = std::string(R"({"policy": ")") + kExamples + R"(/sidecar/policy.json", )" +
                    sf_secret_member() + "}";
  auto config = parse_sidecar_config(text, dir.path());
  ASSERT_TRUE(config) << described(config.error());
  const auto problems = check_config_references(*config, lookup());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("accessible by group or others"));
  ::chmod(dir.file("sf-secret").c_str(), 0600);
  EXPECT_THAT(check_config_references(*config, lookup()), ::testing::IsEmpty());
}

TEST_F(ConfigReferences, ASharedFileIsReportedOnce) {
  auto config = load(R"("policy": "absent.json", "routing": {"hs": {}, "sf": {}})");
  env.emplace("UNUSED", "x");
  const auto problems = check_config_references(config, lookup());
  EXPECT_EQ(std::ranges::count_if(
                problems,
                [](const std::string& p) { return p.find("absent.json") != std::string::npos; }),
            1);
}

TEST(SidecarConfig, ModeNames) {
  EXPECT_STREQ(to_string(Mode::kLive), "live");
  EXPECT_STREQ(to_string(Mode::kShadow), "shadow");
}

}  // namespace
}  // namespace leadrouter::sidecar
