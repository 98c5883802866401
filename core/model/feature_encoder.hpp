// Turns a CSV row or a core::Lead into the model's input vector, following a
// FeatureSpec. Both paths first extract one RawValue per feature and then run
// the same encode(), so a lead is encoded at scoring time exactly as a CSV row
// was at training time.
//
//   FeatureEncoder encoder(spec);
//   std::vector<RawValue> raw;
//   encoder.extract(LeadInputs{lead, facts, enrichment, now}, raw);
//   std::vector<float> x(encoder.width());
//   encoder.encode(raw, x);
#pragma once

#include <cstddef>
#include <expected>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/lead.hpp"
#include "core/lead_facts.hpp"
#include "core/model/csv_table.hpp"
#include "core/model/feature_spec.hpp"
#include "core/time.hpp"

namespace leadrouter::model {

// One feature's value before encoding. Numeric features use `number` (NaN:
// missing); categorical ones `text` ("": missing); month / weekday features
// `number` as seconds since the epoch.
struct RawValue {
  double number = std::numeric_limits<double>::quiet_NaN();
  std::string text;
};

struct LeadInputs {
  const core::Lead& lead;
  const core::LeadFacts& facts;
  const core::Enrichment& enrichment;
  Timestamp now;  // engagement decay is measured up to this instant
};

class FeatureEncoder {
 public:
  explicit FeatureEncoder(FeatureSpec spec);

  const FeatureSpec& spec() const { return spec_; }
  std::size_t width() const { return width_; }
  std::size_t feature_count() const { return spec_.features.size(); }
  // First input column of feature `feature`.
  std::size_t offset(std::size_t feature) const { return offsets_[feature]; }

  // Which table column feeds each feature. Every feature's source must be a
  // column of the table; the error lists the missing ones.
  struct CsvBinding {
    std::vector<std::size_t> columns;  // per feature
  };
  std::expected<CsvBinding, Error> bind(const CsvTable& table) const;

  void extract(const CsvTable& table, const CsvBinding& binding, std::size_t row,
               std::vector<RawValue>& out) const;
  void extract(const LeadInputs& inputs, std::vector<RawValue>& out) const;

  // `out` must hold width() floats.
  void encode(std::span<const RawValue> raw, std::span<float> out) const;

  // Row-major matrix of table.rows() x width().
  std::vector<float> encode_table(const CsvTable& table, const CsvBinding& binding) const;

  // The value as a person reads it in an explanation: "Reference", "42",
  // "(missing)", "Mar"; values outside the known categories get " (rare)".
  std::string describe(std::size_t feature, const RawValue& raw) const;

 private:
  enum class LeadField {
    kEmail,
    kFirstName,
    kLastName,
    kTitle,
    kCompany,
    kWebsite,
    kCountry,
    kState,
    kCity,
    kIndustry,
    kLeadSource,
    kLanguage,
    kSourceSystem,
    kObjectType,
    kEmployees,
    kAnnualRevenue,
    kCreatedAt,
    kEmailDomain,
    kCompanyNormalized,
    kWebsiteDomain,
    kIsFreeMail,
    kHasMatchedAccount,
    kEventCount,
    kEventDecayed,
    kCustom,
  };
  struct LeadAccessor {
    LeadField field = LeadField::kCustom;
    std::string key;  // custom key or event type
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using CategoryIndex = std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>>;

  static LeadAccessor resolve(std::string_view source);
  RawValue lead_value(const FeatureDef& def, const LeadAccessor& accessor,
                      const LeadInputs& inputs) const;

  FeatureSpec spec_;
  std::size_t width_ = 0;
  std::vector<std::size_t> offsets_;
  std::vector<CategoryIndex> category_index_;  // per feature; empty unless categorical
  std::vector<LeadAccessor> accessors_;        // per feature
};

}  // namespace leadrouter::model
