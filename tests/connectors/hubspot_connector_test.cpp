#include "connectors/hubspot/hubspot_connector.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "connectors/static_token_provider.hpp"
#include "fake_transport.hpp"

namespace leadrouter::connectors::hubspot {
namespace {

using testing::FakeTransport;
using testing::json_response;

struct Contact {
  long long id;
  long long modified_ms;
};

// A HubSpot search imitation good enough for the cursor logic: AND filters
// on lastmodifieddate / hs_object_id, one sort, limit. Ties under a sort are
// returned in reverse id order, as an unspecified order may well be.
class FakeHubSpot {
 public:
  std::vector<Contact> contacts;
  std::map<std::string, std::pair<std::string, std::string>> tasks;  // id -> (contact, body)
  std::set<std::string> missing_contacts;
  int searches = 0;
  // Tried first: answers a request the tests below script, nullopt passes it on.
  std::function<std::optional<HttpResponse>(const HttpRequest&)> scripted;

  std::expected<HttpResponse, Error> handle(const HttpRequest& r) {
    if (scripted) {
      if (auto answer = scripted(r)) {
        return *answer;
      }
    }
    auto body = testing::parse_json(r.body);
    if (r.url.ends_with("/crm/v3/objects/contacts/search")) {
      ++searches;
      return search_contacts(body);
    }
    if (r.method == "GET" && r.url.starts_with(kContactUrl)) {
      return read_contact(r.url.substr(kContactUrl.size()));
    }
    if (r.url.ends_with("/crm/v3/objects/contacts/batch/update")) {
      std::string ok, errors;
      for (const auto& in : body["inputs"].GetArray()) {
        const std::string id = in["id"].GetString();
        if (missing_contacts.contains(id)) {
          errors +=
              (errors.empty() ? "" : ",") +
              std::string(
                  R"({"status":"error","category":"OBJECT_NOT_FOUND","message":"Object not found","context":{"id":[")") +
              id + R"("]}})";
        } else {
          ok += (ok.empty() ? "" : ",") + std::string(R"({"id":")") + id + R"(","properties":{}})";
        }
      }
      return json_response(errors.empty() ? 200 : 207, R"({"status":"COMPLETE","results":[)" + ok +
                                                           R"(],"errors":[)" + errors + "]}");
    }
    if (r.url.ends_with("/crm/v3/objects/tasks/search")) {
      std::string contact, token;
      for (const auto& f : body["filterGroups"][0]["filters"].GetArray()) {
        if (std::string(f["propertyName"].GetString()) == "associations.contact") {
          contact = f["value"].GetString();
        } else {
          token = f["value"].GetString();
        }
      }
      std::string results;
      for (const auto& [id, t] : tasks) {
        if (t.first == contact && t.second.find(token) != std::string::npos) {
          results = R"({"id":")" + id + R"(","properties":{}})";
        }
      }
      return json_response(200, R"({"total":0,"results":[)" + results + "]}");
    }
    if (r.url.ends_with("/crm/v3/objects/tasks")) {
      const std::string id = "t" + std::to_string(tasks.size() + 1);
      tasks[id] = {body["associations"][0]["to"]["id"].GetString(),
                   body["properties"]["hs_task_body"].GetString()};
      EXPECT_EQ(body["associations"][0]["types"][0]["associationTypeId"].GetInt(), 204);
      EXPECT_STREQ(body["properties"]["hs_task_priority"].GetString(), "HIGH");
      return json_response(201, R"({"id":")" + id + R"(","properties":{}})");
    }
    return json_response(404, R"({"message":"no such path"})");
  }

 private:
  static constexpr std::string_view kContactUrl = "https://api.hubapi.com/crm/v3/objects/contacts/";

  // GET /crm/v3/objects/contacts/{id}?properties=...: only the requested
  // properties come back, as HubSpot does.
  std::expected<HttpResponse, Error> read_contact(std::string_view rest) {
    const std::string id(rest.substr(0, rest.find('?')));
    const auto c = std::ranges::find_if(
        contacts, [&](const Contact& x) { return std::to_string(x.id) == id; });
    if (c == contacts.end()) {
      return json_response(
          404,
          R"({"status":"error","message":"Object not found.  objectId are usually numeric.","category":"OBJECT_NOT_FOUND"})");
    }
    const std::map<std::string, std::string> all = {
        {"hs_object_id", id},
        {"lastmodifieddate",
         format_time_ms(TimestampMs{std::chrono::milliseconds{c->modified_ms}})},
        {"email", "p" + id + "@acme.example"},
        {"country", "United Kingdom"},
        {"numemployees", "12"},
        {"hubspot_owner_id", "41629779"}};
    std::string props;
    for (const auto& [name, value] : all) {
      if (rest.find("properties=" + name + "&") != std::string_view::npos ||
          rest.ends_with("properties=" + name)) {
        props += fmt::format(R"({}"{}":"{}")", props.empty() ? "" : ",", name, value);
      }
    }
    return json_response(
        200, fmt::format(R"({{"id":"{}","properties":{{{}}},"archived":false}})", id, props));
  }

  std::expected<HttpResponse, Error> search_contacts(const rapidjson::Document& body) {
    std::vector<Contact> matched;
    for (const auto& c : contacts) {
      bool ok = true;
      for (const auto& f : body["filterGroups"][0]["filters"].GetArray()) {
        const std::string prop = f["propertyName"].GetString();
        const std::string op = f["operator"].GetString();
        const long long value = std::stoll(f["value"].GetString());
        const long long actual = prop == "hs_object_id" ? c.id : c.modified_ms;
        ok = ok && (op == "EQ" ? actual == value : op == "GT" ? actual > value : false);
      }
      if (ok) {
        matched.push_back(c);
      }
    }
    const std::string sort = body["sorts"][0]["propertyName"].GetString();
    std::ranges::sort(matched, [&](const Contact& a, const Contact& b) {
      if (sort == "hs_object_id") {
        return a.id < b.id;
      }
      if (a.modified_ms != b.modified_ms) {
        return a.modified_ms < b.modified_ms;
      }
      return a.id > b.id;
    });
    const auto limit = static_cast<std::size_t>(body["limit"].GetInt());
    if (matched.size() > limit) {
      matched.resize(limit);
    }
    std::string results;
    for (const auto& c : matched) {
      results +=
          (results.empty() ? "" : ",") +
          fmt::format(
              R"({{"id":"{0}","properties":{{"hs_object_id":"{0}","lastmodifieddate":"{1}","email":"p{0}@acme.example","numemployees":"12"}},"createdAt":"2025-01-01T00:00:00.000Z","updatedAt":"2025-01-01T00:00:00.000Z","archived":false}})",
              c.id, format_time_ms(TimestampMs{std::chrono::milliseconds{c.modified_ms}}));
    }
    return json_response(
        200, R"({"total":)" + std::to_string(matched.size()) + R"(,"results":[)" + results + "]}");
  }
};

struct Fixture {
  FakeHubSpot hubspot;
  std::shared_ptr<FakeTransport> transport =
      std::make_shared<FakeTransport>([this](const HttpRequest& r) { return hubspot.handle(r); });
  testing::ManualClock clock;
  std::unique_ptr<HubSpotConnector> connector;

  Fixture() {
    auto limiter = std::make_shared<RateLimiter>(
        RateLimiterOptions{.limit = {1000, std::chrono::milliseconds{1000}}}, clock.steady());
    auto env = clock.environment();
    connector = std::make_unique<HubSpotConnector>(
        HubSpotConnectorOptions{},
        ApiSession(transport, std::make_shared<StaticTokenProvider>("pat-test"), limiter,
                   RetryPolicy(RetryOptions{}, env), env.sleep, "https://api.hubapi.com"));
  }
};

TEST(HubSpotConnector, PagesThroughEqualTimestampsWithoutSkipsOrRepeats) {
  Fixture f;
  // Groups of records sharing one timestamp, some larger than a page.
  long long id = 1000;
  long long ts = 1'750'000'000'000;
  for (int group_size : {1, 7, 1, 12, 3, 26, 5, 5, 2}) {
    ts += 1500;
    for (int i = 0; i < group_size; ++i) {
      f.hubspot.contacts.push_back({id++, ts});
    }
  }
  std::map<std::string, int> seen;
  LeadCursor cursor;
  TimestampMs last{};
  for (int calls = 0; calls < 100; ++calls) {
    auto page = f.connector->fetch_changed_leads(cursor, 5);
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_LE(page->leads.size(), 5u);
    for (const auto& l : page->leads) {
      ++seen[l.lead.id];
      EXPECT_GE(l.modified_at, last);
      last = l.modified_at;
      EXPECT_EQ(l.lead.source_system, "hubspot");
      EXPECT_EQ(l.lead.employees, 12);
    }
    // The cursor survives a restart.
    cursor = *LeadCursor::parse(page->next.serialize());
    if (page->leads.empty() && !page->more) {
      break;
    }
  }
  EXPECT_EQ(seen.size(), f.hubspot.contacts.size());
  for (const auto& [lead_id, count] : seen) {
    EXPECT_EQ(count, 1) << lead_id;
  }
  // Nothing new: the same cursor comes back and nothing is returned.
  auto again = f.connector->fetch_changed_leads(cursor, 5);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->leads.empty());
  EXPECT_EQ(again->next, cursor);
}

TEST(HubSpotConnector, ApplyReportsPerItemAndCreatesNoSecondTask) {
  Fixture f;
  f.hubspot.missing_contacts = {"999"};
  const auto due = Timestamp{std::chrono::seconds{1'750'000'000}};
  std::vector<WriteBack> batch = {
      {.decision_id = "dec-1",
       .record_id = "100451",
       .owner_id = "41629779",
       .task = FollowUpTask{"41629779", due, "high", "Call Ada", "Tier A lead"}},
      {.decision_id = "dec-2",
       .record_id = "999",
       .owner_id = "41629779",
       .task = FollowUpTask{"41629779", due, "high", "Call ghost", "x"}},
  };
  auto first = f.connector->apply(batch);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_TRUE(first[0].ok()) << first[0].error->message;
  EXPECT_FALSE(first[0].task_already_existed);
  EXPECT_FALSE(first[0].task_id.empty());
  ASSERT_FALSE(first[1].ok());
  EXPECT_NE(first[1].error->message.find("Object not found"), std::string::npos);
  EXPECT_EQ(f.hubspot.tasks.size(), 1u);

  auto second = f.connector->apply(batch);
  EXPECT_TRUE(second[0].ok());
  EXPECT_TRUE(second[0].task_already_existed);
  EXPECT_EQ(second[0].task_id, first[0].task_id);
  EXPECT_EQ(f.hubspot.tasks.size(), 1u);
}

TEST(HubSpotConnector, FetchLeadReadsOneContactLikeThePoll) {
  Fixture f;
  f.hubspot.contacts.push_back({100451, 1'750'000'001'500});
  auto lead = f.connector->fetch_lead("100451");
  ASSERT_TRUE(lead) << lead.error().message;
  EXPECT_EQ(lead->lead.id, "100451");
  EXPECT_EQ(lead->lead.source_system, "hubspot");
  EXPECT_EQ(lead->lead.object_type, "contact");
  EXPECT_EQ(lead->lead.email, "p100451@acme.example");
  EXPECT_EQ(lead->lead.country, "GB");  // "United Kingdom", normalized
  EXPECT_EQ(lead->lead.employees, 12);
  EXPECT_EQ(lead->owner_id, "41629779");
  EXPECT_EQ(lead->modified_at.time_since_epoch().count(), 1'750'000'001'500);
  // The same properties as the poll's search asks for.
  const auto requests = f.transport->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  for (const char* p : {"email", "country", "numemployees", "lastmodifieddate", "hubspot_owner_id",
                        "hs_object_id", "createdate"}) {
    EXPECT_NE(requests[0].url.find(std::string("properties=") + p), std::string::npos) << p;
  }
}

TEST(HubSpotConnector, FetchLeadOfAMissingContactIsNotFound) {
  Fixture f;
  auto lead = f.connector->fetch_lead("404404");
  ASSERT_FALSE(lead);
  EXPECT_EQ(lead.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(lead.error().http_status, 404);
  EXPECT_EQ(f.transport->requests().size(), 1u);  // not retried
  // An id is one path segment, however odd.
  auto odd = f.connector->fetch_lead("1/../owners");
  ASSERT_FALSE(odd);
  EXPECT_NE(f.transport->requests().back().url.find("contacts/1%2F..%2Fowners?"),
            std::string::npos);
  EXPECT_EQ(f.connector->fetch_lead("").error().kind, ErrorKind::kInvalidInput);
}

TEST(HubSpotConnector, TaskMarkerIsOneSearchToken) {
  EXPECT_EQ(HubSpotConnector::task_marker("a1-b2:c3"), "leadrouter_decision_a1_b2_c3");
}

// Companies for the account feed: filters on hs_lastmodifieddate /
// hs_object_id (EQ, GT), one sort, limit; ties come back in reverse id order.
struct Company {
  long long id;
  long long modified_ms;
  std::string employees;
  std::string revenue;
};

std::optional<HttpResponse> search_companies(const std::vector<Company>& companies,
                                             const HttpRequest& r) {
  if (!r.url.ends_with("/crm/v3/objects/companies/search")) {
    return std::nullopt;
  }
  auto body = testing::parse_json(r.body);
  std::vector<Company> matched;
  for (const auto& c : companies) {
    bool ok = true;
    for (const auto& f : body["filterGroups"][0]["filters"].GetArray()) {
      const std::string prop = f["propertyName"].GetString();
      const std::string op = f["operator"].GetString();
      const long long value = std::stoll(f["value"].GetString());
      const long long actual = prop == "hs_object_id" ? c.id : c.modified_ms;
      EXPECT_TRUE(prop == "hs_object_id" || prop == "hs_lastmodifieddate") << prop;
      ok = ok && (op == "EQ" ? actual == value : op == "GT" ? actual > value : false);
    }
    if (ok) {
      matched.push_back(c);
    }
  }
  const std::string sort = body["sorts"][0]["propertyName"].GetString();
  std::ranges::sort(matched, [&](const Company& a, const Company& b) {
    if (sort == "hs_object_id" || a.modified_ms == b.modified_ms) {
      return sort == "hs_object_id" ? a.id < b.id : a.id > b.id;
    }
    return a.modified_ms < b.modified_ms;
  });
  matched.resize(std::min(matched.size(), static_cast<std::size_t>(body["limit"].GetInt())));
  std::string results;
  for (const auto& c : matched) {
    results += fmt::format(
        R"({}{{"id":"{}","properties":{{"name":"Co {}","domain":"co{}.example","website":"https://www.co{}.example/","hubspot_owner_id":"41629779","numberofemployees":{},"annualrevenue":{},"notes_last_updated":"2026-01-02T03:04:05.000Z","hs_lastmodifieddate":"{}"}},"archived":false}})",
        results.empty() ? "" : ",", c.id, c.id, c.id, c.id,
        c.employees.empty() ? "null" : "\"" + c.employees + "\"",
        c.revenue.empty() ? "null" : "\"" + c.revenue + "\"",
        format_time_ms(TimestampMs{std::chrono::milliseconds{c.modified_ms}}));
  }
  return json_response(200, R"({"total":0,"results":[)" + results + "]}");
}

TEST(HubSpotConnector, AccountFeedPagesCompaniesByLastModifiedWithoutSkipsOrRepeats) {
  Fixture f;
  std::vector<Company> companies;
  long long id = 5001;
  long long ts = 1'767'000'000'000;
  for (int group_size : {2, 9, 1, 4, 13, 1}) {
    ts += 1000;
    for (int i = 0; i < group_size; ++i, ++id) {
      // Employees win when known; otherwise annual revenue is the size.
      companies.push_back({id, ts, id % 2 ? "250" : "0", id % 3 ? "1200000.5" : ""});
    }
  }
  f.hubspot.scripted = [&](const HttpRequest& r) { return search_companies(companies, r); };
  std::map<std::string, int> seen;
  LeadCursor cursor;
  for (int calls = 0; calls < 100; ++calls) {
    auto page = f.connector->fetch_changed_accounts(cursor, 4);
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_LE(page->accounts.size(), 4u);
    for (const auto& a : page->accounts) {
      ++seen[a.id];
      const long long n = std::stoll(a.id);
      EXPECT_EQ(a.size, n % 2 ? 250 : (n % 3 ? 1200000.5 : 0)) << a.id;
      EXPECT_EQ(a.domain, "co" + a.id + ".example");
      EXPECT_EQ(a.website, "https://www.co" + a.id + ".example/");
      EXPECT_EQ(a.owner_id, "41629779");
      ASSERT_TRUE(a.last_activity_at);
      EXPECT_EQ(format_time_ms(*a.last_activity_at), "2026-01-02T03:04:05.000Z");
    }
    cursor = *LeadCursor::parse(page->next.serialize());
    if (page->accounts.empty() && !page->more) {
      break;
    }
  }
  EXPECT_EQ(seen.size(), companies.size());
  for (const auto& [account_id, count] : seen) {
    EXPECT_EQ(count, 1) << account_id;
  }
  const auto first = testing::parse_json(f.transport->requests().front().body);
  EXPECT_STREQ(first["sorts"][0]["propertyName"].GetString(), "hs_lastmodifieddate");
  std::set<std::string> asked;
  for (const auto& p : first["properties"].GetArray()) {
    asked.insert(p.GetString());
  }
  for (const char* p : {"name", "domain", "website", "hubspot_owner_id", "numberofemployees",
                        "annualrevenue", "notes_last_updated", "hs_lastmodifieddate"}) {
    EXPECT_TRUE(asked.contains(p)) << p;
  }
}

TEST(HubSpotConnector, AccountFeedRefusesACompanyWithoutModifiedDateAndPassesErrorsOn) {
  Fixture f;
  f.hubspot.scripted = [](const HttpRequest&) -> std::optional<HttpResponse> {
    return json_response(200, R"({"results":[{"id":"5001","properties":{"name":"Acme"}}]})");
  };
  auto page = f.connector->fetch_changed_accounts({}, 10);
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().kind, ErrorKind::kInvalidResponse);
  f.hubspot.scripted = [](const HttpRequest&) -> std::optional<HttpResponse> {
    return json_response(
        400, R"({"status":"error","message":"bad filter","category":"VALIDATION_ERROR"})");
  };
  page = f.connector->fetch_changed_accounts({}, 10);
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().kind, ErrorKind::kPermanent);
}

TEST(HubSpotConnector, FindPeopleSearchesEmailOrNameExcludingTheLeadOldestFirst) {
  Fixture f;
  std::string body;
  f.hubspot.scripted = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    EXPECT_TRUE(r.url.ends_with("/crm/v3/objects/contacts/search")) << r.url;
    body = r.body;
    // Unordered, and with the lead itself, as an eventually consistent index may answer.
    return json_response(200, R"({"total":3,"results":[
      {"id":"100460","properties":{"email":"ADA@acme.example","firstname":"Ada","lastname":"Lovelace","hubspot_owner_id":"41629780","company":"Acme","associatedcompanyid":"5001","createdate":"2026-01-03T00:00:00.000Z"}},
      {"id":"100451","properties":{"email":"other@x.example","firstname":"ada","lastname":"LOVELACE","hubspot_owner_id":null,"createdate":"2026-01-01T00:00:00.000Z"}},
      {"id":"100499","properties":{"email":"ada@acme.example","createdate":"2026-01-05T00:00:00.000Z"}}]})");
  };
  auto people = f.connector->find_people({.exclude_record_id = "100499",
                                          .email = "ada@acme.example",
                                          .first_name = "Ada",
                                          .last_name = "Lovelace",
                                          .limit = 5});
  ASSERT_TRUE(people) << people.error().message;
  ASSERT_EQ(people->size(), 2u);
  EXPECT_EQ((*people)[0].id, "100451");
  EXPECT_EQ((*people)[0].owner_id, "");
  EXPECT_EQ((*people)[0].object_type, "contact");
  EXPECT_EQ((*people)[1].id, "100460");
  EXPECT_EQ((*people)[1].owner_id, "41629780");
  EXPECT_EQ((*people)[1].company, "Acme");
  EXPECT_EQ((*people)[1].account_id, "5001");
  EXPECT_EQ(format_time_ms((*people)[1].created_at), "2026-01-03T00:00:00.000Z");

  const auto sent = testing::parse_json(body);
  ASSERT_EQ(sent["filterGroups"].Size(), 2u);  // groups are ORed
  const auto& by_email = sent["filterGroups"][0]["filters"];
  ASSERT_EQ(by_email.Size(), 2u);
  EXPECT_STREQ(by_email[0]["propertyName"].GetString(), "email");
  EXPECT_STREQ(by_email[0]["operator"].GetString(), "EQ");
  EXPECT_STREQ(by_email[1]["propertyName"].GetString(), "hs_object_id");
  EXPECT_STREQ(by_email[1]["operator"].GetString(), "NEQ");
  EXPECT_STREQ(by_email[1]["value"].GetString(), "100499");
  const auto& by_name = sent["filterGroups"][1]["filters"];
  ASSERT_EQ(by_name.Size(), 3u);
  EXPECT_STREQ(by_name[0]["propertyName"].GetString(), "firstname");
  EXPECT_STREQ(by_name[1]["propertyName"].GetString(), "lastname");
  EXPECT_STREQ(sent["sorts"][0]["propertyName"].GetString(), "createdate");
  EXPECT_STREQ(sent["sorts"][0]["direction"].GetString(), "ASCENDING");
  EXPECT_EQ(sent["limit"].GetInt(), 5);

  // Only a last name: the first name must be absent on the match.
  ASSERT_TRUE(f.connector->find_people({.last_name = "Lovelace"}));
  const auto last_only = testing::parse_json(body);
  ASSERT_EQ(last_only["filterGroups"].Size(), 1u);
  EXPECT_STREQ(last_only["filterGroups"][0]["filters"][0]["operator"].GetString(),
               "NOT_HAS_PROPERTY");
  // Nothing to look for: no request at all.
  const auto before = f.transport->requests().size();
  auto none = f.connector->find_people({.exclude_record_id = "1"});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(f.transport->requests().size(), before);
}

// A contact 100451 (hs_lead_status as given, modified 2026-01-06) and task
// 9001 (status as given); other ids are 404.
struct WorkScript {
  std::string lead_status = "NEW";
  std::string task_status = "NOT_STARTED";
  bool completion_date = true;
  bool task_found_by_search = true;
  std::vector<std::string> bodies;

  std::optional<HttpResponse> operator()(const HttpRequest& r) {
    const std::string objects = "https://api.hubapi.com/crm/v3/objects/";
    const std::string not_found =
        R"({"status":"error","message":"Object not found.","category":"OBJECT_NOT_FOUND"})";
    const std::string task = fmt::format(
        R"({{"id":"9001","properties":{{"hs_task_status":"{}",{}"hs_lastmodifieddate":"2026-01-07T08:00:00.000Z"}}}})",
        task_status,
        completion_date ? R"("hs_task_completion_date":"2026-01-06T12:30:00.000Z",)" : "");
    if (r.url.starts_with(objects + "contacts/")) {
      if (!r.url.starts_with(objects + "contacts/100451?")) {
        return json_response(404, not_found);
      }
      return json_response(
          200,
          fmt::format(
              R"({{"id":"100451","properties":{{"hs_lead_status":{},"lastmodifieddate":"2026-01-06T09:00:00.000Z"}}}})",
              lead_status.empty() ? "null" : "\"" + lead_status + "\""));
    }
    if (r.url.starts_with(objects + "tasks/") && !r.url.ends_with("/search")) {
      return r.url.starts_with(objects + "tasks/9001?") ? json_response(200, task)
                                                        : json_response(404, not_found);
    }
    if (r.url == objects + "tasks/search") {
      bodies.push_back(r.body);
      return json_response(
          200, R"({"total":1,"results":[)" + (task_found_by_search ? task : std::string()) + "]}");
    }
    return std::nullopt;
  }
};

TEST(HubSpotConnector, WorkStatusSeesTheCompletedTaskByIdOrByMarker) {
  Fixture f;
  auto script = std::make_shared<WorkScript>();
  f.hubspot.scripted = [script](const HttpRequest& r) { return (*script)(r); };
  const WorkCheck by_id{.record_id = "100451", .task_id = "9001", .decision_id = "d-1"};
  auto status = f.connector->work_status(by_id);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(status->worked);

  script->task_status = "COMPLETED";
  status = f.connector->work_status(by_id);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_TRUE(status->worked);
  EXPECT_EQ(status->evidence, "task 9001 completed");
  ASSERT_TRUE(status->worked_at);
  EXPECT_EQ(format_time_ms(*status->worked_at), "2026-01-06T12:30:00.000Z");

  // Without a completion date, the task's last modification dates the touch.
  script->completion_date = false;
  const WorkCheck by_marker{.record_id = "100451", .decision_id = "d-1"};
  status = f.connector->work_status(by_marker);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_TRUE(status->worked);
  EXPECT_EQ(format_time_ms(*status->worked_at), "2026-01-07T08:00:00.000Z");
  ASSERT_EQ(script->bodies.size(), 1u);
  const auto sent = testing::parse_json(script->bodies[0]);
  const auto& filters = sent["filterGroups"][0]["filters"];
  EXPECT_STREQ(filters[0]["propertyName"].GetString(), "associations.contact");
  EXPECT_STREQ(filters[0]["value"].GetString(), "100451");
  EXPECT_STREQ(filters[1]["operator"].GetString(), "CONTAINS_TOKEN");
  EXPECT_EQ(filters[1]["value"].GetString(), HubSpotConnector::task_marker("d-1"));

  // A deleted task or one never found is not an error: the lead is not worked.
  script->task_found_by_search = false;
  status = f.connector->work_status(by_marker);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(status->worked);
  status = f.connector->work_status({.record_id = "100451", .task_id = "9002"});
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(status->worked);

  // Completed tasks do not count when the check says so.
  script->task_found_by_search = true;
  status =
      f.connector->work_status({.record_id = "100451", .task_id = "9001", .task_completed = false});
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->worked);

  auto gone = f.connector->work_status({.record_id = "100999", .task_id = "9001"});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
}

TEST(HubSpotConnector, WorkStatusSeesAFieldLeaveItsUntouchedValues) {
  Fixture f;
  auto script = std::make_shared<WorkScript>();
  f.hubspot.scripted = [script](const HttpRequest& r) { return (*script)(r); };
  WorkCheck check{.record_id = "100451",
                  .task_id = "9001",
                  .field = "hs_lead_status",
                  .untouched_values = {"NEW", ""}};
  script->lead_status = "new";  // compared case-insensitively
  auto status = f.connector->work_status(check);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(status->worked);
  script->lead_status = "";
  status = f.connector->work_status(check);
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->worked);

  script->lead_status = "IN_PROGRESS";
  status = f.connector->work_status(check);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->worked);
  EXPECT_EQ(status->evidence, "hs_lead_status=IN_PROGRESS");
  ASSERT_TRUE(status->worked_at);
  EXPECT_EQ(format_time_ms(*status->worked_at), "2026-01-06T09:00:00.000Z");
  const auto requests = f.transport->requests();
  EXPECT_TRUE(std::ranges::any_of(requests, [](const HttpRequest& r) {
    return r.url.find("contacts/100451?") != std::string::npos &&
           r.url.find("properties=hs_lead_status") != std::string::npos;
  }));

  // An empty value counts as untouched only when listed.
  script->lead_status = "";
  check.untouched_values = {"NEW"};
  status = f.connector->work_status(check);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->worked);
  EXPECT_EQ(status->evidence, "hs_lead_status=");
}

}  // namespace
}  // namespace leadrouter::connectors::hubspot
