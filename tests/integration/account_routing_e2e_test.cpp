// Account-based routing and duplicates end to end: mock-crm and `leadrouter
// serve` as real processes. In both CRMs a new lead on an account's email
// domain, and one matched only by its company name, go to the account's
// owner; a lead that duplicates an existing owned lead or contact (same
// email; same name and company) goes to that record's owner, never to a
// second rep. The stored decisions carry the match's confidence and reason
// and the duplicate.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/connectors/mock_crm_process.hpp"
#include "tests/integration/sidecar_process.hpp"
#include "tests/integration/test_support.hpp"

namespace leadrouter::integration {
namespace {

using connectors::testing::MockCrmProcess;

const std::string kApi = "/services/data/v62.0";

// The mock seed's reps, duplicates first, then account owners, then a pool.
constexpr std::string_view kPolicy = R"({
  "version": 1,
  "name": "account-routing-e2e",
  "tiers": [{"name": "A", "min_score": 0, "sla_minutes": 1440}],
  "pools": [{"name": "inbound", "teams": ["inbound"], "strategy": "round_robin"}],
  "routes": [
    {"name": "duplicates", "when": {"field": "duplicate_found", "op": "eq", "value": true},
     "destination": {"duplicate_owner": true}, "fallbacks": [{"queue": "duplicates-review"}]},
    {"name": "accounts", "when": {"field": "account_matched", "op": "eq", "value": true},
     "destination": {"account_owner": true}, "fallbacks": [{"pool": "inbound"}]},
    {"name": "inbound", "destination": {"pool": "inbound"}}
  ],
  "final_fallback": {"queue": "unassigned"},
  "reps": [
    {"id": "41629779", "teams": ["inbound"]},
    {"id": "41629780", "teams": ["inbound"]},
    {"id": "41629781", "teams": ["inbound"]},
    {"id": "005Dm0000000NPdIAM", "teams": ["inbound"]},
    {"id": "005Dm0000000NPeIAM", "teams": ["inbound"]},
    {"id": "005Dm0000000NPfIAM", "teams": ["inbound"]}
  ]
})";

// Owned records keep their owner (so the pre-existing ones below stay as
// they are); the HubSpot inbound queue and the Salesforce integration user
// own nothing. Accounts are refreshed every second.
constexpr std::string_view kExtra = R"({"ingest": {"start_from": "beginning",
  "route_owned_leads": false, "unassigned_owner_ids": ["41629790", "005Dm0000000NPcIAM"]},
  "accounts": {"refresh_seconds": 1}})";

struct Expected {
  std::string record_id;
  std::string owner;             // in the CRM and in the decision
  std::string route;             // "accounts" or "duplicates"
  std::string account_reason;    // prefix of enrichment.account.reason; "" no account check
  std::string duplicate_of;      // enrichment.duplicate.record_id; "" none expected
  std::string duplicate_reason;  // enrichment.duplicate.reason
};

class AccountRoutingE2eTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && sidecar) {
      std::cerr << "--- sidecar stderr ---\n" << sidecar->log() << "\n";
    }
  }

  void start_sidecar(const std::string& connectors) {
    const std::string policy = dir.write("account-policy.json", std::string(kPolicy));
    const std::string config = write_test_config(dir, {.poll_interval_seconds = 1,
                                                       .policy = policy,
                                                       .connectors = connectors,
                                                       .extra_json = std::string(kExtra)});
    const auto started = std::chrono::steady_clock::now();
    sidecar.emplace(
        std::vector<std::string>{"--config", config, "--crm-url", mock.base_url(), "--state",
                                 dir.file("state"), "--listen", "127.0.0.1:0"},
        env, dir.path());
    const std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - started;
    std::printf(
        "[ measured ] %s: sidecar ready in %.0f ms (a first start reads every account first)\n",
        connectors.c_str(), ms.count());
  }

  // Waits until every record's CRM owner is the expected one, then checks
  // each stored decision.
  void expect_routed(const std::string& connector, const std::vector<Expected>& expected,
                     const std::function<std::string(const std::string&)>& crm_owner) {
    const bool written = wait_until(
        [&] {
          for (const Expected& e : expected) {
            if (crm_owner(e.record_id) != e.owner) {
              return false;
            }
          }
          return true;
        },
        std::chrono::seconds{60}, std::chrono::milliseconds{300});
    for (const Expected& e : expected) {
      EXPECT_EQ(crm_owner(e.record_id), e.owner) << "record " << e.record_id;
    }
    ASSERT_TRUE(written);
    const auto decisions = fetch_decisions(sidecar->base_url());
    for (const Expected& e : expected) {
      SCOPED_TRACE(connector + " record " + e.record_id);
      std::string decision_id;
      int found = 0;
      for (const auto& d : decisions) {
        if (d.connector == connector && d.lead_id == e.record_id) {
          decision_id = d.decision_id;
          ++found;
          EXPECT_EQ(d.assignee_id, e.owner);
        }
      }
      ASSERT_EQ(found, 1);
      const auto response = http_get(sidecar->base_url() + "/api/decisions/" + decision_id);
      ASSERT_EQ(response.status, 200);
      const auto doc = parse_json(response.body);
      EXPECT_EQ(json_string(doc, "/decision/route"), e.route) << response.body;
      if (!e.account_reason.empty()) {
        const std::string reason = json_string(doc, "/decision/enrichment/account/reason");
        EXPECT_TRUE(reason.starts_with(e.account_reason)) << reason;
        const auto* confidence = json_at(doc, "/decision/enrichment/account/confidence");
        ASSERT_NE(confidence, nullptr);
        EXPECT_GT(confidence->GetDouble(), 0.5);
        EXPECT_LE(confidence->GetDouble(), 1.0);
      }
      if (!e.duplicate_of.empty()) {
        EXPECT_EQ(json_string(doc, "/decision/enrichment/duplicate/record_id"), e.duplicate_of);
        EXPECT_EQ(json_string(doc, "/decision/enrichment/duplicate/reason"), e.duplicate_reason);
        EXPECT_EQ(json_string(doc, "/decision/enrichment/duplicate/owner_id"), e.owner);
      }
    }
  }

  MockCrmProcess mock;
  TempDir dir;
  Env env = demo_env();
  std::optional<SidecarProcess> sidecar;
};

// --- HubSpot ----------------------------------------------------------------

class HubSpotAccountsTest : public AccountRoutingE2eTest {
 protected:
  connectors::HttpHeaders auth() const {
    return {{"Authorization", "Bearer " + env.at("HUBSPOT_TOKEN")}};
  }

  std::string create_contact(const std::string& properties) {
    const auto response = http_post(mock.base_url() + "/crm/v3/objects/contacts",
                                    R"({"properties":)" + properties + "}", auth());
    if (response.status != 201) {
      throw std::runtime_error("create contact: " + std::to_string(response.status) + " " +
                               response.body);
    }
    return json_string(parse_json(response.body), "/id");
  }

  std::string owner_of(const std::string& id) {
    const auto response = http_get(
        mock.base_url() + "/crm/v3/objects/contacts/" + id + "?properties=hubspot_owner_id",
        auth());
    return response.status == 200
               ? json_string(parse_json(response.body), "/properties/hubspot_owner_id")
               : "";
  }
};

TEST_F(HubSpotAccountsTest, AccountOwnersAndDuplicateOwnersGetTheLeads) {
  // An existing contact owned by Rita (41629779) at Initech, whose company
  // is owned by Noor (41629781).
  const std::string hedy = create_contact(
      R"({"email":"hedy@lamarr-labs.example","firstname":"Hedy","lastname":"Lamarr",)"
      R"("company":"Initech Inc.","hubspot_owner_id":"41629779"})");
  start_sidecar("hubspot");

  // Company 5003 "Initech Inc." (initech.example) is Noor's.
  const std::string by_domain = create_contact(
      R"({"email":"peter@initech.example","firstname":"Peter","lastname":"Gibbons","company":"Initech"})");
  // Company 5001 "Acme Corp" is Rita's; free mail, so only the name can match.
  const std::string by_name = create_contact(
      R"({"email":"wile.e@gmail.com","firstname":"Wile","lastname":"Coyote","company":"ACME Corporation"})");
  // Same name and company as Hedy, another address: Rita's, not Noor's.
  const std::string duplicate = create_contact(
      R"({"email":"hedy.lamarr@gmail.com","firstname":"Hedy","lastname":"Lamarr","company":"Initech"})");

  expect_routed("hubspot-main",
                {{by_domain, "41629781", "accounts", "email domain initech.example", "", ""},
                 {by_name, "41629779", "accounts", "name", "", ""},
                 {duplicate, "41629779", "duplicates", "", hedy, "same name and company"}},
                [&](const std::string& id) { return owner_of(id); });
  // The existing contact was left alone.
  EXPECT_EQ(owner_of(hedy), "41629779");

  // A company created while the sidecar runs is found by the next refresh.
  const auto company = http_post(
      mock.base_url() + "/crm/v3/objects/companies",
      R"({"properties":{"name":"Hooli","domain":"hooli.example","hubspot_owner_id":"41629780"}})",
      auth());
  ASSERT_EQ(company.status, 201) << company.body;
  ASSERT_TRUE(wait_until(
      [&] {
        return metric_value(http_get(sidecar->base_url() + "/metrics").body,
                            "leadrouter_accounts_indexed{connector=\"hubspot-main\"}") == 5.0;
      },
      std::chrono::seconds{20}, std::chrono::milliseconds{200}));
  const std::string new_account = create_contact(
      R"({"email":"gavin@hooli.example","firstname":"Gavin","lastname":"Belson","company":"Hooli"})");
  expect_routed("hubspot-main",
                {{new_account, "41629780", "accounts", "email domain hooli.example", "", ""}},
                [&](const std::string& id) { return owner_of(id); });

  const auto metrics = http_get(sidecar->base_url() + "/metrics").body;
  EXPECT_GE(metric_value(metrics,
                         "leadrouter_duplicates_found_total{connector=\"hubspot-main\","
                         "reason=\"name_company\"}")
                .value_or(0),
            1.0);
  // /readyz says how many accounts are indexed and how fresh they are.
  const std::string ready = http_get(sidecar->base_url() + "/readyz").body;
  EXPECT_NE(ready.find("accounts:hubspot-main"), std::string::npos) << ready;
  EXPECT_NE(ready.find("5 accounts indexed; last read from the CRM "), std::string::npos) << ready;
  EXPECT_EQ(sidecar->stop(), 0);

  // A restart loads the stored accounts and resumes the feed: no first read.
  start_sidecar("hubspot");
  const std::string log = sidecar->log();
  EXPECT_NE(log.find(R"("event":"accounts_loaded","connector":"hubspot-main","accounts":5,)"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("accounts_first_read"), std::string::npos);
  EXPECT_NE(log.find(R"("event":"accounts_caught_up","connector":"hubspot-main","changed":0,)"),
            std::string::npos);
  EXPECT_EQ(sidecar->stop(), 0);
}

// --- Salesforce ---------------------------------------------------------------

class SalesforceAccountsTest : public AccountRoutingE2eTest {
 protected:
  void SetUp() override {
    const auto response =
        http_post(mock.base_url() + "/services/oauth2/token",
                  "grant_type=client_credentials&client_id=3MVG9mockcrm.LeadRouterDemo.ConsumerKey"
                  "&client_secret=demo-sf-consumer-secret",
                  {{"Content-Type", "application/x-www-form-urlencoded"}});
    ASSERT_EQ(response.status, 200) << response.body;
    const auto doc = parse_json(response.body);
    token = json_string(doc, "/access_token");
    instance = json_string(doc, "/instance_url");
  }

  connectors::HttpHeaders auth() const { return {{"Authorization", "Bearer " + token}}; }

  std::string create(const std::string& object, const std::string& body) {
    const auto response = http_post(instance + kApi + "/sobjects/" + object, body, auth());
    if (response.status != 201) {
      throw std::runtime_error("create " + object + ": " + std::to_string(response.status) + " " +
                               response.body);
    }
    return json_string(parse_json(response.body), "/id");
  }

  std::string owner_of(const std::string& id) {
    const auto response = http_get(instance + kApi + "/sobjects/Lead/" + id, auth());
    return response.status == 200 ? json_string(parse_json(response.body), "/OwnerId") : "";
  }

  std::string token;
  std::string instance;
};

TEST_F(SalesforceAccountsTest, AccountOwnersAndDuplicateOwnersGetTheLeads) {
  // A contact of Globex Corporation (Noor's account) owned by Sam.
  const std::string contact = create(
      "Contact", R"({"FirstName":"Hedy","LastName":"Lamarr","Email":"hedy@lamarr-labs.example",)"
                 R"("AccountId":"001Dm0000000NPdIAM","OwnerId":"005Dm0000000NPeIAM"})");
  start_sidecar("salesforce");

  // Account "Acme GmbH" (website www.acme.example) is Rita's.
  const std::string by_domain =
      create("Lead", R"({"FirstName":"Ana","LastName":"Lima","Company":"Acme",)"
                     R"("Email":"ana.lima@acme.example"})");
  // "Globex Corp." ~ "Globex Corporation" (Noor's), on free mail.
  const std::string by_name =
      create("Lead", R"({"FirstName":"Wile","LastName":"Coyote","Company":"Globex Corp.",)"
                     R"("Email":"wile.e@gmail.com"})");
  // The seed's lead Omar Haddad is Sam's: same email.
  const std::string same_email =
      create("Lead", R"({"FirstName":"O.","LastName":"Haddad","Company":"Haddad Logistics GmbH",)"
                     R"("Email":"OMAR@haddad-logistics.example"})");
  // Same name as the contact, and its account's name: Sam's, not Noor's.
  const std::string same_name =
      create("Lead", R"({"FirstName":"Hedy","LastName":"Lamarr","Company":"Globex Corporation",)"
                     R"("Email":"hedy.lamarr@gmail.com"})");

  expect_routed(
      "sf-main",
      {{by_domain, "005Dm0000000NPdIAM", "accounts", "email domain acme.example", "", ""},
       {by_name, "005Dm0000000NPfIAM", "accounts", "name", "", ""},
       {same_email, "005Dm0000000NPeIAM", "duplicates", "", "00QDm0000000NPgMAM", "same email"},
       {same_name, "005Dm0000000NPeIAM", "duplicates", "", contact, "same name and company"}},
      [&](const std::string& id) { return owner_of(id); });

  const auto metrics = http_get(sidecar->base_url() + "/metrics").body;
  EXPECT_EQ(metric_value(metrics, "leadrouter_accounts_indexed{connector=\"sf-main\"}"), 2.0);
  EXPECT_EQ(sidecar->stop(), 0);
}

}  // namespace
}  // namespace leadrouter::integration
