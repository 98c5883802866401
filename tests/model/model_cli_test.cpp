// `leadrouter model train | evaluate | explain` as a user runs them: the real
// binary on the UCI sample in examples/model/, in a scratch directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

const fs::path kBinary = fs::path(LEADROUTER_BINARY_DIR) / "sidecar" / "leadrouter";
const fs::path kSample = fs::path(LEADROUTER_SOURCE_DIR) / "examples" / "model" / "bank-sample.csv";

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text(fs::file_size(path), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

class ModelCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kBinary)) {
      GTEST_SKIP() << kBinary << " is not built; build the `leadrouter` target first";
    }
    dir_ = fs::temp_directory_path() /
           ("leadrouter_model_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) {
      fs::remove_all(dir_);
    }
  }

  CliRun run(const std::string& args) {
    const fs::path out = dir_ / "stdout";
    const fs::path err = dir_ / "stderr";
    const std::string command =
        kBinary.string() + " " + args + " >" + out.string() + " 2>" + err.string();
    const int status = std::system(command.c_str());
    CliRun r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  fs::path dir_;
};

TEST_F(ModelCli, TrainEvaluateExplainOnTheUciSample) {
  const std::string model = (dir_ / "bank.model").string();
  const CliRun train = run("model train --csv " + kSample.string() +
                           " --label y --exclude duration --min-count 5 --max-rounds 50"
                           " --now 2026-03-08T09:30:00Z --out " +
                           model);
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_THAT(train.err, HasSubstr("round    0: validation auc"));
  rapidjson::Document summary;
  summary.Parse(train.out.c_str());
  ASSERT_TRUE(summary.IsObject()) << train.out;
  EXPECT_EQ(summary["rows"].GetUint(), 301u);
  EXPECT_EQ(summary["positives"].GetUint(), 37u);
  EXPECT_EQ(summary["validation_rows"].GetUint(), 90u);
  EXPECT_GT(summary["validation"]["auc"].GetDouble(), 0.5);
  EXPECT_THAT(summary["version"].GetString(), HasSubstr("y-20260308T093000Z-"));
  ASSERT_TRUE(summary["warnings"].IsArray());
  ASSERT_EQ(summary["warnings"].Size(), 1u);
  EXPECT_THAT(summary["warnings"][0].GetString(), HasSubstr("thin data: 301 rows with 37"));
  ASSERT_TRUE(fs::exists(model));

  const CliRun eval = run("model evaluate --csv " + kSample.string() + " --model " + model);
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  rapidjson::Document metrics;
  metrics.Parse(eval.out.c_str());
  ASSERT_TRUE(metrics.IsObject()) << eval.out;
  EXPECT_EQ(metrics["rows"].GetUint(), 301u);
  EXPECT_EQ(metrics["positives"].GetUint(), 37u);
  for (const char* key : {"auc", "log_loss", "brier"}) {
    ASSERT_TRUE(metrics.HasMember(key)) << key;
    EXPECT_TRUE(metrics[key].IsNumber()) << key;
  }
  ASSERT_TRUE(metrics["calibration"].IsArray());
  EXPECT_EQ(metrics["calibration"].Size(), 10u);
  unsigned binned = 0;
  for (const auto& bin : metrics["calibration"].GetArray()) {
    binned += bin["rows"].GetUint();
  }
  EXPECT_EQ(binned, 301u);

  const CliRun explain =
      run("model explain --model " + model + " --csv " + kSample.string() + " --row 3");
  ASSERT_EQ(explain.exit_code, 0) << explain.err;
  rapidjson::Document e;
  e.Parse(explain.out.c_str());
  ASSERT_TRUE(e.IsObject()) << explain.out;
  EXPECT_EQ(e["line"].GetUint(), 4u);
  double sum = e["bias"].GetDouble();
  for (const auto& f : e["factors"].GetArray()) {
    sum += f["contribution"].GetDouble();
  }
  EXPECT_NEAR(sum, e["margin"].GetDouble(), 1e-6);
  EXPECT_NEAR(1 / (1 + std::exp(-sum)), e["probability"].GetDouble(), 1e-5);
}

TEST_F(ModelCli, PositiveIdsJoinOutcomesFromAnotherFile) {
  std::string leads = "lead_id,origin\n";
  std::string won = "lead_id,closed\n";
  for (int i = 0; i < 200; ++i) {
    const bool referral = i % 2 == 0;
    leads += "L" + std::to_string(i) + "," + (referral ? "referral" : "social") + "\n";
    if ((referral && i % 3 != 0) || (!referral && i % 10 == 1)) {
      won += "L" + std::to_string(i) + ",2024-01-01\n";
    }
  }
  write("leads.csv", leads);
  write("won.csv", won);
  const std::string model = (dir_ / "m.model").string();
  const CliRun train =
      run("model train --csv " + (dir_ / "leads.csv").string() + " --id lead_id --label won" +
          " --positive-ids " + (dir_ / "won.csv").string() + " --min-count 1 --out " + model);
  ASSERT_EQ(train.exit_code, 0) << train.err;
  rapidjson::Document summary;
  summary.Parse(train.out.c_str());
  EXPECT_EQ(summary["positives"].GetUint(), 86u);
  EXPECT_GT(summary["validation"]["auc"].GetDouble(), 0.6);

  const CliRun eval = run("model evaluate --csv " + (dir_ / "leads.csv").string() + " --model " +
                          model + " --id lead_id --positive-ids " + (dir_ / "won.csv").string());
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  rapidjson::Document metrics;
  metrics.Parse(eval.out.c_str());
  EXPECT_EQ(metrics["positives"].GetUint(), 86u);
}

TEST_F(ModelCli, BadInputsExitWithCodeTwoAndNameTheProblem) {
  write("ragged.csv", "a,b,y\n1,2,yes\n3,no\n");
  CliRun r = run("model train --csv " + (dir_ / "ragged.csv").string() + " --label y --out " +
                 (dir_ / "x.model").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("ragged.csv:3: row has 2 fields but the header has 3 columns"));

  write("empty.csv", "");
  r = run("model train --csv " + (dir_ / "empty.csv").string() + " --label y --out " +
          (dir_ / "x.model").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("the file is empty"));

  r = run("model train --csv " + kSample.string() + " --label outcome --out " +
          (dir_ / "x.model").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("label column 'outcome' is not in the header"));

  r = run("model train --csv " + kSample.string() + " --label y --types age=numeric,job=numeric" +
          " --out " + (dir_ / "x.model").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(":2: column 'job' is numeric but holds 'housemaid'"));

  r = run("model train --csv " + kSample.string() + " --label y --types age=number --out " +
          (dir_ / "x.model").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--types: 'number' is not numeric, categorical or date"));

  r = run("model evaluate --csv " + kSample.string() + " --model " + (dir_ / "none").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot read"));

  r = run("model train --csv " + kSample.string() + " --label y --max-rounds many --out " +
          (dir_ / "x.model").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--max-rounds: 'many' is not a whole number"));
}

}  // namespace
