// Lead <-> JSON: every key, validation errors with their paths, round trip.
#include "core/lead_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace leadrouter::core {
namespace {

using ::testing::HasSubstr;

constexpr const char* kFullLead = R"({
  "id": "00Q5e000001",
  "source_system": "salesforce",
  "object_type": "lead",
  "email": "ana@acme.de",
  "first_name": "Ana",
  "last_name": "Müller",
  "title": "VP Sales",
  "company": "Acme GmbH",
  "website": "https://www.acme.de",
  "country": "DE",
  "state": "BY",
  "city": "Munich",
  "industry": "Software",
  "employees": 1200,
  "annual_revenue": 250000000.5,
  "lead_source": "Demo Request",
  "language": "de",
  "created_at": "2026-03-06T09:15:00+01:00",
  "custom": {"product_interest": "routing", "utm_campaign": "spring"},
  "events": [
    {"type": "pricing_page_view", "at": "2026-03-05T10:00:00Z"},
    {"type": "demo_request", "at": "2026-03-06T08:14:00Z"}
  ]
})";

// The paths of all errors, in order.
std::vector<std::string> paths(const ValidationErrors& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) {
    out.push_back(e.path);
  }
  return out;
}

TEST(LeadJson, ParsesEveryKey) {
  const auto lead = lead_from_json(kFullLead);
  ASSERT_TRUE(lead.has_value()) << format_errors(lead.error());
  EXPECT_EQ(lead->id, "00Q5e000001");
  EXPECT_EQ(lead->source_system, "salesforce");
  EXPECT_EQ(lead->object_type, "lead");
  EXPECT_EQ(lead->email, "ana@acme.de");
  EXPECT_EQ(lead->first_name, "Ana");
  EXPECT_EQ(lead->last_name, "Müller");
  EXPECT_EQ(lead->title, "VP Sales");
  EXPECT_EQ(lead->company, "Acme GmbH");
  EXPECT_EQ(lead->website, "https://www.acme.de");
  EXPECT_EQ(lead->country, "DE");
  EXPECT_EQ(lead->state, "BY");
  EXPECT_EQ(lead->city, "Munich");
  EXPECT_EQ(lead->industry, "Software");
  EXPECT_EQ(lead->employees, 1200);
  EXPECT_EQ(lead->annual_revenue, 250000000.5);
  EXPECT_EQ(lead->lead_source, "Demo Request");
  EXPECT_EQ(lead->language, "de");
  ASSERT_TRUE(lead->created_at.has_value());
  EXPECT_EQ(format_iso8601(*lead->created_at), "2026-03-06T08:15:00Z");
  EXPECT_EQ(lead->custom.at("product_interest"), "routing");
  EXPECT_EQ(lead->custom.at("utm_campaign"), "spring");
  ASSERT_EQ(lead->events.size(), 2U);
  EXPECT_EQ(lead->events[0].type, "pricing_page_view");
  EXPECT_EQ(format_iso8601(lead->events[1].at), "2026-03-06T08:14:00Z");
}

TEST(LeadJson, OnlyIdIsRequiredAndNullMeansUnset) {
  const auto lead = lead_from_json(R"({"id": "L1", "email": null, "employees": null,
                                       "created_at": null, "custom": null, "events": null})");
  ASSERT_TRUE(lead.has_value()) << format_errors(lead.error());
  EXPECT_EQ(lead->id, "L1");
  EXPECT_TRUE(lead->email.empty());
  EXPECT_FALSE(lead->employees.has_value());
  EXPECT_FALSE(lead->annual_revenue.has_value());
  EXPECT_FALSE(lead->created_at.has_value());
  EXPECT_TRUE(lead->custom.empty());
  EXPECT_TRUE(lead->events.empty());
}

TEST(LeadJson, RoundTripsThroughJson) {
  const auto lead = lead_from_json(kFullLead);
  ASSERT_TRUE(lead.has_value());
  const std::string text = lead_to_json(*lead);
  const auto again = lead_from_json(text);
  ASSERT_TRUE(again.has_value()) << text;
  EXPECT_EQ(lead_to_json(*again), text);
  EXPECT_THAT(text, HasSubstr(R"("created_at":"2026-03-06T08:15:00Z")"));
  EXPECT_THAT(text, HasSubstr(R"("employees":1200)"));
  // Unset fields are left out rather than written as empty strings.
  EXPECT_EQ(lead_to_json(Lead{.id = "L2"}), R"({"id":"L2"})");
}

TEST(LeadJson, IdIsRequired) {
  EXPECT_EQ(paths(lead_from_json(R"({"company": "Acme"})").error()),
            std::vector<std::string>{"/id"});
  EXPECT_EQ(paths(lead_from_json(R"({"id": ""})").error()), std::vector<std::string>{"/id"});
  const auto wrong_type = lead_from_json(R"({"id": 42})");
  ASSERT_FALSE(wrong_type.has_value());
  ASSERT_EQ(wrong_type.error().size(), 1U);
  EXPECT_EQ(wrong_type.error()[0].reason, "must be a string, not a number");
}

TEST(LeadJson, UnknownKeysAreNamed) {
  const auto lead = lead_from_json(R"({"id": "L1", "colour": "red", "a/b": 1})");
  ASSERT_FALSE(lead.has_value());
  EXPECT_EQ(paths(lead.error()), (std::vector<std::string>{"/colour", "/a~1b"}));
  EXPECT_THAT(lead.error()[0].reason, HasSubstr("unknown key"));
}

TEST(LeadJson, NumbersAreValidated) {
  EXPECT_EQ(lead_from_json(R"({"id": "L", "employees": 250.0})")->employees, 250);
  for (const char* bad :
       {R"({"id": "L", "employees": "250"})", R"({"id": "L", "employees": -3})",
        R"({"id": "L", "employees": 12.5})", R"({"id": "L", "employees": 18446744073709551615})"}) {
    const auto lead = lead_from_json(bad);
    ASSERT_FALSE(lead.has_value()) << bad;
    EXPECT_EQ(paths(lead.error()), std::vector<std::string>{"/employees"}) << bad;
  }
  for (const char* bad :
       {R"({"id": "L", "annual_revenue": "1M"})", R"({"id": "L", "annual_revenue": -1})"}) {
    const auto lead = lead_from_json(bad);
    ASSERT_FALSE(lead.has_value()) << bad;
    EXPECT_EQ(paths(lead.error()), std::vector<std::string>{"/annual_revenue"}) << bad;
  }
}

TEST(LeadJson, TimesMustBeIso8601WithAnOffset) {
  const auto lead = lead_from_json(R"({"id": "L", "created_at": "2026-03-06 09:15"})");
  ASSERT_FALSE(lead.has_value());
  EXPECT_EQ(paths(lead.error()), std::vector<std::string>{"/created_at"});
  EXPECT_THAT(lead.error()[0].reason, HasSubstr("'2026-03-06 09:15' is not an ISO 8601 time"));
  EXPECT_EQ(paths(lead_from_json(R"({"id": "L", "created_at": 1741251300})").error()),
            std::vector<std::string>{"/created_at"});
}

TEST(LeadJson, CustomValuesMustBeStrings) {
  const auto lead = lead_from_json(R"({"id": "L", "custom": {"ok": "x", "seats": 5}})");
  ASSERT_FALSE(lead.has_value());
  EXPECT_EQ(paths(lead.error()), std::vector<std::string>{"/custom/seats"});
  EXPECT_EQ(paths(lead_from_json(R"({"id": "L", "custom": ["x"]})").error()),
            std::vector<std::string>{"/custom"});
}

TEST(LeadJson, EventsAreValidatedOneByOne) {
  const auto lead = lead_from_json(R"({"id": "L", "events": [
      {"type": "page_view", "at": "2026-03-01T00:00:00Z"},
      {"type": "", "at": "2026-03-01T00:00:00Z"},
      {"type": "email_click"},
      {"type": "email_open", "at": "soon", "url": "x"},
      "demo_request"]})");
  ASSERT_FALSE(lead.has_value());
  EXPECT_EQ(paths(lead.error()),
            (std::vector<std::string>{"/events/1/type", "/events/2/at", "/events/3/url",
                                      "/events/3/at", "/events/4"}));
  EXPECT_EQ(paths(lead_from_json(R"({"id": "L", "events": {}})").error()),
            std::vector<std::string>{"/events"});
}

TEST(LeadJson, AllErrorsAreReportedAtOnce) {
  const auto lead =
      lead_from_json(R"({"email": 5, "employees": "x", "created_at": "no", "extra": true})");
  ASSERT_FALSE(lead.has_value());
  EXPECT_EQ(paths(lead.error()),
            (std::vector<std::string>{"/extra", "/email", "/id", "/employees", "/created_at"}));
}

TEST(LeadJson, RejectsInvalidJsonAndNonObjects) {
  const auto broken = lead_from_json(R"({"id": "L1",)");
  ASSERT_FALSE(broken.has_value());
  ASSERT_EQ(broken.error().size(), 1U);
  EXPECT_EQ(broken.error()[0].path, "");
  EXPECT_THAT(broken.error()[0].reason, HasSubstr("invalid JSON at character"));

  EXPECT_FALSE(lead_from_json(R"({"id": "L1"} {"id": "L2"})").has_value());
  const auto array = lead_from_json("[1, 2]");
  ASSERT_FALSE(array.has_value());
  EXPECT_THAT(array.error()[0].reason, HasSubstr("must be a JSON object, not an array"));
}

}  // namespace
}  // namespace leadrouter::core
