#include "sidecar/pipeline/model_manager.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <utility>

#include "core/lead_json.hpp"
#include "core/model/feature_encoder.hpp"
#include "core/model/model_file.hpp"
#include "core/model/trainer.hpp"
#include "sidecar/config/routing_setup.hpp"
#include "sidecar/logging/log.hpp"

namespace leadrouter::sidecar {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLabel = "converted";

// Lead fields a first model is tried on; features without signal (free
// text, ids) are dropped by the trainer's minimum category count.
constexpr const char* kDefaultSources[] = {
    "country",
    "state",
    "industry",
    "lead_source",
    "language",
    "title",
    "employees",
    "annual_revenue",
    "email_domain",
    "is_free_mail",
    "has_matched_account",
};

bool numeric_source(std::string_view source) {
  return source == "employees" || source == "annual_revenue" || source == "is_free_mail" ||
         source == "has_matched_account" || source.starts_with("events.");
}

std::string csv_field(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  out += '"';
  return out;
}

std::string number_text(double value) {
  return std::isnan(value) ? std::string() : fmt::format("{}", value);
}

TimestampMs to_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::milliseconds>(t);
}

std::expected<void, Error> write_owner_only(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return std::unexpected(Error::internal(fmt::format("cannot create {}", tmp)));
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      return std::unexpected(Error::internal(fmt::format("cannot write {}", tmp)));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  if (!synced) {
    return std::unexpected(Error::internal(fmt::format("cannot sync {}", tmp)));
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    return std::unexpected(
        Error::internal(fmt::format("cannot rename {} to {}: {}", tmp, path, ec.message())));
  }
  return {};
}

}  // namespace

const char* to_string(RetrainOutcome outcome) {
  switch (outcome) {
    case RetrainOutcome::kNotDue:
      return "not_due";
    case RetrainOutcome::kTooThin:
      return "too_thin";
    case RetrainOutcome::kActivated:
      return "activated";
    case RetrainOutcome::kRejected:
      return "rejected";
  }
  return "unknown";
}

std::expected<model::CsvTable, Error> training_table(const std::vector<LabelledLead>& leads,
                                                     const model::FeatureSpec* spec,
                                                     const core::FreeMailDomains& free_mail) {
  std::vector<core::Lead> parsed;
  parsed.reserve(leads.size());
  for (const LabelledLead& l : leads) {
    auto lead = core::lead_from_json(l.lead_json);
    if (!lead) {
      return std::unexpected(Error::internal(
          fmt::format("stored lead {} of {} does not parse: {}", l.lead_id, l.connector,
                      lead.error().empty() ? "" : lead.error().front().reason)));
    }
    parsed.push_back(std::move(*lead));
  }

  // One extraction feature per source, of the kind the model reads it as.
  model::FeatureSpec extract;
  std::map<std::string, model::ColumnType> types;
  std::set<std::string> seen;
  auto add = [&](const std::string& source, model::FeatureKind kind) {
    if (!seen.insert(source).second) {
      return;
    }
    model::FeatureDef def;
    def.name = source;
    def.source = source;
    def.kind = kind;
    extract.features.push_back(std::move(def));
    types[source] = kind == model::FeatureKind::kNumeric       ? model::ColumnType::kNumeric
                    : kind == model::FeatureKind::kCategorical ? model::ColumnType::kCategorical
                                                               : model::ColumnType::kDate;
  };
  if (spec != nullptr) {
    extract.engagement_half_life_days = spec->engagement_half_life_days;
    for (const model::FeatureDef& f : spec->features) {
      add(f.source, f.kind);
    }
  } else {
    for (const char* source : kDefaultSources) {
      add(source,
          numeric_source(source) ? model::FeatureKind::kNumeric : model::FeatureKind::kCategorical);
    }
    std::set<std::string> custom;
    for (const core::Lead& lead : parsed) {
      for (const auto& [key, value] : lead.custom) {
        custom.insert(key);
      }
    }
    for (const std::string& key : custom) {
      // Types of custom fields are inferred from the values, as for a CSV.
      add(key, model::FeatureKind::kCategorical);
      types.erase(key);
    }
  }
  for (const model::FeatureDef& f : extract.features) {
    if (f.source == kLabel) {
      return std::unexpected(Error::invalid_input(
          fmt::format("a feature named '{}' collides with the training label", kLabel)));
    }
  }

  const model::FeatureEncoder encoder(extract);
  std::string csv;
  for (const model::FeatureDef& f : extract.features) {
    csv += csv_field(f.source) + ",";
  }
  csv += kLabel;
  csv += "\n";
  std::vector<model::RawValue> raw;
  const core::Enrichment none;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const core::Lead& lead = parsed[i];
    const core::LeadFacts facts = core::derive_facts(lead, free_mail);
    // Engagement decays up to the moment the lead was scored, as it was then.
    const auto now = std::chrono::floor<std::chrono::seconds>(leads[i].decided_at);
    encoder.extract(model::LeadInputs{lead, facts, none, now}, raw);
    for (std::size_t f = 0; f < raw.size(); ++f) {
      switch (extract.features[f].kind) {
        case model::FeatureKind::kNumeric:
          csv += number_text(raw[f].number);
          break;
        case model::FeatureKind::kCategorical:
          csv += csv_field(raw[f].text);
          break;
        case model::FeatureKind::kMonth:
        case model::FeatureKind::kWeekday:
          if (!std::isnan(raw[f].number)) {
            csv += format_iso8601(Timestamp{
                std::chrono::seconds{static_cast<std::int64_t>(std::floor(raw[f].number))}});
          }
          break;
      }
      csv += ",";
    }
    csv += leads[i].converted ? "1\n" : "0\n";
  }
  types[kLabel] = model::ColumnType::kCategorical;
  return model::CsvTable::parse(csv, {.delimiter = ',', .type_overrides = types}, "labelled leads");
}

model::TrainOptions retrain_options(const model::ModelFile* current) {
  model::TrainOptions options;
  options.label = kLabel;
  options.positive = "1";
  if (current != nullptr) {
    options.min_category_count = current->spec.min_category_count;
  }
  // A fixed, modest ensemble instead of early stopping: on a few hundred
  // rows the validation AUC plateaus after the first tree, and stopping
  // there leaves probabilities near the base rate of 0.5, which would
  // distort the combined score the policy weighs.
  options.params.max_rounds = 100;
  options.params.early_stopping_rounds = 0;
  options.params.learning_rate = 0.1;
  options.params.max_depth = 3;
  return options;
}

ModelManager::ModelManager(StateStore& store, MetricsRegistry& metrics, std::string state_dir,
                           RetrainConfig config, SystemClock clock)
    : store_(store),
      metrics_(metrics),
      models_dir_((fs::path(state_dir) / "models").string()),
      config_(config),
      clock_(std::move(clock)) {}

std::expected<std::string, Error> ModelManager::save_model_text(const std::string& version,
                                                                const std::string& text) {
  std::error_code ec;
  fs::create_directories(models_dir_, ec);
  if (ec) {
    return std::unexpected(Error::internal(
        fmt::format("cannot create the models directory {}: {}", models_dir_, ec.message())));
  }
  fs::permissions(models_dir_, fs::perms::owner_all, fs::perm_options::replace, ec);
  const std::string path = (fs::path(models_dir_) / (version + ".model")).string();
  if (auto written = write_owner_only(path, text); !written) {
    return std::unexpected(written.error());
  }
  return path;
}

std::expected<ModelRow, Error> ModelManager::register_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) {
    return std::unexpected(Error::invalid_input(text.error()));
  }
  auto file = model::ModelFile::parse(*text);
  if (!file) {
    return std::unexpected(Error::invalid_input(fmt::format("{}: {}", path, file.error().message)));
  }
  std::lock_guard lock(mutex_);
  auto known = store_.models();
  if (!known) {
    return std::unexpected(known.error());
  }
  for (const ModelRow& m : *known) {
    if (m.version == file->version) {
      return m;
    }
  }
  auto saved = save_model_text(file->version, *text);
  if (!saved) {
    return std::unexpected(saved.error());
  }
  ModelRow row;
  row.version = file->version;
  row.created_at = std::chrono::time_point_cast<std::chrono::milliseconds>(file->trained_at);
  row.registered_at = to_ms(clock_());
  row.source = "file";
  row.auc = file->metric("validation_auc");
  row.rows = static_cast<std::int64_t>(file->metric("train_rows").value_or(0) +
                                       file->metric("validation_rows").value_or(0));
  row.positives = static_cast<std::int64_t>(file->metric("positives").value_or(0));
  row.path = *saved;
  row.active = true;
  if (auto added = store_.register_model(row, true); !added) {
    return std::unexpected(added.error());
  }
  log::info("model_registered",
            {{"version", row.version}, {"source", row.source}, {"file", path}, {"active", true}});
  return row;
}

std::expected<std::string, Error> ModelManager::active_version() {
  auto active = store_.active_model();
  if (!active) {
    return std::unexpected(active.error());
  }
  return *active ? (*active)->version : std::string();
}

void ModelManager::publish_info(const std::string& version) {
  // One series per version ever live here; only the current one reads 1.
  const std::string shown = version.empty() ? "none" : version;
  if (shown == published_version_) {
    return;
  }
  if (!published_version_.empty()) {
    metrics_
        .gauge("leadrouter_model_info", "The active conversion model (1); none: rules only",
               {{"version", published_version_}})
        .set(0);
  }
  metrics_
      .gauge("leadrouter_model_info", "The active conversion model (1); none: rules only",
             {{"version", shown}})
      .set(1);
  published_version_ = shown;
}

std::expected<std::shared_ptr<const core::ModelScorer>, Error> ModelManager::active_scorer() {
  auto active = store_.active_model();
  if (!active) {
    return std::unexpected(active.error());
  }
  std::lock_guard lock(mutex_);
  if (!*active) {
    publish_info("");
    return std::shared_ptr<const core::ModelScorer>();
  }
  if (loaded_ && loaded_version_ == (*active)->version) {
    return loaded_;
  }
  auto scorer = load_model((*active)->path);
  if (!scorer) {
    return std::unexpected(
        Error::internal(fmt::format("active model {}: {}", (*active)->version, scorer.error())));
  }
  loaded_ = std::move(*scorer);
  loaded_version_ = (*active)->version;
  publish_info(loaded_version_);
  return loaded_;
}

std::expected<RetrainReport, Error> ModelManager::retrain_if_due(
    const core::FreeMailDomains& free_mail) {
  if (!config_.enabled) {
    return RetrainReport{.detail = "retraining is disabled"};
  }
  const TimestampMs now = to_ms(clock_());
  TimestampMs since{};
  {
    std::lock_guard lock(mutex_);
    if (last_attempt_) {
      if (now - *last_attempt_ < std::chrono::hours(config_.interval_hours)) {
        return RetrainReport{.detail = "within the retrain interval"};
      }
      since = *last_attempt_;
    }
  }
  auto active = store_.active_model();
  if (!active) {
    return std::unexpected(active.error());
  }
  if (*active) {
    since = std::max(since, (*active)->registered_at);
  }
  auto changed = store_.outcomes_changed_since(since);
  if (!changed) {
    return std::unexpected(changed.error());
  }
  if (*changed < config_.min_new_outcomes) {
    return RetrainReport{.detail = fmt::format("{} new outcomes, retraining after {}", *changed,
                                               config_.min_new_outcomes)};
  }
  return retrain(free_mail);
}

std::expected<RetrainReport, Error> ModelManager::retrain(const core::FreeMailDomains& free_mail) {
  const auto started = clock_();
  {
    std::lock_guard lock(mutex_);
    last_attempt_ = to_ms(started);
  }
  auto finish = [&](RetrainReport report) {
    log::info("model_retrain", {{"outcome", to_string(report.outcome)},
                                {"version", report.version},
                                {"rows", report.rows},
                                {"positives", report.positives},
                                {"auc", report.auc.value_or(-1)},
                                {"active_auc", report.active_auc.value_or(-1)},
                                {"detail", report.detail}});
    metrics_
        .counter("leadrouter_model_retrains_total", "Retraining attempts by outcome",
                 {{"outcome", to_string(report.outcome)}})
        .inc();
    std::lock_guard lock(mutex_);
    last_report_ = report;
    return report;
  };

  auto leads = store_.labelled_leads();
  if (!leads) {
    return std::unexpected(leads.error());
  }
  RetrainReport report;
  report.rows = leads->size();
  report.positives = static_cast<std::size_t>(
      std::ranges::count_if(*leads, [](const LabelledLead& l) { return l.converted; }));
  if (report.rows < static_cast<std::size_t>(config_.min_rows) ||
      report.positives < static_cast<std::size_t>(config_.min_positives)) {
    report.outcome = RetrainOutcome::kTooThin;
    report.detail = fmt::format(
        "data too thin to train: {} labelled leads with {} conversions (need {} and {}); the "
        "policy's rules and the active model, if any, keep routing",
        report.rows, report.positives, config_.min_rows, config_.min_positives);
    return finish(std::move(report));
  }

  auto active = store_.active_model();
  if (!active) {
    return std::unexpected(active.error());
  }
  std::optional<model::ModelFile> current;
  if (*active) {
    auto text = read_text_file((*active)->path);
    if (!text) {
      return std::unexpected(Error::internal(text.error()));
    }
    auto parsed = model::ModelFile::parse(*text);
    if (!parsed) {
      return std::unexpected(parsed.error());
    }
    current = std::move(*parsed);
    report.active_auc = (*active)->auc;
  }
  auto table = training_table(*leads, current ? &current->spec : nullptr, free_mail);
  if (!table) {
    return std::unexpected(table.error());
  }
  auto trained = model::train_model(*table, retrain_options(current ? &*current : nullptr),
                                    std::chrono::floor<std::chrono::seconds>(started));
  if (!trained) {
    report.outcome = RetrainOutcome::kTooThin;
    report.detail = fmt::format("training failed: {}", trained.error().message);
    return finish(std::move(report));
  }
  report.version = trained->file.version;
  report.auc = trained->validation.auc;

  auto saved = save_model_text(trained->file.version, trained->file.serialize());
  if (!saved) {
    return std::unexpected(saved.error());
  }
  const bool good_enough =
      !report.active_auc || *report.auc >= *report.active_auc - config_.auc_tolerance;
  ModelRow row;
  row.version = trained->file.version;
  row.created_at = std::chrono::time_point_cast<std::chrono::milliseconds>(started);
  row.registered_at = to_ms(clock_());
  row.source = "retrained";
  row.auc = report.auc;
  row.rows = static_cast<std::int64_t>(report.rows);
  row.positives = static_cast<std::int64_t>(report.positives);
  row.path = *saved;
  if (auto added = store_.register_model(row, good_enough); !added) {
    return std::unexpected(added.error());
  }
  report.outcome = good_enough ? RetrainOutcome::kActivated : RetrainOutcome::kRejected;
  report.detail =
      good_enough
          ? fmt::format("validation AUC {:.4f} on {} rows; now active", *report.auc, report.rows)
          : fmt::format(
                "validation AUC {:.4f} is below the active {:.4f} minus tolerance {}; "
                "kept inactive",
                *report.auc, *report.active_auc, config_.auc_tolerance);
  return finish(std::move(report));
}

std::string ModelManager::status_line() {
  auto active = store_.active_model();
  if (!active) {
    return "model state unreadable: " + active.error().message;
  }
  std::string line = "rules only (no model)";
  if (*active) {
    line = (*active)->auc ? fmt::format("model {} ({}, validation AUC {:.4f})", (*active)->version,
                                        (*active)->source, *(*active)->auc)
                          : fmt::format("model {} ({})", (*active)->version, (*active)->source);
  }
  const RetrainReport last = last_report();
  if (last.outcome == RetrainOutcome::kTooThin) {
    line += "; last retrain: " + last.detail;
  }
  return line;
}

RetrainReport ModelManager::last_report() const {
  std::lock_guard lock(mutex_);
  return last_report_;
}

}  // namespace leadrouter::sidecar
