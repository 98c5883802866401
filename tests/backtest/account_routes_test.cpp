// Account-owner and duplicate routes in a replay: accounts join the index at
// their created_at, duplicates go to the owner the same policy chose for the
// earlier lead (or a queue), and the accounts CSV is validated by line.
#include <gtest/gtest.h>

#include "core/backtest/accounts_file.hpp"
#include "core/backtest/replay.hpp"
#include "core/matching/public_suffix.hpp"
#include "tests/backtest/backtest_fixtures.hpp"

namespace leadrouter::backtest {
namespace {

using testing::at;
using testing::sales_rep;
using testing::under_test;

// Matched accounts go to their owner, duplicates to the duplicate's owner,
// everything else round-robin in pool "sales".
std::shared_ptr<const core::Policy> account_policy() {
  auto policy = core::parse_policy(R"({"version": 1, "name": "accounts", "fit": {"base": 60},
      "tiers": [{"name": "all", "min_score": 0}],
      "pools": [{"name": "sales", "teams": ["sales"], "strategy": "round_robin"}],
      "routes": [
        {"name": "duplicate", "when": {"field": "duplicate_found", "op": "eq", "value": true},
         "destination": {"duplicate_owner": true}, "fallbacks": [{"queue": "duplicates"}]},
        {"name": "account", "when": {"field": "account_matched", "op": "eq", "value": true},
         "destination": {"account_owner": true}, "fallbacks": [{"pool": "sales"}]},
        {"name": "everyone", "destination": {"pool": "sales"}}],
      "final_fallback": {"queue": "unassigned"}})");
  if (!policy) {
    throw std::invalid_argument(format_errors(policy.error()));
  }
  return std::make_shared<const core::Policy>(std::move(*policy));
}

std::shared_ptr<const matching::PublicSuffixList> suffixes() {
  return std::make_shared<const matching::PublicSuffixList>(
      matching::PublicSuffixList::from_text("com\nco.uk\n"));
}

core::Lead person(std::string id, std::string_view created, std::string email, std::string company,
                  std::string first = "", std::string last = "") {
  core::Lead l;
  l.id = std::move(id);
  l.created_at = at(created);
  l.email = std::move(email);
  l.company = std::move(company);
  l.first_name = std::move(first);
  l.last_name = std::move(last);
  return l;
}

HistoricalAccount account(std::string id, std::string name, std::string domain, std::string owner,
                          std::optional<std::string_view> created = std::nullopt) {
  HistoricalAccount a;
  a.account.id = std::move(id);
  a.account.name = std::move(name);
  a.account.domain = std::move(domain);
  a.account.owner_id = std::move(owner);
  if (created) {
    a.created_at = at(*created);
  }
  return a;
}

TEST(BacktestAccounts, MatchedLeadsGoToTheAccountOwnerOnceTheAccountExists) {
  const std::vector<HistoricalAccount> accounts = {
      account("A1", "Acme Corp", "acme.com", "owner"),
      account("A2", "Globex", "globex.co.uk", "owner", "2026-02-03T00:00:00Z")};
  const std::vector<core::Lead> leads = {
      person("1", "2026-02-02T10:00:00Z", "ana@acme.com", "Acme"),
      person("2", "2026-02-02T11:00:00Z", "bo@globex.co.uk", "Globex Ltd"),  // before A2
      person("3", "2026-02-03T11:00:00Z", "cy@globex.co.uk", "Globex Ltd"),
      person("4", "2026-02-03T12:00:00Z", "di@initech.com", "Initech")};
  const std::vector<PolicyUnderTest> runs = {
      under_test("p", account_policy(), {sales_rep("r1"), sales_rep("r2"), sales_rep("owner")})};
  auto r = replay(leads, runs, {.accounts = accounts, .suffixes = suffixes()});
  ASSERT_TRUE(r) << r.error().message;
  const auto& a = r->runs[0].assignments;
  EXPECT_EQ(a[0].assignee_id, "owner");
  EXPECT_EQ(a[0].route, "account");
  EXPECT_EQ(a[0].account_id, "A1");
  EXPECT_EQ(a[1].route, "everyone") << "Globex did not exist yet";
  EXPECT_EQ(a[1].account_id, "");
  EXPECT_EQ(a[2].assignee_id, "owner");
  EXPECT_EQ(a[2].account_id, "A2");
  EXPECT_EQ(a[3].route, "everyone");

  auto without = replay(leads, runs);
  ASSERT_TRUE(without);
  for (const auto& assignment : without->runs[0].assignments) {
    EXPECT_EQ(assignment.route, "everyone");
  }
}

TEST(BacktestAccounts, AccountsNeedASuffixList) {
  const std::vector<HistoricalAccount> accounts = {account("A1", "Acme", "acme.com", "r1")};
  const std::vector<core::Lead> leads = {person("1", "2026-02-02T10:00:00Z", "a@acme.com", "")};
  const std::vector<PolicyUnderTest> runs = {under_test("p", account_policy(), {sales_rep("r1")})};
  auto r = replay(leads, runs, {.accounts = accounts});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("public suffix"), std::string::npos) << r.error().message;
}

TEST(BacktestDuplicates, ARepeatGoesToTheOwnerThisPolicyGaveTheFirstLead) {
  const std::vector<core::Lead> leads = {
      person("1", "2026-02-02T10:00:00Z", "ana@acme.com", "Acme Inc.", "Ana", "Lima"),
      person("2", "2026-02-02T11:00:00Z", "bo@initech.com", "Initech"),
      person("3", "2026-02-02T12:00:00Z", "ANA@acme.com", "Acme"),  // same email
      person("4", "2026-02-02T13:00:00Z", "ana.lima@gmail.com", "ACME, Inc", "ana", "LIMA")};
  // Two policies whose round-robins start differently: each sends the
  // repeats to its own first choice.
  const std::vector<PolicyUnderTest> runs = {
      under_test("base", account_policy(), {sales_rep("r1"), sales_rep("r2")}),
      under_test("new", account_policy(), {sales_rep("r2"), sales_rep("r3")})};
  auto r = replay(leads, runs);
  ASSERT_TRUE(r) << r.error().message;
  for (const PolicyRun& run : r->runs) {
    const std::string first = run.assignments[0].assignee_id;
    EXPECT_EQ(run.assignments[2].assignee_id, first) << run.label;
    EXPECT_EQ(run.assignments[2].route, "duplicate");
    EXPECT_EQ(run.assignments[2].duplicate_of, "1");
    EXPECT_EQ(run.assignments[3].assignee_id, first) << run.label << ": same name and company";
    EXPECT_EQ(run.assignments[3].duplicate_of, "1");
    EXPECT_EQ(run.assignments[1].duplicate_of, "");
  }
  EXPECT_NE(r->runs[0].assignments[0].assignee_id, r->runs[1].assignments[0].assignee_id);

  auto off = replay(leads, runs, {.detect_duplicates = false});
  ASSERT_TRUE(off);
  EXPECT_EQ(off->runs[0].assignments[2].route, "everyone");
}

TEST(BacktestDuplicates, ARepeatOfAQueuedLeadIsQueuedNeverGivenToASecondRep) {
  // The first lead found no rep (the only one is inactive), so the repeat
  // has no owner to follow: the duplicate route's queue takes it.
  core::Rep away = sales_rep("r1");
  away.active = false;
  const std::vector<core::Lead> leads = {
      person("1", "2026-02-02T10:00:00Z", "ana@acme.com", "Acme"),
      person("2", "2026-02-02T11:00:00Z", "ana@acme.com", "Acme")};
  const std::vector<PolicyUnderTest> runs = {under_test("p", account_policy(), {away})};
  auto r = replay(leads, runs);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(assignee_label(r->runs[0].assignments[0]), "queue:unassigned");
  EXPECT_EQ(r->runs[0].assignments[1].duplicate_of, "1");
  EXPECT_EQ(assignee_label(r->runs[0].assignments[1]), "queue:duplicates");
}

TEST(BacktestDuplicates, AnOwnedDuplicateWhoseOwnerCannotTakeItIsQueued) {
  // r1 gets the first lead and reaches its cap: the repeat must not go to r2.
  core::Rep capped = sales_rep("r1");
  capped.capacity.max_per_day = 1;
  const std::vector<core::Lead> leads = {
      person("1", "2026-02-02T10:00:00Z", "ana@acme.com", "Acme"),
      person("2", "2026-02-02T11:00:00Z", "ana@acme.com", "Acme")};
  const std::vector<PolicyUnderTest> runs = {
      under_test("p", account_policy(), {capped, sales_rep("r2")})};
  auto r = replay(leads, runs);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->runs[0].assignments[0].assignee_id, "r1");
  EXPECT_EQ(assignee_label(r->runs[0].assignments[1]), "queue:duplicates");
}

TEST(BacktestAccountsFile, ReadsColumnsAndReportsEveryProblemByLine) {
  auto ok = accounts_from_csv(
      "id,name,owner_id,domain,website,size,created_at\n"
      "A1,Acme Corp,005A,acme.com,,1200,2024-01-01T00:00:00Z\n"
      "A2,\"Globex, Ltd\",005B,,https://www.globex.co.uk/en,,\n",
      "accounts.csv");
  ASSERT_TRUE(ok) << format_errors(ok.error());
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[0].account.size, 1200);
  EXPECT_EQ((*ok)[0].created_at, at("2024-01-01T00:00:00Z"));
  EXPECT_EQ((*ok)[1].account.name, "Globex, Ltd");
  EXPECT_EQ((*ok)[1].account.website, "https://www.globex.co.uk/en");
  EXPECT_FALSE((*ok)[1].created_at);

  auto bad = accounts_from_csv(
      "id,name,owner_id,size,created_at\n"
      "A1,Acme,005A,-3,yesterday\n"
      "A1,Acme again,005A,,\n"
      ",,005C,,\n",
      "accounts.csv");
  ASSERT_FALSE(bad);
  const std::string text = format_errors(bad.error());
  EXPECT_NE(text.find("accounts.csv:2: column 'size'"), std::string::npos) << text;
  EXPECT_NE(text.find("accounts.csv:2: column 'created_at'"), std::string::npos) << text;
  EXPECT_NE(text.find("accounts.csv:3: column 'id': account 'A1' appears twice"), std::string::npos)
      << text;
  EXPECT_NE(text.find("accounts.csv:4: column 'id': empty account id"), std::string::npos) << text;

  auto no_owner = accounts_from_csv("id,name\nA1,Acme\n", "a.csv");
  ASSERT_FALSE(no_owner);
  EXPECT_NE(format_errors(no_owner.error()).find("owner_id"), std::string::npos);
}

}  // namespace
}  // namespace leadrouter::backtest
