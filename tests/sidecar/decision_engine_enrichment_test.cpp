// DecisionEngine with a LeadEnricher: account owners and duplicates shape the
// stored decisions, leads of one batch see each other, and a CRM failure of
// the duplicate look-up stores nothing (the batch is retried).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "sidecar/pipeline/account_directory.hpp"
#include "sidecar/pipeline/decision_engine.hpp"
#include "sidecar/pipeline/lead_enricher.hpp"
#include "tests/sidecar/fake_crm_connector.hpp"
#include "tests/sidecar/pipeline_fixtures.hpp"

namespace leadrouter::sidecar {
namespace {

using testing::FakeClock;
using testing::FakeCrmConnector;
using testing::make_lead;
using testing::make_rep;
using testing::ms_at;
using testing::poll_item;

core::Condition is_true(std::string field) {
  core::Condition c;
  c.kind = core::Condition::Kind::kField;
  c.field.field = std::move(field);
  c.field.op = core::Op::kEq;
  c.field.values = {core::Value{true}};
  core::resolve_field(c.field);
  return c;
}

// duplicates -> duplicate owner, else queue "duplicates-review"; matched
// accounts -> account owner, else the pool; everyone else -> the pool.
RoutingSetup account_setup(std::vector<core::Rep> reps) {
  core::Policy p = testing::make_policy();
  core::Route duplicates;
  duplicates.name = "duplicates";
  duplicates.when = is_true("duplicate_found");
  duplicates.destination = {core::DestinationKind::kDuplicateOwner, ""};
  duplicates.fallbacks = {{core::DestinationKind::kQueue, "duplicates-review"}};
  core::Route accounts;
  accounts.name = "accounts";
  accounts.when = is_true("account_matched");
  accounts.destination = {core::DestinationKind::kAccountOwner, ""};
  accounts.fallbacks = {{core::DestinationKind::kPool, "sales"}};
  p.routes.insert(p.routes.begin(), {duplicates, accounts});
  RoutingSetup setup;
  setup.policy = std::make_shared<const core::Policy>(std::move(p));
  setup.free_mail = std::make_shared<const core::FreeMailDomains>();
  setup.reps = std::move(reps);
  return setup;
}

class EngineEnrichmentTest : public ::testing::Test {
 protected:
  EngineEnrichmentTest() {
    crm.set_users({make_rep("r1"), make_rep("r2"), make_rep("r3")});
    directory = std::make_unique<AccountDirectory>(
        *store, metrics,
        std::make_shared<const matching::PublicSuffixList>(
            matching::PublicSuffixList::from_text("com\nexample\n")),
        AccountsConfig{}, clock.fn());
    EXPECT_TRUE(directory->load("hs", nullptr));
    engine = std::make_unique<DecisionEngine>(*store, metrics, Mode::kLive,
                                              IngestConfig{.unassigned_owner_ids = {"integration"}},
                                              clock.fn());
    EXPECT_TRUE(engine->add_connector(
        crm, account_setup({make_rep("r1"), make_rep("r2"), make_rep("r3")}), true));
    engine->update_crm_users("hs", *crm.list_reps());
    engine->set_enricher(
        std::make_shared<const LeadEnricher>(*store, metrics, directory.get(), DuplicatesConfig{},
                                             std::vector<std::string>{"integration"}));
  }

  void put_account(std::string id, std::string name, std::string domain, std::string owner) {
    connectors::CrmAccount a;
    a.id = std::move(id);
    a.name = std::move(name);
    a.domain = std::move(domain);
    a.owner_id = std::move(owner);
    a.modified_at = ms_at("2026-03-01T00:00:00Z");
    crm.put_account(a);
    ASSERT_TRUE(directory->refresh(crm));
  }

  DecisionRow decision(const std::string& lead) {
    auto rows = store->decisions({.connector = "hs", .lead_id = lead, .limit = 10}).value();
    EXPECT_FALSE(rows.empty()) << "no decision for " << lead;
    return rows.empty() ? DecisionRow{} : rows.front();
  }

  rapidjson::Document enrichment_of(const std::string& lead) {
    rapidjson::Document doc;
    doc.Parse(decision(lead).decision_json.c_str());
    rapidjson::Document out;
    if (doc.IsObject() && doc.HasMember("enrichment")) {
      out.CopyFrom(doc["enrichment"], out.GetAllocator());
    }
    return out;
  }

  testing::TempDir dir;
  std::unique_ptr<StateStore> store = testing::open_store(dir);
  MetricsRegistry metrics;
  FakeClock clock{"2026-03-09T15:00:00Z"};
  FakeCrmConnector crm{"hs"};
  std::unique_ptr<AccountDirectory> directory;
  std::unique_ptr<DecisionEngine> engine;
};

TEST_F(EngineEnrichmentTest, AMatchedAccountsLeadGoesToTheAccountOwner) {
  put_account("5001", "Initech", "initech.com", "r3");
  auto lead = make_lead("101", "2026-03-09T14:59:00Z");
  lead.lead.email = "peter@initech.com";
  lead.lead.company = "Initech";
  ASSERT_TRUE(engine->process({poll_item("hs", lead)}));
  const DecisionRow row = decision("101");
  EXPECT_EQ(row.assignee_id, "r3");
  EXPECT_EQ(row.route, "accounts");
  auto e = enrichment_of("101");
  ASSERT_TRUE(e.IsObject() && e.HasMember("account")) << decision("101").decision_json;
  EXPECT_STREQ(e["account"]["account_id"].GetString(), "5001");
  EXPECT_STREQ(e["account"]["reason"].GetString(), "email domain initech.com");
  EXPECT_GT(e["account"]["confidence"].GetDouble(), 0.9);
  EXPECT_NE(metrics.render().find(
                "leadrouter_account_matches_total{connector=\"hs\",method=\"email_domain\"} 1"),
            std::string::npos);
}

TEST_F(EngineEnrichmentTest, ADuplicateGoesToTheExistingOwnerNeverASecondRep) {
  connectors::CrmPerson existing;
  existing.id = "50";
  existing.object_type = "contact";
  existing.email = "buyer.101@acme.example";
  existing.owner_id = "r2";
  existing.created_at = ms_at("2026-01-01T00:00:00Z");
  crm.put_person(existing);
  auto lead = make_lead("101", "2026-03-09T14:59:00Z");
  ASSERT_TRUE(engine->process({poll_item("hs", lead)}));
  EXPECT_EQ(decision("101").assignee_id, "r2");
  EXPECT_EQ(decision("101").route, "duplicates");
  auto e = enrichment_of("101");
  ASSERT_TRUE(e.IsObject() && e.HasMember("duplicate"));
  EXPECT_STREQ(e["duplicate"]["record_id"].GetString(), "50");
  EXPECT_STREQ(e["duplicate"]["reason"].GetString(), "same email");

  // The existing owner is away: flagged in the review queue, not given to r1 or r3.
  existing.id = "51";
  existing.email = "buyer.102@acme.example";
  existing.owner_id = "gone";
  crm.put_person(existing);
  ASSERT_TRUE(engine->process({poll_item("hs", make_lead("102", "2026-03-09T14:59:30Z"))}));
  EXPECT_EQ(decision("102").assignee_kind, "queue");
  EXPECT_EQ(decision("102").assignee_id, "duplicates-review");
}

TEST_F(EngineEnrichmentTest, ALaterLeadOfTheSameBatchFollowsTheFirst) {
  auto first = make_lead("201", "2026-03-09T14:58:00Z");
  auto second = make_lead("202", "2026-03-09T14:59:00Z");
  second.lead.email = "other.address@acme.example";
  second.lead.last_name = first.lead.last_name;  // same name, same company
  // The CRM already lists the first one, still owned by the integration user.
  connectors::CrmPerson listed;
  listed.id = "201";
  listed.object_type = "contact";
  listed.email = first.lead.email;
  listed.first_name = first.lead.first_name;
  listed.last_name = first.lead.last_name;
  listed.company = "Acme";
  listed.owner_id = "integration";
  listed.created_at = first.modified_at;
  crm.put_person(listed);
  ASSERT_TRUE(engine->process({poll_item("hs", first), poll_item("hs", second)}));
  const std::string owner = decision("201").assignee_id;
  ASSERT_EQ(decision("201").assignee_kind, "rep");
  EXPECT_EQ(decision("202").assignee_id, owner);
  EXPECT_EQ(decision("202").route, "duplicates");

  // Not listed by the CRM at all (its search lags): the batch itself tells.
  auto third = make_lead("301", "2026-03-09T14:59:10Z");
  auto fourth = make_lead("302", "2026-03-09T14:59:20Z");
  fourth.lead.email = third.lead.email;
  ASSERT_TRUE(engine->process({poll_item("hs", third), poll_item("hs", fourth)}));
  EXPECT_EQ(decision("302").assignee_id, decision("301").assignee_id);
  EXPECT_EQ(decision("302").route, "duplicates");
}

TEST_F(EngineEnrichmentTest, AFailedDuplicateCheckStoresNothingAndTheRetryDecides) {
  connectors::CrmPerson existing;
  existing.id = "50";
  existing.object_type = "lead";
  existing.email = "buyer.101@acme.example";
  existing.owner_id = "r2";
  existing.created_at = ms_at("2026-01-01T00:00:00Z");
  crm.put_person(existing);
  crm.fail_next_find_people(Error::internal("HTTP 503"));
  auto lead = make_lead("101", "2026-03-09T14:59:00Z");
  auto failed = engine->process({poll_item("hs", lead, "v1:1:101")});
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("duplicate check"), std::string::npos);
  EXPECT_TRUE(store->decisions({.connector = "hs", .limit = 10}).value().empty());
  EXPECT_FALSE(store->cursor("hs").value().has_value());  // the lead will come again
  ASSERT_TRUE(engine->process({poll_item("hs", lead, "v1:1:101")}));
  EXPECT_EQ(decision("101").assignee_id, "r2");
}

TEST_F(EngineEnrichmentTest, ARefusedSearchSendsTheLeadToReviewAndTheBatchGoesOn) {
  crm.fail_next_find_people(Error{ErrorKind::kPermanent, "HTTP 400"});
  ASSERT_TRUE(engine->process({poll_item("hs", make_lead("101", "2026-03-09T14:59:00Z")),
                               poll_item("hs", make_lead("102", "2026-03-09T14:59:30Z"))}));
  EXPECT_EQ(decision("101").assignee_kind, "queue");
  EXPECT_EQ(decision("101").assignee_id, "duplicates-review");
  EXPECT_EQ(decision("102").assignee_kind, "rep");
}

TEST_F(EngineEnrichmentTest, RedeliveredLeadsCostNoCrmCall) {
  auto lead = make_lead("101", "2026-03-09T14:59:00Z");
  ASSERT_TRUE(engine->process({poll_item("hs", lead)}));
  // A failure queued for find_people is never reached: the store says decided.
  crm.fail_next_find_people(Error::internal("must not be called"));
  auto again = engine->process({poll_item("hs", lead)});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->duplicates, 1);
}

TEST_F(EngineEnrichmentTest, PreviewShowsTheEnrichment) {
  put_account("5001", "Initech", "initech.com", "r3");
  auto lead = make_lead("101", "2026-03-09T14:59:00Z");
  lead.lead.email = "peter@initech.com";
  auto preview = engine->preview("hs", lead.lead);
  ASSERT_TRUE(preview);
  ASSERT_TRUE(preview->enrichment.account);
  EXPECT_EQ(preview->enrichment.account->account_id, "5001");
  EXPECT_EQ(preview->assignee_id, "r3");
  EXPECT_TRUE(store->decisions({.connector = "hs", .limit = 10}).value().empty());
}

}  // namespace
}  // namespace leadrouter::sidecar
