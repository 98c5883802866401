// Salesforce REST surface driven through CrmApi::handle with HttpRequest
// objects: versions, auth, limits, SOQL query and paging, sObject CRUD and
// describe, sObject Collections and Composite (with allOrNone rollback),
// custom notifications, error shapes and statuses, and seed validation.
#include "mock_crm/salesforce/salesforce_api.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>

#include "mock_crm/salesforce/salesforce_id.hpp"

namespace leadrouter::mock_crm::salesforce {
namespace {

constexpr const char* kSeed = R"({
  "connected_apps": [
    {"client_id": "svc-app", "client_secret": "svc-secret", "allowed_flows": ["client_credentials"],
     "run_as": "admin@acme.example"}
  ],
  "custom_fields": {"Lead": [{"name": "Routing_Score__c", "type": "double", "label": "Routing Score"}]},
  "users": [
    {"Id": "005Dm0000000001IAA", "Username": "admin@acme.example", "LastName": "Admin", "Email": "admin@acme.example"},
    {"Id": "005Dm0000000002IAA", "Username": "rep@acme.example", "FirstName": "Ada", "LastName": "Rep", "Email": "rep@acme.example"},
    {"Id": "005Dm0000000003IAA", "Username": "gone@acme.example", "LastName": "Gone", "Email": "g@acme.example", "IsActive": false}
  ],
  "accounts": [{"Id": "001Dm0000000001IAA", "Name": "Acme", "Website": "acme.example"}],
  "leads": [
    {"Id": "00QDm0000000001MAA", "LastName": "Lovelace", "Company": "Acme", "Email": "ada@acme.example",
     "SystemModstamp": "2026-01-05T10:00:00Z"},
    {"Id": "00QDm0000000002MAA", "LastName": "Old", "Company": "Converted Co", "IsConverted": true,
     "Status": "Closed - Converted"}
  ]
})";

class SalesforceApiTest : public ::testing::Test {
 protected:
  MockClock clock;
  RequestContext ctx{clock, "http://127.0.0.1:4567", false, {}};
  std::unique_ptr<CrmApi> api = make_salesforce_api();
  std::string token;

  void SetUp() override { load(kSeed); }

  void load(const char* seed_text, const char* limits_text = "null") {
    rapidjson::Document seed;
    seed.Parse(seed_text);
    ASSERT_FALSE(seed.HasParseError());
    rapidjson::Document limits;
    limits.Parse(limits_text);
    auto errors = api->load_seed(seed, &limits);
    ASSERT_TRUE(errors.empty()) << errors.front();
    token = new_token();
  }

  std::string new_token() {
    HttpRequest r;
    r.method = "POST";
    r.path = r.target = "/services/oauth2/token";
    r.body = "grant_type=client_credentials&client_id=svc-app&client_secret=svc-secret";
    auto response = api->handle(r, ctx);
    EXPECT_EQ(response->status, 200) << response->body;
    rapidjson::Document d;
    d.Parse(response->body.c_str());
    return d.IsObject() && d.HasMember("access_token") ? d["access_token"].GetString() : "";
  }

  static std::string decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out.push_back(' ');
      } else if (s[i] == '%' && i + 2 < s.size()) {
        out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(s[i]);
      }
    }
    return out;
  }

  HttpResponse call(const std::string& method, const std::string& target,
                    const std::string& body = "", std::map<std::string, std::string> headers = {},
                    bool auth = true) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    std::size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string_view rest = std::string_view(target).substr(q + 1);
      while (!rest.empty()) {
        std::size_t amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        std::size_t eq = pair.find('=');
        r.query.emplace(decode(pair.substr(0, eq)),
                        eq == std::string_view::npos ? "" : decode(pair.substr(eq + 1)));
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      }
    }
    if (auth) {
      r.headers["Authorization"] = "Bearer " + token;
    }
    for (auto& [k, v] : headers) {
      r.headers[k] = v;
    }
    r.body = body;
    auto response = api->handle(r, ctx);
    EXPECT_TRUE(response.has_value()) << target;
    return response.value_or(HttpResponse{});
  }

  HttpResponse query(const std::string& soql, std::map<std::string, std::string> headers = {}) {
    std::string encoded;
    for (char c : soql) {
      encoded += c == ' ' ? std::string("+")
                          : (c == '%' ? std::string("%25")
                                      : (c == '+' ? std::string("%2B") : std::string(1, c)));
    }
    return call("GET", "/services/data/v62.0/query?q=" + encoded, "", std::move(headers));
  }

  static rapidjson::Document json(const HttpResponse& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    EXPECT_FALSE(d.HasParseError()) << r.body;
    return d;
  }

  static void expect_error(const HttpResponse& r, int status, const char* code) {
    EXPECT_EQ(r.status, status) << r.body;
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    ASSERT_TRUE(d.IsArray() && d.Size() == 1) << r.body;
    EXPECT_STREQ(d[0]["errorCode"].GetString(), code) << r.body;
    EXPECT_TRUE(d[0]["message"].IsString());
  }

  static std::optional<std::string> header(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) {
        return v;
      }
    }
    return std::nullopt;
  }

  std::string create_lead(const std::string& body) {
    HttpResponse r = call("POST", "/services/data/v62.0/sobjects/Lead", body);
    EXPECT_EQ(r.status, 201) << r.body;
    auto d = json(r);
    return d.IsObject() && d.HasMember("id") ? d["id"].GetString() : "";
  }
};

TEST_F(SalesforceApiTest, VersionsNeedNoAuthAndCarryNoLimitHeader) {
  HttpResponse r = call("GET", "/services/data/", "", {}, false);
  ASSERT_EQ(r.status, 200);
  auto d = json(r);
  ASSERT_TRUE(d.IsArray());
  std::set<std::string> versions;
  for (const auto& v : d.GetArray()) {
    versions.insert(v["version"].GetString());
    EXPECT_EQ(std::string(v["url"].GetString()),
              std::string("/services/data/v") + v["version"].GetString());
    EXPECT_TRUE(v["label"].IsString());
  }
  for (const char* v : {"58.0", "59.0", "60.0", "61.0", "62.0"}) {
    EXPECT_TRUE(versions.contains(v)) << v;
  }
  EXPECT_EQ(std::string(d[d.Size() - 1]["label"].GetString()), "Spring '26");
  EXPECT_FALSE(header(r, "Sforce-Limit-Info"));
}

TEST_F(SalesforceApiTest, UnknownAndRetiredVersions) {
  expect_error(call("GET", "/services/data/v99.0/limits"), 404, "NOT_FOUND");
  EXPECT_EQ(call("GET", "/services/data/v20.0/limits").status, 410);
  expect_error(call("GET", "/services/data/latest/limits"), 404, "NOT_FOUND");
}

TEST_F(SalesforceApiTest, OtherPathsAreNotSalesforce) {
  HttpRequest r;
  r.method = "GET";
  r.path = r.target = "/crm/v3/objects/contacts";
  EXPECT_FALSE(api->handle(r, ctx).has_value());
}

TEST_F(SalesforceApiTest, MissingOrBadTokenIsInvalidSession) {
  HttpResponse r = call("GET", "/services/data/v62.0/limits", "", {}, false);
  expect_error(r, 401, "INVALID_SESSION_ID");
  EXPECT_EQ(r.body,
            R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])");
  expect_error(call("GET", "/services/data/v62.0/limits", "", {{"Authorization", "Bearer nope"}}),
               401, "INVALID_SESSION_ID");
  // The legacy "OAuth" scheme is still accepted.
  EXPECT_EQ(
      call("GET", "/services/data/v62.0/limits", "", {{"Authorization", "OAuth " + token}}).status,
      200);
}

TEST_F(SalesforceApiTest, LimitInfoHeaderAndLimitsResource) {
  HttpResponse first = call("GET", "/services/data/v62.0/sobjects");
  EXPECT_EQ(header(first, "Sforce-Limit-Info"), "api-usage=1/15000");
  HttpResponse error = call("GET", "/services/data/v62.0/sobjects/Lead/00QDm0000000009MAA");
  EXPECT_EQ(error.status, 404);
  EXPECT_EQ(header(error, "Sforce-Limit-Info"), "api-usage=2/15000");
  auto d = json(call("GET", "/services/data/v62.0/limits"));
  EXPECT_EQ(d["DailyApiRequests"]["Max"].GetInt(), 15000);
  EXPECT_EQ(d["DailyApiRequests"]["Remaining"].GetInt(), 15000 - 3);
}

TEST_F(SalesforceApiTest, DailyLimitRefusesWhenRateLimitsAreOn) {
  load(kSeed, R"({"salesforce": {"daily_api_requests": 3}})");
  ctx.rate_limits_on = true;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(call("GET", "/services/data/v62.0/limits").status, 200);
  }
  HttpResponse refused = call("GET", "/services/data/v62.0/limits");
  expect_error(refused, 403, "REQUEST_LIMIT_EXCEEDED");
  EXPECT_NE(refused.body.find("TotalRequests Limit exceeded."), std::string::npos);
  EXPECT_FALSE(header(refused, "Retry-After"));
  EXPECT_EQ(header(refused, "Sforce-Limit-Info"), "api-usage=3/3");
  // The allocation is a rolling 24 hours.
  clock.advance(std::chrono::hours(24) + std::chrono::seconds(1));
  token = new_token();  // the session expired meanwhile
  EXPECT_EQ(call("GET", "/services/data/v62.0/limits").status, 200);
}

TEST_F(SalesforceApiTest, DailyLimitIsOnlyCountedWhenRateLimitsAreOff) {
  load(kSeed, R"({"salesforce": {"daily_api_requests": 2}})");
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(call("GET", "/services/data/v62.0/limits").status, 200);
  }
}

TEST_F(SalesforceApiTest, QueryReturnsRecordsInSalesforceShape) {
  HttpResponse r = query(
      "SELECT Id, Email, SystemModstamp, NumberOfEmployees, IsConverted FROM Lead WHERE Email LIKE "
      "'%@acme.example'");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = json(r);
  EXPECT_EQ(d["totalSize"].GetInt(), 1);
  EXPECT_TRUE(d["done"].GetBool());
  EXPECT_FALSE(d.HasMember("nextRecordsUrl"));
  const auto& rec = d["records"][0];
  EXPECT_STREQ(rec["attributes"]["type"].GetString(), "Lead");
  EXPECT_STREQ(rec["attributes"]["url"].GetString(),
               "/services/data/v62.0/sobjects/Lead/00QDm0000000001MAA");
  EXPECT_STREQ(rec["Id"].GetString(), "00QDm0000000001MAA");
  EXPECT_STREQ(rec["SystemModstamp"].GetString(), "2026-01-05T10:00:00.000+0000");
  EXPECT_TRUE(rec["NumberOfEmployees"].IsNull());
  EXPECT_FALSE(rec["IsConverted"].GetBool());
  EXPECT_EQ(rec.MemberCount(), 6U);  // attributes + the five selected fields
}

TEST_F(SalesforceApiTest, QueryErrors) {
  expect_error(query("SELECT Id FROM Lead WHERE"), 400, "MALFORMED_QUERY");
  expect_error(query("SELECT Id, Bogus__c FROM Lead"), 400, "INVALID_FIELD");
  expect_error(query("SELECT Id FROM Widget"), 400, "INVALID_TYPE");
  expect_error(call("GET", "/services/data/v62.0/query"), 400, "MALFORMED_QUERY");
  expect_error(call("GET", "/services/data/v62.0/query/01gDm0000000009AAA-2000"), 400,
               "INVALID_QUERY_LOCATOR");
  expect_error(call("POST", "/services/data/v62.0/query?q=SELECT+Id+FROM+Lead"), 405,
               "METHOD_NOT_ALLOWED");
}

TEST_F(SalesforceApiTest, CustomFieldsFromTheSeedAreQueryableAndWritable) {
  std::string id = create_lead(R"({"LastName":"X","Company":"Y","Routing_Score__c":0.82})");
  auto d = json(query("SELECT Routing_Score__c FROM Lead WHERE Routing_Score__c > 0.5"));
  ASSERT_EQ(d["totalSize"].GetInt(), 1);
  EXPECT_DOUBLE_EQ(d["records"][0]["Routing_Score__c"].GetDouble(), 0.82);
}

TEST_F(SalesforceApiTest, CountQuery) {
  auto d = json(query("SELECT COUNT() FROM Lead"));
  EXPECT_EQ(d["totalSize"].GetInt(), 2);
  EXPECT_TRUE(d["done"].GetBool());
  EXPECT_EQ(d["records"].Size(), 0U);
  EXPECT_EQ(json(query("SELECT COUNT() FROM Lead WHERE IsConverted = true"))["totalSize"].GetInt(),
            1);
}

TEST_F(SalesforceApiTest, PagingWithEqualTimestampsSkipsAndRepeatsNothing) {
  // 450 leads share one SystemModstamp; the connector's query orders by it and Id.
  std::string seed =
      R"({"connected_apps":[{"client_id":"svc-app","client_secret":"svc-secret","allowed_flows":["client_credentials"],"run_as":"admin@acme.example"}],
    "users":[{"Username":"admin@acme.example","LastName":"Admin","Email":"a@acme.example"}],"leads":[)";
  for (int i = 0; i < 450; ++i) {
    seed += (i ? "," : "") + std::string(R"({"LastName":"L)") + std::to_string(i) +
            R"(","Company":"C","SystemModstamp":"2026-02-01T00:00:00Z"})";
  }
  seed += "]}";
  load(seed.c_str());
  std::vector<std::string> ids;
  HttpResponse r = query(
      "SELECT Id, SystemModstamp FROM Lead WHERE SystemModstamp >= 2026-02-01T00:00:00Z ORDER BY "
      "SystemModstamp, Id",
      {{"Sforce-Query-Options", "batchSize=200"}});
  std::vector<std::size_t> page_sizes;
  for (int page = 0; page < 10; ++page) {
    ASSERT_EQ(r.status, 200) << r.body;
    auto d = json(r);
    EXPECT_EQ(d["totalSize"].GetInt(), 450);
    page_sizes.push_back(d["records"].Size());
    for (const auto& rec : d["records"].GetArray()) {
      ids.emplace_back(rec["Id"].GetString());
    }
    if (d["done"].GetBool()) {
      EXPECT_FALSE(d.HasMember("nextRecordsUrl"));
      break;
    }
    std::string next = d["nextRecordsUrl"].GetString();
    EXPECT_TRUE(next.starts_with("/services/data/v62.0/query/01g")) << next;
    // A change made between pages must not move rows across the cursor.
    if (page == 0) {
      EXPECT_EQ(call("PATCH", "/services/data/v62.0/sobjects/Lead/" + ids.front(),
                     R"({"Company":"Moved"})")
                    .status,
                204);
    }
    r = call("GET", next);
  }
  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{200, 200, 50}));
  ASSERT_EQ(ids.size(), 450U);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 450U);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
}

TEST_F(SalesforceApiTest, BatchSizeComesFromSeedLimitsAndHeaderIsClamped) {
  std::string seed =
      R"({"connected_apps":[{"client_id":"svc-app","client_secret":"svc-secret","allowed_flows":["client_credentials"],"run_as":"admin@acme.example"}],
    "users":[{"Username":"admin@acme.example","LastName":"Admin","Email":"a@acme.example"}],"leads":[)";
  for (int i = 0; i < 250; ++i) {
    seed += (i ? "," : "") + std::string(R"({"LastName":"L","Company":"C"})");
  }
  seed += "]}";
  load(seed.c_str(), R"({"salesforce":{"query_batch_size":100}})");
  EXPECT_EQ(json(query("SELECT Id FROM Lead"))["records"].Size(), 100U);
  // Below Salesforce's minimum of 200 the header is raised to 200.
  EXPECT_EQ(json(query("SELECT Id FROM Lead", {{"Sforce-Query-Options", "batchSize=5"}}))["records"]
                .Size(),
            200U);
}

TEST_F(SalesforceApiTest, CreateGetUpdateDeleteLead) {
  std::string id = create_lead(
      R"({"LastName":"Hopper","FirstName":"Grace","Company":"Navy","Email":"grace@navy.example","NumberOfEmployees":250})");
  ASSERT_EQ(id.size(), 18U);
  EXPECT_TRUE(id.starts_with("00Q"));
  EXPECT_EQ(normalize_id(id.substr(0, 15)), id);

  auto d = json(call("GET", "/services/data/v62.0/sobjects/Lead/" + id));
  EXPECT_STREQ(d["attributes"]["type"].GetString(), "Lead");
  EXPECT_STREQ(d["Name"].GetString(), "Grace Hopper");
  EXPECT_STREQ(d["Status"].GetString(), "Open - Not Contacted");
  EXPECT_STREQ(d["OwnerId"].GetString(), "005Dm0000000001IAA");
  EXPECT_STREQ(d["CreatedById"].GetString(), "005Dm0000000001IAA");
  EXPECT_FALSE(d["IsConverted"].GetBool());
  EXPECT_EQ(d["NumberOfEmployees"].GetInt(), 250);
  std::string created = d["CreatedDate"].GetString();
  EXPECT_EQ(created, d["SystemModstamp"].GetString());

  auto some = json(
      call("GET", "/services/data/v62.0/sobjects/Lead/" + id.substr(0, 15) + "?fields=Id,Email"));
  EXPECT_EQ(some.MemberCount(), 3U);
  EXPECT_STREQ(some["Email"].GetString(), "grace@navy.example");
  expect_error(call("GET", "/services/data/v62.0/sobjects/Lead/" + id + "?fields=Nope"), 400,
               "INVALID_FIELD");

  clock.advance(std::chrono::minutes(5));
  HttpResponse patched = call("PATCH", "/services/data/v62.0/sobjects/Lead/" + id,
                              R"({"OwnerId":"005Dm0000000002IAA","Status":"Working - Contacted"})");
  EXPECT_EQ(patched.status, 204);
  EXPECT_TRUE(patched.body.empty());
  auto after = json(call("GET", "/services/data/v62.0/sobjects/Lead/" + id));
  EXPECT_STREQ(after["OwnerId"].GetString(), "005Dm0000000002IAA");
  EXPECT_EQ(created, after["CreatedDate"].GetString());
  EXPECT_NE(created, after["SystemModstamp"].GetString());
  EXPECT_EQ(std::string(after["LastModifiedDate"].GetString()),
            after["SystemModstamp"].GetString());

  EXPECT_EQ(call("DELETE", "/services/data/v62.0/sobjects/Lead/" + id).status, 204);
  expect_error(call("GET", "/services/data/v62.0/sobjects/Lead/" + id), 404, "ENTITY_IS_DELETED");
  EXPECT_EQ(json(query("SELECT COUNT() FROM Lead"))["totalSize"].GetInt(), 2);
  auto all = json(
      call("GET",
           "/services/data/v62.0/queryAll?q=SELECT+Id,IsDeleted+FROM+Lead+WHERE+IsDeleted+=+true"));
  ASSERT_EQ(all["totalSize"].GetInt(), 1);
  EXPECT_STREQ(all["records"][0]["Id"].GetString(), id.c_str());
}

TEST_F(SalesforceApiTest, UpdatedAndDeletedSince) {
  clock.advance(std::chrono::minutes(2));
  std::string start = format_datetime(to_datetime(clock.now()) - std::chrono::minutes(1));
  std::string id = create_lead(R"({"LastName":"New","Company":"N"})");
  EXPECT_EQ(call("DELETE", "/services/data/v62.0/sobjects/Lead/00QDm0000000001MAA").status, 204);
  clock.advance(std::chrono::minutes(2));
  std::string end = format_datetime(to_datetime(clock.now()));
  auto encode = [](std::string s) {
    std::string out;
    for (char c : s) {
      out += c == '+' ? std::string("%2B") : std::string(1, c);
    }
    return out;
  };
  std::string range = "?start=" + encode(start) + "&end=" + encode(end);
  auto updated = json(call("GET", "/services/data/v62.0/sobjects/Lead/updated/" + range));
  ASSERT_TRUE(updated.HasMember("ids")) << start << " " << end;
  ASSERT_EQ(updated["ids"].Size(), 1U);
  EXPECT_EQ(std::string(updated["ids"][0].GetString()), id);
  EXPECT_TRUE(updated["latestDateCovered"].IsString());
  auto deleted = json(call("GET", "/services/data/v62.0/sobjects/Lead/deleted/" + range));
  ASSERT_EQ(deleted["deletedRecords"].Size(), 1U);
  EXPECT_STREQ(deleted["deletedRecords"][0]["id"].GetString(), "00QDm0000000001MAA");
  EXPECT_TRUE(deleted["deletedRecords"][0]["deletedDate"].IsString());
  expect_error(call("GET", "/services/data/v62.0/sobjects/Lead/updated/?start=" + encode(start)),
               400, "MISSING_ARGUMENT");
  expect_error(
      call("GET", "/services/data/v62.0/sobjects/Lead/updated/?start=yesterday&end=" + encode(end)),
      400, "INVALID_REPLICATION_DATE");
}

TEST_F(SalesforceApiTest, CreateValidationErrors) {
  const std::string url = "/services/data/v62.0/sobjects/Lead";
  HttpResponse missing = call("POST", url, R"({"Company":"Acme"})");
  expect_error(missing, 400, "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(json(missing)[0]["fields"][0], "LastName");
  expect_error(call("POST", url, R"({"Id":"00QDm0000000001MAA","LastName":"x","Company":"y"})"),
               400, "INVALID_FIELD");
  HttpResponse unknown = call("POST", url, R"({"LastName":"x","Company":"y","Nope":1})");
  expect_error(unknown, 400, "INVALID_FIELD");
  EXPECT_EQ(json(unknown)[0]["fields"][0], "Nope");
  expect_error(call("POST", url, R"({"LastName":"x","Company":"y","IsConverted":true})"), 400,
               "INVALID_FIELD_FOR_INSERT_UPDATE");
  expect_error(call("POST", url, R"({"LastName":"x",)"), 400, "JSON_PARSER_ERROR");
  expect_error(call("POST", url, R"({"LastName":"x","Company":"y","NumberOfEmployees":"ten"})"),
               400, "JSON_PARSER_ERROR");
  expect_error(call("POST", url, R"({"LastName":"x","Company":"y","OwnerId":"005bad"})"), 400,
               "MALFORMED_ID");
  expect_error(
      call("POST", url, R"({"LastName":"x","Company":"y","OwnerId":"005Dm0000000009IAA"})"), 400,
      "INVALID_CROSS_REFERENCE_KEY");
  expect_error(
      call("POST", url, R"({"LastName":"x","Company":"y","OwnerId":"005Dm0000000003IAA"})"), 400,
      "INACTIVE_OWNER_OR_USER");
  expect_error(call("POST", url, R"({"LastName":")" + std::string(81, 'x') + R"(","Company":"y"})"),
               400, "STRING_TOO_LONG");
  EXPECT_EQ(json(query("SELECT COUNT() FROM Lead"))["totalSize"].GetInt(), 2);
}

TEST_F(SalesforceApiTest, HostileBodiesGetErrorArraysNotCrashes) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  for (const char* url :
       {"/services/data/v62.0/sobjects/Lead", "/services/data/v62.0/composite/sobjects",
        "/services/data/v62.0/composite",
        "/services/data/v62.0/actions/standard/customNotificationAction"}) {
    for (const std::string& body : {deep, std::string("[]"), std::string("null"), std::string("42"),
                                    std::string("\"x\""), std::string("")}) {
      HttpResponse r = call("POST", url, body);
      EXPECT_EQ(r.status, 400) << url << " " << body.substr(0, 10);
      rapidjson::Document d;
      d.Parse(r.body.c_str());
      ASSERT_TRUE(d.IsArray()) << r.body;
    }
  }
  expect_error(call("PATCH", "/services/data/v62.0/sobjects/Lead/00QDm0000000001MAA", "[1]"), 400,
               "JSON_PARSER_ERROR");
}

TEST_F(SalesforceApiTest, RecordErrors) {
  expect_error(call("GET", "/services/data/v62.0/sobjects/Lead/00Qbad"), 400, "MALFORMED_ID");
  expect_error(call("PATCH", "/services/data/v62.0/sobjects/Lead/00QDm0000000009", "{}"), 404,
               "NOT_FOUND");
  expect_error(call("GET", "/services/data/v62.0/sobjects/Lead/001Dm0000000001IAA"), 404,
               "NOT_FOUND");
  expect_error(call("PUT", "/services/data/v62.0/sobjects/Lead/00QDm0000000001MAA", "{}"), 405,
               "METHOD_NOT_ALLOWED");
  expect_error(call("GET", "/services/data/v62.0/sobjects/Widget/describe"), 404, "NOT_FOUND");
  expect_error(call("GET", "/services/data/v62.0/nothing/here"), 404, "NOT_FOUND");
  expect_error(call("PATCH", "/services/data/v62.0/sobjects/Lead/00QDm0000000002MAA",
                    R"({"Status":"Working - Contacted"})"),
               400, "CANNOT_UPDATE_CONVERTED_LEAD");
  expect_error(call("PATCH", "/services/data/v62.0/sobjects/Lead/00QDm0000000001MAA",
                    R"({"LastName":null})"),
               400, "REQUIRED_FIELD_MISSING");
}

TEST_F(SalesforceApiTest, TaskDefaultsDerivedFieldsAndWhoWhatRule) {
  HttpResponse r = call(
      "POST", "/services/data/v62.0/sobjects/Task",
      R"({"WhoId":"00QDm0000000001MAA","Subject":"Call","ActivityDate":"2026-01-06","OwnerId":"005Dm0000000002IAA"})");
  ASSERT_EQ(r.status, 201) << r.body;
  std::string id = json(r)["id"].GetString();
  EXPECT_TRUE(id.starts_with("00T"));
  auto t = json(call("GET", "/services/data/v62.0/sobjects/Task/" + id));
  EXPECT_STREQ(t["Status"].GetString(), "Not Started");
  EXPECT_STREQ(t["Priority"].GetString(), "Normal");
  EXPECT_STREQ(t["ActivityDate"].GetString(), "2026-01-06");
  EXPECT_FALSE(t["IsClosed"].GetBool());
  EXPECT_EQ(call("PATCH", "/services/data/v62.0/sobjects/Task/" + id,
                 R"({"Status":"Completed","Priority":"High"})")
                .status,
            204);
  t = json(call("GET", "/services/data/v62.0/sobjects/Task/" + id));
  EXPECT_TRUE(t["IsClosed"].GetBool());
  EXPECT_TRUE(t["IsHighPriority"].GetBool());
  expect_error(
      call("POST", "/services/data/v62.0/sobjects/Task",
           R"({"WhoId":"00QDm0000000001MAA","WhatId":"001Dm0000000001IAA","Subject":"x"})"),
      400, "FIELD_INTEGRITY_EXCEPTION");
  auto q =
      json(query("SELECT Id, WhoId FROM Task WHERE WhoId = '00QDm0000000001' AND IsClosed = true"));
  EXPECT_EQ(q["totalSize"].GetInt(), 1);
}

TEST_F(SalesforceApiTest, DescribeLead) {
  HttpResponse r = call("GET", "/services/data/v62.0/sobjects/Lead/describe");
  ASSERT_EQ(r.status, 200);
  auto d = json(r);
  EXPECT_STREQ(d["name"].GetString(), "Lead");
  EXPECT_STREQ(d["keyPrefix"].GetString(), "00Q");
  std::map<std::string, const rapidjson::Value*> fields;
  for (const auto& f : d["fields"].GetArray()) {
    fields[f["name"].GetString()] = &f;
    for (const char* key : {"name", "type", "label", "updateable", "nillable"}) {
      EXPECT_TRUE(f.HasMember(key)) << key;
    }
  }
  EXPECT_STREQ((*fields.at("Id"))["type"].GetString(), "id");
  EXPECT_FALSE((*fields.at("Company"))["nillable"].GetBool());
  EXPECT_FALSE((*fields.at("IsConverted"))["updateable"].GetBool());
  EXPECT_STREQ((*fields.at("OwnerId"))["referenceTo"][0].GetString(), "User");
  EXPECT_STREQ((*fields.at("Routing_Score__c"))["type"].GetString(), "double");
  EXPECT_TRUE((*fields.at("Routing_Score__c"))["custom"].GetBool());
  EXPECT_STREQ((*fields.at("Status"))["picklistValues"][0]["value"].GetString(),
               "Open - Not Contacted");
  EXPECT_EQ(call("GET", "/services/data/v62.0/sobjects").status, 200);
}

TEST_F(SalesforceApiTest, CollectionsCreatePartialSuccess) {
  HttpResponse r =
      call("POST", "/services/data/v62.0/composite/sobjects", R"({"allOrNone":false,"records":[
    {"attributes":{"type":"Lead"},"LastName":"A","Company":"A"},
    {"attributes":{"type":"Lead"},"Company":"no last name"},
    {"attributes":{"type":"Task"},"WhoId":"00QDm0000000001MAA","Subject":"s"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = json(r);
  ASSERT_EQ(d.Size(), 3U);
  EXPECT_TRUE(d[0]["success"].GetBool());
  EXPECT_TRUE(std::string(d[0]["id"].GetString()).starts_with("00Q"));
  EXPECT_EQ(d[0]["errors"].Size(), 0U);
  EXPECT_FALSE(d[1]["success"].GetBool());
  EXPECT_STREQ(d[1]["errors"][0]["statusCode"].GetString(), "REQUIRED_FIELD_MISSING");
  EXPECT_TRUE(d[1]["errors"][0]["fields"].IsArray());
  EXPECT_TRUE(std::string(d[2]["id"].GetString()).starts_with("00T"));
  EXPECT_EQ(json(query("SELECT COUNT() FROM Lead"))["totalSize"].GetInt(), 3);
}

TEST_F(SalesforceApiTest, CollectionsAllOrNoneRollsBack) {
  HttpResponse r =
      call("POST", "/services/data/v62.0/composite/sobjects", R"({"allOrNone":true,"records":[
    {"attributes":{"type":"Lead"},"LastName":"A","Company":"A"},
    {"attributes":{"type":"Lead"},"LastName":"B","Company":"B","OwnerId":"005Dm0000000009IAA"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = json(r);
  EXPECT_STREQ(d[0]["errors"][0]["statusCode"].GetString(), "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  EXPECT_FALSE(d[0].HasMember("id"));
  EXPECT_STREQ(d[1]["errors"][0]["statusCode"].GetString(), "INVALID_CROSS_REFERENCE_KEY");
  EXPECT_EQ(json(query("SELECT COUNT() FROM Lead"))["totalSize"].GetInt(), 2);
}

TEST_F(SalesforceApiTest, CollectionsUpdateAndDelete) {
  HttpResponse r = call("PATCH", "/services/data/v62.0/composite/sobjects", R"({"records":[
    {"attributes":{"type":"Lead"},"id":"00QDm0000000001MAA","OwnerId":"005Dm0000000002IAA"},
    {"attributes":{"type":"Lead"},"id":"00QDm0000000002MAA","OwnerId":"005Dm0000000002IAA"},
    {"attributes":{"type":"Lead"},"OwnerId":"005Dm0000000002IAA"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = json(r);
  EXPECT_TRUE(d[0]["success"].GetBool());
  EXPECT_STREQ(d[0]["id"].GetString(), "00QDm0000000001MAA");
  EXPECT_STREQ(d[1]["errors"][0]["statusCode"].GetString(), "CANNOT_UPDATE_CONVERTED_LEAD");
  EXPECT_STREQ(d[2]["errors"][0]["statusCode"].GetString(), "MISSING_ARGUMENT");
  auto q = json(query("SELECT OwnerId FROM Lead WHERE Id = '00QDm0000000001MAA'"));
  EXPECT_STREQ(q["records"][0]["OwnerId"].GetString(), "005Dm0000000002IAA");

  auto del =
      json(call("DELETE", "/services/data/v62.0/composite/sobjects?ids=00QDm0000000001MAA,00Qbad"));
  EXPECT_TRUE(del[0]["success"].GetBool());
  EXPECT_STREQ(del[1]["errors"][0]["statusCode"].GetString(), "MALFORMED_ID");
}

TEST_F(SalesforceApiTest, CollectionsRejectMoreThan200Records) {
  std::string body = R"({"records":[)";
  for (int i = 0; i < 201; ++i) {
    body += (i ? "," : "") +
            std::string(R"({"attributes":{"type":"Lead"},"LastName":"x","Company":"y"})");
  }
  body += "]}";
  expect_error(call("POST", "/services/data/v62.0/composite/sobjects", body), 400,
               "EXCEEDED_ID_LIMIT");
}

TEST_F(SalesforceApiTest, CompositeWithReferences) {
  HttpResponse r =
      call("POST", "/services/data/v62.0/composite", R"({"allOrNone":true,"compositeRequest":[
    {"method":"PATCH","url":"/services/data/v62.0/sobjects/Lead/00QDm0000000001MAA","referenceId":"assignLead",
     "body":{"OwnerId":"005Dm0000000002IAA"}},
    {"method":"POST","url":"/services/data/v62.0/sobjects/Task","referenceId":"followUp",
     "body":{"WhoId":"00QDm0000000001MAA","OwnerId":"005Dm0000000002IAA","Subject":"Call new lead","Priority":"High"}},
    {"method":"GET","url":"/services/data/v62.0/sobjects/Task/@{followUp.id}?fields=Subject","referenceId":"readBack"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = json(r);
  const auto& responses = d["compositeResponse"];
  ASSERT_EQ(responses.Size(), 3U);
  EXPECT_EQ(responses[0]["httpStatusCode"].GetInt(), 204);
  EXPECT_TRUE(responses[0]["body"].IsNull());
  EXPECT_EQ(responses[1]["httpStatusCode"].GetInt(), 201);
  EXPECT_TRUE(responses[1]["httpHeaders"].HasMember("Location"));
  EXPECT_EQ(responses[2]["httpStatusCode"].GetInt(), 200);
  EXPECT_STREQ(responses[2]["body"]["Subject"].GetString(), "Call new lead");
  EXPECT_STREQ(responses[2]["referenceId"].GetString(), "readBack");
  // The whole composite call counts as one API request.
  EXPECT_EQ(header(r, "Sforce-Limit-Info"), "api-usage=1/15000");
}

TEST_F(SalesforceApiTest, CompositeAllOrNoneRollsBackEarlierSubrequests) {
  HttpResponse r =
      call("POST", "/services/data/v62.0/composite", R"({"allOrNone":true,"compositeRequest":[
    {"method":"PATCH","url":"/services/data/v62.0/sobjects/Lead/00QDm0000000001MAA","referenceId":"assign",
     "body":{"OwnerId":"005Dm0000000002IAA"}},
    {"method":"POST","url":"/services/data/v62.0/sobjects/Task","referenceId":"bad","body":{"Nope":1}},
    {"method":"POST","url":"/services/data/v62.0/sobjects/Task","referenceId":"never","body":{"Subject":"x"}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = json(r);
  const auto& responses = d["compositeResponse"];
  EXPECT_EQ(responses[0]["httpStatusCode"].GetInt(), 400);
  EXPECT_STREQ(responses[0]["body"][0]["errorCode"].GetString(), "PROCESSING_HALTED");
  EXPECT_STREQ(responses[1]["body"][0]["errorCode"].GetString(), "INVALID_FIELD");
  EXPECT_STREQ(responses[2]["body"][0]["errorCode"].GetString(), "PROCESSING_HALTED");
  auto q = json(query("SELECT OwnerId FROM Lead WHERE Id = '00QDm0000000001MAA'"));
  EXPECT_STREQ(q["records"][0]["OwnerId"].GetString(), "005Dm0000000001IAA");
  EXPECT_EQ(json(query("SELECT COUNT() FROM Task"))["totalSize"].GetInt(), 0);
}

TEST_F(SalesforceApiTest, CompositeRejectsBadEnvelopes) {
  std::string body = R"({"compositeRequest":[)";
  for (int i = 0; i < 26; ++i) {
    body += (i ? "," : "") +
            std::string(R"({"method":"GET","url":"/services/data/v62.0/limits","referenceId":"r)") +
            std::to_string(i) + R"("})";
  }
  body += "]}";
  EXPECT_EQ(call("POST", "/services/data/v62.0/composite", body).status, 400);
  EXPECT_EQ(
      call(
          "POST", "/services/data/v62.0/composite",
          R"({"compositeRequest":[{"method":"GET","url":"/services/data/v62.0/limits","referenceId":"a"},{"method":"GET","url":"/services/data/v62.0/limits","referenceId":"a"}]})")
          .status,
      400);
}

TEST_F(SalesforceApiTest, CustomNotificationIsValidatedAndRecorded) {
  const std::string url = "/services/data/v62.0/actions/standard/customNotificationAction";
  HttpResponse ok = call(
      "POST", url,
      R"({"inputs":[{"customNotifTypeId":"0MLDm0000000001OAA","recipientIds":["005Dm0000000002IAA"],
    "title":"New lead assigned","body":"Acme was assigned to you.","targetId":"00QDm0000000001MAA"}]})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto d = json(ok);
  EXPECT_TRUE(d[0]["isSuccess"].GetBool());
  EXPECT_TRUE(d[0]["errors"].IsNull());
  EXPECT_STREQ(d[0]["outputValues"]["SuccessMessage"].GetString(),
               "Your custom notification is processed successfully.");
  EXPECT_STREQ(d[0]["actionName"].GetString(), "customNotificationAction");

  HttpResponse bad =
      call("POST", url, R"({"inputs":[{"customNotifTypeId":"0MLDm0000000001OAA","recipientIds":[],
    "body":"x","targetId":"00QDm0000000001MAA","targetPageRef":"{}"}]})");
  EXPECT_EQ(bad.status, 400);
  auto b = json(bad);
  EXPECT_FALSE(b[0]["isSuccess"].GetBool());
  EXPECT_GE(b[0]["errors"].Size(), 3U);  // title, recipientIds, target

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> out(buffer);
  api->write_state(out);
  rapidjson::Document state;
  state.Parse(buffer.GetString());
  ASSERT_EQ(state["notifications"].Size(), 1U);
  EXPECT_STREQ(state["notifications"][0]["input"]["title"].GetString(), "New lead assigned");
  EXPECT_STREQ(state["notifications"][0]["senderId"].GetString(), "005Dm0000000001IAA");
  EXPECT_EQ(state["leads"].Size(), 2U);
  EXPECT_EQ(state["users"].Size(), 3U);
}

TEST_F(SalesforceApiTest, StateIsASeedThatRestoresEverything) {
  std::string id = create_lead(R"({"LastName":"Kept","Company":"K","Routing_Score__c":0.5})");
  EXPECT_EQ(call("DELETE", "/services/data/v62.0/sobjects/Lead/00QDm0000000001MAA").status, 204);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> out(buffer);
  api->write_state(out);
  rapidjson::Document state;
  state.Parse(buffer.GetString());
  ASSERT_FALSE(state.HasParseError());

  api = make_salesforce_api();
  auto errors = api->load_seed(state, nullptr);
  ASSERT_TRUE(errors.empty()) << errors.front();
  load(buffer.GetString());  // the seeded app still grants tokens
  auto d = json(query("SELECT Id, Routing_Score__c FROM Lead WHERE LastName = 'Kept'"));
  ASSERT_EQ(d["totalSize"].GetInt(), 1);
  EXPECT_STREQ(d["records"][0]["Id"].GetString(), id.c_str());
  EXPECT_EQ(json(query("SELECT COUNT() FROM Lead"))["totalSize"].GetInt(), 2);
  auto deleted = json(
      call("GET", "/services/data/v62.0/queryAll?q=SELECT+Id+FROM+Lead+WHERE+IsDeleted+=+true"));
  EXPECT_EQ(deleted["totalSize"].GetInt(), 1);
}

TEST_F(SalesforceApiTest, SeedErrorsNamePaths) {
  rapidjson::Document seed;
  seed.Parse(
      R"({"users":[{"Username":"a@x","Email":"a@x"},{"Username":"b@x","LastName":"B","Email":"b@x"}],
                 "leads":[{"LastName":"x","Company":"y","Bogus":1},{"Id":"001Dm0000000001IAA","LastName":"x","Company":"y"}],
                 "connected_apps":[{"client_id":"a","certificate_pem":"not a cert"}],
                 "surprise":true})");
  auto errors = api->load_seed(seed, nullptr);
  auto has = [&](const std::string& prefix) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const std::string& e) { return e.starts_with(prefix); });
  };
  EXPECT_TRUE(has("/salesforce/users/0: required field LastName")) << errors.size();
  EXPECT_TRUE(has("/salesforce/leads/0/Bogus"));
  EXPECT_TRUE(has("/salesforce/leads/1/Id"));
  EXPECT_TRUE(has("/salesforce/connected_apps/0/client_secret"));
  EXPECT_TRUE(has("/salesforce/connected_apps/0/certificate_pem"));
  EXPECT_TRUE(has("/salesforce/surprise"));
}

TEST_F(SalesforceApiTest, ExampleSeedLoads) {
  FILE* f = std::fopen(LEADROUTER_SOURCE_DIR "/examples/mock_crm/seed.json", "rb");
  ASSERT_NE(f, nullptr);
  std::string text;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    text.append(buf, n);
  }
  std::fclose(f);
  rapidjson::Document seed;
  seed.Parse(text.c_str());
  ASSERT_FALSE(seed.HasParseError());
  ASSERT_TRUE(seed.HasMember("salesforce"));
  auto errors =
      api->load_seed(seed["salesforce"], seed.HasMember("limits") ? &seed["limits"] : nullptr);
  EXPECT_TRUE(errors.empty()) << errors.front();
}

}  // namespace
}  // namespace leadrouter::mock_crm::salesforce
