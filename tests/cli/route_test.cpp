// `leadrouter route` over the shipped examples and over broken inputs, run
// against the built binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "tests/cli/cli_process.hpp"

namespace leadrouter::cli_test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kPolicy = kExamples + "/policy.json";
const std::string kRoster = kExamples + "/roster.json";
const std::string kLeads = kExamples + "/leads.jsonl";

std::vector<std::string> route_args(const std::string& leads, const std::string& format) {
  return {"route", "--policy", kPolicy, "--roster", kRoster, "--leads", leads, "--format", format};
}

std::vector<std::string> lead_ids(const std::string& jsonl_path) {
  std::vector<std::string> ids;
  for (const auto& line : lines_of(read_all(jsonl_path))) {
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("id")) {
      ids.emplace_back(doc["id"].GetString());
    }
  }
  return ids;
}

TEST(CliRoute, ExamplesRouteAsJsonlOneDecisionPerLeadInOrder) {
  auto args = route_args(kLeads, "jsonl");
  args.insert(args.end(), {"--now", "2026-03-09T15:00:00Z"});
  const auto r = run_leadrouter(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;

  const auto ids = lead_ids(kLeads);
  ASSERT_EQ(ids.size(), 200U);
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), ids.size());
  int to_reps = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    rapidjson::Document d;
    d.Parse(lines[i].c_str());
    ASSERT_FALSE(d.HasParseError()) << "line " << i + 1 << ": " << lines[i];
    EXPECT_EQ(std::string(d["lead_id"].GetString()), ids[i]);
    EXPECT_EQ(std::string(d["decided_at"].GetString()), "2026-03-09T15:00:00Z");
    const std::string kind = d["assignee"]["kind"].GetString();
    EXPECT_TRUE(kind == "rep" || kind == "queue" || kind == "workflow") << kind;
    EXPECT_FALSE(std::string(d["assignee"]["id"].GetString()).empty()) << lines[i];
    EXPECT_FALSE(std::string(d["explanation"].GetString()).empty()) << lines[i];
    to_reps += kind == "rep" ? 1 : 0;
  }
  // The sample policy and roster are meant to keep most leads with people.
  EXPECT_GT(to_reps, 50);
}

TEST(CliRoute, SameInputsSameOutput) {
  auto args = route_args(kLeads, "jsonl");
  args.insert(args.end(), {"--now", "2026-03-06T10:00:00+01:00"});
  const auto first = run_leadrouter(args);
  const auto second = run_leadrouter(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, second.out);

  // Without --now each lead is routed at its created_at: still deterministic.
  const auto a = run_leadrouter(route_args(kLeads, "table"));
  const auto b = run_leadrouter(route_args(kLeads, "table"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

TEST(CliRoute, TableHasARowAndExplanationPerLeadAndASummary) {
  const auto r = run_leadrouter(route_args(kLeads, "table"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_THAT(lines[0], StartsWith("LEAD"));
  EXPECT_THAT(lines[0], HasSubstr("ASSIGNED TO"));
  for (const auto& id : lead_ids(kLeads)) {
    EXPECT_THAT(r.out, HasSubstr("\n" + id + " ")) << id;
  }
  EXPECT_THAT(r.out, HasSubstr("Summary: 200 leads routed"));
  EXPECT_THAT(r.out, HasSubstr("by tier:"));
}

TEST(CliRoute, WithoutNowEachLeadIsRoutedAtItsCreatedAt) {
  ScratchDir dir;
  const auto lines = lines_of(read_all(kLeads));
  // The second lead has no created_at: it is routed at the current time.
  const auto path =
      dir.write("two.jsonl", lines[0] + "\n" + R"({"id":"no-date","country":"US"})" + "\n");
  const auto r = run_leadrouter(route_args(path, "jsonl"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 2U);
  rapidjson::Document lead;
  lead.Parse(lines[0].c_str());
  rapidjson::Document first;
  first.Parse(out[0].c_str());
  EXPECT_EQ(std::string(first["decided_at"].GetString()),
            std::string(lead["created_at"].GetString()));
  rapidjson::Document second;
  second.Parse(out[1].c_str());
  EXPECT_GE(std::string(second["decided_at"].GetString()), std::string("2026-"));
}

TEST(CliRoute, TableAndJsonlAgree) {
  auto jsonl_args = route_args(kLeads, "jsonl");
  jsonl_args.insert(jsonl_args.end(), {"--now", "2026-03-09T15:00:00Z"});
  auto table_args = route_args(kLeads, "table");
  table_args.insert(table_args.end(), {"--now", "2026-03-09T15:00:00Z"});
  const auto jsonl = run_leadrouter(jsonl_args);
  const auto table = run_leadrouter(table_args);
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
  ASSERT_EQ(table.exit_code, 0) << table.err;
  const auto rows = lines_of(table.out);
  std::size_t row = 1;  // after the header
  for (const auto& line : lines_of(jsonl.out)) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    ASSERT_FALSE(d.HasParseError());
    const std::string id = d["lead_id"].GetString();
    const std::string kind = d["assignee"]["kind"].GetString();
    const std::string label = kind == "rep" ? d["assignee"]["name"].GetString()
                                            : kind + " " + d["assignee"]["id"].GetString();
    ASSERT_LT(row + 1, rows.size());
    EXPECT_THAT(rows[row], StartsWith(id + " "));
    if (label.size() <= 30) {  // longer labels are cut to the column width
      EXPECT_THAT(rows[row], HasSubstr("  " + label + " ")) << rows[row];
    }
    EXPECT_EQ(rows[row + 1], "    " + std::string(d["explanation"].GetString()));
    row += 2;
  }
}

TEST(CliRoute, BadLineStopsTheRunBeforeAnyDecision) {
  ScratchDir dir;
  const auto lines = lines_of(read_all(kLeads));
  std::string text = lines[0] + "\n" + lines[1] + "\n" + R"({"id":"x-3","employees":"many"})" +
                     "\n" + lines[3] + "\n";
  const auto path = dir.write("bad.jsonl", text);
  const auto r = run_leadrouter(route_args(path, "jsonl"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_THAT(r.err, HasSubstr(path + ":3: /employees: must be a number"));
  EXPECT_EQ(lines_of(r.err).size(), 1U) << r.err;
}

TEST(CliRoute, InvalidJsonNamesTheLine) {
  ScratchDir dir;
  const auto lines = lines_of(read_all(kLeads));
  const auto path = dir.write("broken.jsonl", lines[0] + "\n\n" + R"({"id": "a",)" + "\n");
  const auto r = run_leadrouter(route_args(path, "table"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_THAT(r.err, HasSubstr(path + ":3: invalid JSON"));
}

TEST(CliRoute, EveryBadLineIsReportedAtOnce) {
  ScratchDir dir;
  const auto path = dir.write("many.jsonl",
                              "{\"id\":\"a\"}\n"
                              "{\"id\":\"b\",\"colour\":\"red\"}\n"
                              "{\"id\":\"c\",\"created_at\":\"yesterday\"}\n"
                              "{\"id\":\"a\"}\n");
  const auto r = run_leadrouter(route_args(path, "table"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_THAT(r.err, HasSubstr(path + ": 3 problems"));
  EXPECT_THAT(r.err, HasSubstr(path + ":2: /colour: unknown key"));
  EXPECT_THAT(r.err, HasSubstr(path + ":3: /created_at: 'yesterday' is not an ISO 8601"));
  EXPECT_THAT(r.err, HasSubstr(path + ":4: /id: duplicate lead id 'a' (first on line 1)"));
}

TEST(CliRoute, EmptyLeadsFileIsAnError) {
  ScratchDir dir;
  const auto path = dir.write("empty.jsonl", "\n\n");
  const auto r = run_leadrouter(route_args(path, "table"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no leads"));
}

TEST(CliRoute, MissingFilesAreNamed) {
  const auto r = run_leadrouter(route_args("/nonexistent/leads.jsonl", "table"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot read /nonexistent/leads.jsonl"));

  const auto p = run_leadrouter(
      {"route", "--policy", "/nonexistent/p.json", "--roster", kRoster, "--leads", kLeads});
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_THAT(p.err, HasSubstr("cannot read /nonexistent/p.json"));

  const auto d = run_leadrouter(route_args(kExamples, "table"));
  EXPECT_EQ(d.exit_code, 2);
  EXPECT_THAT(d.err, HasSubstr("cannot read " + kExamples + ": is a directory"));

  auto args = route_args(kLeads, "table");
  args.insert(args.end(), {"--free-mail", "/nonexistent/free.txt"});
  const auto f = run_leadrouter(args);
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_THAT(f.err, HasSubstr("/nonexistent/free.txt"));
}

TEST(CliRoute, BadPolicyNamesFileAndJsonPath) {
  ScratchDir dir;
  const auto policy = dir.write("policy.json", R"({"version": 1, "tiers": "A"})");
  const auto r =
      run_leadrouter({"route", "--policy", policy, "--roster", kRoster, "--leads", kLeads});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_THAT(r.err, HasSubstr(policy + ": /tiers"));
}

TEST(CliRoute, BadOptionValuesAreExit2) {
  auto now = route_args(kLeads, "table");
  now.insert(now.end(), {"--now", "next tuesday"});
  const auto a = run_leadrouter(now);
  EXPECT_EQ(a.exit_code, 2);
  EXPECT_THAT(a.err, HasSubstr("--now: 'next tuesday'"));

  const auto b = run_leadrouter(route_args(kLeads, "csv"));
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_THAT(b.err, HasSubstr("--format: 'csv'"));
}

}  // namespace
}  // namespace leadrouter::cli_test
