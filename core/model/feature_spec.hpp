// What the conversion model sees: the list of features, where each one reads
// its value (a CSV column or a Lead field of the same name) and how it is
// encoded into the model's input columns. The spec is fitted once on training
// data, saved inside the model file, and used unchanged at scoring time, so
// training and serving share one pipeline.
//
// Source names (the same string names a CSV column and a Lead field):
//   email, first_name, last_name, title, company, website, country, state,
//   city, industry, lead_source, language, source_system, object_type,
//   employees, annual_revenue, created_at       Lead members
//   email_domain, company_normalized, website_domain,
//   is_free_mail, has_matched_account           derived facts (LeadFacts, Enrichment)
//   events.<type>.count, events.<type>.decayed  engagement aggregates
//   custom.<key>, or any other name <key>       Lead::custom[<key>]
//
//   FeatureSpec spec = fit_feature_spec(table, {.label = "y", .exclude = {"duration"}},
//   rows)->spec; std::string json = spec.to_json();
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/model/csv_table.hpp"

namespace leadrouter::model {

enum class FeatureKind {
  kNumeric,      // one column: the value; NaN (XGBoost's "missing") when absent
  kCategorical,  // one 0/1 column per kept category plus "(other)" for rare and
                 // unseen values; all zero when absent
  kMonth,        // from a date: 1..12, NaN when absent
  kWeekday,      // from a date: 0 (Sunday)..6, NaN when absent
};

const char* to_string(FeatureKind kind);

struct FeatureDef {
  std::string name;    // readable, for explanations: "Lead Source"
  std::string source;  // CSV column / Lead field: "lead_source"
  FeatureKind kind = FeatureKind::kNumeric;
  std::vector<std::string> categories;  // kCategorical only, in column order

  // Number of model input columns this feature occupies.
  std::size_t width() const {
    return kind == FeatureKind::kCategorical ? categories.size() + 1 : 1;
  }
};

inline constexpr std::string_view kOtherCategory = "(other)";

struct FeatureSpec {
  static constexpr int kFormatVersion = 1;

  std::vector<FeatureDef> features;
  std::size_t min_category_count = 10;    // rarer values fall into "(other)"
  double engagement_half_life_days = 14;  // for events.<type>.decayed

  // Total model input width.
  std::size_t width() const;
  // One name per input column: "age", "job=admin.", "job=(other)", "date.month".
  std::vector<std::string> column_names() const;

  rapidjson::Value to_value(rapidjson::Document::AllocatorType& alloc) const;
  std::string to_json() const;
  // Validates the document; errors name the JSON path.
  static std::expected<FeatureSpec, ValidationErrors> from_value(const rapidjson::Value& value);
  static std::expected<FeatureSpec, ValidationErrors> from_json(std::string_view json);
};

// "lead_source" -> "Lead Source", "custom.job" -> "Job", "emp.var.rate" -> "Emp Var Rate".
std::string readable_name(std::string_view source);

struct SpecFitOptions {
  std::vector<std::string> exclude;  // columns that are not features (label, id, leaks)
  std::size_t min_category_count = 10;
  std::size_t max_categories = 200;  // per feature, most frequent first
  double engagement_half_life_days = 14;
};

struct SpecFit {
  FeatureSpec spec;
  // Columns that were considered but carry no usable signal, with why.
  std::vector<std::string> dropped;
};

// Builds the spec from the table's columns (all but the excluded), learning
// category lists from `rows` only (the training split). Numeric columns
// become kNumeric, date columns kMonth + kWeekday, the rest kCategorical.
std::expected<SpecFit, Error> fit_feature_spec(const CsvTable& table, const SpecFitOptions& options,
                                               std::span<const std::size_t> rows);

}  // namespace leadrouter::model
