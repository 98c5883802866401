#include "sidecar/store/write_back_json.hpp"

#include <gtest/gtest.h>

namespace leadrouter::sidecar {
namespace {

connectors::WriteBack full_write() {
  connectors::WriteBack w;
  w.decision_id = "dec-01J";
  w.record_id = "00Q5g000004XyZ1EAK";
  w.owner_id = "0055g00000ABCDE";
  w.score = 0.1 + 0.2;
  w.tier = "A";
  w.reason = "Territory US-East \"enterprise\"\nfallback: none";
  connectors::FollowUpTask task;
  task.owner_id = "0055g00000ABCDE";
  task.due = Timestamp{std::chrono::seconds{1'773'068'400}};
  task.priority = "high";
  task.subject = "Call Zoë at Acme";
  task.body = "Score 82 (fit 60, intent 22)";
  w.task = task;
  connectors::Notification n;
  n.recipient_id = "0055g00000ABCDE";
  n.title = "New lead";
  n.body = "Acme, tier A";
  w.notification = n;
  return w;
}

void expect_equal(const connectors::WriteBack& a, const connectors::WriteBack& b) {
  EXPECT_EQ(a.decision_id, b.decision_id);
  EXPECT_EQ(a.record_id, b.record_id);
  EXPECT_EQ(a.owner_id, b.owner_id);
  EXPECT_EQ(a.score, b.score);
  EXPECT_EQ(a.tier, b.tier);
  EXPECT_EQ(a.reason, b.reason);
  ASSERT_EQ(a.task.has_value(), b.task.has_value());
  if (a.task) {
    EXPECT_EQ(a.task->owner_id, b.task->owner_id);
    EXPECT_EQ(a.task->due, b.task->due);
    EXPECT_EQ(a.task->priority, b.task->priority);
    EXPECT_EQ(a.task->subject, b.task->subject);
    EXPECT_EQ(a.task->body, b.task->body);
  }
  ASSERT_EQ(a.notification.has_value(), b.notification.has_value());
  if (a.notification) {
    EXPECT_EQ(a.notification->recipient_id, b.notification->recipient_id);
    EXPECT_EQ(a.notification->title, b.notification->title);
    EXPECT_EQ(a.notification->body, b.notification->body);
  }
}

TEST(WriteBackJson, RoundTripsEveryField) {
  const auto original = full_write();
  const std::string json = write_back_to_json(original);
  auto parsed = write_back_from_json(json);
  ASSERT_TRUE(parsed) << parsed.error().message;
  expect_equal(original, *parsed);
  EXPECT_EQ(write_back_to_json(*parsed), json);
  EXPECT_NE(json.find(R"("due":"2026-03-09T15:00:00Z")"), std::string::npos) << json;
}

TEST(WriteBackJson, RoundTripsWithoutOptionalParts) {
  connectors::WriteBack w;
  w.decision_id = "d";
  w.record_id = "r";
  const std::string json = write_back_to_json(w);
  EXPECT_EQ(json.find("score"), std::string::npos);
  EXPECT_EQ(json.find("task"), std::string::npos);
  EXPECT_EQ(json.find("notification"), std::string::npos);
  auto parsed = write_back_from_json(json);
  ASSERT_TRUE(parsed) << parsed.error().message;
  expect_equal(w, *parsed);
}

TEST(WriteBackJson, OnlyTheTaskOrOnlyTheNotification) {
  auto task_only = full_write();
  task_only.notification.reset();
  auto parsed = write_back_from_json(write_back_to_json(task_only));
  ASSERT_TRUE(parsed);
  expect_equal(task_only, *parsed);

  auto note_only = full_write();
  note_only.task.reset();
  note_only.owner_id.clear();  // leave the owner as it is
  parsed = write_back_from_json(write_back_to_json(note_only));
  ASSERT_TRUE(parsed);
  expect_equal(note_only, *parsed);
}

TEST(WriteBackJson, ANonFiniteScoreIsNoScore) {
  auto w = full_write();
  w.score = std::numeric_limits<double>::quiet_NaN();
  auto parsed = write_back_from_json(write_back_to_json(w));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->score, std::nullopt);
}

std::string error_of(std::string_view json) {
  auto parsed = write_back_from_json(json);
  EXPECT_FALSE(parsed) << json;
  if (parsed) {
    return {};
  }
  EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidInput);
  return parsed.error().message;
}

TEST(WriteBackJson, ErrorsNameTheJsonPath) {
  EXPECT_NE(error_of(R"({"record_id":"r"})").find("missing required key 'decision_id'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"decision_id":"d","record_id":"r","score":"high"})").find("/score"),
            std::string::npos);
  EXPECT_NE(
      error_of(R"({"decision_id":"d","record_id":"r","task":{"due":"soon"}})").find("/task/due"),
      std::string::npos);
  EXPECT_NE(error_of(R"({"decision_id":"d","record_id":"r","task":{"subject":"x"}})")
                .find("/task: missing required key 'due'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"decision_id":"d","record_id":"r","task":[]})").find("/task"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"decision_id":"d","record_id":"r","notification":{"titel":"x"}})")
                .find("/notification/titel"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"decision_id":"d","record_id":"r","owner":"x"})").find("/owner"),
            std::string::npos);
  EXPECT_FALSE(error_of("not json").empty());
  EXPECT_FALSE(error_of("42").empty());
}

}  // namespace
}  // namespace leadrouter::sidecar
