// The training profile saved in model files and `model drift`: PSI per
// feature and for the score, backwards-compatible model files, the CLI.
#include "core/model/drift.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/model/model_file.hpp"
#include "core/model/trainer.hpp"
#include "core/model/xgboost_scorer.hpp"

namespace leadrouter::model {
namespace {

namespace fs = std::filesystem;

const Timestamp kTrainedAt = *parse_iso8601("2026-03-08T09:30:00Z");

// `referral_share` of the rows come from referrals, which convert more;
// employees are uniform up to `max_employees`.
std::string leads_csv(int rows, double referral_share, int max_employees, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::ostringstream out;
  out << "source,employees,converted\n";
  for (int i = 0; i < rows; ++i) {
    const bool referral = unit(rng) < referral_share;
    const std::string source = referral ? "Referral" : (unit(rng) < 0.5 ? "Web" : "Ads");
    const int employees = static_cast<int>(unit(rng) * max_employees);
    const double p = referral ? 0.5 : 0.1;
    out << source << "," << (i % 13 == 0 ? "" : std::to_string(employees)) << ","
        << (unit(rng) < p ? "yes" : "no") << "\n";
  }
  return out.str();
}

CsvTable table_of(const std::string& text) {
  auto t = CsvTable::parse(text, {}, "leads.csv");
  EXPECT_TRUE(t) << (t ? "" : t.error().message);
  return std::move(*t);
}

const TrainedModel& trained() {
  static const TrainedModel model = [] {
    TrainOptions o;
    o.label = "converted";
    o.params.max_rounds = 60;
    o.params.early_stopping_rounds = 0;
    o.params.learning_rate = 0.1;
    o.params.max_depth = 3;
    auto m = train_model(table_of(leads_csv(2000, 0.3, 1000, 7)), o, kTrainedAt);
    EXPECT_TRUE(m) << (m ? "" : m.error().message);
    return std::move(*m);
  }();
  return model;
}

TEST(Drift, PopulationStabilityIndex) {
  const std::vector<double> same = {0.25, 0.25, 0.5};
  EXPECT_DOUBLE_EQ(population_stability_index(same, same), 0);
  const std::vector<double> shifted = {0.5, 0.25, 0.25};
  // (0.5-0.25)ln2 + 0 + (0.25-0.5)ln(0.5) = 0.5 ln 2
  EXPECT_NEAR(population_stability_index(same, shifted), 0.5 * std::log(2.0), 1e-12);
  // An empty bucket is a large, finite shift.
  const double psi =
      population_stability_index(std::vector<double>{0.5, 0.5}, std::vector<double>{1.0, 0.0});
  EXPECT_TRUE(std::isfinite(psi));
  EXPECT_GT(psi, 1.0);
  EXPECT_STREQ(drift_level(0.05), "stable");
  EXPECT_STREQ(drift_level(0.2), "moderate");
  EXPECT_STREQ(drift_level(0.3), "major");
}

TEST(Drift, TrainingSavesAProfileOfEveryFeatureAndTheScore) {
  const ModelFile& file = trained().file;
  ASSERT_TRUE(file.profile);
  const TrainingProfile& p = *file.profile;
  EXPECT_EQ(p.rows, trained().train_rows);
  ASSERT_EQ(p.features.size(), file.spec.features.size());
  for (const auto& f : p.features) {
    double total = 0;
    for (double x : f.fractions) {
      total += x;
    }
    EXPECT_NEAR(total, 1.0, 1e-9) << f.name;
  }
  const auto employees =
      std::ranges::find(p.features, std::string("employees"), &BucketProfile::source);
  ASSERT_NE(employees, p.features.end());
  EXPECT_FALSE(employees->categorical);
  EXPECT_EQ(employees->edges.size(), 9u);                    // deciles
  EXPECT_NEAR(employees->fractions.back(), 1.0 / 13, 0.02);  // missing
  ASSERT_TRUE(p.score);
  EXPECT_FALSE(p.score->edges.empty());

  // Round trip through the file, and a file from before profiles still loads.
  auto again = ModelFile::parse(file.serialize());
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_TRUE(again->profile);
  EXPECT_EQ(again->profile->features.size(), p.features.size());
  ASSERT_EQ(again->profile->features[0].fractions.size(), p.features[0].fractions.size());
  for (std::size_t i = 0; i < p.features[0].fractions.size(); ++i) {
    EXPECT_NEAR(again->profile->features[0].fractions[i], p.features[0].fractions[i], 1e-11);
  }
  EXPECT_EQ(again->serialize(), file.serialize());
  ModelFile old = file;
  old.profile.reset();
  const std::string old_text = old.serialize();
  EXPECT_EQ(old_text.find("training_profile"), std::string::npos);
  auto loaded = ModelFile::parse(old_text);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_FALSE(loaded->profile);
}

TEST(Drift, ABrokenProfileIsRefusedByPath) {
  std::string text = trained().file.serialize();
  const auto at = text.find("\"fractions\": [");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, std::string("\"fractions\": [").size(), "\"fractions\": [\"x\", ");
  auto parsed = ModelFile::parse(text);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("/training_profile/features/0/fractions"),
            std::string::npos)
      << parsed.error().message;
}

TEST(Drift, RecentRowsLikeTheTrainingDataAreStableAndAShiftIsFound) {
  auto scorer = XgboostScorer::create(trained().file, {.top_factors = 0});
  ASSERT_TRUE(scorer);
  const TrainingProfile& profile = *trained().file.profile;

  const CsvTable same = table_of(leads_csv(1500, 0.3, 1000, 99));
  auto same_scores = (*scorer)->predict_table(same);
  ASSERT_TRUE(same_scores);
  auto stable = measure_drift(profile, (*scorer)->encoder(), same, *same_scores);
  ASSERT_TRUE(stable) << stable.error().message;
  EXPECT_EQ(stable->rows, 1500u);
  for (const auto& f : stable->features) {
    EXPECT_LT(f.psi, 0.1) << f.name;
  }
  ASSERT_TRUE(stable->score);
  EXPECT_LT(stable->score->psi, 0.1);

  // Referrals triple and companies grow tenfold.
  const CsvTable moved = table_of(leads_csv(1500, 0.9, 10000, 5));
  auto moved_scores = (*scorer)->predict_table(moved);
  ASSERT_TRUE(moved_scores);
  auto drifted = measure_drift(profile, (*scorer)->encoder(), moved, *moved_scores);
  ASSERT_TRUE(drifted) << drifted.error().message;
  ASSERT_FALSE(drifted->features.empty());
  for (const auto& f : drifted->features) {
    EXPECT_GT(f.psi, 0.25) << f.name;
  }
  for (std::size_t i = 1; i < drifted->features.size(); ++i) {
    EXPECT_GE(drifted->features[i - 1].psi, drifted->features[i].psi);
  }
  EXPECT_GT(drifted->score->psi, 0.25);

  const CsvTable missing_column = table_of("source,converted\nWeb,no\n");
  EXPECT_FALSE(measure_drift(profile, (*scorer)->encoder(), missing_column, {}));
}

const fs::path kBinary = fs::path(LEADROUTER_BINARY_DIR) / "sidecar" / "leadrouter";

TEST(DriftCli, PrintsPsiPerFeatureAndRefusesAModelWithoutAProfile) {
  if (!fs::exists(kBinary)) {
    GTEST_SKIP() << kBinary << " is not built; build the `leadrouter` target first";
  }
  const fs::path dir =
      fs::temp_directory_path() / ("leadrouter_drift_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string model = (dir / "m.model").string();
  std::ofstream(model) << trained().file.serialize();
  std::ofstream(dir / "recent.csv") << leads_csv(800, 0.9, 10000, 5);
  auto run = [&](const std::string& args, std::string& out) {
    const std::string command = kBinary.string() + " " + args + " >" + (dir / "out").string() +
                                " 2>" + (dir / "err").string();
    const int status = std::system(command.c_str());
    // One stream each: inserting an empty file's buffer fails the stream.
    out.clear();
    for (const char* name : {"out", "err"}) {
      std::ostringstream text;
      text << std::ifstream(dir / name).rdbuf();
      out += text.str();
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  std::string out;
  EXPECT_EQ(run("model drift --model " + model + " --csv " + (dir / "recent.csv").string(), out), 0)
      << out;
  EXPECT_NE(out.find("\"rows\": 800"), std::string::npos) << out;
  EXPECT_NE(out.find("\"level\": \"major\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"source\": \"employees\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"score\""), std::string::npos) << out;

  ModelFile old = trained().file;
  old.profile.reset();
  const std::string old_model = (dir / "old.model").string();
  std::ofstream(old_model) << old.serialize();
  EXPECT_EQ(
      run("model drift --model " + old_model + " --csv " + (dir / "recent.csv").string(), out), 2);
  EXPECT_NE(out.find("no training profile"), std::string::npos) << out;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace leadrouter::model
