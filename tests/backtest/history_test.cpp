// Reading lead history and outcomes: CSV columns to lead fields, and errors
// that name the file, line and column.
#include "core/backtest/history.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace leadrouter::backtest {
namespace {

using ::testing::HasSubstr;

std::string all_errors(const ValidationErrors& errors) {
  return format_errors(errors);
}

TEST(BacktestHistoryCsv, MapsColumnsToLeadFieldsAndTheRestToCustom) {
  const std::string csv =
      "id,email,company,country,employees,annual_revenue,created_at,title,custom.plan,utm_source\n"
      "L1,ana@acme.de,\"Acme, GmbH\",DE,1200,5.5e7,2026-02-02T09:30:00Z,CTO,pro,google\n"
      "L2,bo@x.com,X,US,,,2026-02-03,,,\n";
  auto leads = leads_from_csv(csv, "h.csv");
  ASSERT_TRUE(leads) << all_errors(leads.error());
  ASSERT_EQ(leads->size(), 2U);
  const core::Lead& a = (*leads)[0];
  EXPECT_EQ(a.id, "L1");
  EXPECT_EQ(a.company, "Acme, GmbH");
  EXPECT_EQ(a.country, "DE");
  EXPECT_EQ(a.employees, 1200);
  EXPECT_EQ(a.annual_revenue, 5.5e7);
  EXPECT_EQ(a.title, "CTO");
  EXPECT_EQ(format_iso8601(*a.created_at), "2026-02-02T09:30:00Z");
  EXPECT_EQ(a.custom.at("plan"), "pro");
  EXPECT_EQ(a.custom.at("utm_source"), "google");
  const core::Lead& b = (*leads)[1];
  EXPECT_FALSE(b.employees.has_value());
  EXPECT_FALSE(b.annual_revenue.has_value());
  EXPECT_EQ(format_iso8601(*b.created_at), "2026-02-03T00:00:00Z");
  EXPECT_TRUE(b.custom.empty());
}

TEST(BacktestHistoryCsv, ErrorsNameLineAndColumnAndAreAllReported) {
  const std::string csv =
      "id,employees,created_at\n"
      "L1,many,2026-02-02T09:30:00Z\n"
      "L2,10,yesterday\n"
      "L3,10,\n"
      "L1,5,2026-02-02T10:00:00Z\n"
      ",5,2026-02-02T10:00:00Z\n";
  auto leads = leads_from_csv(csv, "h.csv");
  ASSERT_FALSE(leads);
  const std::string text = all_errors(leads.error());
  EXPECT_THAT(text, HasSubstr("h.csv:2: column 'employees'"));
  EXPECT_THAT(text, HasSubstr("'many'"));
  EXPECT_THAT(text, HasSubstr("h.csv:3: column 'created_at'"));
  EXPECT_THAT(text, HasSubstr("h.csv:4: column 'created_at'"));
  EXPECT_THAT(text, HasSubstr("created_at is missing"));
  EXPECT_THAT(text, HasSubstr("h.csv:5: column 'id': duplicate lead id 'L1' (first at h.csv:2)"));
  EXPECT_THAT(text, HasSubstr("h.csv:6: column 'id': the lead has no id"));
  EXPECT_EQ(leads.error().size(), 5U) << text;
}

TEST(BacktestHistoryCsv, HeaderProblemsAreReported) {
  auto no_created = leads_from_csv("id,email\nL1,a@b.c\n", "h.csv");
  ASSERT_FALSE(no_created);
  EXPECT_THAT(all_errors(no_created.error()), HasSubstr("no 'created_at' column"));
  auto ragged = leads_from_csv("id,created_at\nL1,2026-02-02,extra\n", "h.csv");
  ASSERT_FALSE(ragged);
  EXPECT_THAT(all_errors(ragged.error()), HasSubstr("h.csv:2"));
  auto empty = leads_from_csv("", "h.csv");
  ASSERT_FALSE(empty);
}

TEST(BacktestHistoryJsonl, ReadsLeadsAndNamesTheLineOfAMissingCreatedAt) {
  const std::string jsonl =
      "{\"id\":\"L1\",\"created_at\":\"2026-02-02T09:30:00Z\"}\n"
      "\n"
      "{\"id\":\"L2\"}\n"
      "{\"id\":\"L1\",\"created_at\":\"2026-02-02T09:30:00Z\"}\n"
      "{\"id\":\"L3\",\"employees\":\"x\",\"created_at\":\"2026-02-02T09:30:00Z\"}\n";
  auto leads = leads_from_jsonl(jsonl, "h.jsonl");
  ASSERT_FALSE(leads);
  const std::string text = all_errors(leads.error());
  EXPECT_THAT(text, HasSubstr("h.jsonl:3: /created_at"));
  EXPECT_THAT(text, HasSubstr("h.jsonl:4: /id"));
  EXPECT_THAT(text, HasSubstr("duplicate lead id 'L1' (first at h.jsonl:1)"));
  EXPECT_THAT(text, HasSubstr("h.jsonl:5: /employees"));

  auto good = leads_from_jsonl("{\"id\":\"L1\",\"created_at\":\"2026-02-02T09:30:00Z\"}\n", "h");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->size(), 1U);
  EXPECT_FALSE(leads_from_jsonl("\n\n", "h"));
}

TEST(BacktestOutcomes, CsvAndJsonlAcceptTheUsualSpellings) {
  auto csv = outcomes_from_csv("lead_id,converted\nA,true\nB,0\nC,YES\nD,False\n", "o.csv");
  ASSERT_TRUE(csv) << all_errors(csv.error());
  EXPECT_EQ(*csv, (Outcomes{{"A", true}, {"B", false}, {"C", true}, {"D", false}}));
  auto jsonl = outcomes_from_jsonl(
      "{\"lead_id\":\"A\",\"converted\":true}\n{\"lead_id\":\"B\",\"converted\":0}\n"
      "{\"lead_id\":\"C\",\"converted\":\"1\"}\n",
      "o.jsonl");
  ASSERT_TRUE(jsonl) << all_errors(jsonl.error());
  EXPECT_EQ(*jsonl, (Outcomes{{"A", true}, {"B", false}, {"C", true}}));
}

TEST(BacktestOutcomes, BadValuesAndDuplicatesAreErrorsWithTheirLine) {
  auto csv = outcomes_from_csv("lead_id,converted\nA,maybe\nB,1\nB,0\n", "o.csv");
  ASSERT_FALSE(csv);
  const std::string text = all_errors(csv.error());
  EXPECT_THAT(text, HasSubstr("o.csv:2: column 'converted'"));
  EXPECT_THAT(text, HasSubstr("o.csv:4: column 'lead_id'"));
  auto header = outcomes_from_csv("id,won\nA,1\n", "o.csv");
  ASSERT_FALSE(header);
  EXPECT_THAT(all_errors(header.error()), HasSubstr("'lead_id' and 'converted'"));
  auto jsonl = outcomes_from_jsonl("{\"lead_id\":\"A\",\"converted\":2}\nnot json\n", "o.jsonl");
  ASSERT_FALSE(jsonl);
  EXPECT_THAT(all_errors(jsonl.error()), HasSubstr("o.jsonl:1: /converted"));
  EXPECT_THAT(all_errors(jsonl.error()), HasSubstr("o.jsonl:2"));
}

TEST(BacktestHistory, CsvPathsAreRecognisedByExtension) {
  EXPECT_TRUE(is_csv_path("history.csv"));
  EXPECT_TRUE(is_csv_path("HISTORY.CSV"));
  EXPECT_FALSE(is_csv_path("history.jsonl"));
  EXPECT_FALSE(is_csv_path("csv"));
}

}  // namespace
}  // namespace leadrouter::backtest
