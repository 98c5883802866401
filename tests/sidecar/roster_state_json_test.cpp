#include "sidecar/store/roster_state_json.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace leadrouter::sidecar {
namespace {

core::RosterSnapshot full_snapshot() {
  core::RosterSnapshot s;
  core::RepState ana;
  ana.open_load = 7;
  ana.day_key = 20'521;
  ana.assigned_in_day = 3;
  ana.hour_key = 492'504;
  ana.assigned_in_hour = 1;
  ana.last_assigned_at = Timestamp{std::chrono::seconds{1'773'068'400}};
  ana.track_record["saas|enterprise"] = {.assigned = 40, .converted = 9};
  ana.track_record["retail|smb"] = {.assigned = std::int64_t{1} << 40, .converted = 0};
  s.reps["ana"] = ana;
  core::RepState bo;  // never assigned: defaults, no last_assigned_at
  s.reps["bo"] = bo;
  core::PoolLedger pool;
  pool.credit["ana"] = -0.1 + 0.2;  // a double that needs all its digits
  pool.credit["bo"] = 1e-300;
  pool.round_robin_cursor = std::numeric_limits<std::uint64_t>::max();
  pool.last_rep_id = "ana";
  s.pools["us-east/ae"] = pool;
  s.pools["empty"] = core::PoolLedger{};
  return s;
}

void expect_equal(const core::RosterSnapshot& a, const core::RosterSnapshot& b) {
  ASSERT_EQ(a.reps.size(), b.reps.size());
  for (const auto& [id, x] : a.reps) {
    ASSERT_TRUE(b.reps.contains(id)) << id;
    const auto& y = b.reps.at(id);
    EXPECT_EQ(x.open_load, y.open_load) << id;
    EXPECT_EQ(x.day_key, y.day_key) << id;
    EXPECT_EQ(x.assigned_in_day, y.assigned_in_day) << id;
    EXPECT_EQ(x.hour_key, y.hour_key) << id;
    EXPECT_EQ(x.assigned_in_hour, y.assigned_in_hour) << id;
    EXPECT_EQ(x.last_assigned_at, y.last_assigned_at) << id;
    ASSERT_EQ(x.track_record.size(), y.track_record.size()) << id;
    for (const auto& [segment, r] : x.track_record) {
      ASSERT_TRUE(y.track_record.contains(segment)) << segment;
      EXPECT_EQ(r.assigned, y.track_record.at(segment).assigned) << segment;
      EXPECT_EQ(r.converted, y.track_record.at(segment).converted) << segment;
    }
  }
  ASSERT_EQ(a.pools.size(), b.pools.size());
  for (const auto& [name, x] : a.pools) {
    ASSERT_TRUE(b.pools.contains(name)) << name;
    const auto& y = b.pools.at(name);
    EXPECT_EQ(x.credit, y.credit) << name;  // exact: doubles must round-trip bit for bit
    EXPECT_EQ(x.round_robin_cursor, y.round_robin_cursor) << name;
    EXPECT_EQ(x.last_rep_id, y.last_rep_id) << name;
  }
}

TEST(RosterStateJson, RoundTripsEveryField) {
  const auto original = full_snapshot();
  const std::string json = roster_state_to_json(original);
  auto parsed = roster_state_from_json(json);
  ASSERT_TRUE(parsed) << parsed.error().message;
  expect_equal(original, *parsed);
  EXPECT_EQ(roster_state_to_json(*parsed), json);
  // The 64-bit cursor is written as a string so no JSON reader rounds it.
  EXPECT_NE(json.find(R"("round_robin_cursor":"18446744073709551615")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("last_assigned_at":"2026-03-09T15:00:00Z")"), std::string::npos) << json;
}

TEST(RosterStateJson, EmptySnapshot) {
  const std::string json = roster_state_to_json({});
  EXPECT_EQ(json, R"({"reps":{},"pools":{}})");
  auto parsed = roster_state_from_json(json);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->reps.empty());
  EXPECT_TRUE(parsed->pools.empty());
  EXPECT_TRUE(roster_state_from_json("{}"));
}

TEST(RosterStateJson, MissingFieldsTakeTheirDefaults) {
  auto parsed =
      roster_state_from_json(R"({"reps":{"x":{}},"pools":{"p":{"round_robin_cursor":5}}})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->reps.at("x").day_key, -1);
  EXPECT_EQ(parsed->reps.at("x").last_assigned_at, std::nullopt);
  EXPECT_EQ(parsed->pools.at("p").round_robin_cursor, 5U);
}

std::string error_of(std::string_view json) {
  auto parsed = roster_state_from_json(json);
  EXPECT_FALSE(parsed) << json;
  if (parsed) {
    return {};
  }
  EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidInput);
  return parsed.error().message;
}

TEST(RosterStateJson, ErrorsNameTheJsonPath) {
  EXPECT_NE(error_of(R"({"reps":{"ana":{"open_load":"3"}}})").find("/reps/ana/open_load"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"reps":{"ana":{"day_key":1.5}}})").find("/reps/ana/day_key"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"reps":{"ana":{"last_assigned_at":"yesterday"}}})")
                .find("/reps/ana/last_assigned_at"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"reps":{"a/b":{"track_record":{"s":{"assigned":1,"converted":2}}}}})")
                .find("/reps/a~1b/track_record/s"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"pools":{"p":{"round_robin_cursor":"-1"}}})")
                .find("/pools/p/round_robin_cursor"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"pools":{"p":{"round_robin_cursor":"18446744073709551616"}}})")
                .find("/pools/p/round_robin_cursor"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"pools":{"p":{"credit":{"ana":"x"}}}})").find("/pools/p/credit/ana"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"pools":{"p":{"cursor":1}}})").find("/pools/p/cursor"), std::string::npos);
  EXPECT_NE(error_of(R"({"reps":[]})").find("/reps"), std::string::npos);
  EXPECT_NE(error_of(R"({"reps":{"a":{},"a":{}}})").find("more than once"), std::string::npos);
  EXPECT_FALSE(error_of("[]").empty());
  EXPECT_FALSE(error_of("{").empty());
}

TEST(RosterStateJson, ReportsEveryProblemAtOnce) {
  const std::string message =
      error_of(R"({"reps":{"a":{"open_load":true},"b":{"hour_key":"x"}},"extra":1})");
  EXPECT_NE(message.find("/reps/a/open_load"), std::string::npos) << message;
  EXPECT_NE(message.find("/reps/b/hour_key"), std::string::npos) << message;
  EXPECT_NE(message.find("/extra"), std::string::npos) << message;
}

}  // namespace
}  // namespace leadrouter::sidecar
