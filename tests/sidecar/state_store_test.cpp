#include "sidecar/store/state_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "sidecar/store/roster_state_json.hpp"

namespace leadrouter::sidecar {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

TimestampMs at(std::int64_t ms) {
  return TimestampMs{milliseconds{ms}};
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "leadrouter-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string fmt_id(int thread, int i) {
  return "t" + std::to_string(thread) + "-" + std::to_string(i);
}

DecisionRow decision(const std::string& id, const std::string& lead, std::int64_t decided_ms,
                     const std::string& connector = "hubspot") {
  DecisionRow d;
  d.decision_id = id;
  d.connector = connector;
  d.lead_id = lead;
  d.source = "poll";
  d.mode = "live";
  d.decided_at = at(decided_ms);
  d.assignee_kind = "rep";
  d.assignee_id = "rep-" + lead;
  d.route = "us-east";
  d.tier = "A";
  d.score = 71.25;
  d.policy_name = "default";
  d.policy_version = 3;
  d.model_version = "m7";
  d.decision_json = R"({"decision_id":")" + id + R"("})";
  d.lead_json = R"({"id":")" + lead + R"("})";
  return d;
}

OutboxRow outbox_for(const DecisionRow& d) {
  OutboxRow o;
  o.decision_id = d.decision_id;
  o.connector = d.connector;
  o.record_id = d.lead_id;
  o.write.decision_id = d.decision_id;
  o.write.record_id = d.lead_id;
  o.write.owner_id = d.assignee_id;
  o.write.score = d.score;
  o.write.tier = d.tier;
  o.write.reason = "territory us-east";
  connectors::FollowUpTask task;
  task.owner_id = d.assignee_id;
  task.due = Timestamp{std::chrono::seconds{1'773'000'000}};
  task.priority = "high";
  task.subject = "Call " + d.lead_id;
  task.body = "because";
  o.write.task = task;
  return o;
}

Commit commit_of(const DecisionRow& d, std::optional<std::string> cursor = std::nullopt) {
  Commit c;
  c.connector = d.connector;
  c.decisions.push_back(d);
  c.outbox.push_back(outbox_for(d));
  c.cursor = std::move(cursor);
  return c;
}

std::unique_ptr<StateStore> open_store(const std::string& dir, StoreOptions options = {}) {
  auto store = StateStore::open(dir, options);
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  return std::move(*store);
}

std::int64_t count_rows(StateStore& store, const std::string& lead) {
  DecisionQuery q;
  q.lead_id = lead;
  q.limit = 0;
  auto rows = store.decisions(q);
  EXPECT_TRUE(rows.has_value());
  return rows ? static_cast<std::int64_t>(rows->size()) : -1;
}

// Reads one value with a raw connection, bypassing the store.
std::string raw_query(const std::string& file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(StateStore, CreatesOwnerOnlyDirectoryAndFileWithVersionedWalSchema) {
  TempDir tmp;
  const std::string dir = tmp.sub("state/nested");
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->path(), dir + "/leadrouter.db");
  EXPECT_EQ(mode_of(dir), 0700U);
  EXPECT_EQ(mode_of(store->path()), 0600U);
  EXPECT_EQ(raw_query(store->path(), "SELECT value FROM meta WHERE key = 'schema_version'"), "3");
  EXPECT_EQ(raw_query(store->path(), "PRAGMA journal_mode"), "wal");
  store.reset();
  // Reopening an up-to-date database migrates nothing and keeps the version.
  auto again = open_store(dir);
  ASSERT_TRUE(again);
  EXPECT_EQ(raw_query(again->path(), "SELECT value FROM meta WHERE key = 'schema_version'"), "3");
}

TEST(StateStore, CommitStoresDecisionOutboxCursorRosterAndEvents) {
  TempDir tmp;
  auto store = open_store(tmp.sub("s"));
  ASSERT_TRUE(store);
  auto d = decision("d1", "L1", 1'000'000);
  d.lead_created_at = at(999'000);
  Commit c = commit_of(d, "v1:1000:L1");
  c.roster_state = R"({"reps":{},"pools":{}})";
  c.webhook_event_ids = {"e1", "e2"};
  auto result = store->commit(c);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->committed, std::vector<std::string>{"d1"});
  EXPECT_TRUE(result->skipped_duplicates.empty());
  ASSERT_EQ(result->outbox_ids.size(), 1U);

  auto stored = store->decision("d1");
  ASSERT_TRUE(stored && *stored);
  const DecisionRow& s = **stored;
  EXPECT_GT(s.seq, 0);
  EXPECT_EQ(s.connector, "hubspot");
  EXPECT_EQ(s.lead_id, "L1");
  EXPECT_EQ(s.kind, "initial");
  EXPECT_EQ(s.source, "poll");
  EXPECT_EQ(s.mode, "live");
  EXPECT_EQ(s.decided_at, at(1'000'000));
  EXPECT_EQ(s.assignee_kind, "rep");
  EXPECT_EQ(s.assignee_id, "rep-L1");
  EXPECT_EQ(s.route, "us-east");
  EXPECT_EQ(s.tier, "A");
  EXPECT_DOUBLE_EQ(s.score, 71.25);
  EXPECT_EQ(s.policy_name, "default");
  EXPECT_EQ(s.policy_version, 3);
  EXPECT_EQ(s.model_version, "m7");
  EXPECT_EQ(s.lead_created_at, at(999'000));
  EXPECT_EQ(s.decision_json, d.decision_json);
  EXPECT_EQ(s.lead_json, d.lead_json);

  auto row = store->outbox_row(result->outbox_ids[0]);
  ASSERT_TRUE(row && *row);
  const OutboxRow& o = **row;
  EXPECT_EQ(o.decision_id, "d1");
  EXPECT_EQ(o.connector, "hubspot");
  EXPECT_EQ(o.record_id, "L1");
  EXPECT_EQ(o.state, OutboxState::kPending);
  EXPECT_EQ(o.attempts, 0);
  EXPECT_EQ(o.created_at, at(1'000'000));
  EXPECT_EQ(o.next_attempt_at, at(1'000'000));
  EXPECT_EQ(o.write.owner_id, "rep-L1");
  ASSERT_TRUE(o.write.task);
  EXPECT_EQ(o.write.task->subject, "Call L1");
  EXPECT_EQ(o.write.task->due, Timestamp{std::chrono::seconds{1'773'000'000}});

  EXPECT_EQ(store->decision_for_lead("hubspot", "L1").value(), "d1");
  EXPECT_EQ(store->decision_for_lead("salesforce", "L1").value(), std::nullopt);
  EXPECT_EQ(store->cursor("hubspot").value(), "v1:1000:L1");
  EXPECT_EQ(store->cursor("salesforce").value(), std::nullopt);
  EXPECT_EQ(store->roster_state("hubspot").value(), *c.roster_state);
  EXPECT_TRUE(store->webhook_event_seen("hubspot", "e2").value());
  EXPECT_FALSE(store->webhook_event_seen("hubspot", "e3").value());
  EXPECT_FALSE(store->webhook_event_seen("salesforce", "e1").value());
  EXPECT_EQ(store->decision("nope").value(), std::nullopt);
  EXPECT_EQ(store->outbox_row(9999).value(), std::nullopt);
}

TEST(StateStore, PruningForgetsOnlyWebhookEventsSeenBeforeTheCutoff) {
  TempDir tmp;
  auto store = open_store(tmp.sub("s"));
  ASSERT_TRUE(store);
  Commit c;
  c.connector = "hubspot";
  c.webhook_event_ids = {"e1", "e2"};
  ASSERT_TRUE(store->commit(c));
  const auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());

  // Seen "now": an hour-old cutoff keeps them.
  EXPECT_EQ(store->prune_webhook_events(now - std::chrono::hours{1}).value(), 0);
  EXPECT_TRUE(store->webhook_event_seen("hubspot", "e1").value());
  EXPECT_EQ(store->prune_webhook_events(now + std::chrono::minutes{1}).value(), 2);
  EXPECT_FALSE(store->webhook_event_seen("hubspot", "e1").value());
  EXPECT_FALSE(store->webhook_event_seen("hubspot", "e2").value());
}

TEST(StateStore, FailedCommitStoresNothing) {
  TempDir tmp;
  auto store = open_store(tmp.sub("s"));
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(commit_of(decision("d1", "L1", 1000), "cursor-1")));

  Commit bad = commit_of(decision("d2", "L2", 2000), "cursor-2");
  bad.roster_state = "{}";
  bad.webhook_event_ids = {"e9"};
  // An outbox row for a decision that exists nowhere: the foreign key fails
  // after d2 and the first outbox row were already inserted.
  OutboxRow orphan = outbox_for(decision("ghost", "L9", 2000));
  bad.outbox.push_back(orphan);
  auto result = store->commit(bad);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kInternal);
  EXPECT_NE(result.error().message.find("FOREIGN KEY"), std::string::npos)
      << result.error().message;

  EXPECT_EQ(store->decision("d2").value(), std::nullopt);
  EXPECT_EQ(store->decision_for_lead("hubspot", "L2").value(), std::nullopt);
  EXPECT_EQ(store->cursor("hubspot").value(), "cursor-1");
  EXPECT_EQ(store->roster_state("hubspot").value(), std::nullopt);
  EXPECT_FALSE(store->webhook_event_seen("hubspot", "e9").value());
  EXPECT_EQ(store->outbox({}).value().size(), 1U);

  // No transaction was left open: the next commit goes through.
  auto next = store->commit(commit_of(decision("d2", "L2", 2000), "cursor-2"));
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(store->cursor("hubspot").value(), "cursor-2");
}

TEST(StateStore, DuplicateInitialDecisionInOneCommitIsSkippedWithItsOutboxRow) {
  TempDir tmp;
  auto store = open_store(tmp.sub("s"));
  ASSERT_TRUE(store);
  auto first = decision("d1", "L1", 1000);
  auto second = decision("d2", "L1", 1001);
  Commit c;
  c.connector = "hubspot";
  c.decisions = {first, second};
  c.outbox = {outbox_for(first), outbox_for(second)};
  auto result = store->commit(c);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->committed, std::vector<std::string>{"d1"});
  EXPECT_EQ(result->skipped_duplicates, std::vector<std::string>{"d2"});
  EXPECT_EQ(result->outbox_ids.size(), 1U);
  auto rows = store->outbox({});
  ASSERT_EQ(rows->size(), 1U);
  EXPECT_EQ((*rows)[0].decision_id, "d1");
}

TEST(StateStore, DuplicateInitialDecisionAcrossCommitsIsSkippedButTheCursorMoves) {
  TempDir tmp;
  auto store = open_store(tmp.sub("s"));
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(commit_of(decision("d1", "L1", 1000), "c1")));
  auto again = store->commit(commit_of(decision("d2", "L1", 2000), "c2"));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->committed.empty());
  EXPECT_EQ(again->skipped_duplicates, std::vector<std::string>{"d2"});
  EXPECT_TRUE(again->outbox_ids.empty());
  EXPECT_EQ(store->cursor("hubspot").value(), "c2");
  EXPECT_EQ(store->decision_for_lead("hubspot", "L1").value(), "d1");
  EXPECT_EQ(store->outbox({}).value().size(), 1U);

  // The same lead id in another connector is another lead.
  auto other = store->commit(commit_of(decision("d3", "L1", 3000, "salesforce")));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->committed, std::vector<std::string>{"d3"});

  // Later SLA steps are not initial decisions and are all kept.
  auto reassign = decision("d4", "L1", 4000);
  reassign.kind = "reassign";
  auto r = store->commit(commit_of(reassign));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->committed, std::vector<std::string>{"d4"});
  EXPECT_EQ(count_rows(*store, "L1"), 3);
}

TEST(StateStore, OutboxStateMachine) {
  TempDir tmp;
  auto store = open_store(tmp.sub("s"));
  ASSERT_TRUE(store);
  // Committed out of time order: the outbox is ordered by due time.
  ASSERT_TRUE(store->commit(commit_of(decision("d3", "L3", 3000))));
  ASSERT_TRUE(store->commit(commit_of(decision("d1", "L1", 1000))));
  ASSERT_TRUE(store->commit(commit_of(decision("d2", "L2", 2000))));
  ASSERT_TRUE(store->commit(commit_of(decision("s1", "L1", 500, "salesforce"))));

  auto due = store->due_outbox("hubspot", at(2500), 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 2U);
  EXPECT_EQ((*due)[0].decision_id, "d1");
  EXPECT_EQ((*due)[1].decision_id, "d2");
  EXPECT_EQ(store->due_outbox("hubspot", at(5000), 1)->size(), 1U);
  EXPECT_EQ(store->next_outbox_due("hubspot").value(), at(1000));
  EXPECT_EQ(store->next_outbox_due("nobody").value(), std::nullopt);

  const std::int64_t id1 = (*due)[0].id;
  const std::int64_t id2 = (*due)[1].id;
  const std::int64_t id3 = store->due_outbox("hubspot", at(5000), 10)->at(2).id;

  // A retryable failure: not due again until its backoff has passed.
  ASSERT_TRUE(store->mark_retry(id1, "503 from CRM", at(10'000), at(2500)));
  due = store->due_outbox("hubspot", at(5000), 10);
  ASSERT_EQ(due->size(), 2U);
  EXPECT_EQ((*due)[0].decision_id, "d2");
  EXPECT_EQ((*due)[1].decision_id, "d3");
  auto retried = store->outbox_row(id1).value();
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->attempts, 1);
  EXPECT_EQ(retried->last_error, "503 from CRM");
  EXPECT_EQ(retried->next_attempt_at, at(10'000));
  EXPECT_EQ(retried->updated_at, at(2500));
  EXPECT_EQ(store->due_outbox("hubspot", at(10'000), 10)->back().id, id1);

  ASSERT_TRUE(store->mark_done(id2, "task-77", at(2600)));
  ASSERT_TRUE(store->mark_dead(id3, "400 INVALID_FIELD", at(2700)));
  auto done = store->outbox_row(id2).value();
  EXPECT_EQ(done->state, OutboxState::kDone);
  EXPECT_EQ(done->task_id, "task-77");
  auto dead = store->outbox_row(id3).value();
  EXPECT_EQ(dead->state, OutboxState::kDead);
  EXPECT_EQ(dead->last_error, "400 INVALID_FIELD");
  EXPECT_EQ(dead->attempts, 1);

  auto counts = store->outbox_counts().value();
  EXPECT_EQ(counts[OutboxState::kPending], 2);  // id1 and salesforce's row
  EXPECT_EQ(counts[OutboxState::kDone], 1);
  EXPECT_EQ(counts[OutboxState::kDead], 1);
  EXPECT_EQ(counts[OutboxState::kDropped], 0);

  // A dead row is not retried by the writer, and a late retry of a finished
  // row changes nothing.
  ASSERT_TRUE(store->mark_retry(id3, "late", at(1), at(2800)));
  EXPECT_EQ(store->outbox_row(id3).value()->state, OutboxState::kDead);
  ASSERT_TRUE(store->mark_dead(id2, "late", at(2800)));
  EXPECT_EQ(store->outbox_row(id2).value()->state, OutboxState::kDone);

  // Operator: retry every dead row, due now, attempts reset.
  EXPECT_EQ(store->retry_outbox(std::nullopt, at(3000)).value(), 1);
  auto back = store->outbox_row(id3).value();
  EXPECT_EQ(back->state, OutboxState::kPending);
  EXPECT_EQ(back->attempts, 0);
  EXPECT_EQ(back->next_attempt_at, at(3000));
  EXPECT_EQ(store->retry_outbox(std::nullopt, at(3000)).value(), 0);

  // Drop: pending or dead only; done rows stay done.
  EXPECT_EQ(store->drop_outbox(id3, at(3100)).value(), 1);
  EXPECT_EQ(store->outbox_row(id3).value()->state, OutboxState::kDropped);
  EXPECT_EQ(store->drop_outbox(id3, at(3100)).value(), 0);
  EXPECT_EQ(store->drop_outbox(id2, at(3100)).value(), 0);
  EXPECT_EQ(store->outbox_row(id2).value()->state, OutboxState::kDone);
  EXPECT_EQ(store->due_outbox("hubspot", at(100'000), 10)->size(), 1U);

  // Retrying by id also revives a dropped row; never a done one.
  EXPECT_EQ(store->retry_outbox(id2, at(3200)).value(), 0);
  EXPECT_EQ(store->retry_outbox(id3, at(3200)).value(), 1);
  EXPECT_EQ(store->outbox_row(id3).value()->state, OutboxState::kPending);

  // Rows that do not exist are errors for the writer's calls.
  EXPECT_EQ(store->mark_done(9999, "t", at(1)).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store->mark_retry(9999, "e", at(1), at(1)).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store->mark_dead(9999, "e", at(1)).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store->drop_outbox(9999, at(1)).value(), 0);
}

TEST(StateStore, OutboxQueriesFilterAndLimit) {
  TempDir tmp;
  auto store = open_store(tmp.sub("s"));
  ASSERT_TRUE(store);
  for (int i = 0; i < 5; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(store->commit(commit_of(decision("d" + n, "L" + n, 1000 + i))));
  }
  ASSERT_TRUE(store->commit(commit_of(decision("s0", "L0", 900, "salesforce"))));
  const auto all = store->outbox({}).value();
  ASSERT_EQ(all.size(), 6U);
  EXPECT_LT(all[0].id, all[1].id);  // oldest first
  ASSERT_TRUE(store->mark_dead(all[1].id, "x", at(2000)));

  OutboxQuery q;
  q.state = OutboxState::kDead;
  auto dead = store->outbox(q).value();
  ASSERT_EQ(dead.size(), 1U);
  EXPECT_EQ(dead[0].decision_id, "d1");
  q = {};
  q.connector = "salesforce";
  EXPECT_EQ(store->outbox(q).value().size(), 1U);
  q = {};
  q.decision_id = "d3";
  ASSERT_EQ(store->outbox(q).value().size(), 1U);
  EXPECT_EQ(store->outbox(q).value()[0].record_id, "L3");
  q = {};
  q.limit = 2;
  EXPECT_EQ(store->outbox(q).value().size(), 2U);
}

TEST(StateStore, DecisionQueriesAreNewestFirstAndPage) {
  TempDir tmp;
  auto store = open_store(tmp.sub("s"));
  ASSERT_TRUE(store);
  for (int i = 0; i < 6; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(store->commit(commit_of(decision("d" + n, "L" + std::to_string(i % 3), 1000 + i,
                                                 i < 3 ? "hubspot" : "salesforce"))));
  }
  DecisionQuery q;
  auto rows = store->decisions(q).value();
  ASSERT_EQ(rows.size(), 6U);
  EXPECT_EQ(rows[0].decision_id, "d5");
  EXPECT_EQ(rows[5].decision_id, "d0");
  EXPECT_GT(rows[0].seq, rows[1].seq);

  q.limit = 2;
  rows = store->decisions(q).value();
  ASSERT_EQ(rows.size(), 2U);
  q.before_seq = rows.back().seq;
  rows = store->decisions(q).value();
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].decision_id, "d3");
  EXPECT_EQ(rows[1].decision_id, "d2");

  q = {};
  q.lead_id = "L1";
  rows = store->decisions(q).value();
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].decision_id, "d4");
  q.connector = "hubspot";
  rows = store->decisions(q).value();
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].decision_id, "d1");
}

TEST(StateStore, ConcurrentCommitsForOneLeadDecideItOnce) {
  TempDir tmp;
  auto store = open_store(tmp.sub("s"));
  ASSERT_TRUE(store);
  std::atomic<int> committed{0};
  std::atomic<int> skipped{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto r =
            store->commit(commit_of(decision(fmt_id(t, i), "L" + std::to_string(i), 1000 + t)));
        if (!r) {
          ++failed;
          continue;
        }
        committed += static_cast<int>(r->committed.size());
        skipped += static_cast<int>(r->skipped_duplicates.size());
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(committed.load(), 25);
  EXPECT_EQ(skipped.load(), 75);
  for (int i = 0; i < 25; ++i) {
    EXPECT_EQ(count_rows(*store, "L" + std::to_string(i)), 1);
  }
  EXPECT_EQ(store->outbox({.limit = 0}).value().size(), 25U);
}

// Separate connections (as two processes would have) racing through SQLite's
// own locking rather than the store's mutex.
TEST(StateStore, ConcurrentCommitsFromSeparateConnectionsDecideALeadOnce) {
  TempDir tmp;
  const std::string dir = tmp.sub("s");
  std::vector<std::unique_ptr<StateStore>> stores;
  for (int t = 0; t < 4; ++t) {
    stores.push_back(open_store(dir));
    ASSERT_TRUE(stores.back());
  }
  std::atomic<int> committed{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto r = stores[static_cast<std::size_t>(t)]->commit(
            commit_of(decision(fmt_id(t, i), "L" + std::to_string(i), 1000 + t)));
        if (!r) {
          ++failed;
          continue;
        }
        committed += static_cast<int>(r->committed.size());
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(committed.load(), 10);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(count_rows(*stores[0], "L" + std::to_string(i)), 1);
  }
}

TEST(StateStore, ReopenAfterCloseKeepsEverything) {
  TempDir tmp;
  const std::string dir = tmp.sub("s");
  std::int64_t outbox_id = 0;
  {
    auto store = open_store(dir);
    ASSERT_TRUE(store);
    Commit c = commit_of(decision("d1", "L1", 1000), "cur");
    c.roster_state = roster_state_to_json({});
    c.webhook_event_ids = {"evt"};
    auto r = store->commit(c);
    ASSERT_TRUE(r);
    outbox_id = r->outbox_ids.at(0);
    ASSERT_TRUE(store->mark_retry(outbox_id, "timeout", at(5000), at(1500)));
  }
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->decision_for_lead("hubspot", "L1").value(), "d1");
  EXPECT_EQ(store->cursor("hubspot").value(), "cur");
  EXPECT_EQ(store->roster_state("hubspot").value(), roster_state_to_json({}));
  EXPECT_TRUE(store->webhook_event_seen("hubspot", "evt").value());
  auto row = store->outbox_row(outbox_id).value();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->attempts, 1);
  EXPECT_EQ(row->next_attempt_at, at(5000));
  // A new decision's seq continues after the old ones.
  auto r = store->commit(commit_of(decision("d2", "L2", 2000)));
  ASSERT_TRUE(r);
  EXPECT_GT(store->decision("d2").value()->seq, store->decision("d1").value()->seq);
}

TEST(StateStore, ReadOnlyOpenReadsALiveStoreAndRefusesWrites) {
  TempDir tmp;
  const std::string dir = tmp.sub("s");

  auto missing = StateStore::open(dir, {.read_only = true});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(missing.error().message.find(dir), std::string::npos) << missing.error().message;
  EXPECT_FALSE(fs::exists(dir));  // a read-only open creates nothing

  fs::create_directories(dir);
  auto no_db = StateStore::open(dir, {.read_only = true});
  ASSERT_FALSE(no_db);
  EXPECT_EQ(no_db.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(no_db.error().message.find("no state database"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir + "/leadrouter.db"));

  auto writer = open_store(dir);
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->commit(commit_of(decision("d1", "L1", 1000))));
  auto reader = open_store(dir, {.read_only = true});
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->decision_for_lead("hubspot", "L1").value(), "d1");
  // Commits made after the reader opened are visible to it (WAL).
  ASSERT_TRUE(writer->commit(commit_of(decision("d2", "L2", 2000))));
  EXPECT_EQ(reader->decisions({}).value().size(), 2U);
  EXPECT_EQ(reader->outbox_counts().value()[OutboxState::kPending], 2);

  auto write = reader->commit(commit_of(decision("d3", "L3", 3000)));
  ASSERT_FALSE(write);
  EXPECT_EQ(writer->decision("d3").value(), std::nullopt);
  EXPECT_FALSE(reader->drop_outbox(1, at(1)));
}

TEST(StateStore, BackupIsAnOwnerOnlyConsistentCopy) {
  TempDir tmp;
  auto store = open_store(tmp.sub("s"));
  ASSERT_TRUE(store);
  for (int i = 0; i < 20; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(store->commit(commit_of(decision("d" + n, "L" + n, 1000 + i), "cur-" + n)));
  }
  fs::create_directories(tmp.sub("copy"));
  const std::string file = tmp.sub("copy/leadrouter.db");
  auto r = store->backup(file);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(mode_of(file), 0600U);

  auto copy = open_store(tmp.sub("copy"), {.read_only = true});
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->decisions({.limit = 0}).value().size(), 20U);
  EXPECT_EQ(copy->outbox({.limit = 0}).value().size(), 20U);
  EXPECT_EQ(copy->cursor("hubspot").value(), "cur-19");
  EXPECT_EQ(copy->decision("d7").value()->decision_json,
            store->decision("d7").value()->decision_json);

  // Never over an existing file, and the existing file is left alone.
  const auto size = fs::file_size(file);
  auto again = store->backup(file);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kInvalidInput);
  EXPECT_NE(again.error().message.find("already exists"), std::string::npos);
  EXPECT_EQ(fs::file_size(file), size);

  auto bad_dir = store->backup(tmp.sub("no/such/dir/backup.db"));
  ASSERT_FALSE(bad_dir);
  EXPECT_FALSE(fs::exists(tmp.sub("no/such/dir/backup.db")));
}

TEST(StateStore, BackupFromAReadOnlyOpen) {
  TempDir tmp;
  {
    auto store = open_store(tmp.sub("s"));
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->commit(commit_of(decision("d1", "L1", 1000))));
  }
  auto reader = open_store(tmp.sub("s"), {.read_only = true});
  ASSERT_TRUE(reader);
  fs::create_directories(tmp.sub("copy"));
  ASSERT_TRUE(reader->backup(tmp.sub("copy/leadrouter.db")));
  auto copy = open_store(tmp.sub("copy"));
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->decision_for_lead("hubspot", "L1").value(), "d1");
}

// Each commit adds one decision and one outbox row, so a copy taken in the
// middle of a commit would show different counts.
TEST(StateStore, BackupDuringCommitsIsASnapshotBetweenCommits) {
  TempDir tmp;
  const std::string dir = tmp.sub("s");
  auto writer = open_store(dir);
  auto reader = open_store(dir, {.read_only = true});
  ASSERT_TRUE(writer && reader);
  std::atomic<bool> stop{false};
  std::thread commits([&] {
    for (int i = 0; !stop && i < 2000; ++i) {
      const std::string n = std::to_string(i);
      Commit c;
      c.connector = "hubspot";
      auto d = decision("d" + n, "L" + n, 1000 + i);
      c.decisions = {d};
      c.outbox = {outbox_for(d), outbox_for(d)};
      c.outbox[1].write.task.reset();
      ASSERT_TRUE(writer->commit(c));
    }
  });
  while (reader->decisions({.limit = 1}).value().empty()) {
    std::this_thread::yield();
  }
  for (int b = 0; b < 3; ++b) {
    const std::string copy_dir = tmp.sub("copy" + std::to_string(b));
    fs::create_directories(copy_dir);
    auto r = reader->backup(StateStore::database_path(copy_dir));
    ASSERT_TRUE(r) << r.error().message;
    auto copy = open_store(copy_dir, {.read_only = true});
    ASSERT_TRUE(copy);
    const auto decisions = copy->decisions({.limit = 0}).value().size();
    EXPECT_GT(decisions, 0U);
    EXPECT_EQ(copy->outbox({.limit = 0}).value().size(), 2 * decisions);
  }
  stop = true;
  commits.join();
}

TEST(StateStore, WebhookEventIdsAreRecordedOnce) {
  TempDir tmp;
  auto store = open_store(tmp.sub("s"));
  ASSERT_TRUE(store);
  Commit c;
  c.connector = "hubspot";
  c.webhook_event_ids = {"e1", "e1", "e2"};
  ASSERT_TRUE(store->commit(c));
  // A redelivery committed again is not an error.
  c.webhook_event_ids = {"e2", "e3"};
  ASSERT_TRUE(store->commit(c));
  for (const char* e : {"e1", "e2", "e3"}) {
    EXPECT_TRUE(store->webhook_event_seen("hubspot", e).value()) << e;
  }
}

TEST(StateStore, ConnectorStateNeedsAConnector) {
  TempDir tmp;
  auto store = open_store(tmp.sub("s"));
  ASSERT_TRUE(store);
  Commit c;
  c.cursor = "x";
  auto r = store->commit(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(store->cursor("").value(), std::nullopt);
}

TEST(StateStore, RefusesADatabaseFromANewerVersion) {
  TempDir tmp;
  const std::string dir = tmp.sub("s");
  std::string file;
  {
    auto store = open_store(dir);
    ASSERT_TRUE(store);
    file = store->path();
  }
  raw_query(file, "UPDATE meta SET value = '4' WHERE key = 'schema_version'");
  for (bool read_only : {false, true}) {
    auto store = StateStore::open(dir, {.read_only = read_only});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().kind, ErrorKind::kInvalidInput);
    EXPECT_NE(store.error().message.find("schema version 4"), std::string::npos)
        << store.error().message;
    EXPECT_NE(store.error().message.find("newer"), std::string::npos);
  }
  EXPECT_EQ(raw_query(file, "SELECT value FROM meta WHERE key = 'schema_version'"), "4");
}

TEST(StateStore, AFileThatIsNotADatabaseIsRefusedByName) {
  TempDir tmp;
  const std::string dir = tmp.sub("s");
  fs::create_directories(dir);
  const std::string file = StateStore::database_path(dir);
  {
    std::FILE* f = std::fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(
        "this is not an SQLite database, but it is long enough to have a header........"
        "...............................................................................",
        f);
    std::fclose(f);
  }
  for (bool read_only : {false, true}) {
    auto store = StateStore::open(dir, {.read_only = read_only});
    ASSERT_FALSE(store);
    EXPECT_NE(store.error().message.find(file), std::string::npos) << store.error().message;
    EXPECT_NE(store.error().message.find("not a database"), std::string::npos)
        << store.error().message;
  }
}

TEST(StateStore, MigratesAnUnmigratedDatabaseUnlessToldNotTo) {
  TempDir tmp;
  const std::string dir = tmp.sub("s");
  fs::create_directories(dir);
  const std::string file = StateStore::database_path(dir);
  // What a leadrouter before any migration left: a meta table at version 0.
  raw_query(file, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  raw_query(file, "INSERT INTO meta VALUES ('schema_version', '0')");
  for (bool read_only : {true, false}) {
    auto store = StateStore::open(dir, {.read_only = read_only, .migrate = false});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().kind, ErrorKind::kInvalidInput);
    EXPECT_NE(store.error().message.find("not an initialized"), std::string::npos)
        << store.error().message;
  }
  EXPECT_EQ(raw_query(file, "SELECT value FROM meta WHERE key = 'schema_version'"), "0");
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  EXPECT_EQ(raw_query(file, "SELECT value FROM meta WHERE key = 'schema_version'"), "3");
  EXPECT_TRUE(store->commit(commit_of(decision("d1", "L1", 1000))));
}

TEST(StateStore, RejectsAnUnsafeSynchronousSetting) {
  TempDir tmp;
  auto store = StateStore::open(tmp.sub("s"), {.synchronous = "OFF"});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().kind, ErrorKind::kInvalidInput);
  EXPECT_TRUE(StateStore::open(tmp.sub("s"), {.synchronous = "normal"}));
}

TEST(StateStore, OutboxStateNames) {
  for (auto s :
       {OutboxState::kPending, OutboxState::kDone, OutboxState::kDead, OutboxState::kDropped}) {
    EXPECT_EQ(parse_outbox_state(to_string(s)), s);
  }
  EXPECT_EQ(parse_outbox_state("Pending"), std::nullopt);
}

}  // namespace
}  // namespace leadrouter::sidecar
