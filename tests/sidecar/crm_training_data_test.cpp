#include "sidecar/pipeline/crm_training_data.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>

#include "tests/sidecar/fake_crm_connector.hpp"

namespace leadrouter::sidecar {
namespace {

using connectors::ChangedLead;
using connectors::FieldMapping;
using connectors::Outcome;
using connectors::TimestampMs;
using testing::FakeCrmConnector;

const Timestamp kT0 = Timestamp{std::chrono::seconds{1'700'000'000}};

ChangedLead lead(const std::string& id, int seconds_after, const std::string& stage) {
  ChangedLead c;
  c.lead.id = id;
  c.lead.industry = "Software";
  c.lead.custom["lifecycle_stage"] = stage;
  c.lead.custom["segment"] = "smb";
  c.modified_at = TimestampMs{(kT0 + std::chrono::seconds{seconds_after}).time_since_epoch()};
  return c;
}

FieldMapping mapping_with_stage() {
  rapidjson::Document json;
  json.Parse(R"({"custom": {"lifecycle_stage": "lifecyclestage", "segment": "segment"}})");
  auto mapping = FieldMapping::from_json(FieldMapping::hubspot_defaults(), json, "/field_mapping");
  EXPECT_TRUE(mapping.has_value());
  return *mapping;
}

class CrmTrainingDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 1; i <= 5; ++i) {
      crm.put_lead(lead(std::to_string(i), i * 10, i == 2 ? "customer" : "lead"));
    }
    crm.set_outcome(
        {.record_id = "2", .converted = true, .at = kT0, .detail = "lifecyclestage=customer"});
    crm.set_outcome(
        {.record_id = "3", .converted = false, .at = kT0, .detail = "lifecyclestage=lead"});
  }

  FakeCrmConnector crm{"hubspot-main"};
  FieldMapping mapping = mapping_with_stage();
};

TEST_F(CrmTrainingDataTest, PagesThroughEveryLeadAndLabelsThemByOutcome) {
  std::vector<std::size_t> progress;
  auto data = pull_labelled_leads(crm, mapping, Timestamp{}, 2,
                                  [&](std::size_t n) { progress.push_back(n); });
  ASSERT_TRUE(data.has_value()) << data.error().message;
  ASSERT_EQ(data->leads.size(), 5u);
  EXPECT_EQ(data->positives, 1u);
  ASSERT_GE(progress.size(), 3u);  // pages of 2, 2 and 1
  EXPECT_EQ(progress.front(), 2u);
  EXPECT_EQ(progress.back(), 5u);
  for (const LabelledLead& l : data->leads) {
    EXPECT_EQ(l.connector, "hubspot-main");
    EXPECT_EQ(l.converted, l.lead_id == "2") << l.lead_id;
  }
  EXPECT_EQ(data->leads.front().lead_id, "1");
}

TEST_F(CrmTrainingDataTest, DropsCustomFieldsReadFromTheOutcomeProperty) {
  auto data = pull_labelled_leads(crm, mapping, Timestamp{}, 100);
  ASSERT_TRUE(data.has_value()) << data.error().message;
  EXPECT_EQ(data->outcome_fields, std::vector<std::string>{"lifecycle_stage"});
  for (const LabelledLead& l : data->leads) {
    EXPECT_EQ(l.lead_json.find("lifecycle_stage"), std::string::npos) << l.lead_json;
    EXPECT_NE(l.lead_json.find("segment"), std::string::npos) << l.lead_json;
  }
}

TEST_F(CrmTrainingDataTest, SinceKeepsLeadsChangedAtOrAfterIt) {
  auto data = pull_labelled_leads(crm, mapping, kT0 + std::chrono::seconds{30}, 100);
  ASSERT_TRUE(data.has_value()) << data.error().message;
  ASSERT_EQ(data->leads.size(), 3u);
  EXPECT_EQ(data->leads.front().lead_id, "3");
  EXPECT_EQ(crm.outcome_since().front(), kT0 + std::chrono::seconds{30});
}

TEST_F(CrmTrainingDataTest, ReadsOutcomesAgainFromTheLatestUntilNothingIsNew) {
  crm.set_outcome({.record_id = "4",
                   .converted = true,
                   .at = kT0 + std::chrono::seconds{5},
                   .detail = "lifecyclestage=customer"});
  auto data = pull_labelled_leads(crm, mapping, Timestamp{}, 100);
  ASSERT_TRUE(data.has_value()) << data.error().message;
  EXPECT_EQ(data->positives, 2u);
  const auto since = crm.outcome_since();
  ASSERT_EQ(since.size(), 2u);
  EXPECT_EQ(since[0], Timestamp{});
  EXPECT_EQ(since[1], kT0 + std::chrono::seconds{5});
}

TEST_F(CrmTrainingDataTest, FailuresAreReturned) {
  crm.fail_next_fetch(Error{ErrorKind::kRetryable, "CRM down"});
  auto leads = pull_labelled_leads(crm, mapping, Timestamp{}, 100);
  ASSERT_FALSE(leads.has_value());
  EXPECT_EQ(leads.error().message, "CRM down");

  crm.fail_next_fetch_outcomes(Error{ErrorKind::kRetryable, "outcomes down"});
  auto outcomes = pull_labelled_leads(crm, mapping, Timestamp{}, 100);
  ASSERT_FALSE(outcomes.has_value());
  EXPECT_EQ(outcomes.error().message, "outcomes down");
}

}  // namespace
}  // namespace leadrouter::sidecar
