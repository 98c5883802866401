// Distributions and fairness of each strategy, driven through Router::route
// and Roster::commit as the daemon drives them.
#include "core/strategy.hpp"

#include <gtest/gtest.h>

#include <map>

#include "tests/core/routing_fixtures.hpp"

namespace leadrouter::core {
namespace {

using std::chrono::minutes;
using testing::at;
using testing::make_rep;

const Timestamp kStart = at("2026-03-09T14:00:00Z");

// Routes `n` leads one minute apart from `start`, committing each; returns
// assignments per assignee and appends the sequence.
std::map<std::string, int> route_many(const Router& router, Roster& roster, int n, Timestamp start,
                                      std::vector<std::string>* sequence = nullptr,
                                      bool release_each = false) {
  std::map<std::string, int> counts;
  for (int i = 0; i < n; ++i) {
    const Decision d =
        router.route(testing::make_lead("L" + std::to_string(i)), roster, start + minutes{i});
    roster.commit(d);
    if (release_each && d.assignee_kind == AssigneeKind::kRep) {
      roster.release(d.assignee_id);
    }
    ++counts[d.assignee_id];
    if (sequence != nullptr) {
      sequence->push_back(d.assignee_id);
    }
  }
  return counts;
}

void expect_share(const std::map<std::string, int>& counts, const std::string& id, double share,
                  int total) {
  const auto it = counts.find(id);
  const int got = it == counts.end() ? 0 : it->second;
  EXPECT_NEAR(static_cast<double>(got) / total, share, 0.01) << id << " got " << got;
}

TEST(RoundRobinTest, CyclesInIdOrderWhateverTheRosterOrder) {
  const Router router = testing::make_router(testing::basic_policy(Strategy::kRoundRobin));
  Roster roster({make_rep("r3", "C"), make_rep("r1", "A"), make_rep("r2", "B")});
  std::vector<std::string> seq;
  const auto counts = route_many(router, roster, 10000, kStart, &seq);
  EXPECT_EQ((std::vector<std::string>(seq.begin(), seq.begin() + 6)),
            (std::vector<std::string>{"r1", "r2", "r3", "r1", "r2", "r3"}));
  EXPECT_EQ(counts.at("r1"), 3334);
  EXPECT_EQ(counts.at("r2"), 3333);
  EXPECT_EQ(counts.at("r3"), 3333);
}

TEST(RoundRobinTest, SkipsIneligibleAndResumesAfterTheLastServed) {
  const Router router = testing::make_router(testing::basic_policy(Strategy::kRoundRobin));
  std::vector<Rep> reps = {make_rep("r1", "A"), make_rep("r2", "B"), make_rep("r3", "C")};
  reps[1].active = false;
  Roster roster(reps);
  std::vector<std::string> seq;
  route_many(router, roster, 4, kStart, &seq);
  EXPECT_EQ(seq, (std::vector<std::string>{"r1", "r3", "r1", "r3"}));
  reps[1].active = true;
  roster.set_reps(reps);
  seq.clear();
  route_many(router, roster, 3, kStart, &seq);
  EXPECT_EQ(seq, (std::vector<std::string>{"r1", "r2", "r3"}));
}

Roster weighted_roster(const std::vector<std::pair<std::string, double>>& weights) {
  std::vector<Rep> reps;
  for (const auto& [id, w] : weights) {
    reps.push_back(make_rep(id, id));
    reps.back().weight = w;
  }
  return Roster(reps);
}

TEST(WeightedRoundRobinTest, HonoursWeightsOverTenThousandLeads) {
  const Router router = testing::make_router(testing::basic_policy());
  Roster roster = weighted_roster({{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}});
  const auto counts = route_many(router, roster, 10000, kStart);
  expect_share(counts, "a", 0.1, 10000);
  expect_share(counts, "b", 0.2, 10000);
  expect_share(counts, "c", 0.3, 10000);
  expect_share(counts, "d", 0.4, 10000);
}

TEST(WeightedRoundRobinTest, IsSmoothNotBursty) {
  const Router router = testing::make_router(testing::basic_policy());
  Roster roster = weighted_roster({{"a", 5}, {"b", 1}, {"c", 1}});
  std::vector<std::string> seq;
  route_many(router, roster, 7, kStart, &seq);
  EXPECT_EQ(seq, (std::vector<std::string>{"a", "a", "b", "a", "c", "a", "a"}));
}

TEST(WeightedRoundRobinTest, ReturningRepGetsNoBurst) {
  const Router router = testing::make_router(testing::basic_policy());
  std::vector<Rep> reps = {make_rep("a", "A"), make_rep("b", "B"), make_rep("c", "C")};
  // Leads arrive one a minute; c works the first 300, then is away for 3,000.
  const Timestamp leaves = kStart + minutes{300};
  const Timestamp back = leaves + minutes{3000};
  reps[2].time_off = {{leaves, back, "holiday"}};
  Roster roster(reps);
  const auto before = route_many(router, roster, 300, kStart);
  EXPECT_EQ(before.at("c"), 100);
  const auto away = route_many(router, roster, 3000, leaves);
  EXPECT_EQ(away.count("c"), 0U);
  expect_share(away, "a", 0.5, 3000);

  const auto first = route_many(router, roster, 30, back);
  EXPECT_LE(first.at("c"), 11) << "a returning rep must not be paid back for its absence";
  EXPECT_GE(first.at("c"), 9);
  const auto later = route_many(router, roster, 3000, back + minutes{30});
  expect_share(later, "c", 1.0 / 3, 3000);
}

TEST(WeightedRoundRobinTest, NewRepStartsNeutral) {
  const Router router = testing::make_router(testing::basic_policy());
  std::vector<Rep> reps = {make_rep("a", "A"), make_rep("b", "B"), make_rep("c", "C")};
  reps[0].weight = 3;
  Roster roster(reps);
  route_many(router, roster, 3001, kStart);
  reps.push_back(make_rep("d", "D"));
  roster.set_reps(reps);
  const auto next = route_many(router, roster, 60, kStart + minutes{3001});
  // d's weight is 1 of 6: 10 of 60, give or take one.
  EXPECT_LE(next.at("d"), 11);
  EXPECT_GE(next.at("d"), 9);
  const auto later = route_many(router, roster, 6000, kStart + minutes{3061});
  expect_share(later, "a", 0.5, 6000);
  expect_share(later, "d", 1.0 / 6, 6000);
}

TEST(WeightedRoundRobinTest, RemovingARepKeepsEveryoneElsesStanding) {
  const Router router = testing::make_router(testing::basic_policy());
  std::vector<Rep> reps = {make_rep("a", "A"), make_rep("b", "B"), make_rep("c", "C")};
  reps[1].weight = 2;
  Roster roster(reps);
  route_many(router, roster, 1001, kStart);
  const PoolLedger before = *roster.ledger("sales");
  reps.pop_back();
  roster.set_reps(reps);
  const PoolLedger after = *roster.ledger("sales");
  EXPECT_EQ(before.credit, after.credit);
  const auto counts = route_many(router, roster, 3000, kStart + minutes{1001});
  expect_share(counts, "a", 1.0 / 3, 3000);
  expect_share(counts, "b", 2.0 / 3, 3000);
}

TEST(LeastLoadedTest, SpreadsByLoadRelativeToCapacity) {
  const Router router = testing::make_router(testing::basic_policy(Strategy::kLeastLoaded));
  std::vector<Rep> reps = {make_rep("a", "A"), make_rep("b", "B"), make_rep("c", "C")};
  reps[0].capacity.max_open = 10;
  reps[1].capacity.max_open = 20;
  reps[2].capacity.max_open = 30;
  Roster roster(reps);
  const auto counts = route_many(router, roster, 61, kStart);
  EXPECT_EQ(counts.at("a"), 10);
  EXPECT_EQ(counts.at("b"), 20);
  EXPECT_EQ(counts.at("c"), 30);
  EXPECT_EQ(counts.at("triage"), 1);  // everyone at capacity: final fallback queue
}

TEST(LeastLoadedTest, EqualLoadsGoToTheLongestIdle) {
  const Router router = testing::make_router(testing::basic_policy(Strategy::kLeastLoaded));
  Roster roster({make_rep("a", "A"), make_rep("b", "B"), make_rep("c", "C")});
  std::vector<std::string> seq;
  const auto counts = route_many(router, roster, 10000, kStart, &seq, /*release_each=*/true);
  EXPECT_EQ((std::vector<std::string>(seq.begin(), seq.begin() + 4)),
            (std::vector<std::string>{"a", "b", "c", "a"}));
  expect_share(counts, "a", 1.0 / 3, 10000);
  expect_share(counts, "b", 1.0 / 3, 10000);
  expect_share(counts, "c", 1.0 / 3, 10000);
}

TEST(BestMatchTest, WithoutHistoryLoadSpreadsEvenly) {
  const Router router = testing::make_router(testing::basic_policy(Strategy::kBestMatch));
  Roster roster({make_rep("a", "A"), make_rep("b", "B"), make_rep("c", "C"), make_rep("d", "D")});
  const auto counts = route_many(router, roster, 10000, kStart);
  for (const char* id : {"a", "b", "c", "d"}) {
    expect_share(counts, id, 0.25, 10000);
  }
}

TEST(BestMatchTest, AffinityShrinksTowardThePoolRate) {
  const double pool = 0.2;
  EXPECT_DOUBLE_EQ(affinity({0, 0}, pool, 20), 1.0);
  // One lucky conversion says little...
  EXPECT_NEAR(affinity({1, 1}, pool, 20), (1 + 4.0) / 21 / pool, 1e-12);
  // ...a long record says more.
  EXPECT_NEAR(affinity({200, 80}, pool, 20), (80 + 4.0) / 220 / pool, 1e-12);
  EXPECT_LT(affinity({1, 1}, pool, 20), affinity({200, 80}, pool, 20));
  EXPECT_DOUBLE_EQ(pool_conversion_rate(0, 0), 0.5);
}

RosterSnapshot closer_and_novice(int closer_load) {
  RosterSnapshot snap;
  snap.reps["closer"].track_record[""] = {100, 30};
  snap.reps["closer"].open_load = closer_load;
  snap.reps["novice"].track_record[""] = {100, 5};
  return snap;
}

TEST(BestMatchTest, HotLeadsGoToTheBestConverterColdLeadsFollowLoad) {
  Policy policy = testing::basic_policy(Strategy::kBestMatch);
  policy.best_match.load_penalty = 0.5;
  std::vector<Rep> reps = {make_rep("closer", "Closer"), make_rep("novice", "Novice")};
  for (Rep& r : reps) {
    r.capacity.max_open = 10;
  }
  // Equal load: the better converter.
  {
    const Router router = testing::make_router(policy);
    const Roster roster(reps, closer_and_novice(0));
    EXPECT_EQ(router.route(testing::make_lead("L"), roster, kStart).assignee_id, "closer");
  }
  // Closer at 8 of 10 open: a hot lead (score 100) still goes there, a cold
  // one (score 20) goes to the idle novice.
  const Roster busy(reps, closer_and_novice(8));
  policy.fit.base = 100;
  EXPECT_EQ(testing::make_router(policy).route(testing::make_lead("hot"), busy, kStart).assignee_id,
            "closer");
  policy.fit.base = 20;
  const Decision cold =
      testing::make_router(policy).route(testing::make_lead("cold"), busy, kStart);
  EXPECT_EQ(cold.assignee_id, "novice");
  ASSERT_EQ(cold.candidates.size(), 2U);
  EXPECT_EQ(cold.candidates[1].rep_id, "closer");
  EXPECT_LT(cold.candidates[1].strategy_score, cold.candidates[0].strategy_score);
}

TEST(BestMatchTest, TiesGoToTheSmallerId) {
  const Router router = testing::make_router(testing::basic_policy(Strategy::kBestMatch));
  const Roster roster({make_rep("zed", "Z"), make_rep("amy", "A"), make_rep("max", "M")});
  EXPECT_EQ(router.route(testing::make_lead("L"), roster, kStart).assignee_id, "amy");
}

TEST(CapsTest, NeverExceededOverADay) {
  for (const Strategy strategy : {Strategy::kRoundRobin, Strategy::kWeightedRoundRobin,
                                  Strategy::kLeastLoaded, Strategy::kBestMatch}) {
    const Router router = testing::make_router(testing::basic_policy(strategy));
    std::vector<Rep> reps;
    for (const char* id : {"a", "b", "c", "d"}) {
      reps.push_back(make_rep(id, id));
      reps.back().capacity.max_per_hour = 3;
      reps.back().capacity.max_per_day = 10;
      reps.back().working_hours = testing::office_hours("America/New_York");
    }
    reps[0].weight = 5;
    Roster roster(reps);
    std::map<std::string, std::map<std::int64_t, int>> per_hour;
    std::map<std::string, int> per_day;
    int queued = 0;
    // 300 leads, one every 4 minutes, from 00:00 New York time.
    const Timestamp midnight = at("2026-03-09T04:00:00Z");
    for (int i = 0; i < 300; ++i) {
      const Timestamp now = midnight + minutes{4 * i};
      const Decision d = router.route(testing::make_lead("L" + std::to_string(i)), roster, now);
      roster.commit(d);
      if (d.assignee_kind != AssigneeKind::kRep) {
        ++queued;
        continue;
      }
      roster.release(d.assignee_id);
      ++per_hour[d.assignee_id]
                [std::chrono::floor<std::chrono::hours>(now).time_since_epoch().count()];
      ++per_day[d.assignee_id];
    }
    for (const auto& [id, hours] : per_hour) {
      for (const auto& [hour, n] : hours) {
        EXPECT_LE(n, 3) << id;
      }
      EXPECT_EQ(per_day[id], 10) << id;
    }
    EXPECT_EQ(queued, 300 - 40);
  }
}

}  // namespace
}  // namespace leadrouter::core
