// `leadrouter model list | activate` against a state store filled through the
// library, which stays open meanwhile as the daemon's would.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "sidecar/store/state_store.hpp"
#include "tests/cli/cli_process.hpp"

namespace leadrouter::cli_test {
namespace {

using sidecar::ModelRow;
using sidecar::StateStore;

ModelRow model(std::string version, std::int64_t registered_s, std::optional<double> auc,
               std::string source) {
  ModelRow m;
  m.version = std::move(version);
  m.created_at = sidecar::TimestampMs{std::chrono::seconds{registered_s}};
  m.registered_at = m.created_at;
  m.source = std::move(source);
  m.auc = auc;
  m.rows = 640;
  m.positives = 71;
  m.path = "/state/models/" + m.version + ".model";
  return m;
}

class ModelVersions : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = dir_.file("state");
    auto store = StateStore::open(state_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }

  ScratchDir dir_;
  std::string state_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(ModelVersions, ListSaysWhenThereIsNoModel) {
  const auto r = run_leadrouter({"model", "list", "--state", state_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no models"), std::string::npos) << r.out;
}

TEST_F(ModelVersions, ListsNewestFirstAndActivateRollsBack) {
  // 2026-03-01 and 2026-03-02, 00:00 UTC.
  ASSERT_TRUE(store_->register_model(model("y-a", 1772323200, 0.7712, "file"), true));
  ASSERT_TRUE(store_->register_model(model("converted-b", 1772409600, 0.7801, "retrained"), true));

  auto r = run_leadrouter({"model", "list", "--state", state_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_NE(lines[0].find("VERSION"), std::string::npos);
  EXPECT_NE(lines[1].find("converted-b"), std::string::npos);
  EXPECT_EQ(lines[1].rfind("*", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find("2026-03-02T00:00:00Z"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("0.7801"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("retrained"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("y-a"), std::string::npos);
  EXPECT_NE(lines[2].find("640"), std::string::npos);
  EXPECT_NE(lines[2].find("71"), std::string::npos);

  r = run_leadrouter({"model", "activate", "--state", state_, "y-a"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("y-a"), std::string::npos);
  EXPECT_EQ(store_->active_model().value()->version, "y-a");

  r = run_leadrouter({"model", "list", "--state", state_, "--format", "jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = lines_of(r.out);
  ASSERT_EQ(json.size(), 2u);
  rapidjson::Document doc;
  doc.Parse(json[1].c_str());
  ASSERT_TRUE(doc.IsObject()) << json[1];
  EXPECT_STREQ(doc["version"].GetString(), "y-a");
  EXPECT_TRUE(doc["active"].GetBool());
  EXPECT_DOUBLE_EQ(doc["auc"].GetDouble(), 0.7712);
  EXPECT_EQ(doc["rows"].GetInt64(), 640);
  EXPECT_STREQ(doc["source"].GetString(), "file");
}

TEST_F(ModelVersions, ActivatingAnUnknownVersionIsRefused) {
  ASSERT_TRUE(store_->register_model(model("y-a", 1772323200, std::nullopt, "file"), true));
  const auto r = run_leadrouter({"model", "activate", "--state", state_, "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
  EXPECT_EQ(store_->active_model().value()->version, "y-a");
  const auto list = run_leadrouter({"model", "list", "--state", state_});
  EXPECT_NE(list.out.find(" - "), std::string::npos) << list.out;  // no AUC
}

TEST_F(ModelVersions, AMissingStateDirectoryIsNamed) {
  const auto r = run_leadrouter({"model", "list", "--state", dir_.file("nowhere")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nowhere"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace leadrouter::cli_test
