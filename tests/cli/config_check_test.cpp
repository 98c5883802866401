#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "cli_process.hpp"

namespace leadrouter::cli_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kConfig = kExamples + "/sidecar/config.json";

// The variables examples/sidecar/demo.env sets, in this process and so in the
// child's environment, for the length of one test.
class DemoEnv {
 public:
  DemoEnv() {
    ::setenv("HUBSPOT_TOKEN", "pat-na1-11111111-2222-3333-4444-555555555555", 1);
    ::setenv("HUBSPOT_CLIENT_SECRET", "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy", 1);
    const auto key = read_all(kExamples + "/mock_crm/salesforce-jwt-key.pem");
    EXPECT_THAT(key, HasSubstr("PRIVATE KEY"));
    ::setenv("SALESFORCE_JWT_PRIVATE_KEY", key.c_str(), 1);
  }
  ~DemoEnv() {
    for (const char* name :
         {"HUBSPOT_TOKEN", "HUBSPOT_CLIENT_SECRET", "SALESFORCE_JWT_PRIVATE_KEY"}) {
      ::unsetenv(name);
    }
  }
  DemoEnv(const DemoEnv&) = delete;
  DemoEnv& operator=(const DemoEnv&) = delete;
};

TEST(CliConfigCheck, TheExampleConfigIsValidWithTheDemoSecrets) {
  DemoEnv env;
  const auto r = run_leadrouter({"config", "check", kConfig});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok: 2 connectors, mode live, policy " + kExamples + "/sidecar/policy.json\n");
  EXPECT_EQ(r.err, "");
  const auto flag = run_leadrouter(
      {"config", "check", "--config", kConfig, "--crm-url", "http://127.0.0.1:4555"});
  EXPECT_EQ(flag.exit_code, 0) << flag.err;
}

TEST(CliConfigCheck, MissingSecretsAreEachNamed) {
  ::unsetenv("HUBSPOT_TOKEN");
  ::unsetenv("HUBSPOT_CLIENT_SECRET");
  ::unsetenv("SALESFORCE_JWT_PRIVATE_KEY");
  const auto r = run_leadrouter({"config", "check", kConfig});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("3 problems"));
  EXPECT_THAT(r.err, HasSubstr("environment variable HUBSPOT_TOKEN is not set"));
  EXPECT_THAT(r.err, HasSubstr("environment variable HUBSPOT_CLIENT_SECRET is not set"));
  EXPECT_THAT(r.err, HasSubstr("environment variable SALESFORCE_JWT_PRIVATE_KEY is not set"));
  // Secrets are named, never printed.
  EXPECT_THAT(r.err, Not(HasSubstr("pat-na1")));
}

TEST(CliConfigCheck, InvalidKeysAreAllReportedWithJsonPaths) {
  DemoEnv env;
  ScratchDir dir;
  const auto config = dir.write("config.json", R"({
    "mode": "dry-run", "polcy": "p.json", "ingest": {"page_size": 0},
    "outbox": {"initial_backoff_ms": 10, "max_backoff_ms": 5},
    "routing": {"hubspot": {}},
    "connectors": [{"name": "hubspot-main", "type": "hubspot", "auth": {"kind": "private_app", "token_env": "HUBSPOT_TOKEN"}}]})");
  const auto r = run_leadrouter({"config", "check", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, ::testing::StartsWith("leadrouter: " + config + ": 6 problems\n"));
  for (const char* line : {": /mode: 'dry-run' is not a mode",
                           ": /polcy: unknown key 'polcy' (did you mean 'policy'?)",
                           ": /policy: required", ": /ingest/page_size: expected a whole number",
                           ": /outbox/max_backoff_ms: must be at least initial_backoff_ms",
                           ": /routing/hubspot: no connector is named 'hubspot'"}) {
    EXPECT_THAT(r.err, HasSubstr(config + line));
  }
}

TEST(CliConfigCheck, BrokenReferencedFilesAreReported) {
  DemoEnv env;
  ScratchDir dir;
  dir.write("policy.json", R"({"version": 1, "tiers": "A"})");
  const auto config = dir.write("config.json", R"({"policy": "policy.json", "roster": "roster.json",
    "connectors": [{"name": "hs", "type": "hubspot", "auth": {"kind": "private_app", "token_env": "HUBSPOT_TOKEN"}}]})");
  const auto r = run_leadrouter({"config", "check", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(dir.file("policy.json") + ": /tiers"));
  EXPECT_THAT(r.err, HasSubstr("cannot read " + dir.file("roster.json")));
}

TEST(CliConfigCheck, ASecretFileReadableByOthersIsRefused) {
  ScratchDir dir;
  const auto secret = dir.write("token", "pat-na1-secret\n");
  ::chmod(secret.c_str(), 0644);
  const auto config = dir.write(
      "config.json", std::string(R"({"policy": ")") + kExamples +
                         R"(/sidecar/policy.json", "connectors": [{"name": "hs", "type": "hubspot",
      "auth": {"kind": "private_app", "token_file": ")" +
                         secret + R"("}}]})");
  const auto r = run_leadrouter({"config", "check", config});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("accessible by group or others"));
  EXPECT_THAT(r.err, Not(HasSubstr("pat-na1-secret")));
  ::chmod(secret.c_str(), 0600);
  const auto ok = run_leadrouter({"config", "check", config});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "ok: 1 connector, mode live, policy " + kExamples + "/sidecar/policy.json\n");
}

TEST(CliConfigCheck, BadArgumentsAndUnreadableFiles) {
  const auto none = run_leadrouter({"config", "check"});
  EXPECT_EQ(none.exit_code, 2);
  const auto missing = run_leadrouter({"config", "check", "/nonexistent/config.json"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("cannot read /nonexistent/config.json"));
  const auto bad_url = run_leadrouter({"config", "check", kConfig, "--crm-url", "not a url"});
  EXPECT_EQ(bad_url.exit_code, 2);
  EXPECT_THAT(bad_url.err, HasSubstr("--crm-url"));
  const auto help = run_leadrouter({"config", "check", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("config check"));
}

}  // namespace
}  // namespace leadrouter::cli_test
