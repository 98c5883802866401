// The `sla` section of the sidecar config, read through parse_sidecar_config.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "sidecar/config/sidecar_config.hpp"

namespace leadrouter::sidecar {
namespace {

using ::testing::HasSubstr;

constexpr const char* kConnectors = R"("connectors": [
  {"name": "hs", "type": "hubspot", "auth": {"kind": "private_app", "token_env": "HS_TOKEN"}},
  {"name": "sf", "type": "salesforce",
   "auth": {"kind": "client_credentials", "client_id": "cid", "client_secret_env": "SF"}}])";

std::string config_with_sla(const std::string& sla) {
  return std::string(R"({"policy": "policy.json", )") + kConnectors + R"(, "sla": )" + sla + "}";
}

std::string errors_of(const std::string& sla) {
  auto config = parse_sidecar_config(config_with_sla(sla), "/etc/lr");
  EXPECT_FALSE(config) << "expected errors for " << sla;
  std::string out;
  if (!config) {
    for (const auto& e : config.error()) {
      out += e.path + ": " + e.reason + "\n";
    }
  }
  return out;
}

TEST(SlaConfig, DefaultsWhenAbsent) {
  auto config =
      parse_sidecar_config(std::string(R"({"policy": "policy.json", )") + kConnectors + "}", "/");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->sla.check_seconds, 30);
  EXPECT_TRUE(config->sla.worked.task_completed);
  EXPECT_TRUE(config->sla.worked.field.empty());
  EXPECT_TRUE(config->sla.worked.untouched_values.empty());
  EXPECT_EQ(&config->sla.worked_for("hs"), &config->sla.worked);
}

TEST(SlaConfig, PerConnectorOverridesInheritTheSectionsSettings) {
  auto config = parse_sidecar_config(config_with_sla(R"({
      "check_seconds": 5,
      "worked": {"task_completed": true},
      "connectors": {
        "hs": {"field": "hs_lead_status", "untouched_values": ["", "NEW"]},
        "sf": {"task_completed": false, "field": "Status",
               "untouched_values": ["Open - Not Contacted"]}}})"),
                                     "/");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->sla.check_seconds, 5);
  const SlaWorkedConfig& hs = config->sla.worked_for("hs");
  EXPECT_TRUE(hs.task_completed);
  EXPECT_EQ(hs.field, "hs_lead_status");
  EXPECT_EQ(hs.untouched_values, (std::vector<std::string>{"", "NEW"}));
  const SlaWorkedConfig& sf = config->sla.worked_for("sf");
  EXPECT_FALSE(sf.task_completed);
  EXPECT_EQ(sf.field, "Status");
  EXPECT_TRUE(config->sla.worked_for("other").field.empty());
}

TEST(SlaConfig, ErrorsNameTheirJsonPath) {
  EXPECT_THAT(errors_of(R"({"check_seconds": 0})"), HasSubstr("/sla/check_seconds: expected 1"));
  EXPECT_THAT(errors_of(R"({"worked": {"task_completed": false}})"),
              HasSubstr("/sla/worked: nothing counts as worked"));
  EXPECT_THAT(errors_of(R"({"worked": {"untouched_values": ["NEW"]}})"),
              HasSubstr("/sla/worked/untouched_values: only meaningful with a field"));
  EXPECT_THAT(errors_of(R"({"connectors": {"zoho": {"field": "x"}}})"),
              HasSubstr("/sla/connectors/zoho: no connector is named 'zoho'"));
  EXPECT_THAT(errors_of(R"({"check_secs": 5})"), HasSubstr("/sla/check_secs"));
  EXPECT_THAT(errors_of(R"({"worked": {"feild": "x"}})"), HasSubstr("/sla/worked/feild"));
  EXPECT_THAT(errors_of(R"([1])"), HasSubstr("/sla"));
}

}  // namespace
}  // namespace leadrouter::sidecar
