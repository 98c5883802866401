// Training, model files, scoring and explanations, on small synthetic data
// with a known signal (fast), and on the full UCI file when it is present.
#include "core/model/trainer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "core/model/booster.hpp"
#include "core/model/dmatrix.hpp"
#include "core/model/model_file.hpp"
#include "core/model/xgboost_scorer.hpp"

namespace leadrouter::model {
namespace {

using ::testing::HasSubstr;

const Timestamp kTrainedAt = *parse_iso8601("2026-03-08T09:30:00Z");

// Conversion depends on lead_source (Referral strong, Ads weak), on employees
// and on demo requests; "noise" carries nothing. Rows with missing employees
// and a rare source are included on purpose.
std::string synthetic_csv(int rows, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  const char* sources[] = {"Referral", "Web", "Ads", "Event"};
  std::ostringstream out;
  out << "lead_id,lead_source,employees,events.demo_request.count,noise,created,converted\n";
  for (int i = 0; i < rows; ++i) {
    const int s = static_cast<int>(rng() % 4);
    const bool rare = i % 97 == 0;
    const std::string source = rare ? "Partner" + std::to_string(i) : sources[s];
    const bool missing = i % 11 == 0;
    const int employees = static_cast<int>(rng() % 1000);
    const int demos = static_cast<int>(rng() % 3);
    double logit = -1.5 +
                   (s == 0   ? 2.0
                    : s == 2 ? -1.5
                             : 0.0) +
                   demos * 0.8 + (missing ? 0 : (employees > 500 ? 1.0 : -0.5));
    const bool converted = unit(rng) < 1.0 / (1.0 + std::exp(-logit));
    out << "L" << i << "," << source << "," << (missing ? "" : std::to_string(employees)) << ","
        << demos << "," << unit(rng) << ",2025-" << (1 + i % 12 < 10 ? "0" : "") << (1 + i % 12)
        << "-1" << (i % 9) << "," << (converted ? "yes" : "no") << "\n";
  }
  return out.str();
}

CsvTable parse(std::string_view text) {
  auto t = CsvTable::parse(text, {}, "train.csv");
  EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().message);
  return std::move(*t);
}

TrainOptions fast_options() {
  TrainOptions o;
  o.label = "converted";
  o.id_column = "lead_id";
  o.params.max_rounds = 200;
  o.params.early_stopping_rounds = 20;
  o.params.learning_rate = 0.1;
  o.params.max_depth = 3;
  return o;
}

// One trained model shared by the tests below: training is the slow part.
const TrainedModel& trained_synthetic() {
  static const TrainedModel model = [] {
    const CsvTable t = parse(synthetic_csv(3000, 7));
    auto m = train_model(t, fast_options(), kTrainedAt);
    EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().message);
    return std::move(*m);
  }();
  return model;
}

TEST(Trainer, LearnsTheSyntheticSignal) {
  const TrainedModel& m = trained_synthetic();
  EXPECT_GT(m.validation.auc, 0.75);
  EXPECT_EQ(m.train_rows + m.validation_rows, 3000u);
  EXPECT_EQ(m.validation_rows, 900u);
  EXPECT_EQ(m.file.label, "converted");
  EXPECT_EQ(m.file.positive, "yes");
  EXPECT_EQ(m.file.metric("validation_auc"), m.validation.auc);
  EXPECT_THAT(m.file.version, ::testing::StartsWith("converted-20260308T093000Z-"));
  // The id column is excluded; every other column is a feature.
  for (const auto& f : m.file.spec.features) {
    EXPECT_NE(f.source, "lead_id");
    EXPECT_NE(f.source, "converted");
  }
}

TEST(Trainer, IsDeterministicAndReportsProgress) {
  const CsvTable t = parse(synthetic_csv(600, 3));
  TrainOptions o = fast_options();
  int calls = 0;
  int last_best = -1;
  o.progress = [&](const TrainProgress& p) {
    EXPECT_EQ(p.iteration, calls);
    ++calls;
    last_best = p.best_iteration;
  };
  auto a = train_model(t, o, kTrainedAt);
  ASSERT_TRUE(a.has_value()) << a.error().message;
  EXPECT_GT(calls, 0);
  EXPECT_EQ(last_best, a->best_iteration);
  o.progress = nullptr;
  auto b = train_model(t, o, kTrainedAt);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(a->file.booster_bytes, b->file.booster_bytes);
  EXPECT_EQ(a->file.version, b->file.version);
}

TEST(Trainer, TimeColumnValidatesOnTheLatestRows) {
  const std::vector<double> seconds = {50, 10, NAN, 40, 20, 30};
  const Split s = time_split(seconds, 1.0 / 3.0);
  EXPECT_EQ(s.validation, (std::vector<std::size_t>{0, 3}));
  EXPECT_EQ(s.train, (std::vector<std::size_t>{1, 2, 4, 5}));

  const CsvTable t = parse(synthetic_csv(600, 5));
  TrainOptions o = fast_options();
  o.time_column = "created";
  auto m = train_model(t, o, kTrainedAt);
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->validation_rows, 180u);
}

TEST(Trainer, StratifiedSplitKeepsTheClassBalance) {
  std::vector<float> y(1000, 0.0f);
  for (std::size_t i = 0; i < 100; ++i) {
    y[i * 10] = 1.0f;
  }
  const Split s = stratified_split(y, 0.3, 42);
  EXPECT_EQ(s.validation.size(), 300u);
  std::size_t pos = 0;
  for (const auto r : s.validation) {
    pos += y[r] > 0.5f ? 1 : 0;
  }
  EXPECT_EQ(pos, 30u);
  EXPECT_EQ(s.train.size(), 700u);
}

TEST(Trainer, LabelErrorsNameTheColumnAndLine) {
  const CsvTable t = parse("a,y\n1,no\n2,no\n3,no\n");
  auto one_class = train_model(t, TrainOptions{.label = "y"}, kTrainedAt);
  ASSERT_FALSE(one_class.has_value());
  EXPECT_THAT(one_class.error().message, HasSubstr("label column 'y' has only one class"));

  auto missing = train_model(t, TrainOptions{.label = "outcome"}, kTrainedAt);
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message,
              HasSubstr("label column 'outcome' is not in the header (columns: a, y)"));

  const CsvTable empty_label = parse("a,y\n1,yes\n2,\n3,no\n");
  auto empty = train_model(empty_label, TrainOptions{.label = "y"}, kTrainedAt);
  ASSERT_FALSE(empty.has_value());
  EXPECT_THAT(empty.error().message, HasSubstr("train.csv:3: label column 'y' is empty"));

  const CsvTable three = parse("a,stage\n1,open\n2,lost\n3,closed\n");
  auto ambiguous = train_model(three, TrainOptions{.label = "stage"}, kTrainedAt);
  ASSERT_FALSE(ambiguous.has_value());
  EXPECT_THAT(ambiguous.error().message, HasSubstr("--positive"));

  auto never = train_model(three, TrainOptions{.label = "stage", .positive = "won"}, kTrainedAt);
  ASSERT_FALSE(never.has_value());
  EXPECT_THAT(never.error().message, HasSubstr("only one class when 'won' is the positive"));
}

TEST(Trainer, DecodesCommonLabelEncodings) {
  const CsvTable numeric = parse("y\n1\n0\n1.0\n");
  auto a = decode_labels(numeric, "y", std::nullopt);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->values, (std::vector<float>{1, 0, 1}));
  const CsvTable words = parse("y\nTRUE\nfalse\n");
  auto b = decode_labels(words, "y", std::nullopt);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->values, (std::vector<float>{1, 0}));
  const CsvTable stages = parse("y\nwon\nlost\nopen\n");
  auto c = decode_labels(stages, "y", std::string("won"));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->values, (std::vector<float>{1, 0, 0}));
}

TEST(ModelFile, SerializeParseRoundTrip) {
  const ModelFile& file = trained_synthetic().file;
  auto back = ModelFile::parse(file.serialize());
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->version, file.version);
  EXPECT_EQ(back->trained_at, file.trained_at);
  EXPECT_EQ(back->label, file.label);
  EXPECT_EQ(back->positive, file.positive);
  EXPECT_EQ(back->metrics, file.metrics);
  EXPECT_EQ(back->spec.to_json(), file.spec.to_json());
  EXPECT_EQ(back->booster_format, file.booster_format);
  EXPECT_EQ(back->booster_bytes, file.booster_bytes);
  EXPECT_EQ(back->serialize(), file.serialize());
}

TEST(ModelFile, RejectsBrokenFiles) {
  EXPECT_FALSE(ModelFile::parse("").has_value());
  EXPECT_FALSE(ModelFile::parse(R"({"format":"other"})").has_value());
  std::string text = trained_synthetic().file.serialize();
  const auto pos = text.find("\"booster_base64\": \"");
  ASSERT_NE(pos, std::string::npos);
  text.insert(pos + 19, "!");
  auto bad = ModelFile::parse(text);
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message, HasSubstr("booster_base64"));
}

TEST(ModelFile, Base64RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
    bytes.push_back(static_cast<char>(i * 37));
  }
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_FALSE(base64_decode("Zm9").has_value());
}

std::unique_ptr<XgboostScorer> scorer_for(const ModelFile& file, std::size_t top = 3) {
  auto scorer = XgboostScorer::create(file, {.top_factors = top});
  EXPECT_TRUE(scorer.has_value()) << (scorer ? "" : scorer.error().message);
  return std::move(*scorer);
}

TEST(XgboostScorer, SaveLoadGivesIdenticalPredictionsInBothFormats) {
  const CsvTable t = parse(synthetic_csv(400, 11));
  const ModelFile& original = trained_synthetic().file;
  auto reference = Booster::load(original.booster_bytes);
  ASSERT_TRUE(reference.has_value());
  auto json = reference->save("json");
  ASSERT_TRUE(json.has_value());
  ModelFile as_json = original;
  as_json.booster_format = "json";
  as_json.booster_bytes = *json;

  const auto a = scorer_for(*ModelFile::parse(original.serialize()))->predict_table(t);
  const auto b = scorer_for(*ModelFile::parse(as_json.serialize()))->predict_table(t);
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*a, *b);
}

TEST(XgboostScorer, TreeWalkMatchesXgboostPredictionForEveryRow) {
  const CsvTable t = parse(synthetic_csv(400, 13));
  const auto scorer = scorer_for(trained_synthetic().file);
  const FeatureEncoder& encoder = scorer->encoder();
  auto binding = encoder.bind(t);
  ASSERT_TRUE(binding.has_value());
  const std::vector<float> x = encoder.encode_table(t, *binding);
  auto matrix = DMatrix::from_dense(x, t.rows(), encoder.width());
  ASSERT_TRUE(matrix.has_value());
  auto booster = Booster::load(trained_synthetic().file.booster_bytes);
  ASSERT_TRUE(booster.has_value());
  auto margins = booster->predict(*matrix, PredictionType::kMargin);
  auto probabilities = booster->predict(*matrix, PredictionType::kProbability);
  ASSERT_TRUE(margins.has_value());
  ASSERT_TRUE(probabilities.has_value());
  const std::size_t w = encoder.width();
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const std::span<const float> row(x.data() + r * w, w);
    EXPECT_NEAR(scorer->trees().margin(row), (*margins)[r], 1e-5) << "row " << r;
    EXPECT_NEAR(scorer->trees().probability(row), (*probabilities)[r], 1e-6) << "row " << r;
  }
}

TEST(XgboostScorer, TreeShapMatchesXgboostContributionsForEveryRow) {
  const CsvTable t = parse(synthetic_csv(300, 19));
  const auto scorer = scorer_for(trained_synthetic().file);
  const FeatureEncoder& encoder = scorer->encoder();
  auto binding = encoder.bind(t);
  ASSERT_TRUE(binding.has_value());
  const std::vector<float> x = encoder.encode_table(t, *binding);
  auto matrix = DMatrix::from_dense(x, t.rows(), encoder.width());
  ASSERT_TRUE(matrix.has_value());
  auto booster = Booster::load(trained_synthetic().file.booster_bytes);
  ASSERT_TRUE(booster.has_value());
  auto reference = booster->predict(*matrix, PredictionType::kContributions);
  ASSERT_TRUE(reference.has_value());
  const std::size_t w = encoder.width();
  ASSERT_EQ(reference->size(), t.rows() * (w + 1));
  std::vector<float> phi(w + 1);
  for (std::size_t r = 0; r < t.rows(); ++r) {
    scorer->trees().contributions(std::span<const float>(x.data() + r * w, w), phi);
    for (std::size_t c = 0; c <= w; ++c) {
      EXPECT_NEAR(phi[c], (*reference)[r * (w + 1) + c], 1e-4) << "row " << r << " column " << c;
    }
  }
}

TEST(XgboostScorer, ContributionsPlusBiasEqualTheMarginForEveryRow) {
  const CsvTable t = parse(synthetic_csv(300, 17));
  const auto scorer = scorer_for(trained_synthetic().file);
  auto binding = scorer->encoder().bind(t);
  ASSERT_TRUE(binding.has_value());
  std::vector<RawValue> raw;
  std::vector<float> x(scorer->encoder().width());
  for (std::size_t r = 0; r < t.rows(); ++r) {
    scorer->encoder().extract(t, *binding, r, raw);
    auto e = scorer->explain(raw);
    ASSERT_TRUE(e.has_value()) << e.error().message;
    double sum = e->bias;
    for (const auto& f : e->factors) {
      sum += f.contribution;
    }
    scorer->encoder().encode(raw, x);
    EXPECT_NEAR(sum, scorer->trees().margin(x), 1e-4) << "row " << r;
    EXPECT_NEAR(e->margin, sum, 1e-9);
    EXPECT_EQ(e->factors.size(), scorer->encoder().feature_count());
  }
}

TEST(XgboostScorer, ScoresALeadWithReadableFactors) {
  const auto scorer = scorer_for(trained_synthetic().file, 2);
  core::Lead strong;
  strong.lead_source = "Referral";
  strong.employees = 900;
  const Timestamp now = *parse_iso8601("2026-03-08T10:00:00Z");
  strong.events = {{"demo_request", now}, {"demo_request", now}};
  core::Lead weak;
  weak.lead_source = "Ads";
  weak.employees = 20;
  const core::LeadFacts facts;
  const core::Enrichment enrichment;
  auto s = scorer->score(strong, facts, enrichment, now);
  auto w = scorer->score(weak, facts, enrichment, now);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  ASSERT_TRUE(w.has_value());
  EXPECT_GT(s->probability, w->probability + 0.3);
  EXPECT_EQ(s->model_version, trained_synthetic().file.version);
  ASSERT_FALSE(s->top_positive.empty());
  EXPECT_LE(s->top_positive.size(), 2u);
  EXPECT_EQ(s->top_positive[0].feature, "Lead Source");
  EXPECT_EQ(s->top_positive[0].value, "Referral");
  EXPECT_GT(s->top_positive[0].contribution, 0);
  ASSERT_FALSE(w->top_negative.empty());
  EXPECT_LT(w->top_negative[0].contribution, 0);
  for (std::size_t i = 1; i < w->top_negative.size(); ++i) {
    EXPECT_LE(w->top_negative[i - 1].contribution, w->top_negative[i].contribution);
  }
  // Same lead, same score; without explanations the probability is unchanged.
  EXPECT_EQ(scorer->score(strong, facts, enrichment, now)->probability, s->probability);
  const auto fast = scorer_for(trained_synthetic().file, 0);
  auto f = fast->score(strong, facts, enrichment, now);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->probability, s->probability);
  EXPECT_TRUE(f->top_positive.empty());
}

TEST(XgboostScorer, IsSafeToShareBetweenThreads) {
  const auto scorer = scorer_for(trained_synthetic().file);
  core::Lead lead;
  lead.lead_source = "Web";
  lead.employees = 300;
  const core::LeadFacts facts;
  const core::Enrichment enrichment;
  const double expected = scorer->score(lead, facts, enrichment, kTrainedAt)->probability;
  std::vector<std::thread> threads;
  std::atomic<int> mismatches = 0;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 50; ++k) {
        auto s = scorer->score(lead, facts, enrichment, kTrainedAt);
        if (!s || s->probability != expected ||
            s->top_positive.size() + s->top_negative.size() == 0) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(XgboostScorer, RejectsABoosterThatDoesNotFitTheSpec) {
  ModelFile file = trained_synthetic().file;
  file.spec.features.pop_back();
  auto scorer = XgboostScorer::create(file, {});
  ASSERT_FALSE(scorer.has_value());
  EXPECT_THAT(scorer.error().message, HasSubstr("the feature spec encodes"));
}

// The acceptance measurement of docs/model.md, as a test: UCI bank marketing
// without the leaking `duration` column, 70/30 stratified split.
TEST(UciBankMarketing, FullFileReachesTheExpectedAuc) {
  const std::filesystem::path path =
      LEADROUTER_SOURCE_DIR "/../shared/data/uci-bank-marketing/bank-additional-full.csv";
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << "UCI data not found at " << path
                 << " (it lives outside the repo; see docs/model.md)";
  }
  std::ifstream in(path, std::ios::binary);
  std::string text(std::filesystem::file_size(path), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  ASSERT_TRUE(in) << "cannot read " << path;
  auto table = CsvTable::parse(text, {}, path.filename().string());
  ASSERT_TRUE(table.has_value()) << table.error().message;
  ASSERT_EQ(table->rows(), 41188u);
  TrainOptions o;
  o.label = "y";
  o.exclude = {"duration"};
  o.params.max_rounds = 300;
  o.params.early_stopping_rounds = 30;
  o.params.learning_rate = 0.1;
  o.params.threads = 2;
  auto m = train_model(*table, o, kTrainedAt);
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->validation.positives, 1392u);  // 30 % of 4,640
  EXPECT_GE(m->validation.auc, 0.79);
}

}  // namespace
}  // namespace leadrouter::model
