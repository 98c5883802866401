#include "connectors/hubspot/hubspot_connector.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>
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

  std::expected<HttpResponse, Error> handle(const HttpRequest& r) {
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

}  // namespace
}  // namespace leadrouter::connectors::hubspot
