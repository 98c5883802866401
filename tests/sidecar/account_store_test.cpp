#include <gtest/gtest.h>

#include "connectors/crm_types.hpp"
#include "sidecar/store/state_store.hpp"
#include "tests/sidecar/pipeline_fixtures.hpp"

namespace leadrouter::sidecar {
namespace {

using testing::ms_at;
using testing::open_store;
using testing::TempDir;

connectors::CrmAccount account(std::string id, std::string name, std::string owner) {
  connectors::CrmAccount a;
  a.id = std::move(id);
  a.name = std::move(name);
  a.domain = "acme.com";
  a.website = "https://www.acme.com/en";
  a.owner_id = std::move(owner);
  a.size = 250;
  a.modified_at = ms_at("2026-03-01T10:00:00Z");
  return a;
}

TEST(AccountStoreTest, UpsertsAccountsAndCursorTogether) {
  TempDir dir;
  auto store = open_store(dir);
  EXPECT_FALSE(store->account_cursor("hs").value().has_value());
  EXPECT_TRUE(store->accounts("hs").value().empty());

  AccountCommit first;
  first.connector = "hs";
  first.accounts = {account("2", "Beta", "o2"), account("1", "Acme", "o1")};
  first.accounts[1].last_activity_at = ms_at("2026-02-01T00:00:00Z");
  first.cursor = "v1:1:2";
  first.now = ms_at("2026-03-01T10:00:01Z");
  ASSERT_TRUE(store->commit_accounts(first));

  AccountCommit second;
  second.connector = "hs";
  second.accounts = {account("1", "Acme Corp", "o3")};
  second.cursor = "v1:2:1";
  second.now = ms_at("2026-03-01T10:05:00Z");
  ASSERT_TRUE(store->commit_accounts(second));

  auto stored = store->accounts("hs");
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[0].id, "1");
  EXPECT_EQ((*stored)[0].name, "Acme Corp");
  EXPECT_EQ((*stored)[0].owner_id, "o3");
  EXPECT_FALSE((*stored)[0].last_activity_at.has_value());
  EXPECT_EQ((*stored)[1].name, "Beta");
  EXPECT_EQ((*stored)[1].website, "https://www.acme.com/en");
  EXPECT_DOUBLE_EQ((*stored)[1].size, 250);
  EXPECT_EQ((*stored)[1].modified_at, ms_at("2026-03-01T10:00:00Z"));
  EXPECT_EQ(store->account_cursor("hs").value(), std::optional<std::string>("v1:2:1"));
  EXPECT_TRUE(store->accounts("sf").value().empty());
}

TEST(AccountStoreTest, RemovesAccountsAndKeepsCursorWhenNoneGiven) {
  TempDir dir;
  auto store = open_store(dir);
  AccountCommit commit;
  commit.connector = "sf";
  commit.accounts = {account("001A", "Acme", "005A"), account("001B", "Beta", "005B")};
  commit.cursor = "v1:5:001B";
  ASSERT_TRUE(store->commit_accounts(commit));

  AccountCommit removal;
  removal.connector = "sf";
  removal.removed_ids = {"001A"};
  ASSERT_TRUE(store->commit_accounts(removal));
  auto stored = store->accounts("sf").value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].id, "001B");
  EXPECT_EQ(store->account_cursor("sf").value(), std::optional<std::string>("v1:5:001B"));
}

TEST(AccountStoreTest, ABadAccountRollsBackTheWholeCommit) {
  TempDir dir;
  auto store = open_store(dir);
  AccountCommit commit;
  commit.connector = "hs";
  commit.accounts = {account("1", "Acme", "o1"), account("", "No id", "o2")};
  commit.cursor = "v1:1:1";
  auto result = store->commit_accounts(commit);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kInvalidInput);
  EXPECT_TRUE(store->accounts("hs").value().empty());
  EXPECT_FALSE(store->account_cursor("hs").value().has_value());
}

TEST(AccountStoreTest, SurvivesReopening) {
  TempDir dir;
  {
    auto store = open_store(dir);
    AccountCommit commit;
    commit.connector = "hs";
    commit.accounts = {account("7", "Acme", "o1")};
    commit.cursor = "v1:9:7";
    ASSERT_TRUE(store->commit_accounts(commit));
  }
  auto store = open_store(dir);
  EXPECT_EQ(store->accounts("hs").value().size(), 1u);
  EXPECT_EQ(store->account_cursor("hs").value(), std::optional<std::string>("v1:9:7"));
}

}  // namespace
}  // namespace leadrouter::sidecar
