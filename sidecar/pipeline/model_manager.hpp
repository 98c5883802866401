// The sidecar's conversion-model versions: registers a configured model file,
// hands out the active version as a scorer, and retrains from decided leads
// joined with their outcomes. A retrained model goes live only when its
// validation AUC is at least the active model's minus the tolerance; with
// too few rows or conversions it is not trained at all and the policy's
// rules (or the active model) keep routing. Every version's file is copied to
// <state_dir>/models/<version>.model, so `model activate` can roll back to
// any of them. Thread-safe.
#pragma once

#include <cstddef>
#include <expected>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/lead_facts.hpp"
#include "core/model/csv_table.hpp"
#include "core/model/feature_spec.hpp"
#include "core/model/model_file.hpp"
#include "core/model/trainer.hpp"
#include "core/model_scorer.hpp"
#include "sidecar/config/sidecar_config.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/pipeline/decision_engine.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

enum class RetrainOutcome {
  kNotDue,     // disabled, too few new outcomes, or within the interval
  kTooThin,    // fewer rows or conversions than configured: nothing trained
  kActivated,  // trained and live
  kRejected,   // trained, kept for the record, not activated (AUC too low)
};
const char* to_string(RetrainOutcome outcome);

struct RetrainReport {
  RetrainOutcome outcome = RetrainOutcome::kNotDue;
  std::string version;  // the trained model (kActivated, kRejected)
  std::optional<double> auc;
  std::optional<double> active_auc;  // what it was compared with
  std::size_t rows = 0;
  std::size_t positives = 0;
  std::string detail;  // one readable line
};

// The CSV retraining trains on: one row per labelled lead, one column per
// feature source (read from the stored lead the way the scorer reads it),
// plus "converted" (0/1). `spec` none: a default set of lead fields and
// every custom field the leads carry.
std::expected<model::CsvTable, Error> training_table(const std::vector<LabelledLead>& leads,
                                                     const model::FeatureSpec* spec,
                                                     const core::FreeMailDomains& free_mail);

// The options retrain() trains training_table()'s output with; `current`,
// the active model (null: none), keeps its category minimum. `model train
// --from-crm` uses them too, so both train the same kind of model.
model::TrainOptions retrain_options(const model::ModelFile* current);

class ModelManager {
 public:
  ModelManager(StateStore& store, MetricsRegistry& metrics, std::string state_dir,
               RetrainConfig config, SystemClock clock);

  // Copies a configured model file into the models directory and registers
  // it (source "file"). A version new to the store becomes active: the
  // operator changed the file. A known one leaves the active choice alone,
  // so a rollback survives a restart.
  std::expected<ModelRow, Error> register_file(const std::string& path);

  // The active model as a scorer, null when there is none. Loaded once per
  // version.
  std::expected<std::shared_ptr<const core::ModelScorer>, Error> active_scorer();
  // The active version in the store ("" for none); cheap, for change checks.
  std::expected<std::string, Error> active_version();

  // retrain() when enabled and due: at least min_new_outcomes labels changed
  // since the active model was registered (or since the last attempt), and
  // interval_hours passed since the last attempt.
  std::expected<RetrainReport, Error> retrain_if_due(const core::FreeMailDomains& free_mail);
  std::expected<RetrainReport, Error> retrain(const core::FreeMailDomains& free_mail);

  // The last retrain's report (kNotDue before any), for /readyz and logs.
  RetrainReport last_report() const;
  // One line for /readyz: "model <version> (<source>, AUC x)" or "rules
  // only", followed by why when the last retrain found the data too thin.
  std::string status_line();

 private:
  std::expected<std::string, Error> save_model_text(const std::string& version,
                                                    const std::string& text);
  void publish_info(const std::string& version);

  StateStore& store_;
  MetricsRegistry& metrics_;
  std::string models_dir_;
  RetrainConfig config_;
  SystemClock clock_;
  mutable std::mutex mutex_;
  std::string loaded_version_;
  std::shared_ptr<const core::ModelScorer> loaded_;
  std::optional<TimestampMs> last_attempt_;
  RetrainReport last_report_;
  std::string published_version_;
};

}  // namespace leadrouter::sidecar
