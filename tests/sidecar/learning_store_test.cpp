// The state store's schema-2 parts: outcome labels and their cursor, the
// labelled leads retraining reads, model versions, and the upgrade of a
// schema-1 database.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "sidecar/store/state_store.hpp"
#include "tests/sidecar/pipeline_fixtures.hpp"

namespace leadrouter::sidecar {
namespace {

using testing::ms_at;
using testing::open_store;
using testing::TempDir;

// Runs SQL on the file behind the store's back; the first column of the
// first row, "" when there is none.
std::string raw(const std::string& file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  std::string out;
  char* error = nullptr;
  if (sql.find(';') != std::string::npos) {
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
  } else {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

DecisionRow decision(const std::string& lead, std::string_view at_iso,
                     std::string kind = "initial") {
  DecisionRow d;
  d.decision_id = "hs:" + lead + ":" + kind;
  d.connector = "hs";
  d.lead_id = lead;
  d.kind = std::move(kind);
  d.source = "poll";
  d.mode = "live";
  d.decided_at = ms_at(at_iso);
  d.assignee_kind = "rep";
  d.assignee_id = "r1";
  d.route = "everyone";
  d.tier = "B";
  d.policy_name = "p";
  d.policy_version = 1;
  d.decision_json = "{}";
  d.lead_json = R"({"id":")" + lead + R"("})";
  return d;
}

OutcomeRow label(const std::string& lead, bool converted, std::string_view updated_iso) {
  OutcomeRow o;
  o.connector = "hs";
  o.lead_id = lead;
  o.decision_id = "hs:" + lead + ":initial";
  o.converted = converted;
  o.detail = converted ? "lifecyclestage=customer" : "lifecyclestage=lead";
  o.updated_at = ms_at(updated_iso);
  o.counted = converted;
  return o;
}

ModelRow model(std::string version, std::string_view registered_iso, double auc) {
  ModelRow m;
  m.version = std::move(version);
  m.created_at = ms_at(registered_iso);
  m.registered_at = ms_at(registered_iso);
  m.source = "retrained";
  m.auc = auc;
  m.rows = 600;
  m.positives = 80;
  m.path = "/state/models/" + m.version + ".model";
  return m;
}

TEST(LearningStore, OutcomesCursorAndRosterStateCommitTogether) {
  TempDir dir;
  auto store = open_store(dir);
  Commit c;
  c.connector = "hs";
  c.decisions = {decision("1", "2026-03-09T10:00:00Z"), decision("2", "2026-03-09T11:00:00Z"),
                 decision("3", "2026-03-09T12:00:00Z")};
  ASSERT_TRUE(store->commit(c));
  EXPECT_EQ(store->first_decision_at("hs").value(), ms_at("2026-03-09T10:00:00Z"));
  EXPECT_EQ(store->first_decision_at("other").value(), std::nullopt);

  OutcomeCommit oc;
  oc.connector = "hs";
  oc.outcomes = {label("1", true, "2026-03-10T00:00:00Z"),
                 label("2", false, "2026-03-10T00:00:00Z")};
  oc.since = ms_at("2026-03-09T23:00:00Z");
  oc.roster_state = R"({"reps":{},"pools":{}})";
  ASSERT_TRUE(store->commit_outcomes(oc));
  EXPECT_EQ(store->outcome_cursor("hs").value(), ms_at("2026-03-09T23:00:00Z"));
  EXPECT_EQ(store->roster_state("hs").value(), R"({"reps":{},"pools":{}})");
  auto one = store->outcome("hs", "1").value();
  ASSERT_TRUE(one);
  EXPECT_TRUE(one->converted);
  EXPECT_TRUE(one->counted);
  EXPECT_EQ(one->outcome_at, std::nullopt);

  // An upsert replaces the lead's row; the count of changed labels follows.
  ASSERT_TRUE(store->commit_outcomes(
      {.connector = "hs", .outcomes = {label("2", true, "2026-03-11T00:00:00Z")}}));
  EXPECT_TRUE(store->outcome("hs", "2").value()->converted);
  EXPECT_EQ(store->outcomes_changed_since(ms_at("2026-03-10T00:00:00Z")).value(), 2);
  EXPECT_EQ(store->outcomes_changed_since(ms_at("2026-03-10T12:00:00Z")).value(), 1);
  EXPECT_EQ(store->outcome_cursor("hs").value(), ms_at("2026-03-09T23:00:00Z"));

  // Every decided lead is a training row, oldest first; one without a
  // reported conversion counts as not converted.
  auto rows = store->labelled_leads().value();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].lead_id, "3");
  EXPECT_FALSE(rows[2].converted);
  EXPECT_EQ(rows[0].lead_id, "1");
  EXPECT_TRUE(rows[0].converted);
  EXPECT_EQ(rows[1].lead_id, "2");
  EXPECT_EQ(rows[1].lead_json, R"({"id":"2"})");
  EXPECT_EQ(rows[1].decided_at, ms_at("2026-03-09T11:00:00Z"));

  EXPECT_FALSE(store->commit_outcomes({.connector = ""}));
}

TEST(LearningStore, OneModelIsActiveAndActivationSwitchesIt) {
  TempDir dir;
  auto store = open_store(dir);
  EXPECT_EQ(store->active_model().value(), std::nullopt);
  EXPECT_TRUE(store->register_model(model("m1", "2026-03-01T00:00:00Z", 0.71), true).value());
  EXPECT_TRUE(store->register_model(model("m2", "2026-03-02T00:00:00Z", 0.74), false).value());
  EXPECT_EQ(store->active_model().value()->version, "m1");
  // Registering a known version again changes nothing.
  EXPECT_FALSE(store->register_model(model("m1", "2026-03-05T00:00:00Z", 0.5), true).value());
  EXPECT_DOUBLE_EQ(*store->active_model().value()->auc, 0.71);

  EXPECT_TRUE(store->register_model(model("m3", "2026-03-03T00:00:00Z", 0.75), true).value());
  auto all = store->models().value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].version, "m3");
  EXPECT_TRUE(all[0].active);
  EXPECT_FALSE(all[2].active);
  EXPECT_EQ(all[2].version, "m1");
  EXPECT_EQ(all[1].rows, 600);
  EXPECT_EQ(all[1].positives, 80);
  EXPECT_EQ(all[1].source, "retrained");

  ASSERT_TRUE(store->activate_model("m1"));
  EXPECT_EQ(store->active_model().value()->version, "m1");
  EXPECT_EQ(raw(store->path(), "SELECT COUNT(*) FROM models WHERE active = 1"), "1");
  auto unknown = store->activate_model("nope");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store->active_model().value()->version, "m1");

  auto bad = model("m4", "2026-03-04T00:00:00Z", 0.7);
  bad.source = "downloaded";
  EXPECT_FALSE(store->register_model(bad, false));
}

TEST(LearningStore, ASchemaOneDatabaseUpgradesAndKeepsItsDecisions) {
  TempDir dir;
  std::string file;
  {
    auto store = open_store(dir);
    file = store->path();
    Commit c;
    c.connector = "hs";
    c.decisions = {decision("1", "2026-03-09T10:00:00Z")};
    c.cursor = "v1:1:1";
    ASSERT_TRUE(store->commit(c));
  }
  // What leadrouter with schema 1 left behind: the same tables without the
  // later ones.
  raw(file,
      "DROP TABLE outcomes; DROP TABLE outcome_cursors; DROP TABLE models; DROP TABLE accounts; "
      "DROP TABLE account_cursors; DROP TABLE sla_watches; DROP INDEX webhook_events_by_time; "
      "UPDATE meta SET "
      "value = '1' WHERE key = 'schema_version';");
  ASSERT_EQ(raw(file, "SELECT value FROM meta WHERE key = 'schema_version'"), "1");

  EXPECT_EQ(raw(file, "SELECT COUNT(*) FROM decisions"), "1");
  auto refused = StateStore::open(dir.str(), {.migrate = false});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("older"), std::string::npos) << refused.error().message;

  auto store = open_store(dir);
  EXPECT_EQ(raw(file, "SELECT value FROM meta WHERE key = 'schema_version'"), "3");
  EXPECT_EQ(store->cursor("hs").value(), "v1:1:1");
  EXPECT_EQ(store->decision_for_lead("hs", "1").value(), "hs:1:initial");
  ASSERT_TRUE(store->commit_outcomes(
      {.connector = "hs", .outcomes = {label("1", true, "2026-03-10T00:00:00Z")}}));
  EXPECT_EQ(store->labelled_leads().value().size(), 1u);
  EXPECT_TRUE(store->register_model(model("m1", "2026-03-01T00:00:00Z", 0.7), true).value());
}

}  // namespace
}  // namespace leadrouter::sidecar
