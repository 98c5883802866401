#include "connectors/connector_config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "connectors/connector_factory.hpp"
#include "fake_transport.hpp"

namespace leadrouter::connectors {
namespace {

std::expected<std::vector<ConnectorConfig>, ValidationErrors> parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return parse_connector_configs(d);
}

TEST(ConnectorConfig, TheExampleConfigParses) {
  auto configs = load_connector_configs(LEADROUTER_SOURCE_DIR "/examples/sidecar/config.json");
  ASSERT_TRUE(configs) << configs.error().message;
  ASSERT_EQ(configs->size(), 2u);
  EXPECT_EQ((*configs)[0].type, "hubspot");
  EXPECT_EQ((*configs)[1].type, "salesforce");
  EXPECT_EQ((*configs)[1].auth.kind, "jwt_bearer");
}

TEST(ConnectorConfig, ReportsEveryProblemWithItsPath) {
  auto r = parse(R"({"connectors":[
    {"name":"a","type":"hubspot","auth":{"kind":"private_app","token":"pat-inline"},
     "base_url":"http://api.example.com","field_mapping":{"favourite_colour":"x"}},
    {"name":"a","type":"salesforce","auth":{"kind":"jwt_bearer","client_id":"c"},"poll_interval_seconds":0,
     "bogus":1}]})");
  ASSERT_FALSE(r);
  const auto text = format_errors(r.error());
  for (const char* expected :
       {"/connectors/0/auth/token: secrets are not allowed",
        "/connectors/0/auth/token_env: required", "/connectors/0/base_url: must be https",
        "/connectors/0/field_mapping/favourite_colour", "/connectors/1/name: duplicate",
        "/connectors/1/auth/username: required", "/connectors/1/auth/private_key_env: required",
        "/connectors/1/poll_interval_seconds", "/connectors/1/bogus: unknown key"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
}

TEST(ConnectorConfig, CrmUrlOverridePointsEveryHostAtTheMock) {
  auto r = parse(R"({"connectors":[
    {"name":"h","type":"hubspot","auth":{"kind":"oauth","client_id":"c","client_secret_env":"S","refresh_token_env":"R","token_url":"https://api.hubapi.com/oauth/v3/token"}},
    {"name":"s","type":"salesforce","auth":{"kind":"client_credentials","client_id":"c","client_secret_env":"S"}}]})");
  ASSERT_TRUE(r) << format_errors(r.error());
  ASSERT_TRUE(override_crm_url(*r, "http://127.0.0.1:4567/"));
  for (const auto& c : *r) {
    EXPECT_EQ(c.base_url, "http://127.0.0.1:4567");
    EXPECT_EQ(c.login_url, "http://127.0.0.1:4567");
    EXPECT_EQ(c.test_origin, "http://127.0.0.1:4567");
    EXPECT_TRUE(c.auth.token_url.empty());
  }
  EXPECT_FALSE(override_crm_url(*r, "not a url"));
}

class SecretFile : public ::testing::Test {
 protected:
  std::string path =
      (std::filesystem::temp_directory_path() / ("lr-secret-" + std::to_string(::getpid())))
          .string();
  void TearDown() override { std::remove(path.c_str()); }
  void write(const std::string& content, mode_t mode) {
    std::ofstream(path) << content;
    ::chmod(path.c_str(), mode);
  }
};

TEST_F(SecretFile, OwnerOnlyFileIsReadAndTrimmed) {
  write("s3cret\n", 0600);
  auto v = resolve_secret({.env = "", .file = path}, process_environment(), "test");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(*v, "s3cret");
}

TEST_F(SecretFile, GroupOrWorldReadableFileIsRefused) {
  write("s3cret\n", 0640);
  auto v = resolve_secret({.env = "", .file = path}, process_environment(), "test");
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("chmod 600"), std::string::npos);
  EXPECT_EQ(v.error().message.find("s3cret"), std::string::npos);
}

TEST_F(SecretFile, RotatedTokensAreWrittenOwnerOnly) {
  ASSERT_TRUE(write_secret_file(path, "rt-2"));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*resolve_secret({.env = "", .file = path}, process_environment(), "t"), "rt-2");
}

TEST(ConnectorFactory, MissingEnvironmentVariableIsNamed) {
  auto r = parse(
      R"({"connectors":[{"name":"h","type":"hubspot","auth":{"kind":"private_app","token_env":"LR_TEST_NOT_SET"}}]})");
  ASSERT_TRUE(r);
  ConnectorEnvironment env;
  env.env = [](const std::string&) { return std::nullopt; };
  env.transport = std::make_shared<testing::FakeTransport>(
      [](const HttpRequest&) -> std::expected<HttpResponse, Error> {
        return std::unexpected(Error::internal("unused"));
      });
  auto built = build_connector((*r)[0], env);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().message.find("LR_TEST_NOT_SET is not set"), std::string::npos);
}

}  // namespace
}  // namespace leadrouter::connectors
