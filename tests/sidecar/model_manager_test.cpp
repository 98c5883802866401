#include "sidecar/pipeline/model_manager.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/lead_json.hpp"
#include "core/model/model_file.hpp"
#include "tests/sidecar/pipeline_fixtures.hpp"

namespace leadrouter::sidecar {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;
using testing::TempDir;

core::Lead lead_with_plan(int i, const std::string& plan) {
  core::Lead lead;
  lead.id = std::to_string(i);
  lead.email = "buyer" + std::to_string(i) + "@acme" + std::to_string(i % 7) + ".example";
  lead.country = i % 2 == 0 ? "US" : "DE";
  lead.custom["plan"] = plan;
  return lead;
}

class ModelManagerTest : public ::testing::Test {
 protected:
  // `n` decided leads with labels: plan "pro" converts 3 times in 5, "free"
  // once in 20, so a model that learns anything ranks "pro" first.
  void add_labelled(int n, int first_id = 0) {
    Commit c;
    c.connector = "hs";
    OutcomeCommit oc;
    oc.connector = "hs";
    for (int i = first_id; i < first_id + n; ++i) {
      const bool pro = i % 3 == 0;
      const bool converted = pro ? i % 5 < 3 : i % 20 == 1;
      const core::Lead lead = lead_with_plan(i, pro ? "pro" : "free");
      DecisionRow d;
      d.decision_id = "hs:" + lead.id + ":1";
      d.connector = "hs";
      d.lead_id = lead.id;
      d.source = "poll";
      d.mode = "live";
      d.decided_at = clock.now_ms();
      d.assignee_kind = "rep";
      d.assignee_id = "r1";
      d.route = "everyone";
      d.tier = "B";
      d.policy_name = "p";
      d.decision_json = "{}";
      d.lead_json = core::lead_to_json(lead);
      c.decisions.push_back(std::move(d));
      OutcomeRow o;
      o.lead_id = lead.id;
      o.decision_id = "hs:" + lead.id + ":1";
      o.converted = converted;
      o.updated_at = clock.now_ms();
      oc.outcomes.push_back(std::move(o));
    }
    ASSERT_TRUE(store->commit(c));
    ASSERT_TRUE(store->commit_outcomes(oc));
  }

  ModelManager make(RetrainConfig config) {
    return ModelManager(*store, metrics, dir.str(), config, clock.fn());
  }

  double probability(const core::ModelScorer& scorer, const std::string& plan) {
    const core::Lead lead = lead_with_plan(10'001, plan);
    const core::LeadFacts facts = core::derive_facts(lead, free_mail);
    auto score = scorer.score(lead, facts, core::Enrichment{},
                              std::chrono::floor<std::chrono::seconds>(clock.now()));
    EXPECT_TRUE(score) << (score ? "" : score.error().message);
    return score ? score->probability : -1;
  }

  TempDir dir;
  std::unique_ptr<StateStore> store = testing::open_store(dir);
  MetricsRegistry metrics;
  FakeClock clock{"2026-03-09T15:00:00Z"};
  core::FreeMailDomains free_mail;
  RetrainConfig enabled{.enabled = true,
                        .min_new_outcomes = 100,
                        .interval_hours = 0,
                        .auc_tolerance = 0.01,
                        .min_rows = 200,
                        .min_positives = 30};
};

TEST_F(ModelManagerTest, TrainingTableReadsTheStoredLeadsLikeTheScorer) {
  add_labelled(6);
  auto leads = store->labelled_leads().value();
  auto table = training_table(leads, nullptr, free_mail);
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->rows(), 6u);
  const auto plan = table->column_index("plan");
  const auto country = table->column_index("country");
  const auto free = table->column_index("is_free_mail");
  const auto label = table->column_index("converted");
  ASSERT_TRUE(plan && country && free && label);
  EXPECT_EQ(table->text(0, *plan), "pro");
  EXPECT_EQ(table->text(1, *plan), "free");
  EXPECT_EQ(table->text(1, *country), "DE");
  EXPECT_EQ(table->number(0, *free), 0);
  EXPECT_EQ(table->text(1, *label), "1");  // lead 1: i % 20 == 1
  EXPECT_EQ(table->text(2, *label), "0");
}

TEST_F(ModelManagerTest, ThinDataTrainsNothingAndSaysSo) {
  add_labelled(150);
  auto manager = make(enabled);
  auto report = manager.retrain(free_mail);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->outcome, RetrainOutcome::kTooThin);
  EXPECT_EQ(report->rows, 150u);
  EXPECT_NE(report->detail.find("too thin"), std::string::npos) << report->detail;
  EXPECT_TRUE(store->models().value().empty());
  auto scorer = manager.active_scorer();
  ASSERT_TRUE(scorer);
  EXPECT_EQ(*scorer, nullptr);
  EXPECT_EQ(metrics.gauge("leadrouter_model_info", "", {{"version", "none"}}).value(), 1);
  EXPECT_EQ(manager.last_report().outcome, RetrainOutcome::kTooThin);
  const std::string status = manager.status_line();
  EXPECT_EQ(status.rfind("rules only (no model); last retrain: data too thin", 0), 0u) << status;
}

TEST_F(ModelManagerTest, RetrainsActivatesAndScoresWithTheNewModel) {
  add_labelled(600);
  auto manager = make(enabled);
  auto report = manager.retrain(free_mail);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->outcome, RetrainOutcome::kActivated) << report->detail;
  ASSERT_TRUE(report->auc);
  EXPECT_GT(*report->auc, 0.75);
  EXPECT_FALSE(report->active_auc);

  auto active = store->active_model().value();
  ASSERT_TRUE(active);
  EXPECT_EQ(active->version, report->version);
  EXPECT_EQ(active->source, "retrained");
  EXPECT_EQ(active->rows, 600);
  EXPECT_TRUE(std::filesystem::exists(active->path));
  EXPECT_EQ(std::filesystem::path(active->path).parent_path(), dir.path() / "models");
  EXPECT_EQ(manager.active_version().value(), report->version);

  auto scorer = manager.active_scorer();
  ASSERT_TRUE(scorer) << scorer.error().message;
  ASSERT_NE(*scorer, nullptr);
  EXPECT_GT(probability(**scorer, "pro"), probability(**scorer, "free") + 0.2);
  EXPECT_EQ(metrics.gauge("leadrouter_model_info", "", {{"version", report->version}}).value(), 1);
  EXPECT_EQ(manager.status_line(), fmt::format("model {} (retrained, validation AUC {:.4f})",
                                               report->version, *report->auc));

  // The next model is trained on the active one's features and must not be
  // worse than it beyond the tolerance.
  clock.advance(1h);
  add_labelled(300, 600);
  auto next = manager.retrain(free_mail);
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->active_auc, report->auc);
  EXPECT_NE(next->version, report->version);
  const bool better = *next->auc >= *report->auc - enabled.auc_tolerance;
  EXPECT_EQ(next->outcome, better ? RetrainOutcome::kActivated : RetrainOutcome::kRejected);
  EXPECT_EQ(store->models().value().size(), 2u);
}

TEST_F(ModelManagerTest, AModelBelowTheActiveAucIsKeptButNotActivated) {
  add_labelled(600);
  auto manager = make(enabled);
  ASSERT_EQ(manager.retrain(free_mail).value().outcome, RetrainOutcome::kActivated);
  const ModelRow first = *store->active_model().value();
  // The same model file registered as a near-perfect one: no retrain on
  // this data can reach it.
  ModelRow perfect = first;
  perfect.version = "perfect";
  perfect.source = "file";
  perfect.auc = 0.999;
  ASSERT_TRUE(store->register_model(perfect, true));
  clock.advance(1h);
  auto report = manager.retrain(free_mail);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->outcome, RetrainOutcome::kRejected) << report->detail;
  EXPECT_EQ(store->active_model().value()->version, "perfect");
  EXPECT_EQ(store->models().value().size(), 3u);
}

TEST_F(ModelManagerTest, RetrainsOnlyWhenEnabledAndDue) {
  add_labelled(600);
  RetrainConfig disabled = enabled;
  disabled.enabled = false;
  EXPECT_EQ(make(disabled).retrain_if_due(free_mail).value().outcome, RetrainOutcome::kNotDue);

  RetrainConfig daily = enabled;
  daily.interval_hours = 24;
  auto manager = make(daily);
  EXPECT_EQ(manager.retrain_if_due(free_mail).value().outcome, RetrainOutcome::kActivated);
  // 150 more outcomes, but within the interval.
  clock.advance(1h);
  add_labelled(150, 600);
  EXPECT_EQ(manager.retrain_if_due(free_mail).value().outcome, RetrainOutcome::kNotDue);
  // After the interval: enough new outcomes since the active model.
  clock.advance(24h);
  const auto after = manager.retrain_if_due(free_mail).value();
  EXPECT_NE(after.outcome, RetrainOutcome::kNotDue) << after.detail;
  // Nothing new since that attempt.
  clock.advance(25h);
  const auto idle = manager.retrain_if_due(free_mail).value();
  EXPECT_EQ(idle.outcome, RetrainOutcome::kNotDue);
  EXPECT_NE(idle.detail.find("0 new outcomes"), std::string::npos) << idle.detail;
}

TEST_F(ModelManagerTest, AConfiguredFileIsCopiedRegisteredAndKeepsARollback) {
  add_labelled(600);
  auto manager = make(enabled);
  ASSERT_EQ(manager.retrain(free_mail).value().outcome, RetrainOutcome::kActivated);
  const ModelRow trained = *store->active_model().value();

  // An operator's file: a copy of the trained model under a new version.
  auto text = read_text_file(trained.path).value();
  auto file = model::ModelFile::parse(text).value();
  file.version = "ops-1";
  const std::string configured = (dir.path() / "ops.model").string();
  std::ofstream(configured) << file.serialize();

  clock.advance(1h);
  auto row = manager.register_file(configured);
  ASSERT_TRUE(row) << row.error().message;
  EXPECT_EQ(row->version, "ops-1");
  EXPECT_EQ(row->source, "file");
  EXPECT_EQ(row->path, (dir.path() / "models" / "ops-1.model").string());
  EXPECT_EQ(store->active_model().value()->version, "ops-1");

  // Rolled back; a restart registers the same file again and changes nothing.
  ASSERT_TRUE(store->activate_model(trained.version));
  ASSERT_TRUE(manager.register_file(configured));
  EXPECT_EQ(store->active_model().value()->version, trained.version);
  EXPECT_EQ(store->models().value().size(), 2u);

  auto missing = manager.register_file((dir.path() / "nope.model").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kInvalidInput);
}

}  // namespace
}  // namespace leadrouter::sidecar
