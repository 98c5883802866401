// `leadrouter policy check` and `leadrouter policy lint`, run against the
// built binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "tests/cli/cli_process.hpp"

namespace leadrouter::cli_test {
namespace {

using ::testing::HasSubstr;

const std::string kPolicy = kExamples + "/policy.json";
const std::string kRoster = kExamples + "/roster.json";

TEST(CliPolicy, CheckAcceptsTheExamplePolicy) {
  const auto r = run_leadrouter({"policy", "check", kPolicy});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(
      std::regex_search(r.out, std::regex(R"(^policy OK: \d+ routes, \d+ pools, \d+ tiers\n$)")))
      << r.out;
}

TEST(CliPolicy, CheckAlsoTakesPolicyOption) {
  const auto r = run_leadrouter({"policy", "check", "--policy", kPolicy});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("policy OK"));
}

TEST(CliPolicy, CheckReportsErrorsWithFileAndPath) {
  ScratchDir dir;
  const auto path = dir.write("bad.json", R"({"version": 1, "routes": 7, "tiers": {}})");
  const auto r = run_leadrouter({"policy", "check", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_THAT(r.err, HasSubstr(path + ": /routes"));
  EXPECT_THAT(r.err, HasSubstr(path + ": /tiers"));
}

TEST(CliPolicy, CheckReportsInvalidJson) {
  ScratchDir dir;
  const auto path = dir.write("broken.json", "{\"version\": 1,");
  const auto r = run_leadrouter({"policy", "check", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(path + ":"));
}

TEST(CliPolicy, CheckOfMissingFileIsExit2) {
  const auto r = run_leadrouter({"policy", "check", "/nonexistent/policy.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot read /nonexistent/policy.json"));
}

TEST(CliPolicy, CheckNeedsAPolicy) {
  const auto r = run_leadrouter({"policy", "check"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("policy"));
}

TEST(CliPolicy, LintOfTheExamplesHasNoErrors) {
  const auto r = run_leadrouter({"policy", "lint", kPolicy, "--roster", kRoster});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(: 0 errors, \d+ warnings?\n$)"))) << r.out;
}

TEST(CliPolicy, LintErrorsNameFileAndPathAndExit1) {
  ScratchDir dir;
  // One rep in a team no pool uses: every pool of the example policy is left
  // without members (an error) and the rep is in no pool (a warning).
  const auto roster =
      dir.write("roster.json", R"({"reps": [{"id": "r1", "name": "Solo", "teams": ["nowhere"]}]})");
  const auto r = run_leadrouter({"policy", "lint", kPolicy, "--roster", roster});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(kPolicy + ": /pools/0: error: "));
  EXPECT_THAT(r.out, HasSubstr(": warning: "));
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(: [1-9]\d* errors?, [1-9]\d* warnings?\n$)")))
      << r.out;
}

TEST(CliPolicy, LintWithoutAnyRepsWarnsOnly) {
  ScratchDir dir;
  const auto roster = dir.write("roster.json", R"({"reps": []})");
  const auto r = run_leadrouter({"policy", "lint", kPolicy, "--roster", roster});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(kPolicy + ": /reps: warning: "));
}

TEST(CliPolicy, LintOfInvalidPolicyIsExit2) {
  ScratchDir dir;
  const auto path = dir.write("bad.json", R"({"routes": "none"})");
  const auto r = run_leadrouter({"policy", "lint", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(path + ": /routes"));
}

TEST(CliPolicy, LintOfInvalidRosterIsExit2) {
  ScratchDir dir;
  const auto roster = dir.write("roster.json", R"({"reps": [{"name": 5}]})");
  const auto r = run_leadrouter({"policy", "lint", kPolicy, "--roster", roster});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(roster + ": /reps/0"));
}

}  // namespace
}  // namespace leadrouter::cli_test
