#include "core/model/drift.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace leadrouter::model {

namespace {

constexpr std::size_t kBins = 10;
constexpr double kFloor = 1e-4;

bool is_categorical(FeatureKind kind) {
  return kind == FeatureKind::kCategorical;
}

// Decile edges of the values, duplicates removed (a column with few distinct
// values gets fewer buckets).
std::vector<double> decile_edges(std::vector<double> values) {
  std::vector<double> edges;
  if (values.empty()) {
    return edges;
  }
  std::ranges::sort(values);
  for (std::size_t i = 1; i < kBins; ++i) {
    const double edge = values[std::min(values.size() - 1, i * values.size() / kBins)];
    if (edges.empty() || edge > edges.back()) {
      edges.push_back(edge);
    }
  }
  return edges;
}

std::size_t numeric_bucket(const std::vector<double>& edges, double value) {
  if (std::isnan(value)) {
    return edges.size() + 1;
  }
  return static_cast<std::size_t>(std::ranges::upper_bound(edges, value) - edges.begin());
}

std::size_t category_bucket(const std::vector<std::string>& categories, const std::string& text) {
  if (text.empty()) {
    return categories.size() + 1;
  }
  const auto it = std::ranges::find(categories, text);
  return static_cast<std::size_t>(it - categories.begin());  // == size(): "(other)"
}

std::size_t bucket_count(const BucketProfile& p) {
  return (p.categorical ? p.categories.size() : p.edges.size()) + 2;
}

std::size_t bucket_of(const BucketProfile& p, const RawValue& raw) {
  return p.categorical ? category_bucket(p.categories, raw.text)
                       : numeric_bucket(p.edges, raw.number);
}

std::vector<double> normalize(std::vector<double> counts) {
  double total = 0;
  for (double c : counts) {
    total += c;
  }
  if (total > 0) {
    for (double& c : counts) {
      c /= total;
    }
  }
  return counts;
}

BucketProfile score_profile(std::span<const double> scores) {
  BucketProfile p;
  p.name = "score";
  p.edges = decile_edges({scores.begin(), scores.end()});
  std::vector<double> counts(bucket_count(p), 0);
  for (double s : scores) {
    ++counts[numeric_bucket(p.edges, s)];
  }
  p.fractions = normalize(std::move(counts));
  return p;
}

Error bad_profile(const std::string& path, const std::string& reason) {
  return Error::invalid_input(fmt::format("model file: /training_profile{}: {}", path, reason));
}

std::expected<std::vector<double>, Error> numbers(const rapidjson::Value& v, const char* key,
                                                  const std::string& path) {
  const auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsArray()) {
    return std::unexpected(bad_profile(path + "/" + key, "required array of numbers"));
  }
  std::vector<double> out;
  for (const auto& x : it->value.GetArray()) {
    if (!x.IsNumber()) {
      return std::unexpected(bad_profile(path + "/" + key, "must hold numbers"));
    }
    out.push_back(x.GetDouble());
  }
  return out;
}

std::expected<BucketProfile, Error> bucket_profile_from(const rapidjson::Value& v,
                                                        const std::string& path) {
  if (!v.IsObject()) {
    return std::unexpected(bad_profile(path, "must be an object"));
  }
  BucketProfile p;
  for (auto [key, target] : {std::pair{"name", &p.name}, std::pair{"source", &p.source}}) {
    const auto it = v.FindMember(key);
    if (it == v.MemberEnd() || !it->value.IsString()) {
      return std::unexpected(bad_profile(path + "/" + key, "required string"));
    }
    *target = it->value.GetString();
  }
  if (const auto it = v.FindMember("categories"); it != v.MemberEnd()) {
    if (!it->value.IsArray()) {
      return std::unexpected(bad_profile(path + "/categories", "must be an array of strings"));
    }
    p.categorical = true;
    for (const auto& c : it->value.GetArray()) {
      if (!c.IsString()) {
        return std::unexpected(bad_profile(path + "/categories", "must hold strings"));
      }
      p.categories.emplace_back(c.GetString());
    }
  } else {
    auto edges = numbers(v, "edges", path);
    if (!edges) {
      return std::unexpected(edges.error());
    }
    p.edges = std::move(*edges);
  }
  auto fractions = numbers(v, "fractions", path);
  if (!fractions) {
    return std::unexpected(fractions.error());
  }
  p.fractions = std::move(*fractions);
  if (p.fractions.size() != bucket_count(p)) {
    return std::unexpected(bad_profile(
        path + "/fractions",
        fmt::format("has {} buckets, expected {}", p.fractions.size(), bucket_count(p))));
  }
  return p;
}

// 12 significant digits: enough for any bucket edge or fraction, and few
// enough that the text parses back to the same double, so a model file
// serializes identically after a load.
double stored(double value) {
  return std::stod(fmt::format("{:.12g}", value));
}

rapidjson::Value bucket_profile_value(const BucketProfile& p,
                                      rapidjson::Document::AllocatorType& alloc) {
  rapidjson::Value v(rapidjson::kObjectType);
  v.AddMember("name", rapidjson::Value(p.name.c_str(), alloc), alloc);
  v.AddMember("source", rapidjson::Value(p.source.c_str(), alloc), alloc);
  if (p.categorical) {
    rapidjson::Value categories(rapidjson::kArrayType);
    for (const auto& c : p.categories) {
      categories.PushBack(rapidjson::Value(c.c_str(), alloc), alloc);
    }
    v.AddMember("categories", categories, alloc);
  } else {
    rapidjson::Value edges(rapidjson::kArrayType);
    for (double e : p.edges) {
      edges.PushBack(stored(e), alloc);
    }
    v.AddMember("edges", edges, alloc);
  }
  rapidjson::Value fractions(rapidjson::kArrayType);
  for (double f : p.fractions) {
    fractions.PushBack(stored(f), alloc);
  }
  v.AddMember("fractions", fractions, alloc);
  return v;
}

FeatureDrift compare(const BucketProfile& p, std::vector<double> recent_counts) {
  FeatureDrift d;
  d.name = p.name;
  d.source = p.source;
  d.training = p.fractions;
  d.recent = normalize(std::move(recent_counts));
  d.psi = population_stability_index(d.training, d.recent);
  return d;
}

}  // namespace

double population_stability_index(std::span<const double> expected,
                                  std::span<const double> actual) {
  double psi = 0;
  for (std::size_t i = 0; i < std::min(expected.size(), actual.size()); ++i) {
    const double e = std::max(expected[i], kFloor);
    const double a = std::max(actual[i], kFloor);
    psi += (a - e) * std::log(a / e);
  }
  return psi;
}

const char* drift_level(double psi) {
  if (psi < 0.1) {
    return "stable";
  }
  return psi < 0.25 ? "moderate" : "major";
}

rapidjson::Value TrainingProfile::to_value(rapidjson::Document::AllocatorType& alloc) const {
  rapidjson::Value v(rapidjson::kObjectType);
  v.AddMember("rows", static_cast<std::uint64_t>(rows), alloc);
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& f : features) {
    list.PushBack(bucket_profile_value(f, alloc), alloc);
  }
  v.AddMember("features", list, alloc);
  if (score) {
    v.AddMember("score", bucket_profile_value(*score, alloc), alloc);
  }
  return v;
}

std::expected<TrainingProfile, Error> TrainingProfile::from_value(const rapidjson::Value& value) {
  if (!value.IsObject()) {
    return std::unexpected(bad_profile("", "must be an object"));
  }
  TrainingProfile profile;
  const auto rows = value.FindMember("rows");
  if (rows == value.MemberEnd() || !rows->value.IsUint64()) {
    return std::unexpected(bad_profile("/rows", "required whole number"));
  }
  profile.rows = static_cast<std::size_t>(rows->value.GetUint64());
  const auto list = value.FindMember("features");
  if (list == value.MemberEnd() || !list->value.IsArray()) {
    return std::unexpected(bad_profile("/features", "required array"));
  }
  for (rapidjson::SizeType i = 0; i < list->value.Size(); ++i) {
    auto f = bucket_profile_from(list->value[i], fmt::format("/features/{}", i));
    if (!f) {
      return std::unexpected(f.error());
    }
    profile.features.push_back(std::move(*f));
  }
  if (const auto s = value.FindMember("score"); s != value.MemberEnd()) {
    auto score = bucket_profile_from(s->value, "/score");
    if (!score) {
      return std::unexpected(score.error());
    }
    profile.score = std::move(*score);
  }
  return profile;
}

TrainingProfile profile_training(const FeatureEncoder& encoder, const CsvTable& table,
                                 const FeatureEncoder::CsvBinding& binding,
                                 std::span<const std::size_t> rows,
                                 std::span<const double> scores) {
  const FeatureSpec& spec = encoder.spec();
  std::vector<std::vector<RawValue>> raw_rows;
  raw_rows.reserve(rows.size());
  std::vector<RawValue> raw;
  for (std::size_t r : rows) {
    encoder.extract(table, binding, r, raw);
    raw_rows.push_back(raw);
  }
  TrainingProfile profile;
  profile.rows = rows.size();
  for (std::size_t f = 0; f < spec.features.size(); ++f) {
    const FeatureDef& def = spec.features[f];
    BucketProfile p;
    p.name = def.name;
    p.source = def.source;
    p.categorical = is_categorical(def.kind);
    if (p.categorical) {
      p.categories = def.categories;
    } else {
      std::vector<double> values;
      for (const auto& row : raw_rows) {
        if (!std::isnan(row[f].number)) {
          values.push_back(row[f].number);
        }
      }
      p.edges = decile_edges(std::move(values));
    }
    std::vector<double> counts(bucket_count(p), 0);
    for (const auto& row : raw_rows) {
      ++counts[bucket_of(p, row[f])];
    }
    p.fractions = normalize(std::move(counts));
    profile.features.push_back(std::move(p));
  }
  if (!scores.empty()) {
    profile.score = score_profile(scores);
  }
  return profile;
}

std::expected<DriftReport, Error> measure_drift(const TrainingProfile& profile,
                                                const FeatureEncoder& encoder,
                                                const CsvTable& table,
                                                std::span<const double> scores) {
  const FeatureSpec& spec = encoder.spec();
  if (profile.features.size() != spec.features.size()) {
    return std::unexpected(
        Error::invalid_input(fmt::format("the training profile has {} features but the spec has {}",
                                         profile.features.size(), spec.features.size())));
  }
  auto binding = encoder.bind(table);
  if (!binding) {
    return std::unexpected(binding.error());
  }
  if (table.rows() == 0) {
    return std::unexpected(Error::invalid_input(fmt::format("{}: no rows", table.source_name())));
  }
  std::vector<std::vector<double>> counts;
  for (const auto& p : profile.features) {
    counts.emplace_back(bucket_count(p), 0);
  }
  std::vector<RawValue> raw;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    encoder.extract(table, *binding, r, raw);
    for (std::size_t f = 0; f < raw.size(); ++f) {
      ++counts[f][bucket_of(profile.features[f], raw[f])];
    }
  }
  DriftReport report;
  report.rows = table.rows();
  for (std::size_t f = 0; f < profile.features.size(); ++f) {
    report.features.push_back(compare(profile.features[f], std::move(counts[f])));
  }
  std::ranges::stable_sort(report.features, std::ranges::greater{}, &FeatureDrift::psi);
  if (profile.score && !scores.empty()) {
    std::vector<double> score_counts(bucket_count(*profile.score), 0);
    for (double s : scores) {
      ++score_counts[numeric_bucket(profile.score->edges, s)];
    }
    report.score = compare(*profile.score, std::move(score_counts));
  }
  return report;
}

}  // namespace leadrouter::model
