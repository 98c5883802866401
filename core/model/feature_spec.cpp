#include "core/model/feature_spec.hpp"

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/text.hpp"

namespace leadrouter::model {
namespace {

std::optional<FeatureKind> kind_from_string(std::string_view text) {
  for (const auto kind : {FeatureKind::kNumeric, FeatureKind::kCategorical, FeatureKind::kMonth,
                          FeatureKind::kWeekday}) {
    if (text == to_string(kind)) {
      return kind;
    }
  }
  return std::nullopt;
}

rapidjson::Value str(std::string_view s, rapidjson::Document::AllocatorType& alloc) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
}

}  // namespace

const char* to_string(FeatureKind kind) {
  switch (kind) {
    case FeatureKind::kNumeric:
      return "numeric";
    case FeatureKind::kCategorical:
      return "categorical";
    case FeatureKind::kMonth:
      return "month";
    case FeatureKind::kWeekday:
      return "weekday";
  }
  return "unknown";
}

std::size_t FeatureSpec::width() const {
  std::size_t total = 0;
  for (const auto& f : features) {
    total += f.width();
  }
  return total;
}

std::vector<std::string> FeatureSpec::column_names() const {
  std::vector<std::string> names;
  names.reserve(width());
  for (const auto& f : features) {
    switch (f.kind) {
      case FeatureKind::kNumeric:
        names.push_back(f.source);
        break;
      case FeatureKind::kCategorical:
        for (const auto& c : f.categories) {
          names.push_back(fmt::format("{}={}", f.source, c));
        }
        names.push_back(fmt::format("{}={}", f.source, kOtherCategory));
        break;
      case FeatureKind::kMonth:
        names.push_back(f.source + ".month");
        break;
      case FeatureKind::kWeekday:
        names.push_back(f.source + ".weekday");
        break;
    }
  }
  return names;
}

rapidjson::Value FeatureSpec::to_value(rapidjson::Document::AllocatorType& alloc) const {
  rapidjson::Value root(rapidjson::kObjectType);
  root.AddMember("format_version", kFormatVersion, alloc);
  root.AddMember("min_category_count", static_cast<std::uint64_t>(min_category_count), alloc);
  root.AddMember("engagement_half_life_days", engagement_half_life_days, alloc);
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& f : features) {
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("name", str(f.name, alloc), alloc);
    item.AddMember("source", str(f.source, alloc), alloc);
    item.AddMember("kind", rapidjson::StringRef(to_string(f.kind)), alloc);
    if (f.kind == FeatureKind::kCategorical) {
      rapidjson::Value cats(rapidjson::kArrayType);
      for (const auto& c : f.categories) {
        cats.PushBack(str(c, alloc), alloc);
      }
      item.AddMember("categories", cats, alloc);
    }
    list.PushBack(item, alloc);
  }
  root.AddMember("features", list, alloc);
  return root;
}

std::string FeatureSpec::to_json() const {
  rapidjson::Document doc;
  rapidjson::Value value = to_value(doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::expected<FeatureSpec, ValidationErrors> FeatureSpec::from_value(
    const rapidjson::Value& value) {
  ValidationErrors errors;
  if (!value.IsObject()) {
    return std::unexpected(ValidationErrors{{"", "the feature spec must be a JSON object"}});
  }
  FeatureSpec spec;
  static const std::set<std::string_view> kKnownKeys = {"format_version", "min_category_count",
                                                        "engagement_half_life_days", "features"};
  for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
    if (!kKnownKeys.contains(it->name.GetString())) {
      errors.push_back({fmt::format("/{}", it->name.GetString()), "unknown key"});
    }
  }
  const auto version = value.FindMember("format_version");
  if (version == value.MemberEnd() || !version->value.IsInt()) {
    errors.push_back({"/format_version", "required integer"});
  } else if (version->value.GetInt() != kFormatVersion) {
    errors.push_back({"/format_version", fmt::format("version {} is not supported (expected {})",
                                                     version->value.GetInt(), kFormatVersion)});
  }
  if (const auto m = value.FindMember("min_category_count"); m != value.MemberEnd()) {
    if (m->value.IsUint64()) {
      spec.min_category_count = static_cast<std::size_t>(m->value.GetUint64());
    } else {
      errors.push_back({"/min_category_count", "must be a non-negative integer"});
    }
  }
  if (const auto m = value.FindMember("engagement_half_life_days"); m != value.MemberEnd()) {
    if (m->value.IsNumber() && m->value.GetDouble() > 0) {
      spec.engagement_half_life_days = m->value.GetDouble();
    } else {
      errors.push_back({"/engagement_half_life_days", "must be a number greater than 0"});
    }
  }
  const auto features = value.FindMember("features");
  if (features == value.MemberEnd() || !features->value.IsArray()) {
    errors.push_back({"/features", "required array"});
    return std::unexpected(std::move(errors));
  }
  for (rapidjson::SizeType i = 0; i < features->value.Size(); ++i) {
    const auto& item = features->value[i];
    const std::string path = fmt::format("/features/{}", i);
    if (!item.IsObject()) {
      errors.push_back({path, "must be an object"});
      continue;
    }
    FeatureDef def;
    for (auto it = item.MemberBegin(); it != item.MemberEnd(); ++it) {
      const std::string_view key = it->name.GetString();
      if (key != "name" && key != "source" && key != "kind" && key != "categories") {
        errors.push_back({fmt::format("{}/{}", path, key), "unknown key"});
      }
    }
    bool complete = true;
    for (const auto* key : {"name", "source", "kind"}) {
      const auto m = item.FindMember(key);
      if (m == item.MemberEnd() || !m->value.IsString() || m->value.GetStringLength() == 0) {
        errors.push_back({fmt::format("{}/{}", path, key), "required non-empty string"});
        complete = false;
      }
    }
    if (!complete) {
      continue;
    }
    def.name = item["name"].GetString();
    def.source = item["source"].GetString();
    const auto kind = kind_from_string(item["kind"].GetString());
    if (!kind) {
      errors.push_back({path + "/kind", fmt::format("'{}' is not one of numeric, categorical, "
                                                    "month, weekday",
                                                    item["kind"].GetString())});
      continue;
    }
    def.kind = *kind;
    const auto cats = item.FindMember("categories");
    if (def.kind == FeatureKind::kCategorical) {
      if (cats == item.MemberEnd() || !cats->value.IsArray()) {
        errors.push_back({path + "/categories", "required array for a categorical feature"});
        continue;
      }
      std::set<std::string> seen;
      for (rapidjson::SizeType j = 0; j < cats->value.Size(); ++j) {
        if (!cats->value[j].IsString()) {
          errors.push_back({fmt::format("{}/categories/{}", path, j), "must be a string"});
          continue;
        }
        std::string c = cats->value[j].GetString();
        if (!seen.insert(c).second) {
          errors.push_back({fmt::format("{}/categories/{}", path, j),
                            fmt::format("duplicate category '{}'", c)});
          continue;
        }
        def.categories.push_back(std::move(c));
      }
    } else if (cats != item.MemberEnd()) {
      errors.push_back({path + "/categories", "only categorical features have categories"});
    }
    spec.features.push_back(std::move(def));
  }
  if (!errors.empty()) {
    return std::unexpected(std::move(errors));
  }
  return spec;
}

std::expected<FeatureSpec, ValidationErrors> FeatureSpec::from_json(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return std::unexpected(ValidationErrors{
        {fmt::format("offset {}", doc.GetErrorOffset()),
         fmt::format("invalid JSON: {}", rapidjson::GetParseError_En(doc.GetParseError()))}});
  }
  return from_value(doc);
}

std::string readable_name(std::string_view source) {
  if (source.starts_with("custom.")) {
    source.remove_prefix(7);
  }
  std::string out;
  bool word_start = true;
  for (const char c : source) {
    if (c == '_' || c == '.' || c == '-' || c == ' ') {
      if (!out.empty() && out.back() != ' ') {
        out.push_back(' ');
      }
      word_start = true;
      continue;
    }
    out.push_back(word_start ? ascii_upper(c) : c);
    word_start = false;
  }
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  return out.empty() ? std::string(source) : out;
}

std::expected<SpecFit, Error> fit_feature_spec(const CsvTable& table, const SpecFitOptions& options,
                                               std::span<const std::size_t> rows) {
  for (const auto& name : options.exclude) {
    if (!table.column_index(name)) {
      return std::unexpected(Error::invalid_input(
          fmt::format("{}: excluded column '{}' is not in the header", table.source_name(), name)));
    }
  }
  SpecFit fit;
  fit.spec.min_category_count = options.min_category_count;
  fit.spec.engagement_half_life_days = options.engagement_half_life_days;
  for (std::size_t c = 0; c < table.columns(); ++c) {
    const std::string& name = table.column_names()[c];
    if (std::ranges::find(options.exclude, name) != options.exclude.end()) {
      continue;
    }
    FeatureDef def;
    def.source = name;
    def.name = readable_name(name);
    switch (table.type(c)) {
      case ColumnType::kNumeric: {
        const bool any = std::ranges::any_of(
            rows, [&](std::size_t r) { return !std::isnan(table.number(r, c)); });
        if (!any) {
          fit.dropped.push_back(fmt::format("{}: empty in every training row", name));
          continue;
        }
        def.kind = FeatureKind::kNumeric;
        fit.spec.features.push_back(std::move(def));
        break;
      }
      case ColumnType::kDate: {
        def.kind = FeatureKind::kMonth;
        def.name = readable_name(name) + " (month)";
        fit.spec.features.push_back(def);
        def.kind = FeatureKind::kWeekday;
        def.name = readable_name(name) + " (weekday)";
        fit.spec.features.push_back(std::move(def));
        break;
      }
      case ColumnType::kCategorical: {
        std::map<std::string, std::size_t> counts;
        for (const std::size_t r : rows) {
          const std::string_view v = trim(table.text(r, c));
          if (!v.empty()) {
            ++counts[std::string(v)];
          }
        }
        std::vector<std::pair<std::string, std::size_t>> kept;
        for (auto& [value, count] : counts) {
          if (count >= options.min_category_count && value != kOtherCategory) {
            kept.emplace_back(value, count);
          }
        }
        if (kept.empty()) {
          fit.dropped.push_back(fmt::format("{}: no value occurs in {} or more training rows", name,
                                            options.min_category_count));
          continue;
        }
        // Most frequent first; ties by value so the order is deterministic.
        std::ranges::sort(kept, [](const auto& a, const auto& b) {
          return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        if (kept.size() > options.max_categories) {
          kept.resize(options.max_categories);
        }
        def.kind = FeatureKind::kCategorical;
        for (auto& [value, count] : kept) {
          def.categories.push_back(std::move(value));
        }
        fit.spec.features.push_back(std::move(def));
        break;
      }
    }
  }
  if (fit.spec.features.empty()) {
    return std::unexpected(Error::invalid_input(
        fmt::format("{}: no usable feature columns remain after exclusions", table.source_name())));
  }
  return fit;
}

}  // namespace leadrouter::model
