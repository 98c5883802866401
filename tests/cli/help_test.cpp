// `leadrouter --help`, `<command> --help` and dispatch errors, run against the
// built binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/cli/cli_process.hpp"

namespace leadrouter::cli_test {
namespace {

using ::testing::HasSubstr;

const std::vector<std::vector<std::string>> kCommands = {
    {"route"}, {"preview"}, {"policy", "check"}, {"policy", "lint"}};

TEST(CliHelp, TopLevelHelpListsEveryCommand) {
  const auto r = run_leadrouter({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("Usage: leadrouter <command>"));
  for (const auto& words : kCommands) {
    std::string name = words[0];
    for (std::size_t i = 1; i < words.size(); ++i) {
      name += " " + words[i];
    }
    EXPECT_THAT(r.out, HasSubstr("  " + name + " ")) << name;
  }
  EXPECT_TRUE(r.err.empty());
}

TEST(CliHelp, EveryCommandHasHelp) {
  for (const auto& words : kCommands) {
    auto args = words;
    args.push_back("--help");
    const auto r = run_leadrouter(args);
    std::string name = words[0] + (words.size() > 1 ? " " + words[1] : std::string());
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.err;
    EXPECT_THAT(r.out, HasSubstr("Usage: leadrouter " + name + " ")) << name;
    EXPECT_THAT(r.out, HasSubstr("--help")) << name;
    EXPECT_TRUE(r.err.empty()) << name << ": " << r.err;
  }
}

TEST(CliHelp, HelpNeedsNoRequiredOptions) {
  const auto r = run_leadrouter({"route", "-h"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--policy"));
  EXPECT_THAT(r.out, HasSubstr("--leads"));
  EXPECT_THAT(r.out, HasSubstr("created_at"));  // documents the --now default
}

TEST(CliHelp, NoArgumentsPrintsUsageAndFails) {
  const auto r = run_leadrouter({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_THAT(r.err, HasSubstr("Usage: leadrouter <command>"));
}

TEST(CliHelp, UnknownCommandIsExit2WithUsageOnStderr) {
  const auto r = run_leadrouter({"frobnicate", "--x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_THAT(r.err, HasSubstr("unknown command 'frobnicate'"));
  EXPECT_THAT(r.err, HasSubstr("Usage: leadrouter <command>"));
}

TEST(CliHelp, GroupWithoutSubcommandListsItsCommands) {
  const auto bad = run_leadrouter({"policy", "frob"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("'frob' is not one"));
  EXPECT_THAT(bad.err, HasSubstr("policy check"));
  EXPECT_THAT(bad.err, HasSubstr("policy lint"));
  EXPECT_THAT(bad.err, ::testing::Not(HasSubstr("  route ")));

  const auto help = run_leadrouter({"policy", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("policy lint"));
}

TEST(CliHelp, MissingRequiredOptionNamesIt) {
  const auto r = run_leadrouter({"route", "--policy", "p.json", "--roster", "r.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_THAT(r.err, HasSubstr("leads"));
  EXPECT_THAT(r.err, HasSubstr("leadrouter route --help"));
}

TEST(CliHelp, UnknownOptionIsExit2) {
  const auto r = run_leadrouter({"policy", "check", "--no-such-flag"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no-such-flag"));
}

}  // namespace
}  // namespace leadrouter::cli_test
