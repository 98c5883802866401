// The config keys of learning from outcomes: "outcomes" and "retrain".
#include <gtest/gtest.h>

#include <string>

#include "sidecar/config/sidecar_config.hpp"

namespace leadrouter::sidecar {
namespace {

std::string config_with(const std::string& members) {
  return R"({"policy": "p.json", )" + members + R"(, "connectors": [{"name": "sf",
    "type": "salesforce",
    "auth": {"kind": "client_credentials", "client_id": "c", "client_secret_env": "S"}}]})";
}

std::string errors(const std::string& json) {
  auto config = parse_sidecar_config(json, "/etc");
  if (config) {
    return {};
  }
  std::string out;
  for (const auto& e : config.error()) {
    out += e.path + ": " + e.reason + "\n";
  }
  return out;
}

TEST(LearningConfig, DefaultsWhenAbsent) {
  auto config = parse_sidecar_config(config_with(R"("mode": "live")"), "/etc");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->outcomes.poll_seconds, 300);
  EXPECT_FALSE(config->retrain.enabled);
  EXPECT_EQ(config->retrain.min_new_outcomes, 200);
  EXPECT_EQ(config->retrain.interval_hours, 24);
  EXPECT_DOUBLE_EQ(config->retrain.auc_tolerance, 0.01);
  EXPECT_EQ(config->retrain.min_rows, 500);
  EXPECT_EQ(config->retrain.min_positives, 50);
}

TEST(LearningConfig, ReadsEveryKey) {
  auto config = parse_sidecar_config(config_with(R"("outcomes": {"poll_seconds": 60},
        "retrain": {"enabled": true, "min_new_outcomes": 20, "interval_hours": 0,
                    "auc_tolerance": 0.05, "min_rows": 100, "min_positives": 10})"),
                                     "/etc");
  ASSERT_TRUE(config) << errors(config_with("x"));
  EXPECT_EQ(config->outcomes.poll_seconds, 60);
  EXPECT_TRUE(config->retrain.enabled);
  EXPECT_EQ(config->retrain.min_new_outcomes, 20);
  EXPECT_EQ(config->retrain.interval_hours, 0);
  EXPECT_DOUBLE_EQ(config->retrain.auc_tolerance, 0.05);
  EXPECT_EQ(config->retrain.min_rows, 100);
  EXPECT_EQ(config->retrain.min_positives, 10);
}

TEST(LearningConfig, BadValuesAreNamedByPath) {
  const std::string text = errors(config_with(R"("outcomes": {"poll_seconds": 0, "every": 3},
        "retrain": {"enabled": "yes", "auc_tolerance": 2, "min_rows": 1.5,
                    "min_positives": 1, "interval_hourz": 1})"));
  EXPECT_NE(text.find("/outcomes/poll_seconds: expected a whole number from 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("/outcomes/every: unknown key"), std::string::npos) << text;
  EXPECT_NE(text.find("/retrain/enabled"), std::string::npos) << text;
  EXPECT_NE(text.find("/retrain/auc_tolerance: expected a number from 0 to 1, got 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("/retrain/min_rows: expected a whole number"), std::string::npos) << text;
  EXPECT_NE(text.find("/retrain/min_positives: expected a whole number from 2"), std::string::npos)
      << text;
  EXPECT_NE(text.find("/retrain/interval_hourz: unknown key 'interval_hourz' (did you mean "
                      "'interval_hours'?)"),
            std::string::npos)
      << text;
  EXPECT_NE(errors(config_with(R"("retrain": [])")).find("/retrain: expected an object"),
            std::string::npos);
}

}  // namespace
}  // namespace leadrouter::sidecar
