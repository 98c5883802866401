// `leadrouter preview`, run against the built binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "tests/cli/cli_process.hpp"

namespace leadrouter::cli_test {
namespace {

using ::testing::HasSubstr;

const std::string kPolicy = kExamples + "/policy.json";
const std::string kRoster = kExamples + "/roster.json";

std::vector<std::string> preview_args(const std::string& lead) {
  return {"preview",  "--policy", kPolicy,
          "--roster", kRoster,    "--lead",
          lead,       "--now",    "2026-03-09T15:00:00Z"};
}

TEST(CliPreview, ExplainsTheExampleLead) {
  const auto r = run_leadrouter(preview_args(kExamples + "/lead.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  for (const char* part :
       {"Lead ", "Score ", "  fit ", "  intent ", "Tier ", "Territory ", "Segment ", "Route trail",
        "Candidates", "Assigned to ", "SLA deadline "}) {
    EXPECT_THAT(r.out, HasSubstr(part)) << part;
  }
  EXPECT_THAT(r.out, HasSubstr("Decided at 2026-03-09T15:00:00Z"));
}

TEST(CliPreview, JsonFormatIsOneDecision) {
  auto args = preview_args(kExamples + "/lead.json");
  args.insert(args.end(), {"--format", "json"});
  const auto r = run_leadrouter(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << r.out;
  EXPECT_TRUE(d["candidates"].IsArray());
  EXPECT_TRUE(d["trail"].IsArray());
  EXPECT_GE(d["trail"].Size(), 1U);
}

TEST(CliPreview, EveryExampleLeadPreviewsCleanly) {
  // Each lead of the sample file on its own: a preview commits nothing, so
  // the same lead previewed twice gives the same report.
  ScratchDir dir;
  const auto lines = lines_of(read_all(kExamples + "/leads.jsonl"));
  ASSERT_GE(lines.size(), 10U);
  for (std::size_t i = 0; i < 10; ++i) {
    const auto path = dir.write("lead" + std::to_string(i) + ".json", lines[i * 17]);
    const auto a = run_leadrouter(preview_args(path));
    const auto b = run_leadrouter(preview_args(path));
    ASSERT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
  }
}

TEST(CliPreview, BadLeadNamesFileAndPath) {
  ScratchDir dir;
  const auto path = dir.write("lead.json", R"({"id": "L1", "events": [{"type": "x", "at": 5}]})");
  const auto r = run_leadrouter(preview_args(path));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_THAT(r.err, HasSubstr(path + ": /events/0/at: must be an ISO 8601 string"));
}

TEST(CliPreview, LeadWithoutIdIsRejected) {
  ScratchDir dir;
  const auto path = dir.write("lead.json", R"({"company": "Acme"})");
  const auto r = run_leadrouter(preview_args(path));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(path + ": /id: required"));
}

}  // namespace
}  // namespace leadrouter::cli_test
