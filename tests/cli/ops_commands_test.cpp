// `leadrouter decisions | outbox | state` against a state store filled through
// sidecar::StateStore, which stays open meanwhile as the daemon's would.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <filesystem>

#include "sidecar/store/state_store.hpp"
#include "tests/cli/cli_process.hpp"

namespace leadrouter::cli_test {
namespace {

using sidecar::OutboxState;
using sidecar::StateStore;
using sidecar::TimestampMs;
using ::testing::HasSubstr;
using ::testing::Not;

TimestampMs at_ms(std::int64_t ms) {
  return TimestampMs{std::chrono::milliseconds{ms}};
}

// 2026-03-09T15:00:00Z
constexpr std::int64_t kT0 = 1'773'068'400'000;

sidecar::DecisionRow decision(const std::string& id, const std::string& connector,
                              const std::string& lead, const std::string& rep, std::int64_t ms) {
  sidecar::DecisionRow d;
  d.decision_id = id;
  d.connector = connector;
  d.lead_id = lead;
  d.source = "webhook";
  d.mode = "live";
  d.decided_at = at_ms(ms);
  d.assignee_kind = "rep";
  d.assignee_id = rep;
  d.route = "us-east-enterprise";
  d.tier = "A";
  d.score = 82.46;
  d.policy_name = "acme";
  d.policy_version = 4;
  d.decision_json = R"({"decision_id":")" + id + R"(","assignee":{"id":")" + rep + R"("}})";
  d.lead_json = R"({"id":")" + lead + R"(","company":"Acme"})";
  d.lead_created_at = at_ms(ms - 4000);
  return d;
}

sidecar::OutboxRow outbox_for(const sidecar::DecisionRow& d) {
  sidecar::OutboxRow o;
  o.decision_id = d.decision_id;
  o.connector = d.connector;
  o.record_id = d.lead_id;
  o.write.decision_id = d.decision_id;
  o.write.record_id = d.lead_id;
  o.write.owner_id = d.assignee_id;
  o.write.tier = d.tier;
  connectors::FollowUpTask task;
  task.owner_id = d.assignee_id;
  task.due = Timestamp{std::chrono::seconds{kT0 / 1000 + 3600}};
  task.priority = "high";
  task.subject = "Call " + d.lead_id;
  o.write.task = task;
  return o;
}

class OpsCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = dir_.file("state");
    auto store = StateStore::open(state_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    const std::vector<sidecar::DecisionRow> rows = {
        decision("dec-1", "hubspot", "101", "ana", kT0),
        decision("dec-2", "hubspot", "102", "bo", kT0 + 1000),
        decision("dec-3", "salesforce", "00Q1", "cy", kT0 + 2000),
    };
    for (const auto& d : rows) {
      sidecar::Commit c;
      c.connector = d.connector;
      c.decisions = {d};
      c.outbox = {outbox_for(d)};
      auto r = store_->commit(c);
      ASSERT_TRUE(r) << r.error().message;
      ids_.push_back(r->outbox_ids.at(0));
    }
    ASSERT_TRUE(store_->mark_done(ids_[0], "task-9", at_ms(kT0 + 5000)));
    ASSERT_TRUE(
        store_->mark_dead(ids_[1], "400 INVALID_OWNER: owner bo is inactive", at_ms(kT0 + 6000)));
  }

  OutboxState state_of(std::int64_t id) {
    auto row = store_->outbox_row(id);
    EXPECT_TRUE(row && *row);
    return (row && *row) ? (*row)->state : OutboxState::kPending;
  }

  ScratchDir dir_;
  std::string state_;
  std::unique_ptr<StateStore> store_;
  std::vector<std::int64_t> ids_;
};

std::vector<rapidjson::Document> json_lines(const std::string& out) {
  std::vector<rapidjson::Document> docs;
  for (const auto& line : lines_of(out)) {
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    EXPECT_FALSE(doc.HasParseError()) << line;
    docs.push_back(std::move(doc));
  }
  return docs;
}

TEST_F(OpsCommands, DecisionsListIsATableNewestFirst) {
  const auto r = run_leadrouter({"decisions", "list", "--state", state_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 4U) << r.out;
  for (const char* header :
       {"SEQ", "TIME", "CONNECTOR", "LEAD", "ASSIGNEE", "ROUTE", "TIER", "SCORE", "MODE"}) {
    EXPECT_THAT(lines[0], HasSubstr(header));
  }
  EXPECT_THAT(lines[1], HasSubstr("00Q1"));
  EXPECT_THAT(lines[1], HasSubstr("salesforce"));
  EXPECT_THAT(lines[1], HasSubstr("2026-03-09T15:00:02Z"));
  EXPECT_THAT(lines[1], HasSubstr("82.5"));
  EXPECT_THAT(lines[1], HasSubstr("us-east-enterprise"));
  EXPECT_THAT(lines[3], HasSubstr("101"));
  EXPECT_THAT(lines[3], HasSubstr("ana"));
  EXPECT_TRUE(r.err.empty());
}

TEST_F(OpsCommands, DecisionsListFilters) {
  auto r = run_leadrouter({"decisions", "list", "--state", state_, "--lead", "102"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out).size(), 2U);
  EXPECT_THAT(r.out, HasSubstr("bo"));
  r = run_leadrouter({"decisions", "list", "--state", state_, "--connector", "hubspot"});
  EXPECT_EQ(lines_of(r.out).size(), 3U);
  EXPECT_THAT(r.out, Not(HasSubstr("00Q1")));
  r = run_leadrouter({"decisions", "list", "--state", state_, "--limit", "1"});
  ASSERT_EQ(lines_of(r.out).size(), 2U);
  EXPECT_THAT(r.out, HasSubstr("00Q1"));
  r = run_leadrouter({"decisions", "list", "--state", state_, "--lead", "nope"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "no decisions\n");
}

TEST_F(OpsCommands, DecisionsListJsonlEmbedsTheDecision) {
  const auto r = run_leadrouter({"decisions", "list", "--state", state_, "--format", "jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto docs = json_lines(r.out);
  ASSERT_EQ(docs.size(), 3U);
  const auto& newest = docs[0];
  EXPECT_STREQ(newest["decision_id"].GetString(), "dec-3");
  EXPECT_STREQ(newest["connector"].GetString(), "salesforce");
  EXPECT_STREQ(newest["decided_at"].GetString(), "2026-03-09T15:00:02.000Z");
  EXPECT_STREQ(newest["lead_created_at"].GetString(), "2026-03-09T14:59:58.000Z");
  EXPECT_EQ(newest["policy_version"].GetInt(), 4);
  ASSERT_TRUE(newest["decision"].IsObject());
  EXPECT_STREQ(newest["decision"]["assignee"]["id"].GetString(), "cy");
  EXPECT_LT(docs[1]["seq"].GetInt64(), newest["seq"].GetInt64());
}

TEST_F(OpsCommands, DecisionsShowPrintsTheDecisionLeadAndOutbox) {
  const auto r = run_leadrouter({"decisions", "show", "--state", state_, "dec-2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(lines_of(r.out).size(), 10U);  // pretty-printed
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  ASSERT_FALSE(doc.HasParseError()) << r.out;
  EXPECT_STREQ(doc["lead_id"].GetString(), "102");
  EXPECT_STREQ(doc["lead"]["company"].GetString(), "Acme");
  EXPECT_STREQ(doc["decision"]["assignee"]["id"].GetString(), "bo");
  ASSERT_EQ(doc["outbox"].Size(), 1U);
  const auto& o = doc["outbox"][0];
  EXPECT_STREQ(o["state"].GetString(), "dead");
  EXPECT_THAT(o["last_error"].GetString(), HasSubstr("INVALID_OWNER"));
  EXPECT_EQ(o["attempts"].GetInt(), 1);
  EXPECT_STREQ(o["write"]["task"]["subject"].GetString(), "Call 102");

  const auto missing = run_leadrouter({"decisions", "show", "--state", state_, "dec-404"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("no decision 'dec-404'"));
  EXPECT_TRUE(missing.out.empty());
}

TEST_F(OpsCommands, OutboxListByStatus) {
  auto r = run_leadrouter({"outbox", "list", "--state", state_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 4U) << r.out;
  EXPECT_THAT(lines[0], HasSubstr("LAST ERROR"));
  EXPECT_THAT(lines[1], HasSubstr("done"));
  EXPECT_THAT(lines[1], HasSubstr("task-9"));
  EXPECT_THAT(lines[2], HasSubstr("dead"));
  EXPECT_THAT(lines[2], HasSubstr("INVALID_OWNER"));
  EXPECT_THAT(lines[3], HasSubstr("pending"));

  r = run_leadrouter({"outbox", "list", "--state", state_, "--status", "dead"});
  ASSERT_EQ(lines_of(r.out).size(), 2U) << r.out;
  EXPECT_THAT(r.out, HasSubstr("dec-2"));

  r = run_leadrouter(
      {"outbox", "list", "--state", state_, "--connector", "salesforce", "--format", "jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto docs = json_lines(r.out);
  ASSERT_EQ(docs.size(), 1U);
  EXPECT_STREQ(docs[0]["state"].GetString(), "pending");
  EXPECT_STREQ(docs[0]["write"]["owner_id"].GetString(), "cy");
  EXPECT_STREQ(docs[0]["next_attempt_at"].GetString(), "2026-03-09T15:00:02.000Z");

  r = run_leadrouter({"outbox", "list", "--state", state_, "--status", "stuck"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--status must be pending, done, dead or dropped"));
}

TEST_F(OpsCommands, OutboxRetryById) {
  auto r = run_leadrouter({"outbox", "retry", "--state", state_, std::to_string(ids_[1])});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("dead -> pending"));
  EXPECT_EQ(state_of(ids_[1]), OutboxState::kPending);
  EXPECT_EQ(store_->outbox_row(ids_[1]).value()->attempts, 0);

  // A done row is never written twice.
  r = run_leadrouter({"outbox", "retry", "--state", state_, std::to_string(ids_[0])});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("is done"));
  EXPECT_EQ(state_of(ids_[0]), OutboxState::kDone);

  r = run_leadrouter({"outbox", "retry", "--state", state_, "999"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no outbox row 999"));
}

TEST_F(OpsCommands, OutboxRetryAllDead) {
  ASSERT_TRUE(store_->mark_dead(ids_[2], "403 no access", at_ms(kT0 + 7000)));
  auto r = run_leadrouter({"outbox", "retry", "--state", state_, "--all-dead"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("2 dead outbox rows back to pending"));
  EXPECT_EQ(store_->outbox_counts().value()[OutboxState::kPending], 2);
  EXPECT_EQ(store_->outbox_counts().value()[OutboxState::kDead], 0);

  r = run_leadrouter({"outbox", "retry", "--state", state_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("either an ID or --all-dead"));
  r = run_leadrouter({"outbox", "retry", "--state", state_, "--all-dead", "3"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_leadrouter({"outbox", "retry", "--state", state_, "abc"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("'abc'"));
}

TEST_F(OpsCommands, OutboxDrop) {
  auto r = run_leadrouter({"outbox", "drop", "--state", state_, std::to_string(ids_[2])});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("pending -> dropped"));
  EXPECT_EQ(state_of(ids_[2]), OutboxState::kDropped);
  EXPECT_TRUE(store_->due_outbox("salesforce", at_ms(kT0 + 100'000), 10).value().empty());

  r = run_leadrouter({"outbox", "drop", "--state", state_, std::to_string(ids_[0])});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("only pending or dead rows can be dropped"));
  EXPECT_EQ(state_of(ids_[0]), OutboxState::kDone);

  // A dropped row can be revived by id.
  r = run_leadrouter({"outbox", "retry", "--state", state_, std::to_string(ids_[2])});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(state_of(ids_[2]), OutboxState::kPending);
}

TEST_F(OpsCommands, StateBackupWhileTheStoreIsOpen) {
  const std::string copy_dir = dir_.file("restore");
  std::filesystem::create_directories(copy_dir);
  const std::string file = copy_dir + "/leadrouter.db";
  auto r = run_leadrouter({"state", "backup", "--state", state_, file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("integrity check ok"));
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);

  auto copy = StateStore::open(copy_dir, {.read_only = true});
  ASSERT_TRUE(copy) << copy.error().message;
  EXPECT_EQ((*copy)->decisions({}).value().size(), 3U);
  EXPECT_EQ((*copy)->outbox_row(ids_[1]).value()->state, OutboxState::kDead);

  // The listing commands read the copy as they read the original.
  r = run_leadrouter({"decisions", "list", "--state", copy_dir, "--format", "jsonl"});
  EXPECT_EQ(json_lines(r.out).size(), 3U);

  r = run_leadrouter({"state", "backup", "--state", state_, file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("already exists"));
}

TEST_F(OpsCommands, AMissingStateDirectoryIsExit2NamingIt) {
  const std::string missing = dir_.file("no-such-state");
  const std::vector<std::vector<std::string>> commands = {
      {"decisions", "list", "--state", missing},
      {"decisions", "show", "--state", missing, "dec-1"},
      {"outbox", "list", "--state", missing},
      {"outbox", "retry", "--state", missing, "1"},
      {"outbox", "drop", "--state", missing, "1"},
      {"state", "backup", "--state", missing, dir_.file("b.db")},
  };
  for (const auto& args : commands) {
    const auto r = run_leadrouter(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1];
    EXPECT_THAT(r.err, HasSubstr("state directory " + missing + " does not exist"));
    EXPECT_TRUE(r.out.empty());
  }
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST_F(OpsCommands, ADirectoryWithoutADatabaseIsNotTurnedIntoOne) {
  const std::string empty = dir_.file("empty");
  std::filesystem::create_directories(empty);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"outbox", "retry", "--state", empty, "--all-dead"},
        std::vector<std::string>{"decisions", "list", "--state", empty}}) {
    const auto r = run_leadrouter(args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_THAT(r.err, HasSubstr("no state database in " + empty));
  }
  EXPECT_TRUE(std::filesystem::is_empty(empty));
}

TEST_F(OpsCommands, BadOptionsAreExit2) {
  auto r = run_leadrouter({"decisions", "list", "--state", state_, "--limit", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--limit"));
  r = run_leadrouter({"decisions", "list", "--state", state_, "--format", "csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--format must be table or jsonl"));
  r = run_leadrouter({"decisions", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--state"));
}

TEST(OpsCommandsHelp, EveryCommandHasHelpAndIsListed) {
  const auto top = run_leadrouter({"--help"});
  for (const std::string name : {"decisions list", "decisions show", "outbox list", "outbox retry",
                                 "outbox drop", "state backup"}) {
    EXPECT_THAT(top.out, HasSubstr("  " + name + " ")) << name;
    const auto space = name.find(' ');
    const auto r = run_leadrouter({name.substr(0, space), name.substr(space + 1), "--help"});
    EXPECT_EQ(r.exit_code, 0) << name;
    EXPECT_THAT(r.out, HasSubstr("Usage: leadrouter " + name + " --state DIR")) << name;
    EXPECT_TRUE(r.err.empty()) << r.err;
  }
}

}  // namespace
}  // namespace leadrouter::cli_test
