#include "core/model/csv_table.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace leadrouter::model {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

CsvTable parse_ok(std::string_view text, const CsvTable::Options& options = {}) {
  auto table = CsvTable::parse(text, options, "t.csv");
  EXPECT_TRUE(table.has_value()) << (table ? "" : table.error().message);
  return table ? std::move(*table) : CsvTable{};
}

std::string parse_error(std::string_view text, const CsvTable::Options& options = {}) {
  auto table = CsvTable::parse(text, options, "t.csv");
  EXPECT_FALSE(table.has_value());
  return table ? "" : table.error().message;
}

TEST(CsvTable, ParsesCommaSeparatedWithInferredTypes) {
  const CsvTable t = parse_ok("age,job,signed_up\n30,admin,2024-01-05\n41,,2024-02-10\n,tech,\n");
  ASSERT_EQ(t.rows(), 3u);
  ASSERT_EQ(t.columns(), 3u);
  EXPECT_EQ(t.type(0), ColumnType::kNumeric);
  EXPECT_EQ(t.type(1), ColumnType::kCategorical);
  EXPECT_EQ(t.type(2), ColumnType::kDate);
  EXPECT_DOUBLE_EQ(t.number(1, 0), 41);
  EXPECT_TRUE(std::isnan(t.number(2, 0)));
  EXPECT_EQ(t.text(1, 1), "");
  EXPECT_EQ(t.text(2, 1), "tech");
  EXPECT_DOUBLE_EQ(t.seconds(0, 2), 1704412800);  // 2024-01-05T00:00:00Z
  EXPECT_TRUE(std::isnan(t.seconds(2, 2)));
}

TEST(CsvTable, DetectsSemicolonsAndQuotedFieldsLikeTheUciFile) {
  const CsvTable t = parse_ok(
      "\"age\";\"job\";\"note\";\"y\"\r\n56;\"housemaid\";\"a;b, \"\"quoted\"\"\";\"no\"\r\n"
      "57;\"line\nbreak\";\"\";\"yes\"\r\n");
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.column_names(), (std::vector<std::string>{"age", "job", "note", "y"}));
  EXPECT_EQ(t.text(0, 2), "a;b, \"quoted\"");
  EXPECT_EQ(t.text(1, 1), "line\nbreak");
  EXPECT_EQ(t.line_of(0), 2u);
  EXPECT_EQ(t.line_of(1), 3u);
  EXPECT_EQ(t.type(0), ColumnType::kNumeric);
}

TEST(CsvTable, SkipsBlankLinesAndByteOrderMark) {
  const CsvTable t = parse_ok(
      "\xEF\xBB\xBF"
      "a,b\n\n1,2\n\n");
  ASSERT_EQ(t.rows(), 1u);
  EXPECT_EQ(t.column_names()[0], "a");
  EXPECT_EQ(t.line_of(0), 3u);
}

TEST(CsvTable, TypeOverrideMakesNumbersCategorical) {
  CsvTable::Options options;
  options.type_overrides["code"] = ColumnType::kCategorical;
  const CsvTable t = parse_ok("code,n\n01,1\n2,2\n", options);
  EXPECT_EQ(t.type(0), ColumnType::kCategorical);
  EXPECT_EQ(t.text(0, 0), "01");
}

TEST(CsvTable, ExplicitDelimiterWins) {
  CsvTable::Options options;
  options.delimiter = '|';
  const CsvTable t = parse_ok("a|b,c\n1|x,y\n", options);
  EXPECT_EQ(t.column_names(), (std::vector<std::string>{"a", "b,c"}));
}

TEST(CsvTable, EmptyFileIsAnError) {
  EXPECT_THAT(parse_error(""), HasSubstr("t.csv: the file is empty"));
  EXPECT_THAT(parse_error("\n\n"), HasSubstr("empty"));
}

TEST(CsvTable, HeaderWithoutRowsIsAnError) {
  EXPECT_THAT(parse_error("a,b\n"), HasSubstr("header but no data rows"));
}

TEST(CsvTable, RaggedRowNamesItsLine) {
  const std::string message = parse_error("a,b,c\n1,2,3\n4,5\n6,7,8\n");
  EXPECT_THAT(message, HasSubstr("t.csv:3:"));
  EXPECT_THAT(message, HasSubstr("2 fields but the header has 3 columns"));
}

TEST(CsvTable, TextInAForcedNumericColumnNamesLineAndColumn) {
  CsvTable::Options options;
  options.type_overrides["age"] = ColumnType::kNumeric;
  const std::string message = parse_error("age,job\n30,a\nthirty,b\n40,c\n", options);
  EXPECT_THAT(message, HasSubstr("t.csv:3: column 'age' is numeric but holds 'thirty'"));
}

TEST(CsvTable, ReportsAtMostFiveBadCellsAndCountsTheRest) {
  CsvTable::Options options;
  options.type_overrides["n"] = ColumnType::kNumeric;
  std::string text = "n\n";
  for (int i = 0; i < 8; ++i) {
    text += "x\n";
  }
  const std::string message = parse_error(text, options);
  EXPECT_THAT(message, HasSubstr("t.csv:6:"));
  EXPECT_THAT(message, Not(HasSubstr("t.csv:7:")));
  EXPECT_THAT(message, HasSubstr("and 3 more"));
}

TEST(CsvTable, TextInAForcedDateColumnIsAnError) {
  CsvTable::Options options;
  options.type_overrides["when"] = ColumnType::kDate;
  EXPECT_THAT(parse_error("when\n2024-01-01\nyesterday\n", options),
              HasSubstr("t.csv:3: column 'when' is date but holds 'yesterday'"));
}

TEST(CsvTable, OverrideOfUnknownColumnIsAnError) {
  CsvTable::Options options;
  options.type_overrides["nope"] = ColumnType::kNumeric;
  EXPECT_THAT(parse_error("a\n1\n", options), HasSubstr("'nope', which is not in the header"));
}

TEST(CsvTable, UnclosedQuoteNamesItsLine) {
  EXPECT_THAT(parse_error("a,b\n1,\"open\n2,3\n"),
              HasSubstr("t.csv:2: quoted field 2 is never closed"));
}

TEST(CsvTable, TextAfterClosingQuoteIsAnError) {
  EXPECT_THAT(parse_error("a,b\n1,\"x\"y\n"), HasSubstr("t.csv:2: field 2 has text after"));
}

TEST(CsvTable, DuplicateAndEmptyHeaderNamesAreErrors) {
  EXPECT_THAT(parse_error("a,a\n1,2\n"), HasSubstr("column 'a' appears twice"));
  EXPECT_THAT(parse_error("a,\n1,2\n"), HasSubstr("column 2 of the header has no name"));
}

TEST(CsvTable, ParseNumberAcceptsOnlyWholeFiniteNumbers) {
  EXPECT_EQ(parse_number(" 1.5 "), 1.5);
  EXPECT_EQ(parse_number("+3"), 3.0);
  EXPECT_EQ(parse_number("-1e3"), -1000.0);
  EXPECT_FALSE(parse_number("1.5x"));
  EXPECT_FALSE(parse_number(""));
  EXPECT_FALSE(parse_number("inf"));
  EXPECT_FALSE(parse_number("nan"));
}

}  // namespace
}  // namespace leadrouter::model
