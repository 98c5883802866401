// HubSpot CRM objects: contacts, companies and tasks through list, get,
// create, PATCH, batch endpoints and associations; owners with paging.
#include <gtest/gtest.h>

#include <set>

#include "hubspot_fixture.hpp"

namespace mock_crm_test {
namespace {

class HubspotObjects : public HubspotFixture {};

TEST_F(HubspotObjects, CreateContactReturns201WithMaintainedProperties) {
  clock_.advance(std::chrono::milliseconds(0));
  auto a = call(
      "POST", "/crm/v3/objects/contacts",
      R"({"properties":{"email":"new@acme.example","firstname":"New","hubspot_owner_id":"41629780"},"associations":[]})");
  ASSERT_EQ(a.status(), 201) << a.response.body;
  std::string id = a.json["id"].GetString();
  EXPECT_EQ(id, "100461");  // numeric ids continue after the seed
  const auto& p = a.json["properties"];
  EXPECT_EQ(std::string(p["hs_object_id"].GetString()), id);
  EXPECT_STREQ(p["hubspot_owner_id"].GetString(), "41629780");
  EXPECT_STREQ(p["createdate"].GetString(), a.json["createdAt"].GetString());
  EXPECT_STREQ(p["lastmodifieddate"].GetString(), a.json["updatedAt"].GetString());
  EXPECT_EQ(std::string(a.json["createdAt"].GetString()).size(), 24U);  // ISO with ms
  EXPECT_FALSE(a.json["archived"].GetBool());
}

TEST_F(HubspotObjects, PatchUpdatesAndStampsLastModified) {
  clock_.advance(std::chrono::hours(24 * 400));  // well after the seeded dates
  auto a = call(
      "PATCH", "/crm/v3/objects/contacts/100451",
      R"({"properties":{"hubspot_owner_id":"41629779","lifecyclestage":"salesqualifiedlead"}})");
  ASSERT_EQ(a.status(), 200) << a.response.body;
  EXPECT_STREQ(a.json["properties"]["hubspot_owner_id"].GetString(), "41629779");
  EXPECT_STRNE(a.json["properties"]["lastmodifieddate"].GetString(), "2025-06-02T08:30:00.000Z");
  EXPECT_STREQ(a.json["createdAt"].GetString(), "2025-01-10T09:00:00.000Z");

  auto g = call("GET", "/crm/v3/objects/contacts/100451?properties=hubspot_owner_id,phone,nosuch");
  ASSERT_EQ(g.status(), 200);
  EXPECT_STREQ(g.json["properties"]["hubspot_owner_id"].GetString(), "41629779");
  EXPECT_TRUE(g.json["properties"]["phone"].IsNull());     // defined, no value
  EXPECT_FALSE(g.json["properties"].HasMember("nosuch"));  // not defined: left out

  // "" clears a value.
  auto c =
      call("PATCH", "/crm/v3/objects/contacts/100451", R"({"properties":{"hubspot_owner_id":""}})");
  ASSERT_EQ(c.status(), 200);
  EXPECT_FALSE(c.json["properties"].HasMember("hubspot_owner_id"));
}

TEST_F(HubspotObjects, WriteValidationErrors) {
  auto bad_prop =
      call("PATCH", "/crm/v3/objects/contacts/100451", R"({"properties":{"foo":"bar"}})");
  EXPECT_EQ(bad_prop.status(), 400);
  EXPECT_EQ(error_category(bad_prop), "VALIDATION_ERROR");
  EXPECT_STREQ(bad_prop.json["errors"][0]["code"].GetString(), "PROPERTY_DOESNT_EXIST");
  EXPECT_NE(
      std::string(bad_prop.json["message"].GetString()).find("Property values were not valid"),
      std::string::npos);

  auto bad_owner = call("PATCH", "/crm/v3/objects/contacts/100451",
                        R"({"properties":{"hubspot_owner_id":"999"}})");
  EXPECT_EQ(bad_owner.status(), 400);
  EXPECT_STREQ(bad_owner.json["errors"][0]["code"].GetString(), "INVALID_OWNER_ID");

  auto read_only =
      call("PATCH", "/crm/v3/objects/contacts/100451", R"({"properties":{"hs_object_id":"1"}})");
  EXPECT_EQ(read_only.status(), 400);

  auto dup =
      call("POST", "/crm/v3/objects/contacts", R"({"properties":{"email":"ADA@acme.example"}})");
  EXPECT_EQ(dup.status(), 409);
  EXPECT_EQ(error_category(dup), "CONFLICT");

  auto missing = call("PATCH", "/crm/v3/objects/contacts/999999", R"({"properties":{}})");
  EXPECT_EQ(missing.status(), 404);
  EXPECT_EQ(error_category(missing), "OBJECT_NOT_FOUND");

  auto malformed = call("POST", "/crm/v3/objects/contacts", R"({"properties":)");
  EXPECT_EQ(malformed.status(), 400);
  EXPECT_EQ(error_category(malformed), "VALIDATION_ERROR");
}

TEST_F(HubspotObjects, ListPagesWithAfterCursor) {
  std::vector<std::string> seen;
  std::string target = "/crm/v3/objects/contacts?limit=3";
  for (int guard = 0; guard < 10; ++guard) {
    auto a = call("GET", target);
    ASSERT_EQ(a.status(), 200) << a.response.body;
    for (auto& id : ids_of(a.json["results"])) {
      seen.push_back(id);
    }
    if (!a.json.HasMember("paging")) {
      break;
    }
    std::string after = a.json["paging"]["next"]["after"].GetString();
    EXPECT_NE(std::string(a.json["paging"]["next"]["link"].GetString()).find("after=" + after),
              std::string::npos);
    target = "/crm/v3/objects/contacts?limit=3&after=" + after;
  }
  EXPECT_EQ(seen.size(), 10U);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 10U);
  EXPECT_EQ(call("GET", "/crm/v3/objects/contacts?limit=101").status(), 400);
}

TEST_F(HubspotObjects, GetByEmailAndWithAssociations) {
  auto a =
      call("GET",
           "/crm/v3/objects/contacts/grace@globex.example?idProperty=email&associations=companies");
  ASSERT_EQ(a.status(), 200) << a.response.body;
  EXPECT_STREQ(a.json["id"].GetString(), "100452");
  const auto& assoc = a.json["associations"]["companies"]["results"][0];
  EXPECT_STREQ(assoc["id"].GetString(), "5002");
  EXPECT_STREQ(assoc["type"].GetString(), "contact_to_company");
}

TEST_F(HubspotObjects, DateVersionedPathsAreAliases) {
  auto a = call("GET", "/crm/objects/2026-03/contacts/100451");
  ASSERT_EQ(a.status(), 200);
  EXPECT_STREQ(a.json["id"].GetString(), "100451");
  auto o = call("GET", "/crm/owners/2026-03?limit=2");
  EXPECT_EQ(o.status(), 200);
}

TEST_F(HubspotObjects, BatchReadReportsMissingIdsWith207) {
  auto a = call(
      "POST", "/crm/v3/objects/contacts/batch/read",
      R"({"properties":["email"],"inputs":[{"id":"100451"},{"id":"424242"},{"id":"100452"}]})");
  ASSERT_EQ(a.status(), 207) << a.response.body;
  EXPECT_STREQ(a.json["status"].GetString(), "COMPLETE");
  EXPECT_EQ(a.json["results"].Size(), 2U);
  EXPECT_EQ(a.json["numErrors"].GetInt(), 1);
  EXPECT_STREQ(a.json["errors"][0]["category"].GetString(), "OBJECT_NOT_FOUND");
  EXPECT_STREQ(a.json["errors"][0]["context"]["ids"][0].GetString(), "424242");
  EXPECT_TRUE(a.json.HasMember("startedAt") && a.json.HasMember("completedAt"));

  auto ok = call("POST", "/crm/v3/objects/companies/batch/read",
                 R"({"properties":["domain"],"inputs":[{"id":"5001"},{"id":"5003"}]})");
  ASSERT_EQ(ok.status(), 200);
  EXPECT_STREQ(ok.json["results"][1]["properties"]["domain"].GetString(), "initech.example");
}

TEST_F(HubspotObjects, BatchCreatePerInputErrorsNeedTraceIds) {
  auto traced = call("POST", "/crm/v3/objects/contacts/batch/create", R"({"inputs":[
      {"properties":{"email":"one@x.example"},"objectWriteTraceId":"t1"},
      {"properties":{"email":"two@x.example","foo":"1"},"objectWriteTraceId":"t2"}]})");
  ASSERT_EQ(traced.status(), 207) << traced.response.body;
  EXPECT_EQ(traced.json["results"].Size(), 1U);
  EXPECT_STREQ(traced.json["errors"][0]["context"]["objectWriteTraceId"][0].GetString(), "t2");

  auto untraced = call("POST", "/crm/v3/objects/contacts/batch/create", R"({"inputs":[
      {"properties":{"email":"three@x.example"}},
      {"properties":{"email":"four@x.example","foo":"1"}}]})");
  EXPECT_EQ(untraced.status(), 400);
  // Nothing from the failed request was created.
  auto s = call(
      "POST", "/crm/v3/objects/contacts/search",
      R"({"filterGroups":[{"filters":[{"propertyName":"email","operator":"EQ","value":"three@x.example"}]}]})");
  EXPECT_EQ(s.json["total"].GetInt(), 0);

  std::string inputs;
  for (int i = 0; i < 101; ++i) {
    inputs += std::string(i ? "," : "") + R"({"properties":{"firstname":"n"}})";
  }
  auto too_many =
      call("POST", "/crm/v3/objects/contacts/batch/create", R"({"inputs":[)" + inputs + "]}");
  EXPECT_EQ(too_many.status(), 400);
}

TEST_F(HubspotObjects, BatchUpdateAppliesGoodInputsAndReportsBadOnes) {
  auto a = call("POST", "/crm/v3/objects/contacts/batch/update", R"({"inputs":[
      {"id":"100453","properties":{"hubspot_owner_id":"41629781"}},
      {"id":"100454","properties":{"hubspot_owner_id":"nope"}},
      {"id":"777","properties":{"firstname":"x"}}]})");
  ASSERT_EQ(a.status(), 207) << a.response.body;
  EXPECT_EQ(a.json["results"].Size(), 1U);
  EXPECT_EQ(a.json["numErrors"].GetInt(), 2);
  auto g = call("GET", "/crm/v3/objects/contacts/100453?properties=hubspot_owner_id");
  EXPECT_STREQ(g.json["properties"]["hubspot_owner_id"].GetString(), "41629781");
}

TEST_F(HubspotObjects, TaskLifecycleWithContactAssociation) {
  auto created = call("POST", "/crm/v3/objects/tasks", R"({
      "properties":{"hs_timestamp":"1767718800000","hs_task_subject":"Call back","hs_task_body":"Pricing",
                    "hs_task_status":"NOT_STARTED","hs_task_priority":"HIGH","hubspot_owner_id":"41629779"},
      "associations":[{"to":{"id":"100451"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":204}]}]})");
  ASSERT_EQ(created.status(), 201) << created.response.body;
  std::string id = created.json["id"].GetString();
  // hs_timestamp given as epoch ms comes back as ISO.
  EXPECT_STREQ(created.json["properties"]["hs_timestamp"].GetString(), "2026-01-06T17:00:00.000Z");

  auto listed =
      call("GET", "/crm/v3/objects/tasks?associations=contacts&properties=hs_task_subject");
  ASSERT_EQ(listed.status(), 200);
  bool found = false;
  for (const auto& t : listed.json["results"].GetArray()) {
    if (std::string(t["id"].GetString()) == id) {
      found = true;
      const auto& c = t["associations"]["contacts"]["results"][0];
      EXPECT_STREQ(c["id"].GetString(), "100451");
      EXPECT_STREQ(c["type"].GetString(), "task_to_contact");
    }
  }
  EXPECT_TRUE(found);

  // The contact sees the task too.
  auto contact = call("GET", "/crm/v3/objects/contacts/100451?associations=tasks");
  EXPECT_EQ(contact.json["associations"]["tasks"]["results"][0]["id"].GetString(), id);

  auto done = call("PATCH", "/crm/v3/objects/tasks/" + id,
                   R"({"properties":{"hs_task_status":"COMPLETED"}})");
  ASSERT_EQ(done.status(), 200);
  auto s = call(
      "POST", "/crm/v3/objects/tasks/search",
      R"({"filterGroups":[{"filters":[{"propertyName":"hs_task_status","operator":"EQ","value":"COMPLETED"},{"propertyName":"associations.contact","operator":"EQ","value":"100451"}]}]})");
  ASSERT_EQ(s.status(), 200);
  EXPECT_EQ(ids_of(s.json["results"]), std::vector<std::string>{id});
}

TEST_F(HubspotObjects, TaskValidation) {
  auto no_due = call("POST", "/crm/v3/objects/tasks", R"({"properties":{"hs_task_subject":"x"}})");
  EXPECT_EQ(no_due.status(), 400);
  auto bad_status =
      call("POST", "/crm/v3/objects/tasks",
           R"({"properties":{"hs_timestamp":"2026-01-06T17:00:00Z","hs_task_status":"DONE"}})");
  EXPECT_EQ(bad_status.status(), 400);
  auto bad_assoc = call(
      "POST", "/crm/v3/objects/tasks",
      R"({"properties":{"hs_timestamp":"2026-01-06T17:00:00Z"},"associations":[{"to":{"id":"100451"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":999}]}]})");
  EXPECT_EQ(bad_assoc.status(), 400);
  auto missing_contact = call(
      "POST", "/crm/v3/objects/tasks",
      R"({"properties":{"hs_timestamp":"2026-01-06T17:00:00Z"},"associations":[{"to":{"id":"1"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":204}]}]})");
  EXPECT_EQ(missing_contact.status(), 400);
}

TEST_F(HubspotObjects, BatchCreateTasks) {
  auto a = call("POST", "/crm/v3/objects/tasks/batch/create", R"({"inputs":[
      {"properties":{"hs_timestamp":"2026-01-06T17:00:00Z","hs_task_subject":"a"},
       "associations":[{"to":{"id":"100452"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":204}]}]},
      {"properties":{"hs_timestamp":"2026-01-07T17:00:00Z","hs_task_subject":"b"}}]})");
  ASSERT_EQ(a.status(), 201) << a.response.body;
  EXPECT_EQ(a.json["results"].Size(), 2U);
}

TEST_F(HubspotObjects, ArchiveHidesRecord) {
  EXPECT_EQ(call("DELETE", "/crm/v3/objects/contacts/100460").status(), 204);
  EXPECT_EQ(call("GET", "/crm/v3/objects/contacts/100460").status(), 404);
  EXPECT_EQ(call("GET", "/crm/v3/objects/contacts/100460?archived=true").status(), 200);
}

TEST_F(HubspotObjects, CompaniesListAndGet) {
  auto a = call("GET", "/crm/v3/objects/companies?limit=2&properties=name,domain");
  ASSERT_EQ(a.status(), 200);
  EXPECT_EQ(a.json["results"].Size(), 2U);
  EXPECT_TRUE(a.json.HasMember("paging"));
  auto g = call("GET", "/crm/v3/objects/companies/5004");
  ASSERT_EQ(g.status(), 200);
  EXPECT_STREQ(g.json["properties"]["domain"].GetString(), "umbrella.example");
}

TEST_F(HubspotObjects, OwnersListPagingAndGet) {
  std::vector<std::string> seen;
  std::string target = "/crm/v3/owners?limit=2";
  for (int guard = 0; guard < 10; ++guard) {
    auto a = call("GET", target);
    ASSERT_EQ(a.status(), 200) << a.response.body;
    for (const auto& o : a.json["results"].GetArray()) {
      seen.emplace_back(o["id"].GetString());
      EXPECT_TRUE(o.HasMember("type") && o.HasMember("createdAt") && o.HasMember("archived"));
    }
    if (!a.json.HasMember("paging")) {
      break;
    }
    target = std::string("/crm/v3/owners?limit=2&after=") +
             a.json["paging"]["next"]["after"].GetString();
  }
  // Four active owners (one PERSON is archived and hidden by default).
  EXPECT_EQ(seen, (std::vector<std::string>{"41629779", "41629780", "41629781", "41629790"}));

  auto by_user = call("GET", "/crm/v3/owners/9876544?idProperty=userId");
  ASSERT_EQ(by_user.status(), 200);
  EXPECT_STREQ(by_user.json["id"].GetString(), "41629780");
  EXPECT_EQ(by_user.json["userId"].GetInt64(), 9876544);

  auto archived = call("GET", "/crm/v3/owners?archived=true");
  EXPECT_EQ(archived.json["results"].Size(), 1U);
  auto by_email = call("GET", "/crm/v3/owners?email=noor.closer%40example.com");
  ASSERT_EQ(by_email.json["results"].Size(), 1U);
  EXPECT_EQ(call("GET", "/crm/v3/owners/1").status(), 404);
}

TEST_F(HubspotObjects, UnknownPathsAndMethods) {
  auto unknown = call("GET", "/crm/v3/objects/widgets");
  EXPECT_EQ(unknown.status(), 400);
  EXPECT_EQ(error_category(unknown), "VALIDATION_ERROR");
  auto wrong_method = call("PUT", "/crm/v3/objects/contacts/100451", "{}");
  EXPECT_EQ(wrong_method.status(), 405);
  error_category(wrong_method);
  auto nowhere = call("GET", "/crm/v3/nothing");
  EXPECT_EQ(nowhere.status(), 404);
  error_category(nowhere);
  // Not a HubSpot path at all: left to the next CRM.
  EXPECT_EQ(call("GET", "/services/data/").status(), -1);
}

TEST_F(HubspotObjects, SeedErrorsNameTheJsonPath) {
  rapidjson::Document bad;
  bad.Parse(R"({"contacts":[{"id":"x","properties":{}},{"properties":{"email":["a"]}}],
               "owners":[{"email":"no-id@example.com"}], "bogus": 1})");
  leadrouter::mock_crm::hubspot::HubspotApi api;
  auto errors = api.load_seed(bad, nullptr);
  auto has = [&](const std::string& needle) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const std::string& e) { return e.find(needle) != std::string::npos; });
  };
  EXPECT_TRUE(has("/contacts/0/id")) << errors.size();
  EXPECT_TRUE(has("/contacts/1/properties/email"));
  EXPECT_TRUE(has("/owners/0/id"));
  EXPECT_TRUE(has("/bogus"));
}

}  // namespace
}  // namespace mock_crm_test
