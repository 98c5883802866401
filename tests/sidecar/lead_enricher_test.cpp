#include "sidecar/pipeline/lead_enricher.hpp"

#include <gtest/gtest.h>

#include "tests/sidecar/fake_crm_connector.hpp"
#include "tests/sidecar/pipeline_fixtures.hpp"

namespace leadrouter::sidecar {
namespace {

using testing::FakeClock;
using testing::FakeCrmConnector;
using testing::ms_at;
using testing::open_store;
using testing::TempDir;

connectors::CrmPerson person(std::string id, std::string object_type, std::string email,
                             std::string first, std::string last, std::string company,
                             std::string owner, std::string_view created) {
  connectors::CrmPerson p;
  p.id = std::move(id);
  p.object_type = std::move(object_type);
  p.email = std::move(email);
  p.first_name = std::move(first);
  p.last_name = std::move(last);
  p.company = std::move(company);
  p.owner_id = std::move(owner);
  p.created_at = ms_at(created);
  return p;
}

core::Lead new_lead() {
  core::Lead lead;
  lead.id = "900";
  lead.object_type = "contact";
  lead.email = "Ana.Lima@Acme.com";
  lead.first_name = "Ana";
  lead.last_name = "Lima";
  lead.company = "ACME, Inc.";
  lead.created_at = parse_iso8601("2026-03-09T14:00:00Z");
  return lead;
}

class LeadEnricherTest : public ::testing::Test {
 protected:
  LeadEnricherTest() : store_(open_store(dir_)) {}

  LeadEnricher enricher(DuplicatesConfig duplicates = {},
                        const AccountDirectory* accounts = nullptr) {
    return LeadEnricher(*store_, metrics_, accounts, duplicates, {"integration-user"});
  }

  TempDir dir_;
  std::unique_ptr<StateStore> store_;
  MetricsRegistry metrics_;
  FakeCrmConnector crm_{"hs"};
  core::FreeMailDomains free_mail_;
};

TEST_F(LeadEnricherTest, SameEmailFindsTheOldestRecordAndItsOwner) {
  crm_.put_person(person("300", "contact", "ana.lima@acme.com", "A", "L", "", "owner-b",
                         "2026-02-01T00:00:00Z"));
  crm_.put_person(person("200", "contact", "ANA.LIMA@acme.com", "A", "L", "", "owner-a",
                         "2026-01-01T00:00:00Z"));
  auto e = enricher().enrich(crm_, new_lead(), free_mail_);
  ASSERT_TRUE(e) << e.error().message;
  ASSERT_TRUE(e->duplicate);
  EXPECT_EQ(e->duplicate->record_id, "200");
  EXPECT_EQ(e->duplicate->object_type, "contact");
  EXPECT_EQ(e->duplicate->owner_id, "owner-a");
  EXPECT_EQ(e->duplicate->reason, "same email");
}

TEST_F(LeadEnricherTest, SameNameNeedsTheSameNormalizedCompany) {
  crm_.put_person(person("201", "lead", "other@elsewhere.com", "ana", "LIMA", "Globex", "o1",
                         "2026-01-01T00:00:00Z"));
  EXPECT_FALSE(enricher().enrich(crm_, new_lead(), free_mail_)->duplicate);
  crm_.put_person(person("202", "lead", "other@elsewhere.com", "ana", "LIMA", "Acme", "o2",
                         "2026-01-02T00:00:00Z"));
  auto e = enricher().enrich(crm_, new_lead(), free_mail_);
  ASSERT_TRUE(e->duplicate);
  EXPECT_EQ(e->duplicate->record_id, "202");
  EXPECT_EQ(e->duplicate->reason, "same name and company");
  EXPECT_EQ(e->duplicate->owner_id, "o2");
}

TEST_F(LeadEnricherTest, RulesCanBeSwitchedOff) {
  crm_.put_person(person("200", "contact", "ana.lima@acme.com", "Ana", "Lima", "Acme", "o1",
                         "2026-01-01T00:00:00Z"));
  DuplicatesConfig names_only;
  names_only.match_email = false;
  auto e = enricher(names_only).enrich(crm_, new_lead(), free_mail_);
  ASSERT_TRUE(e->duplicate);
  EXPECT_EQ(e->duplicate->reason, "same name and company");
  DuplicatesConfig email_only;
  email_only.match_name_company = false;
  EXPECT_EQ(enricher(email_only).enrich(crm_, new_lead(), free_mail_)->duplicate->reason,
            "same email");
  DuplicatesConfig off;
  off.enabled = false;
  crm_.fail_next_find_people(Error::internal("must not be called"));
  EXPECT_FALSE(enricher(off).enrich(crm_, new_lead(), free_mail_)->duplicate);
}

TEST_F(LeadEnricherTest, NewerRecordsAreNotWhatTheLeadDuplicates) {
  crm_.put_person(person("950", "contact", "ana.lima@acme.com", "Ana", "Lima", "", "o1",
                         "2026-03-09T15:00:00Z"));
  EXPECT_FALSE(enricher().enrich(crm_, new_lead(), free_mail_)->duplicate);
}

TEST_F(LeadEnricherTest, WithinTheLeadsSecondTheOlderIdIsTheOriginal) {
  // The lead's time has whole seconds (14:00:00); the CRM's has milliseconds.
  crm_.put_person(person("901", "contact", "ana.lima@acme.com", "Ana", "Lima", "", "o-new",
                         "2026-03-09T14:00:00.700Z"));
  EXPECT_FALSE(enricher().enrich(crm_, new_lead(), free_mail_)->duplicate);
  crm_.put_person(person("899", "contact", "ana.lima@acme.com", "Ana", "Lima", "", "o-old",
                         "2026-03-09T14:00:00.500Z"));
  auto e = enricher().enrich(crm_, new_lead(), free_mail_);
  ASSERT_TRUE(e->duplicate);
  EXPECT_EQ(e->duplicate->record_id, "899");
}

TEST_F(LeadEnricherTest, IntegrationUserIsNoOwnerButOurDecisionIs) {
  crm_.put_person(person("200", "contact", "ana.lima@acme.com", "Ana", "Lima", "",
                         "integration-user", "2026-01-01T00:00:00Z"));
  auto unowned = enricher().enrich(crm_, new_lead(), free_mail_);
  ASSERT_TRUE(unowned->duplicate);
  EXPECT_EQ(unowned->duplicate->owner_id, "");

  // We decided record 200 (its owner write may still be in the outbox).
  Commit commit;
  commit.connector = "hs";
  DecisionRow row;
  row.decision_id = "hs:200:1";
  row.connector = "hs";
  row.lead_id = "200";
  row.kind = "initial";
  row.source = "poll";
  row.mode = "live";
  row.assignee_kind = "rep";
  row.assignee_id = "rep-7";
  row.decision_json = "{}";
  row.lead_json = "{}";
  commit.decisions.push_back(row);
  ASSERT_TRUE(store_->commit(commit));
  auto ours = enricher().enrich(crm_, new_lead(), free_mail_);
  EXPECT_EQ(ours->duplicate->owner_id, "rep-7");
}

TEST_F(LeadEnricherTest, SalesforceContactsCompareByTheirAccountName) {
  FakeClock clock{"2026-03-09T15:00:00Z"};
  AccountsConfig config;
  AccountDirectory directory(*store_, metrics_,
                             std::make_shared<const matching::PublicSuffixList>(
                                 matching::PublicSuffixList::from_text("com\n")),
                             config, clock.fn());
  FakeCrmConnector sf{"sf"};
  connectors::CrmAccount account;
  account.id = "001A";
  account.name = "Acme Incorporated";
  account.owner_id = "005X";
  account.modified_at = ms_at("2026-01-01T00:00:00Z");
  sf.put_account(account);
  ASSERT_TRUE(directory.load("sf", nullptr));
  ASSERT_TRUE(directory.refresh(sf));
  auto contact = person("003A", "contact", "", "Ana", "Lima", "", "005X", "2026-01-02T00:00:00Z");
  contact.account_id = "001A";
  sf.put_person(contact);
  auto e = enricher({}, &directory).enrich(sf, new_lead(), free_mail_);
  ASSERT_TRUE(e);
  ASSERT_TRUE(e->duplicate);
  EXPECT_EQ(e->duplicate->record_id, "003A");
  EXPECT_EQ(e->duplicate->reason, "same name and company");
  ASSERT_TRUE(e->account);  // "ACME, Inc." ~ "Acme Incorporated" by name
  EXPECT_EQ(e->account->account_id, "001A");
  EXPECT_EQ(account_match_method(*e->account), "name");
}

TEST_F(LeadEnricherTest, ACrmFailureIsAnErrorNotAMissingDuplicate) {
  crm_.fail_next_find_people(Error::internal("HTTP 502"));
  auto e = enricher().enrich(crm_, new_lead(), free_mail_);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("duplicate check of lead 900 failed: HTTP 502"),
            std::string::npos);
  EXPECT_NE(metrics_.render().find(
                "leadrouter_duplicate_check_errors_total{connector=\"hs\",result=\"retried\"} 1"),
            std::string::npos);
}

TEST_F(LeadEnricherTest, ASearchTheCrmRefusesFlagsTheLeadInsteadOfBlockingTheRest) {
  crm_.fail_next_find_people(Error{ErrorKind::kPermanent, "HTTP 400 VALIDATION_ERROR"});
  auto e = enricher().enrich(crm_, new_lead(), free_mail_);
  ASSERT_TRUE(e);
  ASSERT_TRUE(e->duplicate);
  EXPECT_EQ(e->duplicate->owner_id, "");
  EXPECT_EQ(e->duplicate->reason,
            "not checked: the CRM refused the search (HTTP 400 VALIDATION_ERROR)");
  EXPECT_NE(metrics_.render().find(
                "leadrouter_duplicate_check_errors_total{connector=\"hs\",result=\"flagged\"} 1"),
            std::string::npos);
}

TEST_F(LeadEnricherTest, ALeadOfTheSameBatchGivesItsRep) {
  core::Lead first = new_lead();
  first.id = "800";
  core::Lead second = new_lead();
  second.email = "ana@acme.com";  // same name and company, other address
  const std::vector<BatchDecision> earlier = {{&first, "rep-1"}};

  core::Enrichment none;
  enricher().resolve_in_batch(second, earlier, none);
  ASSERT_TRUE(none.duplicate);
  EXPECT_EQ(none.duplicate->record_id, "800");
  EXPECT_EQ(none.duplicate->owner_id, "rep-1");
  EXPECT_EQ(none.duplicate->reason, "same name and company");

  // The CRM found the earlier lead, still unowned there.
  core::Enrichment found;
  found.duplicate = core::DuplicateMatch{"800", "contact", "", "same email"};
  enricher().resolve_in_batch(second, earlier, found);
  EXPECT_EQ(found.duplicate->owner_id, "rep-1");
  EXPECT_EQ(found.duplicate->reason, "same email");

  core::Lead stranger = new_lead();
  stranger.email = "bo@other.com";
  stranger.first_name = "Bo";
  core::Enrichment nothing;
  enricher().resolve_in_batch(stranger, earlier, nothing);
  EXPECT_FALSE(nothing.duplicate);
}

}  // namespace
}  // namespace leadrouter::sidecar
