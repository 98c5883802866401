#include "sidecar/pipeline/account_directory.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "tests/sidecar/fake_crm_connector.hpp"
#include "tests/sidecar/pipeline_fixtures.hpp"

namespace leadrouter::sidecar {
namespace {

using testing::FakeClock;
using testing::FakeCrmConnector;
using testing::ms_at;
using testing::open_store;
using testing::TempDir;

constexpr std::string_view kSuffixes = "com\nuk\nco.uk\nexample\n";

connectors::CrmAccount account(std::string id, std::string name, std::string domain,
                               std::string owner, std::string_view modified) {
  connectors::CrmAccount a;
  a.id = std::move(id);
  a.name = std::move(name);
  a.domain = std::move(domain);
  a.owner_id = std::move(owner);
  a.modified_at = ms_at(modified);
  return a;
}

core::Lead lead_from(std::string email, std::string company) {
  core::Lead lead;
  lead.id = "L1";
  lead.email = std::move(email);
  lead.company = std::move(company);
  return lead;
}

class AccountDirectoryTest : public ::testing::Test {
 protected:
  AccountDirectoryTest() : store_(open_store(dir_)) {
    config_.page_size = 2;
    free_mail_ = std::make_shared<core::FreeMailDomains>();
    free_mail_->add("gmail.com");
  }

  std::unique_ptr<AccountDirectory> directory() {
    return std::make_unique<AccountDirectory>(*store_, metrics_,
                                              std::make_shared<const matching::PublicSuffixList>(
                                                  matching::PublicSuffixList::from_text(kSuffixes)),
                                              config_, clock_.fn());
  }

  std::optional<core::AccountMatch> match(const AccountDirectory& d, const core::Lead& lead) {
    return d.match("hs", lead, core::derive_facts(lead, *free_mail_));
  }

  TempDir dir_;
  std::unique_ptr<StateStore> store_;
  MetricsRegistry metrics_;
  FakeClock clock_{"2026-03-09T15:00:00Z"};
  AccountsConfig config_;
  std::shared_ptr<core::FreeMailDomains> free_mail_;
  FakeCrmConnector crm_{"hs"};
};

TEST_F(AccountDirectoryTest, AChangedFreeMailListRebuildsTheIndexWithoutLosingAccounts) {
  crm_.put_account(account("1", "Mailbox Co", "mailbox.example", "o1", "2026-03-01T10:00:00Z"));
  crm_.put_account(account("2", "Acme", "acme.com", "o2", "2026-03-01T10:00:00Z"));
  auto d = directory();
  ASSERT_TRUE(d->load("hs", free_mail_));
  ASSERT_TRUE(d->refresh(crm_));
  const core::Lead lead = lead_from("ann@mailbox.example", "");
  ASSERT_TRUE(match(*d, lead));

  // The same list again: nothing to do.
  auto same = std::make_shared<core::FreeMailDomains>(*free_mail_);
  EXPECT_FALSE(d->set_free_mail("hs", same));
  // A reload makes mailbox.example free mail: that account stops matching
  // by domain, the others still match, and none is lost.
  auto changed = std::make_shared<core::FreeMailDomains>(*free_mail_);
  changed->add("mailbox.example");
  EXPECT_TRUE(d->set_free_mail("hs", changed));
  EXPECT_FALSE(match(*d, lead));
  EXPECT_EQ(d->size("hs"), 2u);
  const auto acme = match(*d, lead_from("bo@acme.com", ""));
  ASSERT_TRUE(acme);
  EXPECT_EQ(acme->owner_id, "o2");
  EXPECT_FALSE(d->set_free_mail("unknown", changed));
}

TEST_F(AccountDirectoryTest, FirstRefreshReadsEveryPageAndStoresTheCursor) {
  for (int i = 0; i < 5; ++i) {
    crm_.put_account(account(std::to_string(i + 1), fmt::format("Company {}", i + 1),
                             fmt::format("c{}.com", i + 1), fmt::format("o{}", i + 1),
                             "2026-03-01T10:00:00Z"));
  }
  auto d = directory();
  ASSERT_TRUE(d->load("hs", free_mail_));
  EXPECT_FALSE(d->has_cursor("hs").value());
  auto result = d->refresh(crm_);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->pages, 3);
  EXPECT_EQ(result->changed, 5u);
  EXPECT_EQ(result->indexed, 5u);
  EXPECT_TRUE(d->has_cursor("hs").value());
  EXPECT_EQ(store_->accounts("hs").value().size(), 5u);

  auto m = match(*d, lead_from("ana@c3.com", ""));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->account_id, "3");
  EXPECT_EQ(m->owner_id, "o3");
  EXPECT_EQ(m->reason, "email domain c3.com");
  EXPECT_GT(m->confidence, 0.9);
  EXPECT_NE(metrics_.render().find("leadrouter_accounts_indexed{connector=\"hs\"} 5"),
            std::string::npos);
}

TEST_F(AccountDirectoryTest, IncrementalRefreshReadsOnlyChangesAndUpdatesOwners) {
  crm_.put_account(account("1", "Acme Corporation", "acme.com", "o1", "2026-03-01T10:00:00Z"));
  auto d = directory();
  ASSERT_TRUE(d->load("hs", free_mail_));
  ASSERT_TRUE(d->refresh(crm_));
  crm_.put_account(account("1", "Acme Corporation", "acme.com", "o9", "2026-03-02T10:00:00Z"));
  crm_.put_account(account("2", "Northwind Traders", "", "o2", "2026-03-02T11:00:00Z"));
  auto result = d->refresh(crm_);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->changed, 2u);
  EXPECT_EQ(match(*d, lead_from("x@acme.com", ""))->owner_id, "o9");
  auto by_name = match(*d, lead_from("buyer@gmail.com", "Northwind Traders, Inc."));
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->account_id, "2");
  EXPECT_NE(by_name->reason.find("name"), std::string::npos);
  // Nothing new: one call, nothing changed.
  EXPECT_EQ(d->refresh(crm_)->changed, 0u);
}

TEST_F(AccountDirectoryTest, ARestartLoadsTheStoredCopyAndResumesTheFeed) {
  crm_.put_account(account("1", "Acme", "acme.com", "o1", "2026-03-01T10:00:00Z"));
  crm_.put_account(account("2", "Beta", "beta.com", "o2", "2026-03-01T11:00:00Z"));
  {
    auto d = directory();
    ASSERT_TRUE(d->load("hs", free_mail_));
    ASSERT_TRUE(d->refresh(crm_));
  }
  auto d = directory();
  auto loaded = d->load("hs", free_mail_);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, 2u);
  EXPECT_EQ(match(*d, lead_from("x@beta.com", ""))->account_id, "2");
  EXPECT_TRUE(d->has_cursor("hs").value());
  const int calls = crm_.fetch_accounts_calls();
  EXPECT_EQ(d->refresh(crm_)->changed, 0u);
  EXPECT_EQ(crm_.fetch_accounts_calls(), calls + 1);
}

TEST_F(AccountDirectoryTest, AFailedPageKeepsWhatWasStoredAndResumesAfterIt) {
  for (int i = 0; i < 4; ++i) {
    crm_.put_account(account(std::to_string(i + 1), fmt::format("Company {}", i + 1),
                             fmt::format("c{}.com", i + 1), "o", "2026-03-01T10:00:00Z"));
  }
  auto d = directory();
  ASSERT_TRUE(d->load("hs", free_mail_));
  // The first page succeeds, the second fails: as if the process died there.
  auto stop_after_one = [](const std::string&, std::size_t) { return false; };
  ASSERT_TRUE(d->refresh(crm_, stop_after_one));
  EXPECT_EQ(d->size("hs"), 2u);
  crm_.fail_next_fetch_accounts(Error::internal("HTTP 503"));
  EXPECT_FALSE(d->refresh(crm_));
  EXPECT_NE(metrics_.render().find("leadrouter_account_refresh_errors_total{connector=\"hs\"} 1"),
            std::string::npos);
  auto resumed = d->refresh(crm_);
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->changed, 2u);  // only the two not read before
  EXPECT_EQ(d->size("hs"), 4u);
}

TEST_F(AccountDirectoryTest, FullRefreshDropsAccountsTheCrmNoLongerLists) {
  crm_.put_account(account("1", "Acme", "acme.com", "o1", "2026-03-01T10:00:00Z"));
  crm_.put_account(account("2", "Beta", "beta.com", "o2", "2026-03-01T11:00:00Z"));
  auto d = directory();
  ASSERT_TRUE(d->load("hs", free_mail_));
  ASSERT_TRUE(d->refresh(crm_));

  FakeCrmConnector after_delete{"hs"};
  after_delete.put_account(account("2", "Beta", "beta.com", "o2", "2026-03-01T11:00:00Z"));
  // The change feed cannot see the deletion...
  EXPECT_EQ(d->refresh(after_delete)->removed, 0u);
  EXPECT_TRUE(match(*d, lead_from("x@acme.com", "")));
  // ...a full re-read can.
  auto full = d->full_refresh(after_delete);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->removed, 1u);
  EXPECT_EQ(full->indexed, 1u);
  EXPECT_FALSE(match(*d, lead_from("x@acme.com", "")));
  EXPECT_EQ(store_->accounts("hs").value().size(), 1u);
}

TEST_F(AccountDirectoryTest, InactiveOwnersLoseTheTieBreak) {
  // Two accounts on one domain with no name to tell them apart: the one
  // whose owner can still take leads wins.
  crm_.put_account(account("1", "Acme East", "acme.com", "gone", "2026-03-01T10:00:00Z"));
  crm_.put_account(account("2", "Acme West", "acme.com", "here", "2026-03-01T10:00:00Z"));
  auto d = directory();
  ASSERT_TRUE(d->load("hs", free_mail_));
  ASSERT_TRUE(d->refresh(crm_));
  EXPECT_EQ(match(*d, lead_from("x@acme.com", ""))->account_id, "1");  // by id
  d->set_active_owners("hs", {"here"});
  auto m = match(*d, lead_from("x@acme.com", ""));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->account_id, "2");
  EXPECT_NE(m->reason.find("owner active"), std::string::npos) << m->reason;
}

TEST_F(AccountDirectoryTest, ReportsLoadTimeForManyAccounts) {
  constexpr int kAccounts = 20000;
  {
    AccountCommit commit;
    commit.connector = "hs";
    for (int i = 0; i < kAccounts; ++i) {
      commit.accounts.push_back(account(fmt::format("{}", i + 1), fmt::format("Company {} Ltd", i),
                                        fmt::format("company{}.com", i), "o1",
                                        "2026-03-01T10:00:00Z"));
    }
    commit.cursor = "v1:0:1";
    ASSERT_TRUE(store_->commit_accounts(commit));
  }
  auto d = directory();
  const auto started = std::chrono::steady_clock::now();
  auto loaded = d->load("hs", free_mail_);
  const std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, static_cast<std::size_t>(kAccounts));
  std::printf("[ measured ] loaded %d stored accounts into the index in %.0f ms\n", kAccounts,
              ms.count());
  EXPECT_EQ(match(*d, lead_from("x@company12345.com", ""))->account_id, "12346");
}

}  // namespace
}  // namespace leadrouter::sidecar
