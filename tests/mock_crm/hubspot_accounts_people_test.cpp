// What the connector's account feed, duplicate lookup and SLA check ask of
// the HubSpot mock: companies searched and sorted by hs_lastmodifieddate
// (moved by every write), their size and activity properties, contacts found
// by email or first and last name, and a task completed through the API.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "hubspot_fixture.hpp"
#include "mock_crm/time_format.hpp"

namespace mock_crm_test {
namespace {

using leadrouter::mock_crm::parse_ms_or_iso;

class HubspotAccountsPeople : public HubspotFixture {
 protected:
  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
        .count();
  }
};

TEST_F(HubspotAccountsPeople, CompanyWritesMoveHsLastModifiedDateAndTheFeedSearchSeesThem) {
  // The seed dates its companies 2025-05-01..04; a change today moves one to the end.
  auto patched = call("PATCH", "/crm/v3/objects/companies/5002",
                      R"({"properties":{"numberofemployees":"75","annualrevenue":"1500000"}})");
  ASSERT_EQ(patched.status(), 200) << patched.response.body;
  const std::string stamped = patched.json["properties"]["hs_lastmodifieddate"].GetString();
  EXPECT_EQ(stamped, patched.json["updatedAt"].GetString());
  EXPECT_GE(*parse_ms_or_iso(stamped), now_ms() - 5000);

  auto feed = call("POST", "/crm/v3/objects/companies/search", R"({
      "filterGroups":[{"filters":[{"propertyName":"hs_lastmodifieddate","operator":"GT","value":"1746090000000"}]}],
      "sorts":[{"propertyName":"hs_lastmodifieddate","direction":"ASCENDING"}],
      "properties":["name","numberofemployees","annualrevenue","notes_last_updated","hs_lastmodifieddate"],
      "limit":10})");
  ASSERT_EQ(feed.status(), 200) << feed.response.body;
  // 2025-05-01T09:00Z is 1746090000000: 5001 is not after it, the rest are, 5002 last.
  EXPECT_EQ(ids_of(feed.json["results"]), (std::vector<std::string>{"5003", "5004", "5002"}));
  const auto& globex = feed.json["results"][2]["properties"];
  EXPECT_STREQ(globex["numberofemployees"].GetString(), "75");
  EXPECT_STREQ(globex["annualrevenue"].GetString(), "1500000");
  // Defined but unset properties come back as null.
  EXPECT_TRUE(globex["notes_last_updated"].IsNull());

  // Equal timestamps are walked by id, as the connector's group walk does.
  auto group = call("POST", "/crm/v3/objects/companies/search",
                    R"({"filterGroups":[{"filters":[
      {"propertyName":"hs_lastmodifieddate","operator":"EQ","value":")" +
                        stamped + R"("},
      {"propertyName":"hs_object_id","operator":"GT","value":"5001"}]}],
      "sorts":[{"propertyName":"hs_object_id","direction":"ASCENDING"}],"limit":10})");
  ASSERT_EQ(group.status(), 200) << group.response.body;
  EXPECT_EQ(ids_of(group.json["results"]), (std::vector<std::string>{"5002"}));
}

TEST_F(HubspotAccountsPeople, LastActivityDateComesFromTheSeedAndIsReadOnly) {
  seed_["hubspot"]["companies"][0]["properties"].AddMember(
      "notes_last_updated", "2025-06-01T12:00:00.000Z", seed_.GetAllocator());
  reload();
  auto read = call("GET", "/crm/v3/objects/companies/5001?properties=notes_last_updated");
  ASSERT_EQ(read.status(), 200) << read.response.body;
  EXPECT_STREQ(read.json["properties"]["notes_last_updated"].GetString(),
               "2025-06-01T12:00:00.000Z");
  auto write = call("PATCH", "/crm/v3/objects/companies/5001",
                    R"({"properties":{"notes_last_updated":"2026-01-01T00:00:00.000Z"}})");
  EXPECT_EQ(write.status(), 400) << write.response.body;
  EXPECT_EQ(error_category(write), "VALIDATION_ERROR");
}

TEST_F(HubspotAccountsPeople, ContactsAreFoundByEmailOrByFirstAndLastName) {
  // A second Ada Lovelace under another email, created after the seeded one.
  clock_.advance(std::chrono::seconds{1});
  auto twin = call("POST", "/crm/v3/objects/contacts", R"({"properties":{
      "email":"a.lovelace@other.example","firstname":"ada","lastname":"LOVELACE",
      "associatedcompanyid":"5001","hubspot_owner_id":"41629780"}})");
  ASSERT_EQ(twin.status(), 201) << twin.response.body;
  const std::string twin_id = twin.json["id"].GetString();

  const std::string search = R"({"filterGroups":[
      {"filters":[{"propertyName":"email","operator":"EQ","value":"ADA@ACME.EXAMPLE"},
                  {"propertyName":"hs_object_id","operator":"NEQ","value":"100458"}]},
      {"filters":[{"propertyName":"firstname","operator":"EQ","value":"Ada"},
                  {"propertyName":"lastname","operator":"EQ","value":"Lovelace"},
                  {"propertyName":"hs_object_id","operator":"NEQ","value":"100458"}]}],
      "sorts":[{"propertyName":"createdate","direction":"ASCENDING"}],
      "properties":["email","firstname","lastname","company","hubspot_owner_id","associatedcompanyid","createdate"],
      "limit":20})";
  auto found = call("POST", "/crm/v3/objects/contacts/search", search);
  ASSERT_EQ(found.status(), 200) << found.response.body;
  // The seeded Ada by email (and name), her twin by name only; oldest first.
  EXPECT_EQ(ids_of(found.json["results"]), (std::vector<std::string>{"100451", twin_id}));
  const auto& props = found.json["results"][1]["properties"];
  EXPECT_STREQ(props["associatedcompanyid"].GetString(), "5001");
  EXPECT_STREQ(props["hubspot_owner_id"].GetString(), "41629780");

  // Excluding a record removes it from both groups.
  std::string without_seed = search;
  for (std::size_t at = without_seed.find("100458"); at != std::string::npos;
       at = without_seed.find("100458")) {
    without_seed.replace(at, 6, "100451");
  }
  auto others = call("POST", "/crm/v3/objects/contacts/search", without_seed);
  ASSERT_EQ(others.status(), 200);
  EXPECT_EQ(ids_of(others.json["results"]), (std::vector<std::string>{twin_id}));

  // A missing first name is matched with NOT_HAS_PROPERTY.
  auto no_first =
      call("POST", "/crm/v3/objects/contacts", R"({"properties":{"lastname":"Hopper"}})");
  ASSERT_EQ(no_first.status(), 201);
  auto by_last = call("POST", "/crm/v3/objects/contacts/search", R"({"filterGroups":[{"filters":[
      {"propertyName":"firstname","operator":"NOT_HAS_PROPERTY"},
      {"propertyName":"lastname","operator":"EQ","value":"hopper"}]}]})");
  ASSERT_EQ(by_last.status(), 200);
  EXPECT_EQ(ids_of(by_last.json["results"]),
            (std::vector<std::string>{no_first.json["id"].GetString()}));
}

TEST_F(HubspotAccountsPeople, CompletingATaskStampsItsModifiedDateAndInventsNoCompletionDate) {
  clock_.advance(std::chrono::hours{24 * 400});
  const auto before = now_ms();
  auto done = call("PATCH", "/crm/v3/objects/tasks/9001",
                   R"({"properties":{"hs_task_status":"COMPLETED"}})");
  ASSERT_EQ(done.status(), 200) << done.response.body;
  auto read = call("GET",
                   "/crm/v3/objects/tasks/9001?properties=hs_task_status,hs_lastmodifieddate,"
                   "hs_task_completion_date");
  ASSERT_EQ(read.status(), 200) << read.response.body;
  const auto& props = read.json["properties"];
  EXPECT_STREQ(props["hs_task_status"].GetString(), "COMPLETED");
  EXPECT_GE(*parse_ms_or_iso(props["hs_lastmodifieddate"].GetString()), before);
  // The reference does not say HubSpot sets a completion date, so the mock
  // does not define one: an undefined property is left out.
  EXPECT_FALSE(props.HasMember("hs_task_completion_date")) << read.response.body;
}

}  // namespace
}  // namespace mock_crm_test
