#include "core/model/trainer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <random>
#include <set>

#include "core/model/booster.hpp"
#include "core/model/dmatrix.hpp"
#include "core/model/drift.hpp"
#include "core/model/feature_encoder.hpp"
#include "core/model/feature_spec.hpp"
#include "core/text.hpp"

namespace leadrouter::model {
namespace {

constexpr std::size_t kMaxReportedProblems = 5;

std::string lower_trimmed(std::string_view s) {
  return ascii_lower(trim(s));
}

bool label_matches(std::string_view cell, const std::string& positive) {
  const auto a = parse_number(cell);
  const auto b = parse_number(positive);
  if (a && b) {
    return *a == *b;
  }
  return lower_trimmed(cell) == lower_trimmed(positive);
}

// Fisher-Yates with an explicitly specified generator and index draw, so the
// split is the same on every standard library.
void shuffle(std::vector<std::size_t>& items, std::mt19937_64& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(rng() % i);
    std::swap(items[i - 1], items[j]);
  }
}

std::optional<double> parse_validation_auc(std::string_view line) {
  constexpr std::string_view kKey = "validation-auc:";
  const auto pos = line.find(kKey);
  if (pos == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string rest(line.substr(pos + kKey.size()));
  char* end = nullptr;
  const double value = std::strtod(rest.c_str(), &end);
  if (end == rest.c_str()) {
    return std::nullopt;
  }
  return value;
}

std::vector<float> gather(std::span<const float> matrix, std::size_t width,
                          std::span<const std::size_t> rows) {
  std::vector<float> out(rows.size() * width);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::copy_n(matrix.begin() + static_cast<std::ptrdiff_t>(rows[i] * width), width,
                out.begin() + static_cast<std::ptrdiff_t>(i * width));
  }
  return out;
}

}  // namespace

std::expected<DecodedLabels, Error> decode_labels(const CsvTable& table, const std::string& label,
                                                  const std::optional<std::string>& positive) {
  const auto column = table.column_index(label);
  if (!column) {
    return std::unexpected(Error::invalid_input(
        fmt::format("{}: label column '{}' is not in the header (columns: {})", table.source_name(),
                    label, fmt::join(table.column_names(), ", "))));
  }
  std::vector<std::string> problems;
  std::size_t problem_count = 0;
  std::set<std::string> values;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    const std::string v = lower_trimmed(table.text(r, *column));
    if (v.empty()) {
      if (++problem_count <= kMaxReportedProblems) {
        problems.push_back(fmt::format("{}:{}: label column '{}' is empty", table.source_name(),
                                       table.line_of(r), label));
      }
      continue;
    }
    values.insert(v);
  }
  if (problem_count > 0) {
    std::string message = fmt::format("{}", fmt::join(problems, "\n"));
    if (problem_count > problems.size()) {
      message +=
          fmt::format("\n... and {} more rows without a label", problem_count - problems.size());
    }
    return std::unexpected(Error::invalid_input(std::move(message)));
  }
  if (values.size() < 2) {
    return std::unexpected(Error::invalid_input(fmt::format(
        "{}: label column '{}' has only one class: all {} rows are '{}'; the model needs "
        "converted and unconverted examples",
        table.source_name(), label, table.rows(), values.empty() ? "" : *values.begin())));
  }
  DecodedLabels out;
  if (positive) {
    out.positive = *positive;
  } else {
    const bool zero_one = std::ranges::all_of(values, [](const std::string& v) {
      const auto n = parse_number(v);
      return n && (*n == 0 || *n == 1);
    });
    static const std::array<std::string_view, 7> kPositiveWords = {
        "yes", "true", "won", "converted", "y", "t", "positive"};
    std::vector<std::string> recognised;
    for (const auto& v : values) {
      if (std::ranges::find(kPositiveWords, v) != kPositiveWords.end()) {
        recognised.push_back(v);
      }
    }
    if (zero_one) {
      out.positive = std::string{"1"};
    } else if (values.size() == 2 && recognised.size() == 1) {
      out.positive = recognised.front();
    } else {
      return std::unexpected(Error::invalid_input(fmt::format(
          "{}: cannot tell which value of label column '{}' means converted (values: {}); "
          "name it with --positive",
          table.source_name(), label, fmt::join(values, ", "))));
    }
  }
  out.values.resize(table.rows());
  for (std::size_t r = 0; r < table.rows(); ++r) {
    const bool is_positive = label_matches(table.text(r, *column), out.positive);
    out.values[r] = is_positive ? 1.0f : 0.0f;
    out.positives += is_positive ? 1 : 0;
  }
  if (out.positives == 0 || out.positives == table.rows()) {
    return std::unexpected(Error::invalid_input(fmt::format(
        "{}: label column '{}' has only one class when '{}' is the positive value ({} of {} rows "
        "positive; values: {})",
        table.source_name(), label, out.positive, out.positives, table.rows(),
        fmt::join(values, ", "))));
  }
  return out;
}

Split stratified_split(std::span<const float> labels, double fraction, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Split split;
  for (const float cls : {0.0f, 1.0f}) {
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == cls) {
        rows.push_back(i);
      }
    }
    shuffle(rows, rng);
    auto n_valid =
        static_cast<std::size_t>(std::llround(static_cast<double>(rows.size()) * fraction));
    // Both sides keep at least one row of each class when the class has two.
    if (rows.size() >= 2) {
      n_valid = std::clamp<std::size_t>(n_valid, 1, rows.size() - 1);
    }
    split.validation.insert(split.validation.end(), rows.begin(),
                            rows.begin() + static_cast<std::ptrdiff_t>(n_valid));
    split.train.insert(split.train.end(), rows.begin() + static_cast<std::ptrdiff_t>(n_valid),
                       rows.end());
  }
  std::ranges::sort(split.train);
  std::ranges::sort(split.validation);
  return split;
}

Split time_split(std::span<const double> seconds, double fraction) {
  std::vector<std::size_t> order(seconds.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  auto key = [&](std::size_t i) { return std::isnan(seconds[i]) ? -INFINITY : seconds[i]; };
  std::ranges::stable_sort(order, [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  const auto n_valid =
      static_cast<std::size_t>(std::llround(static_cast<double>(order.size()) * fraction));
  Split split;
  split.train.assign(order.begin(), order.end() - static_cast<std::ptrdiff_t>(n_valid));
  split.validation.assign(order.end() - static_cast<std::ptrdiff_t>(n_valid), order.end());
  std::ranges::sort(split.train);
  std::ranges::sort(split.validation);
  return split;
}

std::expected<BoosterFit, Error> fit_booster(
    std::span<const float> train_x, std::span<const float> train_y, std::span<const float> valid_x,
    std::span<const float> valid_y, std::size_t width, const BoosterParams& params,
    const std::string& booster_format, const std::function<void(const TrainProgress&)>& progress) {
  auto train = DMatrix::from_dense(train_x, train_y.size(), width);
  if (!train) {
    return std::unexpected(train.error());
  }
  auto valid = DMatrix::from_dense(valid_x, valid_y.size(), width);
  if (!valid) {
    return std::unexpected(valid.error());
  }
  if (auto ok = train->set_labels(train_y); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = valid->set_labels(valid_y); !ok) {
    return std::unexpected(ok.error());
  }
  const std::array<DMatrixHandle, 2> cache = {train->get(), valid->get()};
  auto booster = Booster::create(cache);
  if (!booster) {
    return std::unexpected(booster.error());
  }
  const std::vector<std::pair<const char*, std::string>> settings = {
      {"objective", "binary:logistic"},
      {"eval_metric", "auc"},
      {"tree_method", "hist"},
      {"eta", fmt::format("{}", params.learning_rate)},
      {"max_depth", fmt::format("{}", params.max_depth)},
      {"min_child_weight", fmt::format("{}", params.min_child_weight)},
      {"subsample", fmt::format("{}", params.subsample)},
      {"colsample_bytree", fmt::format("{}", params.colsample_bytree)},
      {"seed", fmt::format("{}", params.seed)},
      {"nthread", fmt::format("{}", params.threads)},
      {"verbosity", "0"},
  };
  for (const auto& [name, value] : settings) {
    if (auto ok = booster->set_param(name, value); !ok) {
      return std::unexpected(ok.error());
    }
  }
  int best_iteration = 0;
  double best_auc = -1;
  for (int i = 0; i < params.max_rounds; ++i) {
    if (auto ok = booster->update_one_iter(i, *train); !ok) {
      return std::unexpected(ok.error());
    }
    auto line = booster->eval_one_iter(i, *valid, "validation");
    if (!line) {
      return std::unexpected(line.error());
    }
    const auto auc = parse_validation_auc(*line);
    if (!auc) {
      return std::unexpected(
          Error::internal(fmt::format("unexpected XGBoost evaluation output '{}'", *line)));
    }
    if (*auc > best_auc) {
      best_auc = *auc;
      best_iteration = i;
    }
    if (progress) {
      progress(TrainProgress{i, *auc, best_iteration, best_auc});
    }
    if (params.early_stopping_rounds > 0 && i - best_iteration >= params.early_stopping_rounds) {
      break;
    }
  }
  if (params.early_stopping_rounds <= 0) {
    best_iteration = params.max_rounds - 1;
  }
  auto best = booster->slice(0, best_iteration + 1);
  if (!best) {
    return std::unexpected(best.error());
  }
  auto bytes = best->save(booster_format);
  if (!bytes) {
    return std::unexpected(bytes.error());
  }
  auto predictions = best->predict(*valid, PredictionType::kProbability);
  if (!predictions) {
    return std::unexpected(predictions.error());
  }
  BoosterFit fit;
  fit.booster_bytes = std::move(*bytes);
  fit.best_iteration = best_iteration;
  fit.validation_predictions.assign(predictions->begin(), predictions->end());
  return fit;
}

std::expected<TrainedModel, Error> train_model(const CsvTable& table, const TrainOptions& options,
                                               Timestamp trained_at) {
  if (!(options.validation_fraction > 0 && options.validation_fraction < 1)) {
    return std::unexpected(Error::invalid_input(
        fmt::format("validation fraction must be between 0 and 1 (exclusive), got {}",
                    options.validation_fraction)));
  }
  auto labels = decode_labels(table, options.label, options.positive);
  if (!labels) {
    return std::unexpected(labels.error());
  }
  std::vector<std::string> exclude = options.exclude;
  exclude.push_back(options.label);
  for (const auto* named : {&options.id_column, &options.time_column}) {
    if (*named && !table.column_index(**named)) {
      return std::unexpected(Error::invalid_input(
          fmt::format("{}: column '{}' is not in the header", table.source_name(), **named)));
    }
  }
  if (options.id_column) {
    exclude.push_back(*options.id_column);
  }

  Split split;
  if (options.time_column) {
    const std::size_t c = *table.column_index(*options.time_column);
    if (table.type(c) != ColumnType::kDate && table.type(c) != ColumnType::kNumeric) {
      return std::unexpected(Error::invalid_input(
          fmt::format("{}: time column '{}' is {}; it must hold ISO 8601 dates or numbers",
                      table.source_name(), *options.time_column, to_string(table.type(c)))));
    }
    std::vector<double> seconds(table.rows());
    for (std::size_t r = 0; r < table.rows(); ++r) {
      seconds[r] = table.number(r, c);
    }
    split = time_split(seconds, options.validation_fraction);
  } else {
    split = stratified_split(labels->values, options.validation_fraction, options.params.seed);
  }
  auto count_positive = [&](const std::vector<std::size_t>& rows) {
    return static_cast<std::size_t>(
        std::ranges::count_if(rows, [&](std::size_t r) { return labels->values[r] > 0.5f; }));
  };
  for (const auto* side : {&split.train, &split.validation}) {
    const std::size_t pos = count_positive(*side);
    if (pos == 0 || pos == side->size()) {
      return std::unexpected(Error::invalid_input(fmt::format(
          "{}: the {} split ({} rows) has only one class; more rows of each class are needed",
          table.source_name(), side == &split.train ? "training" : "validation", side->size())));
    }
  }

  SpecFitOptions fit_options;
  fit_options.exclude = exclude;
  fit_options.min_category_count = options.min_category_count;
  auto spec_fit = fit_feature_spec(table, fit_options, split.train);
  if (!spec_fit) {
    return std::unexpected(spec_fit.error());
  }
  const FeatureEncoder encoder(spec_fit->spec);
  auto binding = encoder.bind(table);
  if (!binding) {
    return std::unexpected(binding.error());
  }
  const std::vector<float> matrix = encoder.encode_table(table, *binding);
  const std::size_t width = encoder.width();
  const std::vector<float> train_x = gather(matrix, width, split.train);
  const std::vector<float> valid_x = gather(matrix, width, split.validation);
  std::vector<float> train_y;
  std::vector<float> valid_y;
  for (const std::size_t r : split.train) {
    train_y.push_back(labels->values[r]);
  }
  for (const std::size_t r : split.validation) {
    valid_y.push_back(labels->values[r]);
  }

  auto fit = fit_booster(train_x, train_y, valid_x, valid_y, width, options.params,
                         options.booster_format, options.progress);
  if (!fit) {
    return std::unexpected(fit.error());
  }

  TrainedModel trained;
  trained.validation = compute_metrics(fit->validation_predictions, valid_y);
  trained.train_rows = split.train.size();
  trained.validation_rows = split.validation.size();
  trained.best_iteration = fit->best_iteration;
  trained.dropped_columns = std::move(spec_fit->dropped);

  ModelFile& file = trained.file;
  file.trained_at = trained_at;
  file.label = options.label;
  file.positive = labels->positive;
  file.spec = std::move(spec_fit->spec);
  file.booster_format = options.booster_format;
  file.booster_bytes = std::move(fit->booster_bytes);
  file.profile =
      profile_training(encoder, table, *binding, split.train, fit->validation_predictions);
  file.version = model_version(options.label, trained_at, file.booster_bytes);
  file.metrics = {
      {"validation_auc", trained.validation.auc},
      {"validation_log_loss", trained.validation.log_loss},
      {"validation_brier", trained.validation.brier},
      {"train_rows", static_cast<double>(trained.train_rows)},
      {"validation_rows", static_cast<double>(trained.validation_rows)},
      {"positives", static_cast<double>(labels->positives)},
      {"best_iteration", static_cast<double>(trained.best_iteration)},
      {"trees", static_cast<double>(trained.best_iteration + 1)},
  };
  return trained;
}

}  // namespace leadrouter::model
