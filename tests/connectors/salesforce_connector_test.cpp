#include "connectors/salesforce/salesforce_connector.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include "connectors/salesforce/client_credentials_token_provider.hpp"
#include "connectors/url.hpp"
#include "fake_transport.hpp"

namespace leadrouter::connectors::salesforce {
namespace {

using testing::FakeTransport;
using testing::json_response;

std::string decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

class FakeSalesforce {
 public:
  std::vector<std::string> soql;
  std::vector<std::string> lead_reads;  // decoded paths of GET sobjects/Lead/{id}
  std::map<std::string, std::pair<std::string, std::string>> tasks;  // id -> (WhoId, Description)
  int notifications = 0;
  int token_requests = 0;
  bool expire_next_call = false;
  // Tried first for API calls, with the path after /services/data/v62.0 (the
  // query decoded): answers what the tests below script, nullopt passes it on.
  std::function<std::optional<HttpResponse>(const std::string& path)> scripted;

  std::expected<HttpResponse, Error> handle(const HttpRequest& r) {
    if (r.url == "https://login.example.my.salesforce.com/services/oauth2/token") {
      ++token_requests;
      return json_response(
          200, R"({"access_token":"tok)" + std::to_string(token_requests) +
                   R"(","instance_url":"https://acme.my.salesforce.com","token_type":"Bearer"})");
    }
    EXPECT_TRUE(r.url.starts_with("https://acme.my.salesforce.com/services/data/v62.0/")) << r.url;
    if (expire_next_call) {
      expire_next_call = false;
      return json_response(
          401, R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])");
    }
    EXPECT_EQ(*r.header("Authorization"), "Bearer tok" + std::to_string(token_requests));
    const std::string base = "https://acme.my.salesforce.com/services/data/v62.0";
    if (scripted) {
      if (auto answer = scripted(decode(r.url.substr(base.size())))) {
        return *answer;
      }
    }
    if (r.url.starts_with(base + "/query?q=")) {
      const auto q = decode(r.url.substr(base.size() + 9));
      soql.push_back(q);
      if (q.find("FROM Task") != std::string::npos) {
        std::string records;
        for (const auto& [id, t] : tasks) {
          if (q.find("'" + t.first + "'") != std::string::npos) {
            records += (records.empty() ? "" : ",") +
                       std::string(R"({"attributes":{"type":"Task"},"Id":")") + id +
                       R"(","WhoId":")" + t.first + R"(","Description":")" + escape(t.second) +
                       R"("})";
          }
        }
        return json_response(200, R"({"totalSize":1,"done":true,"records":[)" + records + "]}");
      }
      // Lead query: first page, then nextRecordsUrl.
      return json_response(
          200,
          R"({"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v62.0/query/01gX-2","records":[
        {"attributes":{"type":"Lead"},"Id":"00Q000000000001AAA","OwnerId":"005A","Email":"a@acme.example","LastName":"A","Company":"Acme","NumberOfEmployees":250,"AnnualRevenue":12000000.0,"SystemModstamp":"2026-01-05T10:00:00.000+0000","CreatedDate":"2026-01-02T09:15:00.000+0000"},
        {"attributes":{"type":"Lead"},"Id":"00Q000000000002AAA","OwnerId":"005A","Email":"b@acme.example","LastName":"B","Company":"Acme","NumberOfEmployees":null,"SystemModstamp":"2026-01-05T10:00:00.000+0000"}]})");
    }
    if (r.method == "GET" && r.url.starts_with(base + "/sobjects/Lead/")) {
      lead_reads.push_back(decode(r.url.substr(base.size())));
      if (r.url.starts_with(base + "/sobjects/Lead/00Q000000000009AAA?")) {
        return json_response(
            404,
            R"([{"errorCode":"ENTITY_IS_DELETED","message":"entity is deleted","fields":[]}])");
      }
      if (r.url.starts_with(base + "/sobjects/Lead/00Q000000000001AAA?")) {
        return json_response(
            200,
            R"({"attributes":{"type":"Lead","url":"/services/data/v62.0/sobjects/Lead/00Q000000000001AAA"},
          "Id":"00Q000000000001AAA","OwnerId":"005A","Email":"a@acme.example","LastName":"A","Company":"Acme",
          "Country":"Deutschland","NumberOfEmployees":250,"SystemModstamp":"2026-01-05T10:00:00.000+0000"})");
      }
    }
    if (r.url == base + "/query/01gX-2") {
      return json_response(200, R"({"totalSize":3,"done":true,"records":[
        {"attributes":{"type":"Lead"},"Id":"00Q000000000003AAA","OwnerId":"005B","Email":"c@b.example","LastName":"C","Company":"B","SystemModstamp":"2026-01-05T10:00:01.000+0000"}]})");
    }
    if (r.url == base + "/composite/sobjects" && r.method == "PATCH") {
      auto body = testing::parse_json(r.body);
      std::string out;
      for (const auto& rec : body["records"].GetArray()) {
        const std::string id = rec["id"].GetString();
        out += out.empty() ? "" : ",";
        out +=
            id == "00Qbad"
                ? R"({"success":false,"errors":[{"statusCode":"INVALID_CROSS_REFERENCE_KEY","message":"Owner ID: owner cannot be blank","fields":["OwnerId"]}]})"
                : R"({"id":")" + id + R"(","success":true,"errors":[]})";
      }
      return json_response(200, "[" + out + "]");
    }
    if (r.url == base + "/composite/sobjects" && r.method == "POST") {
      auto body = testing::parse_json(r.body);
      std::string out;
      for (const auto& rec : body["records"].GetArray()) {
        EXPECT_STREQ(rec["attributes"]["type"].GetString(), "Task");
        EXPECT_STREQ(rec["ActivityDate"].GetString(), "2025-06-15");
        EXPECT_STREQ(rec["Priority"].GetString(), "High");
        const std::string id = "00T" + std::to_string(tasks.size() + 1);
        tasks[id] = {rec["WhoId"].GetString(), rec["Description"].GetString()};
        out += (out.empty() ? "" : ",") + std::string(R"({"id":")") + id +
               R"(","success":true,"errors":[]})";
      }
      return json_response(200, "[" + out + "]");
    }
    if (r.url == base + "/actions/standard/customNotificationAction") {
      auto body = testing::parse_json(r.body);
      std::string out;
      for (rapidjson::SizeType i = 0; i < body["inputs"].Size(); ++i) {
        ++notifications;
        out += std::string(i ? "," : "") +
               R"({"actionName":"customNotificationAction","errors":null,"isSuccess":true})";
      }
      return json_response(200, "[" + out + "]");
    }
    return json_response(
        404, R"([{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}])");
  }
};

struct Fixture {
  FakeSalesforce sf;
  std::shared_ptr<FakeTransport> transport =
      std::make_shared<FakeTransport>([this](const HttpRequest& r) { return sf.handle(r); });
  testing::ManualClock clock;
  std::unique_ptr<SalesforceConnector> connector;

  Fixture() {
    auto env = clock.environment();
    auto tokens = std::make_shared<ClientCredentialsTokenProvider>(
        SalesforceTokenOptions{.login_url = "https://login.example.my.salesforce.com"}, "cid",
        "secret", *transport,
        [] { return std::chrono::system_clock::time_point{std::chrono::seconds{1'750'000'000}}; });
    auto limiter = std::make_shared<RateLimiter>(RateLimiterOptions{}, clock.steady());
    connector = std::make_unique<SalesforceConnector>(
        SalesforceConnectorOptions{.score_field = "LeadRouter_Score__c",
                                   .notification_type_id = "0MLR0000000008eOAA"},
        ApiSession(transport, tokens, limiter, RetryPolicy(RetryOptions{}, env), env.sleep, ""));
  }
};

TEST(SalesforceConnector, QueriesWithTieBreakAndFollowsNextRecordsUrl) {
  Fixture f;
  LeadCursor cursor{TimestampMs{std::chrono::milliseconds{1'767'607'200'000}},
                    "00Q000000000000AAA"};
  auto page = f.connector->fetch_changed_leads(cursor, 3);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(f.sf.soql.size(), 1u);
  const auto& q = f.sf.soql[0];
  EXPECT_NE(q.find("FROM Lead WHERE (SystemModstamp > 2026-01-05T10:00:00Z OR (SystemModstamp = "
                   "2026-01-05T10:00:00Z AND Id > '00Q000000000000AAA'))"),
            std::string::npos)
      << q;
  EXPECT_NE(q.find("ORDER BY SystemModstamp ASC, Id ASC LIMIT 3"), std::string::npos) << q;
  ASSERT_EQ(page->leads.size(), 3u);
  EXPECT_EQ(page->leads[0].lead.employees, 250);
  EXPECT_EQ(page->leads[0].lead.annual_revenue, 12000000.0);
  EXPECT_FALSE(page->leads[1].lead.employees);
  EXPECT_EQ(page->leads[0].lead.source_system, "salesforce");
  EXPECT_EQ(page->next.last_id, "00Q000000000003AAA");
  EXPECT_EQ(format_time_ms(page->next.modified_at), "2026-01-05T10:00:01.000Z");
  EXPECT_TRUE(page->more);
}

TEST(SalesforceConnector, ApplyIsPerItemAndIdempotent) {
  Fixture f;
  const auto due = Timestamp{std::chrono::seconds{1'750'000'000}};  // 2025-06-15
  std::vector<WriteBack> batch = {
      {.decision_id = "d1",
       .record_id = "00Qgood",
       .owner_id = "005A",
       .score = 87.5,
       .task = FollowUpTask{"005A", due, "high", "Call", "Because"},
       .notification = Notification{"005A", "New lead", "Acme"}},
      {.decision_id = "d2",
       .record_id = "00Qbad",
       .owner_id = "",
       .score = 10,
       .task = FollowUpTask{"005A", due, "high", "Call", "x"}},
  };
  auto first = f.connector->apply(batch);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_TRUE(first[0].ok()) << first[0].error->message;
  EXPECT_TRUE(first[0].notified);
  EXPECT_FALSE(first[0].task_already_existed);
  ASSERT_FALSE(first[1].ok());
  EXPECT_NE(first[1].error->message.find("INVALID_CROSS_REFERENCE_KEY"), std::string::npos);
  EXPECT_EQ(f.sf.tasks.size(), 1u);
  EXPECT_EQ(f.sf.notifications, 1);

  auto second = f.connector->apply(batch);
  EXPECT_TRUE(second[0].ok());
  EXPECT_TRUE(second[0].task_already_existed);
  EXPECT_EQ(second[0].task_id, first[0].task_id);
  EXPECT_FALSE(second[0].notified);
  EXPECT_EQ(f.sf.tasks.size(), 1u);
  EXPECT_EQ(f.sf.notifications, 1);
}

TEST(SalesforceConnector, A401RefreshesTheSessionOnceAndRetries) {
  Fixture f;
  ASSERT_TRUE(f.connector->list_reps());
  EXPECT_EQ(f.sf.token_requests, 1);
  f.sf.expire_next_call = true;
  auto reps = f.connector->list_reps();
  ASSERT_TRUE(reps) << reps.error().message;
  EXPECT_EQ(f.sf.token_requests, 2);
}

TEST(SalesforceConnector, FetchLeadReadsOneLeadWithThePollsFields) {
  Fixture f;
  auto lead = f.connector->fetch_lead("00Q000000000001AAA");
  ASSERT_TRUE(lead) << lead.error().message;
  EXPECT_EQ(lead->lead.id, "00Q000000000001AAA");
  EXPECT_EQ(lead->lead.source_system, "salesforce");
  EXPECT_EQ(lead->lead.object_type, "lead");
  EXPECT_EQ(lead->lead.country, "DE");  // "Deutschland", normalized
  EXPECT_EQ(lead->lead.employees, 250);
  EXPECT_EQ(lead->owner_id, "005A");
  EXPECT_EQ(format_time_ms(lead->modified_at), "2026-01-05T10:00:00.000Z");
  ASSERT_EQ(f.sf.lead_reads.size(), 1u);
  const auto& path = f.sf.lead_reads[0];
  for (const char* field : {"Id", "OwnerId", "SystemModstamp", "Email", "Country",
                            "NumberOfEmployees", "CreatedDate", "LeadSource"}) {
    EXPECT_NE(path.find(field), std::string::npos) << field << " in " << path;
  }
}

TEST(SalesforceConnector, FetchLeadOfADeletedOrMissingLeadIsNotFound) {
  Fixture f;
  for (const char* id : {"00Q000000000009AAA", "00Q00000000000XAAA"}) {
    auto lead = f.connector->fetch_lead(id);
    ASSERT_FALSE(lead) << id;
    EXPECT_EQ(lead.error().kind, ErrorKind::kNotFound) << lead.error().message;
  }
  EXPECT_EQ(f.sf.lead_reads.size(), 2u);  // 404 is not retried
}

TEST(SalesforceConnector, RefusesWebhooksWithAReason) {
  Fixture f;
  auto r = f.connector->verify_webhook({}, std::chrono::system_clock::now());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("polling"), std::string::npos);
}

std::string query_of(const std::string& path) {
  return path.starts_with("/query?q=") ? path.substr(9) : std::string();
}

TEST(SalesforceConnector, AccountFeedUsesTheLeadKeysetOnAccount) {
  Fixture f;
  std::vector<std::string> soql;
  f.sf.scripted = [&](const std::string& path) -> std::optional<HttpResponse> {
    soql.push_back(query_of(path));
    return json_response(200, R"({"totalSize":3,"done":true,"records":[
      {"attributes":{"type":"Account"},"Id":"001000000000002AAA","Name":"Globex","Website":"globex.example","OwnerId":"005B","NumberOfEmployees":null,"AnnualRevenue":5000000.0,"LastActivityDate":null,"LastModifiedDate":"2026-01-05T10:00:00.000+0000","SystemModstamp":"2026-01-05T10:00:00.000+0000"},
      {"attributes":{"type":"Account"},"Id":"001000000000001AAA","Name":"Acme","Website":"https://www.acme.example","OwnerId":"005A","NumberOfEmployees":250,"AnnualRevenue":12000000.0,"LastActivityDate":"2026-01-04","LastModifiedDate":"2026-01-05T10:00:00.000+0000","SystemModstamp":"2026-01-05T10:00:00.000+0000"},
      {"attributes":{"type":"Account"},"Id":"001000000000003AAA","Name":"Initech","SystemModstamp":"2026-01-05T10:00:01.000+0000"}]})");
  };
  LeadCursor cursor{TimestampMs{std::chrono::milliseconds{1'767'607'200'000}},
                    "001000000000000AAA"};
  auto page = f.connector->fetch_changed_accounts(cursor, 2);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(soql.size(), 1u);
  const auto& q = soql[0];
  EXPECT_NE(q.find("FROM Account WHERE (SystemModstamp > 2026-01-05T10:00:00Z OR (SystemModstamp "
                   "= 2026-01-05T10:00:00Z AND Id > '001000000000000AAA'))"),
            std::string::npos)
      << q;
  EXPECT_NE(q.find("ORDER BY SystemModstamp ASC, Id ASC LIMIT 2"), std::string::npos) << q;
  for (const char* field : {"Id", "Name", "Website", "OwnerId", "NumberOfEmployees",
                            "AnnualRevenue", "LastActivityDate", "LastModifiedDate"}) {
    EXPECT_NE(q.find(field), std::string::npos) << field;
  }
  // Ordered by (SystemModstamp, Id) and cut to the page size.
  ASSERT_EQ(page->accounts.size(), 2u);
  const auto& acme = page->accounts[0];
  EXPECT_EQ(acme.id, "001000000000001AAA");
  EXPECT_EQ(acme.website, "https://www.acme.example");
  EXPECT_EQ(acme.domain, "");  // Salesforce has no domain field
  EXPECT_EQ(acme.owner_id, "005A");
  EXPECT_EQ(acme.size, 250);
  ASSERT_TRUE(acme.last_activity_at);
  EXPECT_EQ(format_time_ms(*acme.last_activity_at), "2026-01-04T00:00:00.000Z");
  EXPECT_EQ(page->accounts[1].size, 5000000.0);  // no employees: annual revenue
  EXPECT_FALSE(page->accounts[1].last_activity_at);
  EXPECT_EQ(page->next.last_id, "001000000000002AAA");
  EXPECT_TRUE(page->more);

  f.sf.scripted = [](const std::string&) -> std::optional<HttpResponse> {
    return json_response(200, R"({"totalSize":0,"done":true,"records":[]})");
  };
  auto empty = f.connector->fetch_changed_accounts(page->next, 2);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->accounts.empty());
  EXPECT_FALSE(empty->more);
  EXPECT_EQ(empty->next, page->next);

  f.sf.scripted = [](const std::string&) -> std::optional<HttpResponse> {
    return json_response(400, R"([{"message":"no such column","errorCode":"INVALID_FIELD"}])");
  };
  auto refused = f.connector->fetch_changed_accounts({}, 2);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kPermanent);
}

TEST(SalesforceConnector, FindPeopleQueriesOpenLeadsAndContactsOldestFirst) {
  Fixture f;
  std::vector<std::string> soql;
  f.sf.scripted = [&](const std::string& path) -> std::optional<HttpResponse> {
    const auto q = query_of(path);
    soql.push_back(q);
    if (q.find("FROM Lead") != std::string::npos) {
      return json_response(200, R"({"totalSize":1,"done":true,"records":[
        {"attributes":{"type":"Lead"},"Id":"00Q000000000002AAA","OwnerId":"005B","Email":"ada@acme.example","FirstName":"Ada","LastName":"Lovelace","Company":"Acme","CreatedDate":"2026-01-03T00:00:00.000+0000"}]})");
    }
    return json_response(200, R"({"totalSize":2,"done":true,"records":[
      {"attributes":{"type":"Contact"},"Id":"003000000000001AAA","OwnerId":"005A","Email":"ada@acme.example","FirstName":"ADA","LastName":"lovelace","AccountId":"001000000000001AAA","CreatedDate":"2026-01-01T00:00:00.000+0000"},
      {"attributes":{"type":"Contact"},"Id":"003000000000004AAA","OwnerId":"005A","Email":"x@y.example","FirstName":"Ada","LastName":"O'Brien","AccountId":null,"CreatedDate":"2026-01-09T00:00:00.000+0000"}]})");
  };
  auto people = f.connector->find_people({.exclude_record_id = "00Q000000000001AAA",
                                          .email = "ada@acme.example",
                                          .first_name = "Ada",
                                          .last_name = "O'Brien",
                                          .limit = 2});
  ASSERT_TRUE(people) << people.error().message;
  ASSERT_EQ(soql.size(), 2u);
  EXPECT_NE(soql[0].find("FROM Lead WHERE IsConverted = false AND Id != '00Q000000000001AAA' AND "
                         "(Email = 'ada@acme.example' OR (FirstName = 'Ada' AND LastName = "
                         "'O\\'Brien'))"),
            std::string::npos)
      << soql[0];
  EXPECT_NE(soql[0].find("Company"), std::string::npos);
  EXPECT_NE(soql[0].find("ORDER BY CreatedDate ASC, Id ASC LIMIT 2"), std::string::npos);
  EXPECT_NE(soql[1].find("FROM Contact WHERE Id != '00Q000000000001AAA' AND (Email = "),
            std::string::npos)
      << soql[1];
  EXPECT_NE(soql[1].find("AccountId"), std::string::npos);
  // Both objects merged, oldest first, cut to the limit.
  ASSERT_EQ(people->size(), 2u);
  EXPECT_EQ((*people)[0].id, "003000000000001AAA");
  EXPECT_EQ((*people)[0].object_type, "contact");
  EXPECT_EQ((*people)[0].account_id, "001000000000001AAA");
  EXPECT_EQ((*people)[0].company, "");
  EXPECT_EQ((*people)[1].id, "00Q000000000002AAA");
  EXPECT_EQ((*people)[1].object_type, "lead");
  EXPECT_EQ((*people)[1].company, "Acme");
  EXPECT_EQ((*people)[1].owner_id, "005B");

  // Email only: no name clause; a missing first name is matched as null.
  soql.clear();
  ASSERT_TRUE(f.connector->find_people({.email = "ada@acme.example"}));
  EXPECT_EQ(soql[0].find("FirstName ="), std::string::npos) << soql[0];
  soql.clear();
  ASSERT_TRUE(f.connector->find_people({.last_name = "Lovelace"}));
  EXPECT_NE(soql[0].find("(FirstName = null AND LastName = 'Lovelace')"), std::string::npos)
      << soql[0];
  soql.clear();
  ASSERT_TRUE(f.connector->find_people({}));
  EXPECT_TRUE(soql.empty());
}

// Lead 00Q...1 (Status as given) and its task 00T...1 (Status as given).
struct SfWorkScript {
  std::string lead_status = "Open - Not Contacted";
  std::string task_status = "Not Started";
  bool task_closed = false;
  bool task_deleted = false;
  std::vector<std::string> paths;

  std::optional<HttpResponse> operator()(const std::string& path) {
    paths.push_back(path);
    const std::string task = fmt::format(
        R"({{"attributes":{{"type":"Task"}},"Id":"00T000000000001AAA","Status":"{}","IsClosed":{},"LastModifiedDate":"2026-01-07T08:00:00.000+0000","Description":"Call her\n\n[leadrouter decision d-1]"}})",
        task_status, task_closed ? "true" : "false");
    if (path.starts_with("/sobjects/Lead/00Q000000000001AAA?")) {
      return json_response(
          200,
          fmt::format(
              R"({{"attributes":{{"type":"Lead"}},"Id":"00Q000000000001AAA","Status":"{}","LastModifiedDate":"2026-01-06T09:00:00.000+0000"}})",
              lead_status));
    }
    if (path.starts_with("/sobjects/Task/00T000000000001AAA?") && !task_deleted) {
      return json_response(200, task);
    }
    if (path.starts_with("/query?q=SELECT Id, Status, IsClosed, LastModifiedDate, Description "
                         "FROM Task WHERE WhoId = '00Q000000000001AAA'")) {
      return json_response(200, R"({"totalSize":1,"done":true,"records":[)" +
                                    (task_deleted ? std::string() : task) + "]}");
    }
    return json_response(
        404, R"([{"errorCode":"ENTITY_IS_DELETED","message":"entity is deleted","fields":[]}])");
  }
};

TEST(SalesforceConnector, WorkStatusSeesTheClosedTaskOrAChangedStatus) {
  Fixture f;
  auto script = std::make_shared<SfWorkScript>();
  f.sf.scripted = [script](const std::string& path) { return (*script)(path); };
  const WorkCheck by_id{.record_id = "00Q000000000001AAA", .task_id = "00T000000000001AAA"};
  auto status = f.connector->work_status(by_id);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(status->worked);

  script->task_status = "Completed";
  script->task_closed = true;
  status = f.connector->work_status(by_id);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_TRUE(status->worked);
  EXPECT_EQ(status->evidence, "task 00T000000000001AAA completed");
  ASSERT_TRUE(status->worked_at);
  EXPECT_EQ(format_time_ms(*status->worked_at), "2026-01-07T08:00:00.000Z");

  // An org-defined closed status counts through IsClosed; found by marker.
  script->task_status = "Done";
  status = f.connector->work_status({.record_id = "00Q000000000001AAA", .decision_id = "d-1"});
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_TRUE(status->worked);
  EXPECT_EQ(status->evidence, "task 00T000000000001AAA closed (Done)");
  // Another decision's marker is not our task.
  status = f.connector->work_status({.record_id = "00Q000000000001AAA", .decision_id = "d-2"});
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->worked);

  // A deleted task is not an error; the Status field still counts.
  script->task_deleted = true;
  WorkCheck check{.record_id = "00Q000000000001AAA",
                  .task_id = "00T000000000001AAA",
                  .field = "Status",
                  .untouched_values = {"Open - Not Contacted"}};
  script->lead_status = "open - not contacted";
  status = f.connector->work_status(check);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(status->worked);
  script->lead_status = "Working - Contacted";
  status = f.connector->work_status(check);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_TRUE(status->worked);
  EXPECT_EQ(status->evidence, "Status=Working - Contacted");
  EXPECT_EQ(format_time_ms(*status->worked_at), "2026-01-06T09:00:00.000Z");
  EXPECT_TRUE(std::ranges::any_of(script->paths, [](const std::string& p) {
    return p.starts_with("/sobjects/Lead/00Q000000000001AAA?fields=Id,LastModifiedDate,Status");
  }));

  auto gone = f.connector->work_status({.record_id = "00Q000000000009AAA"});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace leadrouter::connectors::salesforce
