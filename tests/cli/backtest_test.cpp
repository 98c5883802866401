// `leadrouter backtest` on the shipped example history, run against the built
// binary: deterministic output, the HTML report and per-lead assignments.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "tests/cli/cli_process.hpp"

namespace leadrouter::cli_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kBaseline = kExamples + "/policy.json";
const std::string kRoster = kExamples + "/roster.json";
const std::string kNew = kExamples + "/backtest/policy-new.json";
const std::string kHistory = kExamples + "/backtest/history.jsonl";
const std::string kOutcomes = kExamples + "/backtest/outcomes.csv";

std::vector<std::string> backtest_args(const std::string& history = kHistory) {
  return {"backtest", "--baseline", kBaseline, "--policy",   kNew,     "--roster",
          kRoster,    "--leads",    history,   "--outcomes", kOutcomes};
}

// The example's assignment rows quote nothing: no cell holds a comma.
std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> cells(1);
  for (const char c : line) {
    if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

std::size_t history_size() {
  std::size_t n = 0;
  for (const auto& line : lines_of(read_all(kHistory))) {
    n += line.empty() ? 0 : 1;
  }
  return n;
}

TEST(CliBacktest, ExampleHistoryIsDeterministicWithReportAndAssignments) {
  ScratchDir dir;
  std::vector<std::vector<std::string>> outputs;
  std::vector<std::string> htmls;
  std::vector<std::string> csvs;
  for (int run = 0; run < 2; ++run) {
    auto args = backtest_args();
    const std::string html = dir.file(fmt::format("report{}.html", run));
    const std::string csv = dir.file(fmt::format("assignments{}.csv", run));
    args.insert(args.end(), {"--report", html, "--assignments", csv});
    const auto r = run_leadrouter(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;  // no progress: stderr is not a terminal
    // The file names differ between the runs; everything above them must not.
    auto lines = lines_of(r.out);
    ASSERT_GT(lines.size(), 3U);
    EXPECT_THAT(lines[lines.size() - 2], HasSubstr(html));
    EXPECT_THAT(lines.back(), HasSubstr(csv));
    lines.resize(lines.size() - 2);
    outputs.push_back(lines);
    htmls.push_back(read_all(html));
    csvs.push_back(read_all(csv));
  }
  EXPECT_EQ(outputs[0], outputs[1]);
  EXPECT_EQ(htmls[0], htmls[1]);
  EXPECT_EQ(csvs[0], csvs[1]);

  const std::string text = fmt::format("{}", fmt::join(outputs[0], "\n"));
  EXPECT_THAT(text, StartsWith(fmt::format("Backtest of {} leads", history_size())));
  EXPECT_THAT(text, HasSubstr("owner differs from baseline"));
  EXPECT_THAT(text, HasSubstr("load Gini (active reps)"));
  EXPECT_THAT(text, HasSubstr("expected conversions"));
  EXPECT_THAT(text, HasSubstr("005US05 Sam Carter"));

  EXPECT_THAT(htmls[0], StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(htmls[0], HasSubstr("</html>"));
  EXPECT_EQ(htmls[0].find("http"), std::string::npos);
  EXPECT_THAT(htmls[0], HasSubstr("<svg"));

  const auto rows = lines_of(csvs[0]);
  ASSERT_EQ(rows.size(), history_size() + 1);
  EXPECT_EQ(
      rows[0],
      "lead_id,created_at,baseline_rep,new_rep,changed,tier,score,route,account_id,duplicate_of");
  // The proposed daily cap on Sam Carter moves some of his leads elsewhere.
  std::size_t changed = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    changed += rows[i].find(",true,") != std::string::npos ? 1 : 0;
  }
  EXPECT_GT(changed, 0U);
  EXPECT_LT(changed, history_size());
}

TEST(CliBacktest, JsonlAssignmentsAndASinglePolicy) {
  ScratchDir dir;
  const std::string out = dir.file("a.jsonl");
  const auto r = run_leadrouter({"backtest", "--policy", kNew, "--roster", kRoster, "--leads",
                                 kHistory, "--assignments", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("expected conversions")));
  const auto lines = lines_of(read_all(out));
  ASSERT_EQ(lines.size(), history_size());
  rapidjson::Document d;
  d.Parse(lines[0].c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_TRUE(d.HasMember("rep"));
  EXPECT_FALSE(d.HasMember("baseline_rep"));
}

TEST(CliBacktest, CsvHistoryIsRead) {
  ScratchDir dir;
  const std::string csv =
      dir.write("h.csv",
                "id,email,company,country,state,industry,employees,created_at\n"
                "c1,ann@bigco.com,BigCo,US,NY,Software,5000,2026-02-02T15:00:00Z\n"
                "c2,bo@smallco.de,SmallCo,DE,BE,Retail,20,2026-02-02T10:00:00Z\n");
  auto args = std::vector<std::string>{"backtest", "--baseline", kBaseline, "--policy", kNew,
                                       "--roster", kRoster,      "--leads", csv};
  const auto r = run_leadrouter(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("Backtest of 2 leads created 2026-02-02T10:00:00Z"));
}

TEST(CliBacktest, ProgressOnRequestEveryTenThousandLeads) {
  ScratchDir dir;
  std::string history;
  for (int i = 0; i < 10001; ++i) {
    history += fmt::format(
        "{{\"id\":\"p{}\",\"country\":\"DE\",\"created_at\":\"2026-02-{:02d}T{:02d}:{:02d}:00Z\"}}"
        "\n",
        i, 2 + i / 1440 % 27, i / 60 % 24, i % 60);
  }
  const std::string path = dir.write("long.jsonl", history);
  auto args = std::vector<std::string>{"backtest", "--policy", kNew, "--roster",
                                       kRoster,    "--leads",  path, "--progress"};
  const auto r = run_leadrouter(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "backtest: 10000 of 10001 leads replayed\n");
  EXPECT_THAT(r.out, StartsWith("Backtest of 10001 leads"));
}

TEST(CliBacktest, AccountsMakeAccountOwnerRoutesFireAndNameTheMatch) {
  ScratchDir dir;
  const std::string csv = dir.file("assignments.csv");
  auto args = backtest_args();
  args.insert(args.end(),
              {"--accounts", kExamples + "/backtest/accounts.csv", "--assignments", csv});
  const auto with = run_leadrouter(args);
  ASSERT_EQ(with.exit_code, 0) << with.err;
  const auto without = run_leadrouter(backtest_args());
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_NE(with.out, without.out);

  // Rows whose lead matched an account: the new policy's "existing customer"
  // route took those that reached routing (nurture-tier leads never do).
  int matched = 0;
  int routed_to_owner = 0;
  for (const auto& line : lines_of(read_all(csv))) {
    const auto cells = split_commas(line);
    if (cells.size() != 10 || cells[0] == "lead_id" || cells[8].empty()) {
      continue;
    }
    ++matched;
    EXPECT_THAT(cells[8], StartsWith("0015e00001ACME")) << line;
    routed_to_owner += cells[7] == "existing customer" ? 1 : 0;
  }
  EXPECT_GT(matched, 10);
  EXPECT_GT(routed_to_owner, 5);
}

TEST(CliBacktest, BadInputsExitTwoNamingTheProblem) {
  ScratchDir dir;
  const std::string undated = dir.write(
      "u.jsonl", "{\"id\":\"a\",\"created_at\":\"2026-02-02T10:00:00Z\"}\n{\"id\":\"b\"}\n");
  auto r = run_leadrouter(backtest_args(undated));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("u.jsonl:2: /created_at"));

  auto args = backtest_args();
  args.insert(args.end(), {"--assignments", dir.file("a.txt")});
  r = run_leadrouter(args);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--assignments"));

  const std::string outcomes = dir.write("o.csv", "lead_id,converted\nx,perhaps\n");
  args = backtest_args();
  args[args.size() - 1] = outcomes;
  r = run_leadrouter(args);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("o.csv:2: column 'converted'"));

  const std::string accounts = dir.write("acc.csv", "id,name,owner_id,size\nA1,Acme,005US01,big\n");
  args = backtest_args();
  args.insert(args.end(), {"--accounts", accounts});
  r = run_leadrouter(args);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("acc.csv:2: column 'size'"));

  r = run_leadrouter({"backtest", "--policy", kNew, "--roster", kRoster});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("leads"));
}

}  // namespace
}  // namespace leadrouter::cli_test
