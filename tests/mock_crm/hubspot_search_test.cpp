// HubSpot search: every filter operator, AND/OR groups, sorting, paging with
// equal timestamps, the 10,000-result cap and request validation.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "hubspot_fixture.hpp"
#include "mock_crm/hubspot/search_request.hpp"

namespace mock_crm_test {
namespace {

using leadrouter::mock_crm::hubspot::filter_matches;
using leadrouter::mock_crm::hubspot::Record;
using leadrouter::mock_crm::hubspot::SearchFilter;

Record sample() {
  Record r;
  r.id = 7;
  r.properties = {{"email", "ada@acme.example"},
                  {"firstname", "Ada"},
                  {"numemployees", "1200"},
                  {"lifecyclestage", "lead"},
                  {"createdate", "2025-01-10T09:00:00.000Z"},
                  {"jobtitle", "VP Engineering"}};
  r.associations["companies"] = {5001};
  return r;
}

SearchFilter f(std::string prop, std::string op, std::optional<std::string> value = std::nullopt,
               std::optional<std::string> high = std::nullopt,
               std::vector<std::string> values = {}) {
  return {std::move(prop), std::move(op), std::move(value), std::move(high), std::move(values)};
}

TEST(HubspotFilter, EqIsCaseInsensitiveAndNumeric) {
  auto r = sample();
  EXPECT_TRUE(filter_matches(r, f("email", "EQ", "ADA@acme.example")));
  EXPECT_FALSE(filter_matches(r, f("email", "EQ", "bob@acme.example")));
  EXPECT_TRUE(filter_matches(r, f("numemployees", "EQ", "1200")));
  EXPECT_FALSE(filter_matches(r, f("phone", "EQ", "1")));
}

TEST(HubspotFilter, NeqMatchesDifferentAndMissingValues) {
  auto r = sample();
  EXPECT_TRUE(filter_matches(r, f("lifecyclestage", "NEQ", "customer")));
  EXPECT_FALSE(filter_matches(r, f("lifecyclestage", "NEQ", "lead")));
  EXPECT_TRUE(filter_matches(r, f("phone", "NEQ", "123")));
}

TEST(HubspotFilter, OrderingOperatorsCompareNumbersNotText) {
  auto r = sample();
  // "1200" < "500" as text, but HubSpot compares numbers numerically.
  EXPECT_TRUE(filter_matches(r, f("numemployees", "GT", "500")));
  EXPECT_TRUE(filter_matches(r, f("numemployees", "GTE", "1200")));
  EXPECT_FALSE(filter_matches(r, f("numemployees", "GT", "1200")));
  EXPECT_TRUE(filter_matches(r, f("numemployees", "LT", "10000")));
  EXPECT_TRUE(filter_matches(r, f("numemployees", "LTE", "1200")));
  EXPECT_FALSE(filter_matches(r, f("numemployees", "LT", "1200")));
  EXPECT_FALSE(filter_matches(r, f("phone", "GT", "0")));
}

TEST(HubspotFilter, DatesCompareAsEpochMillisOrIso) {
  auto r = sample();
  // 2025-01-10T09:00:00Z = 1736499600000
  EXPECT_TRUE(filter_matches(r, f("createdate", "GTE", "1736499600000")));
  EXPECT_FALSE(filter_matches(r, f("createdate", "GT", "1736499600000")));
  EXPECT_TRUE(filter_matches(r, f("createdate", "LT", "2025-01-11T00:00:00Z")));
  EXPECT_TRUE(filter_matches(r, f("createdate", "BETWEEN", "1736499600000", "1736499600001")));
  EXPECT_FALSE(filter_matches(r, f("createdate", "BETWEEN", "1736499600001", "1736499700000")));
}

TEST(HubspotFilter, InAndNotIn) {
  auto r = sample();
  EXPECT_TRUE(filter_matches(
      r, f("lifecyclestage", "IN", std::nullopt, std::nullopt, {"subscriber", "lead"})));
  EXPECT_FALSE(filter_matches(
      r, f("lifecyclestage", "IN", std::nullopt, std::nullopt, {"subscriber", "customer"})));
  EXPECT_TRUE(filter_matches(
      r, f("lifecyclestage", "NOT_IN", std::nullopt, std::nullopt, {"subscriber", "customer"})));
  EXPECT_FALSE(
      filter_matches(r, f("lifecyclestage", "NOT_IN", std::nullopt, std::nullopt, {"lead"})));
  EXPECT_TRUE(filter_matches(r, f("phone", "NOT_IN", std::nullopt, std::nullopt, {"1"})));
}

TEST(HubspotFilter, HasAndNotHasProperty) {
  auto r = sample();
  EXPECT_TRUE(filter_matches(r, f("email", "HAS_PROPERTY")));
  EXPECT_FALSE(filter_matches(r, f("hubspot_owner_id", "HAS_PROPERTY")));
  EXPECT_TRUE(filter_matches(r, f("hubspot_owner_id", "NOT_HAS_PROPERTY")));
  EXPECT_FALSE(filter_matches(r, f("email", "NOT_HAS_PROPERTY")));
}

TEST(HubspotFilter, ContainsTokenWithWildcards) {
  auto r = sample();
  EXPECT_TRUE(filter_matches(r, f("jobtitle", "CONTAINS_TOKEN", "engineering")));
  EXPECT_FALSE(filter_matches(r, f("jobtitle", "CONTAINS_TOKEN", "engineer")));
  EXPECT_TRUE(filter_matches(r, f("jobtitle", "CONTAINS_TOKEN", "engineer*")));
  EXPECT_TRUE(filter_matches(r, f("email", "CONTAINS_TOKEN", "*@acme.example")));
  EXPECT_FALSE(filter_matches(r, f("email", "CONTAINS_TOKEN", "*@globex.example")));
  EXPECT_TRUE(filter_matches(r, f("email", "NOT_CONTAINS_TOKEN", "*@globex.example")));
  EXPECT_FALSE(filter_matches(r, f("jobtitle", "NOT_CONTAINS_TOKEN", "vp")));
}

TEST(HubspotFilter, AssociationPseudoProperty) {
  auto r = sample();
  EXPECT_TRUE(filter_matches(r, f("associations.company", "EQ", "5001")));
  EXPECT_FALSE(filter_matches(r, f("associations.company", "EQ", "5002")));
}

class HubspotSearch : public HubspotFixture {
 protected:
  std::vector<std::string> search_ids(const std::string& body, int expect_status = 200) {
    auto a = call("POST", "/crm/v3/objects/contacts/search", body);
    EXPECT_EQ(a.status(), expect_status) << a.response.body;
    if (a.status() != 200) {
      return {};
    }
    return ids_of(a.json["results"]);
  }
};

TEST_F(HubspotSearch, GroupsAreOrAndFiltersAreAnd) {
  auto ids = search_ids(R"({"filterGroups":[
      {"filters":[{"propertyName":"email","operator":"CONTAINS_TOKEN","value":"*@acme.example"},
                  {"propertyName":"hubspot_owner_id","operator":"NOT_HAS_PROPERTY"}]},
      {"filters":[{"propertyName":"email","operator":"EQ","value":"linus@outlook.com"}]}],
      "limit":100})");
  // ada (acme, no owner) and linus; margaret is at acme but owned.
  EXPECT_EQ(ids, (std::vector<std::string>{"100451", "100458"}));
}

TEST_F(HubspotSearch, EveryOperatorThroughTheEndpoint) {
  struct Case {
    std::string filter;
    std::size_t expected;
  };
  std::vector<Case> cases = {
      {R"({"propertyName":"lifecyclestage","operator":"EQ","value":"lead"})", 6},
      {R"({"propertyName":"lifecyclestage","operator":"NEQ","value":"lead"})", 4},
      {R"({"propertyName":"numemployees","operator":"GT","value":"340"})", 3},
      {R"({"propertyName":"numemployees","operator":"GTE","value":"340"})", 5},
      {R"({"propertyName":"numemployees","operator":"LT","value":"340"})", 2},
      {R"({"propertyName":"numemployees","operator":"LTE","value":"340"})", 4},
      {R"({"propertyName":"createdate","operator":"BETWEEN","value":"2025-01-11T00:00:00Z","highValue":"1736586000000"})",
       1},
      {R"({"propertyName":"createdate","operator":"BETWEEN","value":"2025-01-11T00:00:00Z","highValue":"2025-01-13T09:00:00.000Z"})",
       3},
      {R"({"propertyName":"country","operator":"IN","values":["germany","finland"]})", 3},
      {R"({"propertyName":"country","operator":"NOT_IN","values":["united states"]})", 6},
      {R"({"propertyName":"hubspot_owner_id","operator":"HAS_PROPERTY"})", 2},
      {R"({"propertyName":"hubspot_owner_id","operator":"NOT_HAS_PROPERTY"})", 8},
      {R"({"propertyName":"email","operator":"CONTAINS_TOKEN","value":"*@globex.example"})", 2},
      {R"({"propertyName":"email","operator":"NOT_CONTAINS_TOKEN","value":"*@globex.example"})", 8},
  };
  for (const auto& c : cases) {
    auto ids = search_ids(R"({"filterGroups":[{"filters":[)" + c.filter + R"(]}],"limit":100})");
    EXPECT_EQ(ids.size(), c.expected) << c.filter;
  }
}

TEST_F(HubspotSearch, ResponseShapeHasTotalDefaultPropertiesAndNoAssociations) {
  auto a = call("POST", "/crm/v3/objects/contacts/search", R"({"limit":2})");
  ASSERT_EQ(a.status(), 200);
  EXPECT_EQ(a.json["total"].GetInt(), 10);
  ASSERT_EQ(a.json["results"].Size(), 2U);
  const auto& first = a.json["results"][0];
  // Oldest-created first without a sort.
  EXPECT_STREQ(first["id"].GetString(), "100451");
  for (const char* p :
       {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}) {
    EXPECT_TRUE(first["properties"].HasMember(p)) << p;
  }
  EXPECT_FALSE(first["properties"].HasMember("jobtitle"));
  EXPECT_FALSE(first.HasMember("associations"));
  EXPECT_STREQ(first["createdAt"].GetString(), "2025-01-10T09:00:00.000Z");
  EXPECT_FALSE(first["archived"].GetBool());
  EXPECT_STREQ(a.json["paging"]["next"]["after"].GetString(), "2");
  EXPECT_FALSE(a.has_header("X-HubSpot-RateLimit-Max"));
}

TEST_F(HubspotSearch, PagingWithEqualTimestampsNeverSkipsOrRepeats) {
  // Three seeded contacts share lastmodifieddate; ties must break stably.
  for (int page_size : {1, 2, 3, 4}) {
    std::vector<std::string> seen;
    std::string after = "0";
    for (int guard = 0; guard < 20; ++guard) {
      auto a = call("POST", "/crm/v3/objects/contacts/search",
                    R"({"sorts":[{"propertyName":"lastmodifieddate","direction":"ASCENDING"}],)"
                    R"("properties":["lastmodifieddate"],"limit":)" +
                        std::to_string(page_size) + R"(,"after":")" + after + "\"}");
      ASSERT_EQ(a.status(), 200) << a.response.body;
      for (auto& id : ids_of(a.json["results"])) {
        seen.push_back(id);
      }
      if (!a.json.HasMember("paging")) {
        break;
      }
      after = a.json["paging"]["next"]["after"].GetString();
    }
    std::set<std::string> unique(seen.begin(), seen.end());
    EXPECT_EQ(seen.size(), 10U) << "page size " << page_size;
    EXPECT_EQ(unique.size(), 10U) << "page size " << page_size;
    // The tied records come in id order.
    auto pos = [&](const std::string& id) { return std::find(seen.begin(), seen.end(), id); };
    EXPECT_LT(pos("100453"), pos("100454"));
    EXPECT_LT(pos("100454"), pos("100455"));
  }
}

TEST_F(HubspotSearch, SortDescendingPutsMissingValuesLast) {
  auto a = call(
      "POST", "/crm/v3/objects/contacts/search",
      R"({"sorts":[{"propertyName":"hubspot_owner_id","direction":"DESCENDING"}],"limit":100})");
  ASSERT_EQ(a.status(), 200);
  auto ids = ids_of(a.json["results"]);
  ASSERT_EQ(ids.size(), 10U);
  EXPECT_EQ(ids[0], "100452");  // owner 41629780
  EXPECT_EQ(ids[1], "100457");  // owner 41629779
}

TEST_F(HubspotSearch, FreeTextQuery) {
  auto a = call("POST", "/crm/v3/objects/contacts/search", R"({"query":"hopper"})");
  ASSERT_EQ(a.status(), 200);
  EXPECT_EQ(ids_of(a.json["results"]), std::vector<std::string>{"100452"});
}

TEST_F(HubspotSearch, ValidationErrors) {
  auto check = [&](const std::string& body) {
    auto a = call("POST", "/crm/v3/objects/contacts/search", body);
    EXPECT_EQ(a.status(), 400) << body;
    EXPECT_EQ(error_category(a), "VALIDATION_ERROR") << body;
  };
  check(R"({"limit":201})");
  check(
      R"({"filterGroups":[{"filters":[{"propertyName":"email","operator":"LIKE","value":"x"}]}]})");
  check(R"({"filterGroups":[{"filters":[{"propertyName":"email","operator":"EQ"}]}]})");
  check(
      R"({"filterGroups":[{"filters":[{"propertyName":"x","operator":"BETWEEN","value":"1"}]}]})");
  check(
      R"({"filterGroups":[{"filters":[]},{"filters":[]},{"filters":[]},{"filters":[]},{"filters":[]},{"filters":[]}]})");
  std::string seven;
  for (int i = 0; i < 7; ++i) {
    seven += std::string(i ? "," : "") + R"({"propertyName":"email","operator":"HAS_PROPERTY"})";
  }
  check(R"({"filterGroups":[{"filters":[)" + seven + "]}]}");
  check(R"({"after":"abc"})");
  check("{not json");
  check(R"({"query":")" + std::string(3000, 'x') + "\"}");
}

TEST_F(HubspotSearch, TenThousandResultCap) {
  // 10,100 contacts through batch create, then page to the cap.
  for (int batch = 0; batch < 101; ++batch) {
    std::string inputs;
    for (int i = 0; i < 100; ++i) {
      inputs += std::string(i ? "," : "") + R"({"properties":{"email":"bulk)" +
                std::to_string(batch * 100 + i) + R"(@bulk.example"}})";
    }
    auto a =
        call("POST", "/crm/v3/objects/contacts/batch/create", R"({"inputs":[)" + inputs + "]}");
    ASSERT_EQ(a.status(), 201) << a.response.body;
  }
  std::string body_prefix =
      R"({"filterGroups":[{"filters":[{"propertyName":"email","operator":"CONTAINS_TOKEN","value":"*@bulk.example"}]}],"limit":200,"after":)";
  auto near_cap = call("POST", "/crm/v3/objects/contacts/search", body_prefix + "\"9800\"}");
  ASSERT_EQ(near_cap.status(), 200) << near_cap.response.body;
  EXPECT_EQ(near_cap.json["total"].GetInt(), 10100);
  EXPECT_EQ(near_cap.json["results"].Size(), 200U);
  EXPECT_FALSE(near_cap.json.HasMember("paging"));  // nothing beyond 10,000 is reachable

  auto past = call("POST", "/crm/v3/objects/contacts/search", body_prefix + "\"10000\"}");
  EXPECT_EQ(past.status(), 400);
  EXPECT_EQ(error_category(past), "VALIDATION_ERROR");
}

TEST_F(HubspotSearch, CompaniesAndTasksAreSearchable) {
  auto c = call(
      "POST", "/crm/v3/objects/companies/search",
      R"({"filterGroups":[{"filters":[{"propertyName":"domain","operator":"EQ","value":"globex.example"}]}],"properties":["name","domain"]})");
  ASSERT_EQ(c.status(), 200);
  ASSERT_EQ(c.json["total"].GetInt(), 1);
  EXPECT_STREQ(c.json["results"][0]["properties"]["name"].GetString(), "Globex GmbH");

  auto t = call(
      "POST", "/crm/v3/objects/tasks/search",
      R"({"filterGroups":[{"filters":[{"propertyName":"hs_task_status","operator":"EQ","value":"NOT_STARTED"}]}],"properties":["hs_task_subject"]})");
  ASSERT_EQ(t.status(), 200);
  EXPECT_EQ(t.json["total"].GetInt(), 1);
}

}  // namespace
}  // namespace mock_crm_test
