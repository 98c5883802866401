#include "sidecar/config/routing_setup.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "core/model/csv_table.hpp"
#include "core/model/trainer.hpp"
#include "tests/scratch_dir.hpp"

namespace leadrouter::sidecar {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

const std::string kExamples = LEADROUTER_SOURCE_DIR "/examples";

using test_support::ScratchDir;

core::Rep rep(std::string id, std::string name = {}) {
  core::Rep r;
  r.id = std::move(id);
  r.name = std::move(name);
  return r;
}

// --- merge_reps -------------------------------------------------------------

TEST(MergeReps, CrmDecidesWhoExistsAttributesDecideHowTheyRoute) {
  core::Rep crm_a = rep("a", "Ada CRM");
  crm_a.email = "ada@crm.example";
  crm_a.teams = {"crm-team"};
  crm_a.manager_id = "m-crm";
  core::Rep crm_b = rep("b", "Bo CRM");
  crm_b.teams = {"crm-team"};

  core::Rep attr_a = rep("a", "Ada Config");
  attr_a.email = "ada@config.example";
  attr_a.teams = {"EMEA"};
  attr_a.territories = {"EMEA"};
  attr_a.skills = {"enterprise"};
  attr_a.languages = {"de"};
  attr_a.weight = 2.5;
  attr_a.capacity.max_open = 7;
  attr_a.working_hours = core::WorkingHours{"Europe/Berlin", {{1, 480, 1080}}};
  attr_a.time_off = {
      {Timestamp{std::chrono::seconds{100}}, Timestamp{std::chrono::seconds{200}}, "holiday"}};
  attr_a.manager_id = "m-config";
  core::Rep ghost = rep("ghost", "Not In CRM");

  const auto merged = merge_reps({crm_a, crm_b}, {ghost, attr_a});
  ASSERT_EQ(merged.reps.size(), 2u);
  const auto& a = merged.reps[0];
  EXPECT_EQ(a.id, "a");
  EXPECT_EQ(a.name, "Ada CRM");           // the CRM's name when it has one
  EXPECT_EQ(a.email, "ada@crm.example");  // and its email
  EXPECT_EQ(a.teams, (std::vector<std::string>{"EMEA"}));
  EXPECT_EQ(a.territories, (std::vector<std::string>{"EMEA"}));
  EXPECT_EQ(a.skills, (std::vector<std::string>{"enterprise"}));
  EXPECT_EQ(a.languages, (std::vector<std::string>{"de"}));
  EXPECT_EQ(a.weight, 2.5);
  EXPECT_EQ(a.capacity.max_open, 7);
  ASSERT_TRUE(a.working_hours);
  EXPECT_EQ(a.working_hours->time_zone, "Europe/Berlin");
  ASSERT_EQ(a.time_off.size(), 1u);
  EXPECT_EQ(a.time_off[0].reason, "holiday");
  EXPECT_EQ(a.manager_id, "m-config");
  EXPECT_TRUE(a.active);
  // A user the attributes do not mention keeps the CRM's data.
  const auto& b = merged.reps[1];
  EXPECT_EQ(b.name, "Bo CRM");
  EXPECT_EQ(b.teams, (std::vector<std::string>{"crm-team"}));
  EXPECT_TRUE(b.territories.empty());
  EXPECT_EQ(b.weight, 1.0);
  // Configured reps the CRM does not list cannot own records there.
  EXPECT_EQ(merged.unknown_ids, (std::vector<std::string>{"ghost"}));
}

TEST(MergeReps, EmptyAttributesKeepTheCrmsTeamsManagerAndFillMissingNames) {
  core::Rep crm = rep("a");
  crm.teams = {"NA"};
  crm.manager_id = "boss";
  core::Rep attr = rep("a", "Ada From Roster");
  attr.email = "ada@roster.example";
  attr.skills = {"public-sector"};
  const auto merged = merge_reps({crm}, {attr});
  ASSERT_EQ(merged.reps.size(), 1u);
  EXPECT_EQ(merged.reps[0].teams, (std::vector<std::string>{"NA"}));
  EXPECT_EQ(merged.reps[0].manager_id, "boss");
  EXPECT_EQ(merged.reps[0].name, "Ada From Roster");
  EXPECT_EQ(merged.reps[0].email, "ada@roster.example");
  EXPECT_EQ(merged.reps[0].skills, (std::vector<std::string>{"public-sector"}));
  EXPECT_TRUE(merged.unknown_ids.empty());
}

TEST(MergeReps, ActiveOnlyWhenBothSidesSaySo) {
  core::Rep crm_active = rep("a");
  core::Rep crm_inactive = rep("b");
  crm_inactive.active = false;
  core::Rep crm_c = rep("c");
  core::Rep attr_inactive = rep("a");
  attr_inactive.active = false;
  core::Rep attr_b = rep("b");  // active in the roster, but the CRM says no
  const auto merged = merge_reps({crm_active, crm_inactive, crm_c}, {attr_inactive, attr_b});
  ASSERT_EQ(merged.reps.size(), 3u);
  EXPECT_FALSE(merged.reps[0].active);
  EXPECT_FALSE(merged.reps[1].active);
  EXPECT_TRUE(merged.reps[2].active);
}

TEST(MergeReps, OrderFollowsTheCrmAndUnknownIdsAreListedOnce) {
  const auto merged =
      merge_reps({rep("z"), rep("y"), rep("x")}, {rep("x"), rep("q"), rep("q"), rep("p")});
  ASSERT_EQ(merged.reps.size(), 3u);
  EXPECT_EQ(merged.reps[0].id, "z");
  EXPECT_EQ(merged.reps[2].id, "x");
  EXPECT_EQ(merged.unknown_ids, (std::vector<std::string>{"q", "p"}));
  EXPECT_TRUE(merge_reps({}, {rep("a")}).reps.empty());
}

// --- loaders ----------------------------------------------------------------

TEST(RoutingSetup, LoadsTheExamplePolicyAndRoster) {
  auto setup = load_routing_setup(kExamples + "/policy.json", kExamples + "/roster.json", "");
  ASSERT_TRUE(setup) << setup.error();
  EXPECT_EQ(setup->policy->name, "acme-inbound");
  EXPECT_EQ(setup->reps.size(), 14u);
  EXPECT_FALSE(setup->model);
  ASSERT_TRUE(setup->free_mail);
  EXPECT_TRUE(setup->free_mail->contains("gmail.com"));
}

TEST(RoutingSetup, RosterIsOptionalAndPolicyRepsReplaceRosterReps) {
  ScratchDir dir;
  auto policy_text =
      std::string(R"({"version": 1, "name": "t", "tiers": [{"name": "A", "min_score": 0}],
    "pools": [{"name": "p", "teams": ["t"]}],
    "routes": [{"name": "all", "destination": {"pool": "p"}}],
    "final_fallback": {"queue": "q"},
    "reps": [{"id": "r1", "name": "From Policy", "teams": ["t"]},
             {"id": "r3", "name": "Only Policy", "teams": ["t"]}]})");
  const auto policy = dir.write("policy.json", policy_text);
  const auto roster = dir.write("roster.json", R"({"reps": [
    {"id": "r1", "name": "From Roster", "teams": ["x"]}, {"id": "r2", "name": "Two", "teams": ["t"]}]})");
  auto only_policy = load_routing_setup(policy, "", "");
  ASSERT_TRUE(only_policy) << only_policy.error();
  ASSERT_EQ(only_policy->reps.size(), 2u);
  EXPECT_EQ(only_policy->reps[0].name, "From Policy");

  auto both = load_routing_setup(policy, roster, "");
  ASSERT_TRUE(both) << both.error();
  ASSERT_EQ(both->reps.size(), 3u);
  EXPECT_EQ(both->reps[0].id, "r1");
  EXPECT_EQ(both->reps[0].name, "From Policy");
  EXPECT_EQ(both->reps[0].teams, (std::vector<std::string>{"t"}));
  EXPECT_EQ(both->reps[1].id, "r2");
  EXPECT_EQ(both->reps[2].id, "r3");
}

TEST(RoutingSetup, ErrorsNameTheFileAndThePlace) {
  ScratchDir dir;
  const auto bad_policy = dir.write("policy.json", R"({"version": 1, "tiers": "A"})");
  auto p = load_routing_setup(bad_policy, "", "");
  ASSERT_FALSE(p);
  EXPECT_THAT(p.error(), HasSubstr(bad_policy + ": /tiers: "));

  const auto bad_roster = dir.write("roster.json", R"({"reps": [{"id": "r1", "weight": -1}]})");
  auto r = load_routing_setup(kExamples + "/policy.json", bad_roster, "");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr(bad_roster + ": /reps/0/weight"));

  auto missing = load_routing_setup(dir.file("absent.json"), "", "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(),
            "cannot read " + dir.file("absent.json") + ": No such file or directory");

  auto directory = load_policy(dir.file(""));
  ASSERT_FALSE(directory);
  EXPECT_THAT(directory.error(), HasSubstr("is a directory"));

  auto free_mail = load_routing_setup(kExamples + "/policy.json", "", dir.file("absent.txt"));
  ASSERT_FALSE(free_mail);
  EXPECT_EQ(free_mail.error(), "free-mail domain list: cannot read " + dir.file("absent.txt") +
                                   ": No such file or directory");

  const auto bad_model = dir.write("model.json", "{\"not\": \"a model\"}");
  auto m = load_routing_setup(kExamples + "/policy.json", "", "", bad_model);
  ASSERT_FALSE(m);
  EXPECT_THAT(m.error(), HasSubstr(bad_model + ": "));
  auto absent_model = load_routing_setup(kExamples + "/policy.json", "", "", dir.file("no.model"));
  ASSERT_FALSE(absent_model);
  EXPECT_THAT(absent_model.error(), HasSubstr("cannot read " + dir.file("no.model")));
}

TEST(RoutingSetup, LoadsAModelFileAsAScorer) {
  // A small model trained here: conversion follows lead_source.
  std::string csv = "lead_source,employees,converted\n";
  for (int i = 0; i < 400; ++i) {
    const bool referral = i % 2 == 0;
    csv += fmt::format("{},{},{}\n", referral ? "Referral" : "Ads", 10 + i,
                       (referral ? i % 5 != 0 : i % 5 == 0) ? "yes" : "no");
  }
  auto table = model::CsvTable::parse(csv, {}, "train.csv");
  ASSERT_TRUE(table) << table.error().message;
  model::TrainOptions options;
  options.label = "converted";
  options.params.max_rounds = 20;
  options.params.max_depth = 2;
  auto trained =
      model::train_model(*table, options, Timestamp{std::chrono::seconds{1'770'000'000}});
  ASSERT_TRUE(trained) << trained.error().message;
  ScratchDir dir;
  const auto path = dir.write("lead.model", trained->file.serialize());

  auto setup = load_routing_setup(kExamples + "/policy.json", "", "", path);
  ASSERT_TRUE(setup) << setup.error();
  ASSERT_TRUE(setup->model);
  core::Lead referral;
  referral.lead_source = "Referral";
  referral.employees = 100;
  core::Lead ads = referral;
  ads.lead_source = "Ads";
  const auto now = Timestamp{std::chrono::seconds{1'780'000'000}};
  auto high = setup->model->score(referral, {}, {}, now);
  auto low = setup->model->score(ads, {}, {}, now);
  ASSERT_TRUE(high) << high.error().message;
  ASSERT_TRUE(low) << low.error().message;
  EXPECT_GT(high->probability, low->probability);
  EXPECT_EQ(high->model_version, trained->file.version);
  EXPECT_FALSE(high->top_positive.empty());  // decisions carry the factors
}

TEST(RoutingSetup, FreeMailAddsThePolicysExtraDomains) {
  ScratchDir dir;
  const auto list = dir.write("free.txt", "# comment\nmail.example\n");
  const auto policy = dir.write(
      "policy.json", R"({"version": 1, "name": "t", "tiers": [{"name": "A", "min_score": 0}],
    "routes": [{"name": "all", "destination": {"queue": "q"}}], "final_fallback": {"queue": "q"},
    "free_mail_domains": ["extra.example"]})");
  auto setup = load_routing_setup(policy, "", list);
  ASSERT_TRUE(setup) << setup.error();
  EXPECT_TRUE(setup->free_mail->contains("mail.example"));
  EXPECT_TRUE(setup->free_mail->contains("extra.example"));
  EXPECT_FALSE(setup->free_mail->contains("gmail.com"));
}

TEST(RoutingSetup, FormatFileErrorsCountsAndCaps) {
  ValidationErrors errors;
  for (int i = 0; i < 25; ++i) {
    errors.push_back({"/k" + std::to_string(i), "bad"});
  }
  const auto text = format_file_errors("f.json", errors);
  EXPECT_THAT(text, HasSubstr("f.json: 25 problems\n"));
  EXPECT_THAT(text, HasSubstr("f.json: /k19: bad\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("/k20:")));
  EXPECT_THAT(text, HasSubstr("... and 5 more\n"));
  EXPECT_EQ(format_file_errors("f.jsonl", {{"f.jsonl:3: /id", "dup"}}), "f.jsonl:3: /id: dup\n");
  EXPECT_EQ(format_file_errors("f.json", {{"", "empty"}}), "f.json: (document): empty\n");
}

}  // namespace
}  // namespace leadrouter::sidecar
