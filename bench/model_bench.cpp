// model_bench: how long the conversion model takes to score one lead inside
// the router, for a 200-tree depth-6 model over lead fields, custom fields,
// derived facts and engagement aggregates. The budget is 20 µs per lead
// without explanations; docs/model.md records the figures.
//
//   build-x/bench/model_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>

#include "core/model/booster.hpp"
#include "core/model/dmatrix.hpp"
#include "core/model/trainer.hpp"
#include "core/model/xgboost_scorer.hpp"

namespace leadrouter::model {
namespace {

constexpr int kTrees = 200;
const char* const kSources[] = {"Web", "Referral", "Event", "Ads", "Partner"};
const char* const kIndustries[] = {"software", "retail",        "finance",
                                   "health",   "manufacturing", "education"};
const char* const kCountries[] = {"US", "DE", "GB", "FR", "BR", "IN", "JP"};

// History whose columns are named like Lead fields, so that the trained spec
// reads Lead members, custom fields, facts and events when scoring.
std::string history_csv(int rows) {
  std::mt19937 rng(99);
  std::uniform_real_distribution<double> unit(0, 1);
  std::ostringstream out;
  out << "lead_source,industry,country,employees,annual_revenue,is_free_mail,"
         "has_matched_account,events.demo_request.count,events.pricing_page_view.decayed,"
         "custom.plan,converted\n";
  for (int i = 0; i < rows; ++i) {
    const int s = static_cast<int>(rng() % 5);
    const int ind = static_cast<int>(rng() % 6);
    const int c = static_cast<int>(rng() % 7);
    const int employees = static_cast<int>(rng() % 5000);
    const double revenue = unit(rng) * 1e8;
    const int free_mail = static_cast<int>(rng() % 2);
    const int account = static_cast<int>(rng() % 2);
    const int demos = static_cast<int>(rng() % 4);
    const double pricing = unit(rng) * 3;
    const int plan = static_cast<int>(rng() % 3);
    const double logit = -2 + 0.6 * s - 0.3 * ind + 0.8 * demos + 0.5 * pricing - free_mail +
                         account + std::log1p(employees) * 0.1;
    const bool converted = unit(rng) < 1 / (1 + std::exp(-logit));
    out << kSources[s] << ',' << kIndustries[ind] << ',' << kCountries[c] << ',' << employees << ','
        << revenue << ',' << free_mail << ',' << account << ',' << demos << ',' << pricing
        << ",plan" << plan << ',' << (converted ? 1 : 0) << '\n';
  }
  return out.str();
}

const ModelFile& model_file() {
  static const ModelFile file = [] {
    auto table = CsvTable::parse(history_csv(20000), {}, "history.csv");
    if (!table) {
      std::fprintf(stderr, "%s\n", table.error().message.c_str());
      std::abort();
    }
    TrainOptions options;
    options.label = "converted";
    options.params.max_rounds = kTrees;
    options.params.early_stopping_rounds = 0;  // keep every round: exactly kTrees trees
    options.params.max_depth = 6;
    options.params.learning_rate = 0.05;
    options.params.threads = 1;
    auto trained = train_model(*table, options, Timestamp{});
    if (!trained) {
      std::fprintf(stderr, "%s\n", trained.error().message.c_str());
      std::abort();
    }
    return std::move(trained->file);
  }();
  return file;
}

struct LeadCase {
  core::Lead lead;
  core::LeadFacts facts;
  core::Enrichment enrichment;
};

const std::vector<LeadCase>& leads() {
  static const std::vector<LeadCase> cases = [] {
    std::mt19937 rng(5);
    const Timestamp now = *parse_iso8601("2026-03-08T12:00:00Z");
    std::vector<LeadCase> out(1000);
    for (auto& c : out) {
      c.lead.lead_source = kSources[rng() % 5];
      c.lead.industry = kIndustries[rng() % 6];
      c.lead.country = kCountries[rng() % 7];
      c.lead.employees = static_cast<std::int64_t>(rng() % 5000);
      c.lead.annual_revenue = static_cast<double>(rng() % 100000000);
      c.lead.custom["plan"] = "plan" + std::to_string(rng() % 3);
      for (unsigned k = 0; k < rng() % 6; ++k) {
        c.lead.events.push_back({k % 2 == 0 ? "demo_request" : "pricing_page_view",
                                 now - std::chrono::hours(rng() % 400)});
      }
      c.facts.email_domain = "example.com";
      c.facts.is_free_mail = rng() % 2 == 0;
      if (rng() % 2 == 0) {
        c.enrichment.account = core::AccountMatch{"A", "Acme", "U", 1.0, "domain"};
      }
    }
    return out;
  }();
  return cases;
}

void score_leads(benchmark::State& state, std::size_t top_factors) {
  static std::unique_ptr<XgboostScorer> scorers[2];
  const std::size_t slot = top_factors == 0 ? 0 : 1;
  if (state.thread_index() == 0 && !scorers[slot]) {
    auto created = XgboostScorer::create(model_file(), {.top_factors = top_factors});
    if (!created) {
      state.SkipWithError(created.error().message.c_str());
      return;
    }
    scorers[slot] = std::move(*created);
  }
  const Timestamp now = *parse_iso8601("2026-03-08T12:00:00Z");
  const auto& cases = leads();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7;
  double sum = 0;
  for (auto _ : state) {
    const LeadCase& c = cases[i++ % cases.size()];
    auto score = scorers[slot]->score(c.lead, c.facts, c.enrichment, now);
    sum += score ? score->probability : 0;
  }
  benchmark::DoNotOptimize(sum);
  state.counters["trees"] = benchmark::Counter(static_cast<double>(scorers[slot]->trees().trees()),
                                               benchmark::Counter::kAvgThreads);
  state.counters["inputs"] = benchmark::Counter(
      static_cast<double>(scorers[slot]->encoder().width()), benchmark::Counter::kAvgThreads);
}

void BM_ScoreLead(benchmark::State& state) {
  score_leads(state, 0);
}
void BM_ScoreLeadWithExplanation(benchmark::State& state) {
  score_leads(state, 3);
}

// For comparison: XGBoost's own prediction of one already-encoded row
// (a DMatrix per call, as a router scoring one lead at a time would need).
void BM_XgboostPredictOneRow(benchmark::State& state) {
  auto booster = Booster::load(model_file().booster_bytes);
  if (!booster || !booster->set_param("nthread", "1")) {
    state.SkipWithError("cannot load booster");
    return;
  }
  const std::size_t width = model_file().spec.width();
  const std::vector<float> row(width, 1.0f);
  double sum = 0;
  for (auto _ : state) {
    auto matrix = DMatrix::from_dense(row, 1, width);
    auto p = booster->predict(*matrix, PredictionType::kProbability);
    sum += p ? (*p)[0] : 0;
  }
  benchmark::DoNotOptimize(sum);
}

BENCHMARK(BM_ScoreLead)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ScoreLead)->Unit(benchmark::kMicrosecond)->Threads(2)->UseRealTime();
BENCHMARK(BM_ScoreLeadWithExplanation)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ScoreLeadWithExplanation)->Unit(benchmark::kMicrosecond)->Threads(2)->UseRealTime();
BENCHMARK(BM_XgboostPredictOneRow)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace leadrouter::model

BENCHMARK_MAIN();
