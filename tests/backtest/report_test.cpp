// The reports: the HTML page is self-contained, escapes every text and closes
// every tag; the terminal table and the assignments files cover every lead.
#include "core/backtest/report.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cctype>
#include <sstream>

#include "core/backtest/assignments_out.hpp"
#include "tests/backtest/backtest_fixtures.hpp"

namespace leadrouter::backtest {
namespace {

using testing::lead;
using testing::sales_policy;
using testing::sales_rep;
using testing::under_test;

// Tags that never have a closing tag in HTML.
bool is_void(const std::string& tag) {
  return tag == "meta" || tag == "br" || tag == "hr" || tag == "img" || tag == "input" ||
         tag == "link";
}

// A minimal well-formedness check: every start tag is closed in order (or
// self-closed), nothing but comments and the doctype use "<!", and raw text
// holds no stray '<'. Returns "" when fine, else what went wrong.
std::string check_tags(const std::string& html) {
  std::vector<std::string> open;
  std::size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string::npos) {
    const std::size_t end = html.find('>', pos);
    if (end == std::string::npos) {
      return "unterminated tag at " + std::to_string(pos);
    }
    std::string tag = html.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    if (tag.starts_with("!")) {
      continue;
    }
    const bool closing = tag.starts_with("/");
    const bool self_closing = tag.ends_with("/");
    std::size_t name_start = closing ? 1 : 0;
    std::size_t name_end = name_start;
    while (name_end < tag.size() &&
           (std::isalnum(static_cast<unsigned char>(tag[name_end])) != 0)) {
      ++name_end;
    }
    const std::string name = tag.substr(name_start, name_end - name_start);
    if (name.empty()) {
      return "stray '<' before '" + tag.substr(0, 20) + "'";
    }
    if (closing) {
      if (open.empty() || open.back() != name) {
        return "</" + name + "> closes " + (open.empty() ? "nothing" : "<" + open.back() + ">");
      }
      open.pop_back();
    } else if (!self_closing && !is_void(name)) {
      open.push_back(name);
    }
  }
  return open.empty() ? "" : "<" + open.back() + "> is never closed";
}

Replay sample_replay(std::vector<core::Rep> reps) {
  std::vector<core::Lead> leads;
  Outcomes outcomes;
  for (int i = 0; i < 12; ++i) {
    leads.push_back(
        lead(fmt::format("L{:02d}", i), fmt::format("2026-02-0{}T1{}:00:00Z", 2 + i % 3, i % 8)));
    outcomes[fmt::format("L{:02d}", i)] = i % 3 == 0;
  }
  core::Rep capped = reps.front();
  capped.capacity.max_per_day = 1;
  std::vector<core::Rep> tighter = reps;
  tighter.front() = capped;
  const std::vector<PolicyUnderTest> runs = {
      under_test("baseline", sales_policy(), reps),
      under_test("new", sales_policy("least_loaded"), tighter)};
  auto r = replay(leads, runs, {.outcomes = &outcomes});
  if (!r) {
    throw std::runtime_error(r.error().message);
  }
  return std::move(*r);
}

TEST(BacktestHtml, EscapesMarkupCharacters) {
  EXPECT_EQ(html_escape(R"(<b>"Tom" & 'Jerry'</b>)"),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;");
  EXPECT_EQ(html_escape("plain"), "plain");
}

TEST(BacktestHtml, TagCheckerCatchesBrokenMarkup) {
  EXPECT_EQ(check_tags("<p><b>x</b></p>"), "");
  EXPECT_NE(check_tags("<p><b>x</p>"), "");
  EXPECT_NE(check_tags("<p>x"), "");
  EXPECT_NE(check_tags("<p>1 < 2</p>"), "");
}

TEST(BacktestHtml, ReportIsSelfContainedWellFormedAndEscaped) {
  core::Rep evil = sales_rep("r1");
  evil.name = "<script>alert('x')</script> & \"Co\"";
  const Replay r = sample_replay({evil, sales_rep("r2")});
  const std::string html = format_report_html(r);

  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_EQ(check_tags(html), "");
  // Nothing is fetched from elsewhere.
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  // The rep's name shows up escaped, never as markup.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;"),
            std::string::npos);
  // Both charts and the summary table are there.
  EXPECT_GE(std::count(html.begin(), html.end(), '\n'), 20);
  std::size_t svgs = 0;
  for (std::size_t p = 0; (p = html.find("<svg", p)) != std::string::npos; ++p) {
    ++svgs;
  }
  EXPECT_EQ(svgs, 2U);
  EXPECT_NE(html.find("Before and after"), std::string::npos);
  EXPECT_NE(html.find("load Gini"), std::string::npos);
}

TEST(BacktestText, TableListsBothRunsRepsAndChange) {
  const Replay r = sample_replay({sales_rep("r1"), sales_rep("r2")});
  const std::string text = format_report_text(r);
  EXPECT_TRUE(text.starts_with("Backtest of 12 leads created 2026-02-02T10:00:00Z"));
  EXPECT_NE(text.find("baseline"), std::string::npos);
  EXPECT_NE(text.find("change"), std::string::npos);
  EXPECT_NE(text.find("r1 Rep r1"), std::string::npos);
  EXPECT_NE(text.find("owner differs from baseline"), std::string::npos);
  EXPECT_NE(text.find("expected conversions"), std::string::npos);
  EXPECT_EQ(text, format_report_text(r));
}

TEST(BacktestAssignments, CsvAndJsonlHaveOneRowPerLead) {
  const Replay r = sample_replay({sales_rep("r1"), sales_rep("r2")});
  const std::string csv = assignments_csv(r);
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(
      line,
      "lead_id,created_at,baseline_rep,new_rep,changed,tier,score,route,account_id,duplicate_of");
  std::size_t rows = 0;
  while (std::getline(lines, line)) {
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 9) << line;
    EXPECT_EQ(line.substr(0, 4), r.leads[rows].id + ",") << line;
    ++rows;
  }
  EXPECT_EQ(rows, r.leads.size());

  std::istringstream jsonl(assignments_jsonl(r));
  rows = 0;
  while (std::getline(jsonl, line)) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    ASSERT_FALSE(d.HasParseError()) << line;
    EXPECT_EQ(std::string(d["lead_id"].GetString()), r.leads[rows].id);
    const bool changed = std::string(d["baseline_rep"].GetString()) != d["new_rep"].GetString();
    EXPECT_EQ(d["changed"].GetBool(), changed);
    EXPECT_TRUE(d["score"].IsNumber());
    ++rows;
  }
  EXPECT_EQ(rows, r.leads.size());
}

}  // namespace
}  // namespace leadrouter::backtest
