// `leadrouter model train --from-crm`: a first model from the CRM's history.
// mock-crm holds ~250 HubSpot contacts whose industry predicts conversion,
// some of them customers; the real binary pulls them, labels them by their
// outcomes, trains as the sidecar retrains and writes the model file.
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/connectors/mock_crm_process.hpp"
#include "tests/integration/crm_seeding.hpp"
#include "tests/integration/test_support.hpp"

namespace leadrouter::integration {
namespace {

using connectors::testing::MockCrmProcess;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `leadrouter ARGS` run to completion with `env` added to this process's.
CliResult run_cli(const TempDir& dir, const std::string& args, const Env& env) {
  for (const auto& [key, value] : env) {
    ::setenv(key.c_str(), value.c_str(), 1);
  }
  const std::string out = dir.file("cli.out");
  const std::string err = dir.file("cli.err");
  const std::string command = kLeadrouter + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(out);
  result.err = read_file(err);
  return result;
}

class ModelFromCrmTest : public ::testing::Test {
 protected:
  // Contacts 0..count-1, the converting ones marked customers; their number.
  int seed_contacts(int count) {
    int customers = 0;
    for (int n = 0; n < count; ++n) {
      const std::string id = create_hubspot_contact(mock.base_url(), token(), "fromcrm", n);
      if (seeded_converts(n)) {
        mark_hubspot_customer(mock.base_url(), token(), id);
        ++customers;
      }
    }
    return customers;
  }

  std::string token() const { return env.at("HUBSPOT_TOKEN"); }

  std::string config(const std::string& connectors = "hubspot") {
    return write_test_config(
        dir, {.connectors = connectors, .extra_json = R"({"retrain": {"enabled": false,
                                                     "min_rows": 200, "min_positives": 30}})"});
  }

  MockCrmProcess mock;
  TempDir dir;
  Env env = demo_env();
};

TEST_F(ModelFromCrmTest, TrainsFromContactsAndTheirOutcomes) {
  ASSERT_GE(seed_contacts(250), 30);
  const std::string model = dir.file("m.model");
  const auto r = run_cli(dir,
                         "model train --from-crm " + config() + " --crm-url " + mock.base_url() +
                             " --connector hubspot-main --out " + model,
                         env);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_TRUE(std::filesystem::exists(model));
  EXPECT_NE(r.err.find("fetched "), std::string::npos) << r.err;
  const auto at = r.err.find("validation AUC ");
  ASSERT_NE(at, std::string::npos) << r.err;
  EXPECT_GT(std::stod(r.err.substr(at + 15)), 0.6) << r.err;

  const auto summary = parse_json(r.out);
  EXPECT_GE(summary["rows"].GetUint64(), 250u);
  EXPECT_GE(summary["positives"].GetUint64(), 30u);
  EXPECT_GT(summary["validation"]["auc"].GetDouble(), 0.6);
  // The example maps lifecyclestage, the very property HubSpot's outcomes
  // are read from, to a custom field: training on it would learn the label.
  EXPECT_NE(to_json(summary["outcome_fields"]).find("lifecycle_stage"), std::string::npos) << r.out;
}

TEST_F(ModelFromCrmTest, TooFewLeadsIsAnErrorNamingTheCountsAndMinimums) {
  seed_contacts(20);
  const std::string model = dir.file("m.model");
  const auto r = run_cli(
      dir,
      "model train --from-crm " + config() + " --crm-url " + mock.base_url() + " --out " + model,
      env);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("too few leads to train"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("at least 200 leads and 30 conversions"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(model));
}

TEST_F(ModelFromCrmTest, SinceLeavesOlderLeadsOut) {
  seed_contacts(250);
  const auto r = run_cli(dir,
                         "model train --from-crm " + config() + " --crm-url " + mock.base_url() +
                             " --since 2999-01-01T00:00:00Z --out " + dir.file("m.model"),
                         env);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("too few leads to train: 0 leads with 0 conversions"), std::string::npos)
      << r.err;
}

TEST_F(ModelFromCrmTest, SeveralConnectorsNeedConnectorAndCsvIsExclusive) {
  const std::string all = config("all");
  auto r = run_cli(dir, "model train --from-crm " + all + " --out " + dir.file("m.model"), env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("hubspot-main, sf-main"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--connector"), std::string::npos) << r.err;

  r = run_cli(
      dir, "model train --from-crm " + all + " --connector nope --out " + dir.file("m.model"), env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no connector named 'nope'"), std::string::npos) << r.err;

  r = run_cli(dir, "model train --csv x.csv --from-crm " + all + " --out " + dir.file("m.model"),
              env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("mutually exclusive"), std::string::npos) << r.err;

  r = run_cli(dir, "model train --help", env);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--from-crm"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace leadrouter::integration
