#include "core/model/feature_encoder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "core/model/feature_spec.hpp"

namespace leadrouter::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Timestamp at(std::string_view iso) {
  return *parse_iso8601(iso);
}

CsvTable table_of(std::string_view text) {
  auto t = CsvTable::parse(text, {}, "t.csv");
  EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().message);
  return std::move(*t);
}

std::vector<std::size_t> all_rows(const CsvTable& t) {
  std::vector<std::size_t> rows(t.rows());
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return rows;
}

// lead_source: Web x3, Referral x2, Event x1 -> with min count 2, Event is rare.
constexpr std::string_view kCsv =
    "id,lead_source,employees,created_at,y\n"
    "1,Web,10,2024-03-04,0\n"
    "2,Web,,2024-03-05,1\n"
    "3,Referral,250,2024-04-01,1\n"
    "4,Web,40,2024-05-10,0\n"
    "5,Referral,5,,0\n"
    "6,Event,60,2024-06-01,1\n";

FeatureSpec fitted_spec(const CsvTable& t) {
  SpecFitOptions options;
  options.exclude = {"id", "y"};
  options.min_category_count = 2;
  auto fit = fit_feature_spec(t, options, all_rows(t));
  EXPECT_TRUE(fit.has_value()) << (fit ? "" : fit.error().message);
  return fit->spec;
}

TEST(FeatureSpec, FitBuildsOneFeaturePerColumnAndBucketsRareValues) {
  const CsvTable t = table_of(kCsv);
  const FeatureSpec spec = fitted_spec(t);
  ASSERT_EQ(spec.features.size(), 4u);
  EXPECT_EQ(spec.features[0].source, "lead_source");
  EXPECT_EQ(spec.features[0].name, "Lead Source");
  EXPECT_EQ(spec.features[0].kind, FeatureKind::kCategorical);
  // Most frequent first; Event (1 row) is below the minimum count.
  EXPECT_THAT(spec.features[0].categories, ElementsAre("Web", "Referral"));
  EXPECT_EQ(spec.features[1].kind, FeatureKind::kNumeric);
  EXPECT_EQ(spec.features[2].kind, FeatureKind::kMonth);
  EXPECT_EQ(spec.features[3].kind, FeatureKind::kWeekday);
  EXPECT_EQ(spec.width(), 3u + 1u + 1u + 1u);
  EXPECT_THAT(spec.column_names(),
              ElementsAre("lead_source=Web", "lead_source=Referral", "lead_source=(other)",
                          "employees", "created_at.month", "created_at.weekday"));
}

TEST(FeatureSpec, FitLearnsCategoriesOnlyFromTheGivenRows) {
  const CsvTable t = table_of(kCsv);
  SpecFitOptions options;
  options.exclude = {"id", "y", "employees", "created_at"};
  options.min_category_count = 1;
  const std::vector<std::size_t> rows = {0, 1, 3};  // only Web rows
  auto fit = fit_feature_spec(t, options, rows);
  ASSERT_TRUE(fit.has_value());
  EXPECT_THAT(fit->spec.features[0].categories, ElementsAre("Web"));
}

TEST(FeatureSpec, ColumnsWithoutUsableValuesAreDroppedWithAReason) {
  const CsvTable t = table_of("id,empty,x,y\na,,1,0\nb,,2,1\n");
  SpecFitOptions options;
  options.exclude = {"y"};
  options.min_category_count = 2;
  auto fit = fit_feature_spec(t, options, all_rows(t));
  ASSERT_TRUE(fit.has_value());
  ASSERT_EQ(fit->spec.features.size(), 1u);
  EXPECT_EQ(fit->spec.features[0].source, "x");
  ASSERT_EQ(fit->dropped.size(), 2u);
  EXPECT_THAT(fit->dropped[0], HasSubstr("id: no value occurs in 2 or more"));
  EXPECT_THAT(fit->dropped[1], HasSubstr("empty: no value occurs"));
}

TEST(FeatureSpec, UnknownExcludedColumnIsAnError) {
  const CsvTable t = table_of(kCsv);
  SpecFitOptions options;
  options.exclude = {"duration"};
  auto fit = fit_feature_spec(t, options, all_rows(t));
  ASSERT_FALSE(fit.has_value());
  EXPECT_THAT(fit.error().message, HasSubstr("excluded column 'duration' is not in the header"));
}

TEST(FeatureSpec, JsonRoundTripKeepsEverything) {
  FeatureSpec spec = fitted_spec(table_of(kCsv));
  spec.engagement_half_life_days = 3.5;
  spec.min_category_count = 7;
  auto back = FeatureSpec::from_json(spec.to_json());
  ASSERT_TRUE(back.has_value()) << format_errors(back.error());
  EXPECT_EQ(back->to_json(), spec.to_json());
  EXPECT_EQ(back->engagement_half_life_days, 3.5);
  EXPECT_EQ(back->min_category_count, 7u);
  ASSERT_EQ(back->features.size(), spec.features.size());
  EXPECT_EQ(back->features[0].categories, spec.features[0].categories);
}

TEST(FeatureSpec, JsonValidationNamesEveryBadPath) {
  auto bad = FeatureSpec::from_json(
      R"({"format_version":1,"extra":1,"features":[{"name":"A","source":"a","kind":"weird"},)"
      R"({"name":"B","source":"b","kind":"categorical"},)"
      R"({"name":"C","source":"c","kind":"numeric","categories":[]},)"
      R"({"name":"","source":"d","kind":"numeric"}]})");
  ASSERT_FALSE(bad.has_value());
  const std::string text = format_errors(bad.error());
  EXPECT_THAT(text, HasSubstr("/extra"));
  EXPECT_THAT(text, HasSubstr("/features/0/kind"));
  EXPECT_THAT(text, HasSubstr("/features/1/categories"));
  EXPECT_THAT(text, HasSubstr("/features/2/categories"));
  EXPECT_THAT(text, HasSubstr("/features/3/name"));
  EXPECT_FALSE(FeatureSpec::from_json("{not json").has_value());
  EXPECT_FALSE(FeatureSpec::from_json(R"({"format_version":2,"features":[]})").has_value());
}

TEST(FeatureSpec, ReadableNames) {
  EXPECT_EQ(readable_name("lead_source"), "Lead Source");
  EXPECT_EQ(readable_name("custom.job_title"), "Job Title");
  EXPECT_EQ(readable_name("emp.var.rate"), "Emp Var Rate");
}

TEST(FeatureEncoder, EncodesCsvRowsWithMissingRareAndDateValues) {
  const CsvTable t = table_of(kCsv);
  const FeatureEncoder encoder(fitted_spec(t));
  auto binding = encoder.bind(t);
  ASSERT_TRUE(binding.has_value());
  const std::vector<float> m = encoder.encode_table(t, *binding);
  ASSERT_EQ(m.size(), 6u * 6u);
  auto row = [&](std::size_t r) {
    return std::vector<float>(m.begin() + static_cast<std::ptrdiff_t>(r * 6),
                              m.begin() + static_cast<std::ptrdiff_t>(r * 6 + 6));
  };
  // 2024-03-04 was a Monday.
  EXPECT_THAT(row(0), ElementsAre(1, 0, 0, 10, 3, 1));
  // Missing employees -> NaN (XGBoost's missing value).
  EXPECT_TRUE(std::isnan(row(1)[3]));
  EXPECT_THAT(row(2), ElementsAre(0, 1, 0, 250, 4, 1));
  // Missing date -> NaN month and weekday.
  EXPECT_TRUE(std::isnan(row(4)[4]));
  EXPECT_TRUE(std::isnan(row(4)[5]));
  // Rare value -> the (other) column.
  EXPECT_THAT(row(5), ElementsAre(0, 0, 1, 60, 6, 6));
}

TEST(FeatureEncoder, UnseenAndMissingCategories) {
  FeatureSpec spec;
  spec.features.push_back({"Job", "job", FeatureKind::kCategorical, {"admin", "tech"}});
  const FeatureEncoder encoder(spec);
  std::vector<float> x(3);
  encoder.encode(std::vector<RawValue>{RawValue{kNaN, "astronaut"}}, x);
  EXPECT_THAT(x, ElementsAre(0, 0, 1));
  encoder.encode(std::vector<RawValue>{RawValue{kNaN, ""}}, x);
  EXPECT_THAT(x, ElementsAre(0, 0, 0));
  encoder.encode(std::vector<RawValue>{RawValue{kNaN, "tech"}}, x);
  EXPECT_THAT(x, ElementsAre(0, 1, 0));
  EXPECT_EQ(encoder.describe(0, RawValue{kNaN, "astronaut"}), "astronaut (rare)");
  EXPECT_EQ(encoder.describe(0, RawValue{kNaN, ""}), "(missing)");
  EXPECT_EQ(encoder.describe(0, RawValue{kNaN, "tech"}), "tech");
}

TEST(FeatureEncoder, MissingCsvColumnIsAnError) {
  const CsvTable t = table_of(kCsv);
  const FeatureEncoder encoder(fitted_spec(t));
  const CsvTable other = table_of("lead_source,y\nWeb,1\n");
  auto binding = encoder.bind(other);
  ASSERT_FALSE(binding.has_value());
  EXPECT_THAT(binding.error().message, HasSubstr("needs column(s) employees, created_at"));
}

TEST(FeatureEncoder, NumbersInACategoricalCsvColumnStillEncode) {
  // Training saw employees as numeric; a later file with "n/a" makes the
  // column categorical, yet the numeric feature still reads its numbers.
  const CsvTable t = table_of(kCsv);
  const FeatureEncoder encoder(fitted_spec(t));
  const CsvTable later = table_of("lead_source,employees,created_at\nWeb,n/a,\nWeb,12,\n");
  auto binding = encoder.bind(later);
  ASSERT_TRUE(binding.has_value());
  const std::vector<float> m = encoder.encode_table(later, *binding);
  EXPECT_TRUE(std::isnan(m[3]));
  EXPECT_EQ(m[6 + 3], 12);
}

TEST(FeatureEncoder, LeadFieldsCustomFieldsAndDerivedFactsMatchCsvEncoding) {
  FeatureSpec spec;
  spec.engagement_half_life_days = 1;
  spec.features = {
      {"Lead Source", "lead_source", FeatureKind::kCategorical, {"Web", "Referral"}},
      {"Employees", "employees", FeatureKind::kNumeric, {}},
      {"Created (month)", "created_at", FeatureKind::kMonth, {}},
      {"Job", "job", FeatureKind::kCategorical, {"admin"}},
      {"Age", "custom.age", FeatureKind::kNumeric, {}},
      {"Free Mail", "is_free_mail", FeatureKind::kNumeric, {}},
      {"Account", "has_matched_account", FeatureKind::kNumeric, {}},
      {"Demos", "events.demo_request.count", FeatureKind::kNumeric, {}},
      {"Demos (decayed)", "events.demo_request.decayed", FeatureKind::kNumeric, {}},
      {"Country", "country", FeatureKind::kCategorical, {"DE"}},
  };
  const FeatureEncoder encoder(spec);
  ASSERT_EQ(encoder.width(), 3u + 1 + 1 + 2 + 1 + 1 + 1 + 1 + 1 + 2);

  core::Lead lead;
  lead.lead_source = "Referral";
  lead.employees = 250;
  lead.created_at = at("2024-04-01T10:00:00Z");
  lead.custom = {{"job", "admin"}, {"age", "41"}};
  const Timestamp now = at("2024-04-03T00:00:00Z");
  lead.events = {{"demo_request", at("2024-04-02T00:00:00Z")},  // 1 day (one half-life) old
                 {"demo_request", at("2024-04-03T00:00:00Z")},  // now
                 {"demo_request", at("2024-04-05T00:00:00Z")},  // future: ignored
                 {"email_click", at("2024-04-02T00:00:00Z")}};
  core::LeadFacts facts;
  facts.email_domain = "gmail.com";
  facts.is_free_mail = true;
  core::Enrichment enrichment;
  enrichment.account = core::AccountMatch{"A1", "Acme", "U1", 1.0, "email domain"};

  std::vector<RawValue> raw;
  encoder.extract(LeadInputs{lead, facts, enrichment, now}, raw);
  std::vector<float> x(encoder.width());
  encoder.encode(raw, x);
  EXPECT_THAT(std::vector<float>(x.begin(), x.begin() + 9),
              ElementsAre(0, 1, 0, 250, 4, 1, 0, 41, 1));
  EXPECT_EQ(x[9], 1);            // matched account
  EXPECT_EQ(x[10], 2);           // demo requests up to now
  EXPECT_FLOAT_EQ(x[11], 1.5f);  // 0.5 + 1
  EXPECT_EQ(x[12], 0);           // country missing: no column set
  EXPECT_EQ(x[13], 0);

  // The same values through a CSV produce the same vector.
  const CsvTable t = table_of(
      "lead_source,employees,created_at,job,custom.age,is_free_mail,has_matched_account,"
      "events.demo_request.count,events.demo_request.decayed,country\n"
      "Referral,250,2024-04-01T10:00:00Z,admin,41,1,1,2,1.5,\n");
  auto binding = encoder.bind(t);
  ASSERT_TRUE(binding.has_value());
  EXPECT_EQ(encoder.encode_table(t, *binding), x);
}

TEST(FeatureEncoder, LeadWithoutEmailHasNoFreeMailFact) {
  FeatureSpec spec;
  spec.features = {{"Free Mail", "is_free_mail", FeatureKind::kNumeric, {}}};
  const FeatureEncoder encoder(spec);
  const core::Lead lead;
  const core::LeadFacts facts;
  const core::Enrichment enrichment;
  std::vector<RawValue> raw;
  encoder.extract(LeadInputs{lead, facts, enrichment, Timestamp{}}, raw);
  EXPECT_TRUE(std::isnan(raw[0].number));
}

}  // namespace
}  // namespace leadrouter::model
