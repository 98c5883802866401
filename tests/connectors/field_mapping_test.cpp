#include "connectors/field_mapping.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "connectors/crm_types.hpp"

namespace leadrouter::connectors {
namespace {

TEST(FieldMapping, HubSpotDefaultsFillTheLead) {
  auto lead =
      FieldMapping::hubspot_defaults().to_lead({{"email", "ada@acme.example"},
                                                {"firstname", "Ada"},
                                                {"jobtitle", "VP"},
                                                {"numemployees", "1200"},
                                                {"annualrevenue", "1.5e6"},
                                                {"createdate", "2025-01-10T09:00:00.123Z"}});
  EXPECT_EQ(lead.email, "ada@acme.example");
  EXPECT_EQ(lead.first_name, "Ada");
  EXPECT_EQ(lead.title, "VP");
  EXPECT_EQ(lead.employees, 1200);
  EXPECT_EQ(lead.annual_revenue, 1.5e6);
  EXPECT_EQ(format_iso8601(*lead.created_at), "2025-01-10T09:00:00Z");
}

TEST(FieldMapping, OverridesUnmapAndCustomFields) {
  rapidjson::Document d;
  d.Parse(R"({"title":"Job_Function__c","country":"","custom":{"segment":"Segment__c"}})");
  auto m = FieldMapping::from_json(FieldMapping::salesforce_defaults(), d, "/field_mapping");
  ASSERT_TRUE(m);
  std::vector<std::string> problems;
  auto lead = m->to_lead({{"Job_Function__c", "CTO"},
                          {"Title", "ignored"},
                          {"Country", "DE"},
                          {"Segment__c", "mid"},
                          {"NumberOfEmployees", "many"}},
                         &problems);
  EXPECT_EQ(lead.title, "CTO");
  EXPECT_EQ(lead.country, "");
  EXPECT_EQ(lead.custom.at("segment"), "mid");
  EXPECT_FALSE(lead.employees);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("NumberOfEmployees"), std::string::npos);
  const auto props = m->crm_properties();
  EXPECT_NE(std::ranges::find(props, "Segment__c"), props.end());
  EXPECT_EQ(std::ranges::find(props, "Country"), props.end());
}

TEST(FieldMapping, RejectsUnknownFieldsAndBadValues) {
  rapidjson::Document d;
  d.Parse(R"({"shoe_size":"x","email":5})");
  auto m =
      FieldMapping::from_json(FieldMapping::hubspot_defaults(), d, "/connectors/0/field_mapping");
  ASSERT_FALSE(m);
  ASSERT_EQ(m.error().size(), 2u);
  EXPECT_EQ(m.error()[0].path, "/connectors/0/field_mapping/shoe_size");
  EXPECT_EQ(m.error()[1].path, "/connectors/0/field_mapping/email");
}

TEST(CrmTypes, CursorRoundTripsAndRejectsGarbage) {
  LeadCursor c{TimestampMs{std::chrono::milliseconds{1'735'689'600'123}}, "00Q:1"};
  auto back = LeadCursor::parse(c.serialize());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, c);
  EXPECT_FALSE(LeadCursor::parse("v2:1:x"));
  EXPECT_FALSE(LeadCursor::parse("v1:abc:x"));
}

TEST(CrmTypes, TimesKeepMillisecondsInEveryCrmFormat) {
  EXPECT_EQ(parse_crm_time("2024-01-17T19:55:04.281Z")->time_since_epoch().count(), 1705521304281);
  EXPECT_EQ(parse_crm_time("2026-01-05T10:00:00.000+0000"), parse_crm_time("2026-01-05T10:00:00Z"));
  EXPECT_EQ(parse_crm_time("1705521304281")->time_since_epoch().count(), 1705521304281);
  EXPECT_FALSE(parse_crm_time("yesterday"));
}

TEST(CrmTypes, RecordIdsCompareNumericallyWhenDecimal) {
  EXPECT_LT(compare_record_ids("99", "100"), 0);
  EXPECT_GT(compare_record_ids("00QB", "00QA"), 0);
  EXPECT_EQ(compare_record_ids("7", "7"), 0);
}

}  // namespace
}  // namespace leadrouter::connectors
