// What the connector's account feed, duplicate lookup and SLA check ask of
// the Salesforce mock: Account's size and LastActivityDate fields with the
// keyset query, Contact records, the open-lead-or-contact queries with
// AND/OR/!= and null, and a Task's IsClosed following its Status.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <string>
#include <vector>

#include "mock_crm/salesforce/salesforce_api.hpp"
#include "mock_crm/salesforce/salesforce_id.hpp"

namespace leadrouter::mock_crm::salesforce {
namespace {

constexpr const char* kSeed = R"({
  "connected_apps": [
    {"client_id": "svc-app", "client_secret": "svc-secret", "allowed_flows": ["client_credentials"],
     "run_as": "admin@acme.example"}
  ],
  "users": [
    {"Id": "005Dm0000000001IAA", "Username": "admin@acme.example", "LastName": "Admin", "Email": "admin@acme.example"},
    {"Id": "005Dm0000000002IAA", "Username": "rep@acme.example", "FirstName": "Ada", "LastName": "Rep", "Email": "rep@acme.example"}
  ],
  "accounts": [
    {"Id": "001Dm0000000001", "Name": "Acme", "Website": "acme.example", "NumberOfEmployees": 250,
     "AnnualRevenue": 12000000, "LastActivityDate": "2026-01-04", "SystemModstamp": "2026-01-05T10:00:00Z"},
    {"Id": "001Dm0000000002", "Name": "Globex", "AnnualRevenue": 5000000, "SystemModstamp": "2026-01-05T10:00:00Z"},
    {"Id": "001Dm0000000003", "Name": "Initech", "SystemModstamp": "2026-01-05T10:00:01Z"}
  ],
  "contacts": [
    {"Id": "003Dm0000000001", "FirstName": "ADA", "LastName": "lovelace", "Email": "ada@acme.example",
     "AccountId": "001Dm0000000001", "OwnerId": "005Dm0000000002", "CreatedDate": "2025-12-01T00:00:00Z"},
    {"Id": "003Dm0000000002", "LastName": "Hopper", "Email": "grace@navy.example", "CreatedDate": "2025-12-02T00:00:00Z"}
  ],
  "leads": [
    {"Id": "00QDm0000000001", "FirstName": "Ada", "LastName": "Lovelace", "Company": "Acme",
     "Email": "ada@acme.example", "CreatedDate": "2026-01-05T09:00:00Z"},
    {"Id": "00QDm0000000002", "FirstName": "Ada", "LastName": "Lovelace", "Company": "Acme",
     "Email": "other@acme.example", "CreatedDate": "2025-11-01T00:00:00Z"},
    {"Id": "00QDm0000000003", "FirstName": "Ada", "LastName": "Lovelace", "Company": "Old Co",
     "Email": "ada@acme.example", "IsConverted": true, "Status": "Closed - Converted"}
  ]
})";

std::string id18(std::string_view id15) {
  return normalize_id(id15).value_or("");
}

class SalesforceAccountsPeople : public ::testing::Test {
 protected:
  MockClock clock;
  RequestContext ctx{clock, "http://127.0.0.1:4567", false, {}};
  std::unique_ptr<CrmApi> api = make_salesforce_api();
  std::string token;

  void SetUp() override {
    rapidjson::Document seed;
    seed.Parse(kSeed);
    ASSERT_FALSE(seed.HasParseError());
    rapidjson::Document limits;
    limits.Parse("null");
    auto errors = api->load_seed(seed, &limits);
    ASSERT_TRUE(errors.empty()) << errors.front();
    HttpRequest r;
    r.method = "POST";
    r.path = r.target = "/services/oauth2/token";
    r.body = "grant_type=client_credentials&client_id=svc-app&client_secret=svc-secret";
    auto response = api->handle(r, ctx);
    ASSERT_EQ(response->status, 200) << response->body;
    token = json(*response)["access_token"].GetString();
  }

  HttpResponse call(const std::string& method, const std::string& path,
                    std::multimap<std::string, std::string> query = {},
                    const std::string& body = "") {
    HttpRequest r;
    r.method = method;
    r.path = r.target = path;
    for (auto& [k, v] : query) {
      r.query.emplace(k, v);
    }
    r.headers["Authorization"] = "Bearer " + token;
    r.body = body;
    auto response = api->handle(r, ctx);
    EXPECT_TRUE(response.has_value()) << path;
    return response.value_or(HttpResponse{});
  }

  std::vector<std::string> query_ids(const std::string& soql) {
    auto r = call("GET", "/services/data/v62.0/query", {{"q", soql}});
    EXPECT_EQ(r.status, 200) << soql << "\n" << r.body;
    std::vector<std::string> ids;
    auto d = json(r);
    if (d.IsObject() && d.HasMember("records")) {
      for (const auto& rec : d["records"].GetArray()) {
        ids.emplace_back(rec["Id"].GetString());
      }
    }
    return ids;
  }

  static rapidjson::Document json(const HttpResponse& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    return d;
  }
};

TEST_F(SalesforceAccountsPeople, AccountKeysetQueryReturnsSizeAndLastActivity) {
  auto r =
      call("GET", "/services/data/v62.0/query",
           {{"q",
             "SELECT Id, Name, Website, OwnerId, NumberOfEmployees, AnnualRevenue, "
             "LastActivityDate, LastModifiedDate, SystemModstamp FROM Account WHERE "
             "(SystemModstamp > 2026-01-05T10:00:00Z OR (SystemModstamp = "
             "2026-01-05T10:00:00Z AND Id > '" +
                 id18("001Dm0000000001") + "')) ORDER BY SystemModstamp ASC, Id ASC LIMIT 5"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = json(r);
  ASSERT_EQ(d["records"].Size(), 2u) << r.body;
  const auto& globex = d["records"][0];
  EXPECT_EQ(globex["Id"].GetString(), id18("001Dm0000000002"));
  EXPECT_TRUE(globex["NumberOfEmployees"].IsNull());
  EXPECT_EQ(globex["AnnualRevenue"].GetDouble(), 5000000.0);
  EXPECT_TRUE(globex["LastActivityDate"].IsNull());
  EXPECT_STREQ(d["records"][1]["SystemModstamp"].GetString(), "2026-01-05T10:00:01.000+0000");

  auto acme = json(call("GET", "/services/data/v62.0/sobjects/Account/" + id18("001Dm0000000001"),
                        {{"fields", "LastActivityDate,NumberOfEmployees"}}));
  EXPECT_STREQ(acme["LastActivityDate"].GetString(), "2026-01-04");  // a date, not a datetime
  EXPECT_EQ(acme["NumberOfEmployees"].GetInt(), 250);

  // Salesforce maintains LastActivityDate: the API cannot write it.
  auto refused = call("PATCH", "/services/data/v62.0/sobjects/Account/" + id18("001Dm0000000001"),
                      {}, R"({"LastActivityDate":"2026-02-01"})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("INVALID_FIELD_FOR_INSERT_UPDATE"), std::string::npos)
      << refused.body;
}

TEST_F(SalesforceAccountsPeople, ContactsAreRecordsWithAccountAndDerivedName) {
  auto created = call("POST", "/services/data/v62.0/sobjects/Contact", {},
                      R"({"FirstName":"Grace","LastName":"Hopper","Email":"g@navy.example",
                          "AccountId":")" +
                          id18("001Dm0000000002") + R"("})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = json(created)["id"].GetString();
  EXPECT_TRUE(id.starts_with("003"));
  auto read = json(call("GET", "/services/data/v62.0/sobjects/Contact/" + id));
  EXPECT_STREQ(read["attributes"]["type"].GetString(), "Contact");
  EXPECT_STREQ(read["Name"].GetString(), "Grace Hopper");
  EXPECT_STREQ(read["OwnerId"].GetString(), "005Dm0000000001IAA");  // the caller
  EXPECT_EQ(read["AccountId"].GetString(), id18("001Dm0000000002"));

  auto missing = call("POST", "/services/data/v62.0/sobjects/Contact", {}, R"({"FirstName":"X"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("REQUIRED_FIELD_MISSING"), std::string::npos) << missing.body;
  auto bad_account = call("POST", "/services/data/v62.0/sobjects/Contact", {},
                          R"({"LastName":"Y","AccountId":")" + id18("00QDm0000000001") + R"("})");
  EXPECT_EQ(bad_account.status, 400) << bad_account.body;

  // A task may name a contact and relate to its account.
  auto task = call("POST", "/services/data/v62.0/sobjects/Task", {},
                   R"({"WhoId":")" + id + R"(","WhatId":")" + id18("001Dm0000000002") +
                       R"(","Subject":"Call"})");
  EXPECT_EQ(task.status, 201) << task.body;
}

TEST_F(SalesforceAccountsPeople, DuplicateQueriesFindOpenLeadsAndContactsByEmailOrName) {
  const std::string self = id18("00QDm0000000001");
  const std::string match =
      "(Email = 'ADA@acme.example' OR (FirstName = 'ada' AND LastName = "
      "'Lovelace'))";
  // Case-insensitive equality; the converted lead and the lead itself are left out.
  EXPECT_EQ(query_ids("SELECT Id, OwnerId, Email, FirstName, LastName, Company, CreatedDate FROM "
                      "Lead WHERE IsConverted = false AND Id != '" +
                      self + "' AND " + match + " ORDER BY CreatedDate ASC, Id ASC LIMIT 20"),
            (std::vector<std::string>{id18("00QDm0000000002")}));
  EXPECT_EQ(query_ids("SELECT Id, OwnerId, Email, FirstName, LastName, AccountId, CreatedDate FROM "
                      "Contact WHERE Id != '" +
                      self + "' AND " + match + " ORDER BY CreatedDate ASC, Id ASC LIMIT 20"),
            (std::vector<std::string>{id18("003Dm0000000001")}));
  // A missing first name matches null.
  EXPECT_EQ(query_ids("SELECT Id FROM Contact WHERE (FirstName = null AND LastName = 'hopper')"),
            (std::vector<std::string>{id18("003Dm0000000002")}));
}

TEST_F(SalesforceAccountsPeople, TaskIsClosedFollowsItsStatusAndLastModifiedDateMoves) {
  auto created = call("POST", "/services/data/v62.0/sobjects/Task", {},
                      R"({"WhoId":")" + id18("00QDm0000000001") +
                          R"(","Subject":"Call","Description":"[leadrouter decision d1]"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = json(created)["id"].GetString();
  const std::string path = "/services/data/v62.0/sobjects/Task/" + id;
  auto open = json(call("GET", path, {{"fields", "Status,IsClosed,LastModifiedDate"}}));
  EXPECT_STREQ(open["Status"].GetString(), "Not Started");
  EXPECT_FALSE(open["IsClosed"].GetBool());

  clock.advance(std::chrono::minutes(10));
  EXPECT_EQ(call("PATCH", path, {}, R"({"Status":"Completed"})").status, 204);
  auto done = json(call("GET", path, {{"fields", "Status,IsClosed,LastModifiedDate"}}));
  EXPECT_TRUE(done["IsClosed"].GetBool());
  EXPECT_STRNE(done["LastModifiedDate"].GetString(), open["LastModifiedDate"].GetString());
  // The reference lists no completion timestamp on Task, so the mock has none.
  auto no_field = call("GET", path, {{"fields", "CompletedDateTime"}});
  EXPECT_EQ(no_field.status, 400) << no_field.body;
  // Closed tasks are found by the query the SLA check runs.
  EXPECT_EQ(query_ids("SELECT Id, Status, IsClosed, LastModifiedDate, Description FROM Task WHERE "
                      "WhoId = '" +
                      id18("00QDm0000000001") + "' ORDER BY CreatedDate ASC"),
            (std::vector<std::string>{id}));
}

}  // namespace
}  // namespace leadrouter::mock_crm::salesforce
