#include "core/model/feature_encoder.hpp"

#include <date/date.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/text.hpp"

namespace leadrouter::model {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kSecondsPerDay = 86400.0;
constexpr std::string_view kEventsPrefix = "events.";

date::sys_days day_of(double seconds) {
  return date::floor<date::days>(
      Timestamp{std::chrono::seconds{static_cast<std::int64_t>(seconds)}});
}

RawValue from_text(std::string_view text, FeatureKind kind) {
  RawValue v;
  switch (kind) {
    case FeatureKind::kNumeric:
      if (const auto n = parse_number(text)) {
        v.number = *n;
      }
      break;
    case FeatureKind::kCategorical:
      v.text = std::string(trim(text));
      break;
    case FeatureKind::kMonth:
    case FeatureKind::kWeekday:
      if (const auto t = parse_iso8601(trim(text))) {
        v.number = static_cast<double>(t->time_since_epoch().count());
      }
      break;
  }
  return v;
}

RawValue from_number(std::optional<double> number, FeatureKind kind) {
  RawValue v;
  if (!number) {
    return v;
  }
  if (kind == FeatureKind::kCategorical) {
    v.text = fmt::format("{}", *number);
  } else {
    v.number = *number;
  }
  return v;
}

RawValue from_bool(bool value, FeatureKind kind) {
  RawValue v;
  if (kind == FeatureKind::kCategorical) {
    v.text = value ? "true" : "false";
  } else {
    v.number = value ? 1.0 : 0.0;
  }
  return v;
}

}  // namespace

FeatureEncoder::FeatureEncoder(FeatureSpec spec) : spec_(std::move(spec)) {
  offsets_.reserve(spec_.features.size());
  for (const auto& f : spec_.features) {
    offsets_.push_back(width_);
    width_ += f.width();
    CategoryIndex index;
    for (std::size_t i = 0; i < f.categories.size(); ++i) {
      index.emplace(f.categories[i], i);
    }
    category_index_.push_back(std::move(index));
    accessors_.push_back(resolve(f.source));
  }
}

FeatureEncoder::LeadAccessor FeatureEncoder::resolve(std::string_view source) {
  static const std::pair<std::string_view, LeadField> kFields[] = {
      {"email", LeadField::kEmail},
      {"first_name", LeadField::kFirstName},
      {"last_name", LeadField::kLastName},
      {"title", LeadField::kTitle},
      {"company", LeadField::kCompany},
      {"website", LeadField::kWebsite},
      {"country", LeadField::kCountry},
      {"state", LeadField::kState},
      {"city", LeadField::kCity},
      {"industry", LeadField::kIndustry},
      {"lead_source", LeadField::kLeadSource},
      {"language", LeadField::kLanguage},
      {"source_system", LeadField::kSourceSystem},
      {"object_type", LeadField::kObjectType},
      {"employees", LeadField::kEmployees},
      {"annual_revenue", LeadField::kAnnualRevenue},
      {"created_at", LeadField::kCreatedAt},
      {"email_domain", LeadField::kEmailDomain},
      {"company_normalized", LeadField::kCompanyNormalized},
      {"website_domain", LeadField::kWebsiteDomain},
      {"is_free_mail", LeadField::kIsFreeMail},
      {"has_matched_account", LeadField::kHasMatchedAccount},
  };
  for (const auto& [name, field] : kFields) {
    if (source == name) {
      return {field, ""};
    }
  }
  if (source.starts_with(kEventsPrefix)) {
    const std::string_view rest = source.substr(kEventsPrefix.size());
    if (rest.ends_with(".count") && rest.size() > 6) {
      return {LeadField::kEventCount, std::string(rest.substr(0, rest.size() - 6))};
    }
    if (rest.ends_with(".decayed") && rest.size() > 8) {
      return {LeadField::kEventDecayed, std::string(rest.substr(0, rest.size() - 8))};
    }
  }
  if (source.starts_with("custom.")) {
    return {LeadField::kCustom, std::string(source.substr(7))};
  }
  return {LeadField::kCustom, std::string(source)};
}

RawValue FeatureEncoder::lead_value(const FeatureDef& def, const LeadAccessor& accessor,
                                    const LeadInputs& in) const {
  const core::Lead& lead = in.lead;
  const FeatureKind kind = def.kind;
  switch (accessor.field) {
    case LeadField::kEmail:
      return from_text(lead.email, kind);
    case LeadField::kFirstName:
      return from_text(lead.first_name, kind);
    case LeadField::kLastName:
      return from_text(lead.last_name, kind);
    case LeadField::kTitle:
      return from_text(lead.title, kind);
    case LeadField::kCompany:
      return from_text(lead.company, kind);
    case LeadField::kWebsite:
      return from_text(lead.website, kind);
    case LeadField::kCountry:
      return from_text(lead.country, kind);
    case LeadField::kState:
      return from_text(lead.state, kind);
    case LeadField::kCity:
      return from_text(lead.city, kind);
    case LeadField::kIndustry:
      return from_text(lead.industry, kind);
    case LeadField::kLeadSource:
      return from_text(lead.lead_source, kind);
    case LeadField::kLanguage:
      return from_text(lead.language, kind);
    case LeadField::kSourceSystem:
      return from_text(lead.source_system, kind);
    case LeadField::kObjectType:
      return from_text(lead.object_type, kind);
    case LeadField::kEmployees:
      return from_number(lead.employees
                             ? std::optional<double>(static_cast<double>(*lead.employees))
                             : std::nullopt,
                         kind);
    case LeadField::kAnnualRevenue:
      return from_number(lead.annual_revenue, kind);
    case LeadField::kCreatedAt:
      if (!lead.created_at) {
        return {};
      }
      if (kind == FeatureKind::kCategorical) {
        return from_text(format_iso8601(*lead.created_at), kind);
      }
      return from_number(static_cast<double>(lead.created_at->time_since_epoch().count()), kind);
    case LeadField::kEmailDomain:
      return from_text(in.facts.email_domain, kind);
    case LeadField::kCompanyNormalized:
      return from_text(in.facts.company_normalized, kind);
    case LeadField::kWebsiteDomain:
      return from_text(in.facts.website_domain, kind);
    case LeadField::kIsFreeMail:
      // Without an email there is no free-mail fact to speak of.
      if (in.facts.email_domain.empty()) {
        return {};
      }
      return from_bool(in.facts.is_free_mail, kind);
    case LeadField::kHasMatchedAccount:
      return from_bool(in.enrichment.account.has_value(), kind);
    case LeadField::kEventCount:
    case LeadField::kEventDecayed: {
      const double half_life_seconds = spec_.engagement_half_life_days * kSecondsPerDay;
      double count = 0;
      double decayed = 0;
      for (const auto& e : lead.events) {
        if (e.type != accessor.key || e.at > in.now) {
          continue;
        }
        count += 1;
        const double age = static_cast<double>((in.now - e.at).count());
        decayed += std::exp2(-age / half_life_seconds);
      }
      return from_number(accessor.field == LeadField::kEventCount ? count : decayed, kind);
    }
    case LeadField::kCustom: {
      const auto it = lead.custom.find(accessor.key);
      if (it == lead.custom.end()) {
        return {};
      }
      return from_text(it->second, kind);
    }
  }
  return {};
}

std::expected<FeatureEncoder::CsvBinding, Error> FeatureEncoder::bind(const CsvTable& table) const {
  CsvBinding binding;
  std::vector<std::string> missing;
  for (const auto& f : spec_.features) {
    const auto column = table.column_index(f.source);
    if (!column) {
      if (std::ranges::find(missing, f.source) == missing.end()) {
        missing.push_back(f.source);
      }
      continue;
    }
    binding.columns.push_back(*column);
  }
  if (!missing.empty()) {
    return std::unexpected(
        Error::invalid_input(fmt::format("{}: the model needs column(s) {} which the header lacks",
                                         table.source_name(), fmt::join(missing, ", "))));
  }
  return binding;
}

void FeatureEncoder::extract(const CsvTable& table, const CsvBinding& binding, std::size_t row,
                             std::vector<RawValue>& out) const {
  out.resize(spec_.features.size());
  for (std::size_t i = 0; i < spec_.features.size(); ++i) {
    const FeatureKind kind = spec_.features[i].kind;
    const std::size_t c = binding.columns[i];
    const ColumnType type = table.type(c);
    const bool parsed = (kind == FeatureKind::kNumeric && type == ColumnType::kNumeric) ||
                        ((kind == FeatureKind::kMonth || kind == FeatureKind::kWeekday) &&
                         type == ColumnType::kDate);
    if (parsed) {
      out[i] = RawValue{table.number(row, c), {}};
    } else {
      out[i] = from_text(table.text(row, c), kind);
    }
  }
}

void FeatureEncoder::extract(const LeadInputs& inputs, std::vector<RawValue>& out) const {
  out.resize(spec_.features.size());
  for (std::size_t i = 0; i < spec_.features.size(); ++i) {
    out[i] = lead_value(spec_.features[i], accessors_[i], inputs);
  }
}

void FeatureEncoder::encode(std::span<const RawValue> raw, std::span<float> out) const {
  for (std::size_t i = 0; i < spec_.features.size(); ++i) {
    const FeatureDef& f = spec_.features[i];
    float* dst = out.data() + offsets_[i];
    const RawValue& v = raw[i];
    switch (f.kind) {
      case FeatureKind::kNumeric:
        *dst = static_cast<float>(v.number);
        break;
      case FeatureKind::kCategorical: {
        std::fill_n(dst, f.width(), 0.0f);
        if (v.text.empty()) {
          break;
        }
        const auto it = category_index_[i].find(std::string_view(v.text));
        dst[it != category_index_[i].end() ? it->second : f.categories.size()] = 1.0f;
        break;
      }
      case FeatureKind::kMonth:
        *dst = std::isnan(v.number) ? std::numeric_limits<float>::quiet_NaN()
                                    : static_cast<float>(static_cast<unsigned>(
                                          date::year_month_day{day_of(v.number)}.month()));
        break;
      case FeatureKind::kWeekday:
        *dst = std::isnan(v.number)
                   ? std::numeric_limits<float>::quiet_NaN()
                   : static_cast<float>(date::weekday{day_of(v.number)}.c_encoding());
        break;
    }
  }
}

std::vector<float> FeatureEncoder::encode_table(const CsvTable& table,
                                                const CsvBinding& binding) const {
  std::vector<float> matrix(table.rows() * width_);
  std::vector<RawValue> raw;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    extract(table, binding, r, raw);
    encode(raw, std::span<float>(matrix.data() + r * width_, width_));
  }
  return matrix;
}

std::string FeatureEncoder::describe(std::size_t feature, const RawValue& raw) const {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  const FeatureDef& f = spec_.features[feature];
  switch (f.kind) {
    case FeatureKind::kNumeric:
      return std::isnan(raw.number) ? "(missing)" : fmt::format("{}", raw.number);
    case FeatureKind::kCategorical:
      if (raw.text.empty()) {
        return "(missing)";
      }
      if (!category_index_[feature].contains(std::string_view(raw.text))) {
        return raw.text + " (rare)";
      }
      return raw.text;
    case FeatureKind::kMonth: {
      if (std::isnan(raw.number)) {
        return "(missing)";
      }
      const unsigned m = static_cast<unsigned>(date::year_month_day{day_of(raw.number)}.month());
      return kMonths[m - 1];
    }
    case FeatureKind::kWeekday:
      if (std::isnan(raw.number)) {
        return "(missing)";
      }
      return kWeekdays[date::weekday{day_of(raw.number)}.c_encoding()];
  }
  return "";
}

}  // namespace leadrouter::model
