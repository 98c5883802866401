// Decision -> JSON: every part of a decision appears under its documented key.
#include "core/decision_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <limits>

namespace leadrouter::core {
namespace {

Timestamp at(const char* iso) {
  return *parse_iso8601(iso);
}

Decision full_decision() {
  Decision d;
  d.lead_id = "hs-0042";
  d.policy_name = "acme-routing";
  d.policy_version = 3;
  d.decided_at = at("2026-03-09T15:00:00Z");
  d.assignee_kind = AssigneeKind::kRep;
  d.assignee_id = "rep-ana";
  d.assignee_name = "Ana Souza";
  d.route = "emea-enterprise";
  d.pool = "emea-ent";
  d.strategy = Strategy::kBestMatch;
  d.used_fallback = true;
  d.trail = {{"emea-enterprise", {DestinationKind::kAccountOwner, ""}, "no account matched"},
             {"emea-enterprise", {DestinationKind::kPool, "emea-ent"}, "matched"}};
  d.facts = {"acme.de", false, "acme", "acme.de"};
  d.enrichment.account = AccountMatch{"001A", "Acme GmbH", "rep-ben", 0.93, "email domain acme.de"};
  d.territory = "EMEA";
  d.segment = "industry=software|employees=1000+";
  d.tier = "A";
  d.task_priority = "HIGH";
  d.scores.fit = 82;
  d.scores.fit_hits = {{"enterprise size", 30}, {"free mail", -10}};
  d.scores.intent = 64.25;
  d.scores.intent_parts = {{"demo_request", 1, 40}, {"pricing_page_view", 3, 12.5}};
  d.scores.model = ModelScore{
      0.42, "m-2026-03-01", {{"Lead Source", "Demo Request", 0.8}}, {{"Employees", "12", -0.3}}};
  d.scores.combined = 73.125;
  d.sla_minutes = 30;
  d.sla_deadline = at("2026-03-09T15:30:00Z");
  const Candidate ana{.rep_id = "rep-ana",
                      .rep_name = "Ana Souza",
                      .pool = "emea-ent",
                      .strategy_score = 0.61,
                      .note = "highest expected value"};
  const Candidate ben{.rep_id = "rep-ben",
                      .rep_name = "Ben Okafor",
                      .pool = "emea-ent",
                      .exclusions = {{ExclusionReason::kDailyCap, "daily cap 15 reached"}}};
  d.candidates = {ana, ben};
  d.explanation = "Routed to Ana Souza (EMEA enterprise): fit 82, intent 64, tier A";
  return d;
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

std::string s(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

TEST(DecisionJson, WritesEveryPart) {
  const std::string text = decision_to_json(full_decision());
  EXPECT_EQ(text.find('\n'), std::string::npos);
  const auto d = parse(text);
  EXPECT_EQ(s(d["lead_id"]), "hs-0042");
  EXPECT_EQ(s(d["policy"]["name"]), "acme-routing");
  EXPECT_EQ(d["policy"]["version"].GetInt(), 3);
  EXPECT_EQ(s(d["decided_at"]), "2026-03-09T15:00:00Z");
  EXPECT_EQ(s(d["assignee"]["kind"]), "rep");
  EXPECT_EQ(s(d["assignee"]["id"]), "rep-ana");
  EXPECT_EQ(s(d["assignee"]["name"]), "Ana Souza");
  EXPECT_EQ(s(d["route"]), "emea-enterprise");
  EXPECT_EQ(s(d["pool"]), "emea-ent");
  EXPECT_EQ(s(d["strategy"]), "best_match");
  EXPECT_TRUE(d["used_fallback"].GetBool());
  EXPECT_EQ(s(d["tier"]), "A");
  EXPECT_EQ(s(d["task_priority"]), "HIGH");
  EXPECT_EQ(s(d["territory"]), "EMEA");
  EXPECT_EQ(s(d["segment"]), "industry=software|employees=1000+");
  EXPECT_EQ(d["sla_minutes"].GetInt(), 30);
  EXPECT_EQ(s(d["sla_deadline"]), "2026-03-09T15:30:00Z");

  const auto& scores = d["scores"];
  EXPECT_DOUBLE_EQ(scores["combined"].GetDouble(), 73.125);
  EXPECT_DOUBLE_EQ(scores["fit"].GetDouble(), 82);
  ASSERT_EQ(scores["fit_hits"].Size(), 2U);
  EXPECT_EQ(s(scores["fit_hits"][1]["rule"]), "free mail");
  EXPECT_DOUBLE_EQ(scores["fit_hits"][1]["points"].GetDouble(), -10);
  EXPECT_DOUBLE_EQ(scores["intent"].GetDouble(), 64.25);
  EXPECT_EQ(scores["intent_parts"][1]["events"].GetInt(), 3);
  EXPECT_EQ(s(scores["intent_parts"][1]["signal"]), "pricing_page_view");
  EXPECT_DOUBLE_EQ(scores["model"]["probability"].GetDouble(), 0.42);
  EXPECT_EQ(s(scores["model"]["version"]), "m-2026-03-01");
  EXPECT_EQ(s(scores["model"]["top_positive"][0]["feature"]), "Lead Source");
  EXPECT_DOUBLE_EQ(scores["model"]["top_negative"][0]["contribution"].GetDouble(), -0.3);
  EXPECT_FALSE(scores.HasMember("model_error"));

  EXPECT_EQ(s(d["facts"]["email_domain"]), "acme.de");
  EXPECT_FALSE(d["facts"]["is_free_mail"].GetBool());
  EXPECT_EQ(s(d["enrichment"]["account"]["owner_id"]), "rep-ben");
  EXPECT_TRUE(d["enrichment"]["duplicate"].IsNull());

  ASSERT_EQ(d["trail"].Size(), 2U);
  EXPECT_EQ(s(d["trail"][0]["destination"]["kind"]), "account_owner");
  EXPECT_EQ(s(d["trail"][1]["destination"]["target"]), "emea-ent");
  EXPECT_EQ(s(d["trail"][0]["outcome"]), "no account matched");

  ASSERT_EQ(d["candidates"].Size(), 2U);
  EXPECT_TRUE(d["candidates"][0]["eligible"].GetBool());
  EXPECT_EQ(s(d["candidates"][0]["pool"]), "emea-ent");
  EXPECT_EQ(s(d["candidates"][0]["note"]), "highest expected value");
  EXPECT_FALSE(d["candidates"][1]["eligible"].GetBool());
  EXPECT_EQ(s(d["candidates"][1]["exclusions"][0]["reason"]),
            to_string(ExclusionReason::kDailyCap));
  EXPECT_EQ(s(d["candidates"][1]["exclusions"][0]["detail"]), "daily cap 15 reached");
  EXPECT_EQ(s(d["explanation"]), full_decision().explanation);
}

TEST(DecisionJson, QueueDecisionWithoutOptionalParts) {
  Decision q;
  q.lead_id = "L1";
  q.decided_at = at("2026-03-07T23:00:00Z");
  q.assignee_kind = AssigneeKind::kQueue;
  q.assignee_id = "unassigned";
  q.scores.model_error = "model file missing";
  q.enrichment.duplicate = DuplicateMatch{"L0", "lead", "rep-c", "same email"};
  const auto d = parse(decision_to_json(q));
  EXPECT_EQ(s(d["assignee"]["kind"]), "queue");
  EXPECT_TRUE(d["strategy"].IsNull());
  EXPECT_TRUE(d["sla_deadline"].IsNull());
  EXPECT_TRUE(d["scores"]["model"].IsNull());
  EXPECT_EQ(s(d["scores"]["model_error"]), "model file missing");
  EXPECT_TRUE(d["enrichment"]["account"].IsNull());
  EXPECT_EQ(s(d["enrichment"]["duplicate"]["reason"]), "same email");
  EXPECT_EQ(d["candidates"].Size(), 0U);
}

TEST(DecisionJson, NonFiniteNumbersBecomeNullInsteadOfCuttingTheLine) {
  Decision d = full_decision();
  d.scores.combined = std::numeric_limits<double>::quiet_NaN();
  d.candidates[0].strategy_score = std::numeric_limits<double>::infinity();
  const auto doc = parse(decision_to_json(d));
  EXPECT_TRUE(doc["scores"]["combined"].IsNull());
  EXPECT_TRUE(doc["candidates"][0]["strategy_score"].IsNull());
  EXPECT_EQ(s(doc["explanation"]), d.explanation);
}

TEST(DecisionJson, SameDecisionSameText) {
  EXPECT_EQ(decision_to_json(full_decision()), decision_to_json(full_decision()));
}

TEST(DecisionJson, NumbersAreRoundedToSixDecimals) {
  Decision d = full_decision();
  d.scores.fit = 1.0 / 3.0;
  EXPECT_THAT(decision_to_json(d), ::testing::HasSubstr(R"("fit":0.333333,)"));
}

TEST(DecisionJson, EnumNames) {
  EXPECT_STREQ(to_string(AssigneeKind::kWorkflow), "workflow");
  EXPECT_STREQ(to_string(DestinationKind::kDuplicateOwner), "duplicate_owner");
  EXPECT_STREQ(to_string(Strategy::kWeightedRoundRobin), "weighted_round_robin");
  EXPECT_STREQ(to_string(Strategy::kLeastLoaded), "least_loaded");
  EXPECT_STREQ(to_string(Strategy::kRoundRobin), "round_robin");
}

}  // namespace
}  // namespace leadrouter::core
