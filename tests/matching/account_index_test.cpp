#include "core/matching/account_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <thread>

namespace leadrouter::matching {
namespace {

constexpr std::string_view kList = R"(com
uk
co.uk
de
au
com.au
// ===BEGIN PRIVATE DOMAINS===
myshopify.com
)";

Timestamp at(const char* iso) {
  return *parse_iso8601(iso);
}

class AccountIndexTest : public ::testing::Test {
 protected:
  AccountIndexTest()
      : index_(std::make_shared<const PublicSuffixList>(PublicSuffixList::from_text(kList)),
               std::make_shared<const core::FreeMailDomains>(
                   core::FreeMailDomains::from_text("gmail.com\nyahoo.co.uk\n"))) {}

  void add(IndexedAccount account) {
    const auto added = index_.add(std::move(account));
    ASSERT_TRUE(added) << added.error().message;
  }

  std::optional<core::AccountMatch> match(const core::Lead& lead,
                                          const MatchOptions& options = {}) {
    const auto free_mail = core::FreeMailDomains::from_text("gmail.com\nyahoo.co.uk\n");
    return index_.match(lead, core::derive_facts(lead, free_mail), options);
  }

  static core::Lead lead(std::string email, std::string company, std::string website = "") {
    core::Lead l;
    l.email = std::move(email);
    l.company = std::move(company);
    l.website = std::move(website);
    return l;
  }

  AccountIndex index_;
};

TEST_F(AccountIndexTest, MatchesTheRegistrableDomainOfACorporateEmail) {
  add({.id = "A1", .name = "Acme Ltd", .domain = "acme.co.uk", .owner_id = "U1"});
  const auto m = match(lead("ana@sales.acme.co.uk", ""));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->account_id, "A1");
  EXPECT_EQ(m->account_name, "Acme Ltd");
  EXPECT_EQ(m->owner_id, "U1");
  EXPECT_DOUBLE_EQ(m->confidence, 0.95);
  EXPECT_EQ(m->reason, "email domain acme.co.uk");
}

TEST_F(AccountIndexTest, AccountWebsitesAreIndexedLikeDomains) {
  add({.id = "A1", .name = "Acme", .website = "https://www.Acme.com.au/en/?ref=1"});
  const auto m = match(lead("bo@acme.com.au", "Someone Else"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->account_id, "A1");
  EXPECT_EQ(m->reason, "email domain acme.com.au");
}

TEST_F(AccountIndexTest, FreeMailNeverMatchesByDomain) {
  add({.id = "A1", .name = "Gmail Fan Club", .domain = "gmail.com"});
  add({.id = "A2", .name = "Yahoo Users", .domain = "yahoo.co.uk"});
  EXPECT_FALSE(match(lead("x@gmail.com", "")));
  EXPECT_FALSE(match(lead("x@yahoo.co.uk", "")));
  EXPECT_FALSE(match(lead("x@example.org", "", "https://gmail.com")));
  EXPECT_EQ(index_.domain_key("mail.gmail.com"), "");
  EXPECT_EQ(index_.domain_key("https://www.acme.co.uk/about"), "acme.co.uk");
  EXPECT_EQ(index_.domain_key("co.uk"), "");
}

TEST_F(AccountIndexTest, FreeMailLeadStillMatchesByWebsiteOrName) {
  add({.id = "A1", .name = "Globex Corporation", .domain = "globex.com"});
  auto m = match(lead("hank@gmail.com", "", "http://shop.globex.com/path"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->reason, "website globex.com");
  EXPECT_DOUBLE_EQ(m->confidence, 0.9);

  m = match(lead("hank@gmail.com", "GLOBEX CORP."));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->account_id, "A1");
  EXPECT_EQ(m->reason, "name 'Globex Corporation' ~ 'GLOBEX CORP.' (1.00)");
  EXPECT_DOUBLE_EQ(m->confidence, 0.85);
}

TEST_F(AccountIndexTest, EmailDomainComesBeforeWebsiteAndName) {
  add({.id = "A1", .name = "Initech", .domain = "initech.com"});
  add({.id = "A2", .name = "Umbrella", .domain = "umbrella.com"});
  const auto m = match(lead("p@initech.com", "Umbrella", "umbrella.com"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->account_id, "A1");
  MatchOptions no_email;
  no_email.use_email_domain = false;
  EXPECT_EQ(match(lead("p@initech.com", "Umbrella", "umbrella.com"), no_email)->account_id, "A2");
  MatchOptions names_only;
  names_only.use_email_domain = false;
  names_only.use_website = false;
  EXPECT_EQ(match(lead("p@initech.com", "Initech", "umbrella.com"), names_only)->account_id, "A1");
}

TEST_F(AccountIndexTest, SubsidiaryDoesNotMatchTheParentByName) {
  add({.id = "P", .name = "Acme Corp", .domain = "acme.com"});
  add({.id = "X", .name = "Zenith Paper", .domain = "zenith.com"});
  EXPECT_FALSE(match(lead("a@gmail.com", "Acme Holdings")));
  EXPECT_FALSE(match(lead("a@gmail.com", "Acme Labs GmbH")));
  // With the parent's domain it is the parent's lead.
  EXPECT_EQ(match(lead("a@acme.com", "Acme Holdings"))->account_id, "P");
  EXPECT_EQ(match(lead("a@gmail.com", "ACME Corporation"))->account_id, "P");
}

TEST_F(AccountIndexTest, NearMissNamesDoNotMatch) {
  add({.id = "A", .name = "Acme Inc"});
  add({.id = "B", .name = "Apex Holdings"});
  EXPECT_FALSE(match(lead("", "Acne Inc")));
  EXPECT_FALSE(match(lead("", "Acme Foods")));
  EXPECT_FALSE(match(lead("", "Summit Holdings")));
  EXPECT_FALSE(match(lead("", "Apex")));
}

TEST_F(AccountIndexTest, TyposInLongWordsAndUnknownWordsAreFound) {
  add({.id = "N", .name = "Northwind Traders Ltd"});
  add({.id = "C", .name = "Contoso Pharmaceuticals"});
  const auto m = match(lead("", "Nortwhind Traders"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->account_id, "N");
  EXPECT_GT(m->confidence, 0.8);
  EXPECT_LT(m->confidence, 0.85);
  EXPECT_EQ(match(lead("", "Contoso Pharma"))->account_id, "C");
  EXPECT_EQ(match(lead("", "Contosso Pharmaceutical"))->account_id, "C");
}

TEST_F(AccountIndexTest, SeveralAccountsOnADomainArePickedByNameThenTieBreakers) {
  add({.id = "P",
       .name = "Acme Corp",
       .domain = "acme.com",
       .owner_id = "U1",
       .last_activity_at = at("2026-01-01T00:00:00Z"),
       .size = 5000});
  add({.id = "L",
       .name = "Acme Labs",
       .domain = "acme.com",
       .owner_id = "U2",
       .last_activity_at = at("2026-03-01T00:00:00Z"),
       .size = 40});
  auto m = match(lead("a@acme.com", "Acme Laboratories"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->account_id, "L");
  EXPECT_EQ(m->reason, "email domain acme.com and name (1.00), 1 of 2 accounts on the domain");

  // No name to go by: most recent activity (owners both active).
  m = match(lead("a@acme.com", ""));
  EXPECT_EQ(m->account_id, "L");
  EXPECT_EQ(m->reason, "email domain acme.com, 1 of 2 accounts, by most recent activity");

  MatchOptions largest;
  largest.tie_breakers = {TieBreaker::kLargest, TieBreaker::kMostRecentActivity};
  m = match(lead("a@acme.com", ""), largest);
  EXPECT_EQ(m->account_id, "P");
  EXPECT_EQ(m->reason, "email domain acme.com, 1 of 2 accounts, by largest");
}

TEST_F(AccountIndexTest, AnInactiveOwnerLosesATie) {
  add({.id = "A", .name = "Acme", .owner_id = "U1", .owner_active = false, .size = 100});
  add({.id = "B", .name = "ACME Inc.", .owner_id = "U2", .owner_active = true, .size = 1});
  const auto m = match(lead("", "acme"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->account_id, "B");
  EXPECT_EQ(m->reason,
            "name 'ACME Inc.' ~ 'acme' (1.00), 1 of 2 similar accounts, by owner active");
  MatchOptions no_tie_breakers;
  no_tie_breakers.tie_breakers.clear();
  EXPECT_EQ(match(lead("", "acme"), no_tie_breakers)->account_id, "A");  // by id
}

TEST_F(AccountIndexTest, ThresholdIsAnOption) {
  add({.id = "A", .name = "Acme Group"});
  EXPECT_FALSE(match(lead("", "Acme")));
  MatchOptions loose;
  loose.min_name_similarity = 0.5;
  EXPECT_EQ(match(lead("", "Acme"), loose)->account_id, "A");
  MatchOptions names_off;
  names_off.use_name = false;
  EXPECT_FALSE(match(lead("", "Acme Group"), names_off));
}

TEST_F(AccountIndexTest, UpdatesAndRemovalsAreIncremental) {
  add({.id = "A", .name = "Acme", .domain = "acme.com", .owner_id = "U1"});
  EXPECT_EQ(index_.size(), 1u);
  EXPECT_FALSE(index_.add({.id = "A", .name = "Other"}));
  EXPECT_FALSE(index_.add({.id = "", .name = "No id"}));
  EXPECT_EQ(index_.update({.id = "Z", .name = "Missing"}).error().kind, ErrorKind::kNotFound);

  ASSERT_TRUE(
      index_.update({.id = "A", .name = "Acme Rebranded", .domain = "acme.io", .owner_id = "U2"}));
  EXPECT_EQ(index_.size(), 1u);
  EXPECT_FALSE(match(lead("a@acme.com", "")));
  EXPECT_FALSE(match(lead("", "Acme")));
  auto m = match(lead("a@acme.io", ""));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->owner_id, "U2");
  EXPECT_EQ(match(lead("", "Acme Rebranded"))->account_id, "A");
  EXPECT_EQ(index_.find("A")->name, "Acme Rebranded");

  ASSERT_TRUE(index_.upsert({.id = "B", .name = "Beta", .domain = "beta.com"}));
  EXPECT_EQ(index_.size(), 2u);
  EXPECT_TRUE(index_.remove("A"));
  EXPECT_FALSE(index_.remove("A"));
  EXPECT_EQ(index_.find("A"), nullptr);
  EXPECT_FALSE(match(lead("a@acme.io", "Acme Rebranded")));
  EXPECT_EQ(match(lead("b@beta.com", ""))->account_id, "B");

  // A freed slot is reused without leaking the old account's words.
  ASSERT_TRUE(index_.add({.id = "C", .name = "Gamma", .domain = "gamma.com"}));
  EXPECT_FALSE(match(lead("", "Acme Rebranded")));
  EXPECT_EQ(match(lead("", "Gamma"))->account_id, "C");
}

TEST_F(AccountIndexTest, CompactNamesMeet) {
  add({.id = "S", .name = "Salesforce, Inc.", .domain = "salesforce.com"});
  const auto m = match(lead("x@gmail.com", "Sales Force"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->account_id, "S");
}

TEST_F(AccountIndexTest, AcronymsMatchOnlyAUniqueAccount) {
  add({.id = "I", .name = "International Business Machines Corp"});
  add({.id = "T", .name = "TCS"});
  add({.id = "C1", .name = "Cedar Point Capital"});
  add({.id = "C2", .name = "Coastal Pacific Credit"});
  auto m = match(lead("", "IBM"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->account_id, "I");
  EXPECT_EQ(m->reason, "name 'International Business Machines Corp' ~ 'IBM' (acronym)");
  EXPECT_DOUBLE_EQ(m->confidence, 0.85 * 0.9);
  EXPECT_EQ(match(lead("", "Tata Consultancy Services"))->account_id, "T");
  EXPECT_FALSE(match(lead("", "CPC")));  // two accounts have these initials
  MatchOptions no_acronyms;
  no_acronyms.use_acronyms = false;
  EXPECT_FALSE(match(lead("", "IBM"), no_acronyms));
  ASSERT_TRUE(index_.remove("C2"));
  EXPECT_EQ(match(lead("", "CPC"))->account_id, "C1");
}

TEST_F(AccountIndexTest, ManyAccountsSharingWordsStillFindTheRightOne) {
  // Common words have long posting lists; the rare word picks the candidates.
  for (int i = 0; i < 2000; ++i) {
    add({.id = "G" + std::to_string(i), .name = "Global Solutions Group " + std::to_string(i)});
  }
  add({.id = "Q", .name = "Quixotic Global Solutions Group"});
  EXPECT_EQ(match(lead("", "Quixotic Global Solutions Group LLC"))->account_id, "Q");
  EXPECT_EQ(match(lead("", "Quixotik Global Solutions Group"))->account_id, "Q");
  EXPECT_EQ(match(lead("", "Global Solutions Group 1234"))->account_id, "G1234");
  EXPECT_FALSE(match(lead("", "Global Solutions Group")));
}

// The same accounts in any order, or updated in place, give the same matches:
// weights depend on counts only and ties end at the account id.
TEST(AccountIndexDeterminismTest, InsertionOrderDoesNotChangeMatches) {
  const auto suffixes =
      std::make_shared<const PublicSuffixList>(PublicSuffixList::from_text(kList));
  std::vector<IndexedAccount> accounts;
  const char* names[] = {"Acme",         "ACME Inc.",
                         "Acme Foods",   "Northwind Traders",
                         "Northwind",    "Globex Logistics",
                         "Globex",       "Initech",
                         "Initech Labs", "Hooli"};
  for (int i = 0; i < 10; ++i) {
    accounts.push_back({.id = "A" + std::to_string(i),
                        .name = names[i],
                        .domain = i % 3 == 0 ? "shared.com" : "",
                        .owner_active = i % 4 != 1,
                        .size = static_cast<double>(i % 2)});
  }
  AccountIndex forward(suffixes);
  for (const auto& a : accounts) {
    ASSERT_TRUE(forward.add(a));
  }
  AccountIndex shuffled(suffixes);
  std::vector<IndexedAccount> order = accounts;
  std::mt19937 rng(3);
  std::shuffle(order.begin(), order.end(), rng);
  for (auto a : order) {
    a.name = "placeholder " + a.id;
    ASSERT_TRUE(shuffled.add(a));
  }
  for (const auto& a : order) {
    ASSERT_TRUE(shuffled.update(a));  // the real names, in place
  }
  const core::FreeMailDomains no_free_mail;
  for (const char* company : {"acme", "Acme Corp", "Northwind", "Nortwhind Traders", "Globex",
                              "Initech Laboratories", "Hooli", "Nothing Like It", ""}) {
    for (const char* email : {"x@shared.com", "x@other.com"}) {
      core::Lead lead;
      lead.email = email;
      lead.company = company;
      const auto facts = core::derive_facts(lead, no_free_mail);
      const auto a = forward.match(lead, facts);
      const auto b = shuffled.match(lead, facts);
      ASSERT_EQ(a.has_value(), b.has_value()) << company << " " << email;
      if (a) {
        EXPECT_EQ(a->account_id, b->account_id) << company << " " << email;
        EXPECT_EQ(a->reason, b->reason);
        EXPECT_DOUBLE_EQ(a->confidence, b->confidence);
      }
    }
  }
}

TEST(AccountIndexConcurrencyTest, ConstMatchesFromManyThreadsAgree) {
  AccountIndex index(std::make_shared<const PublicSuffixList>(PublicSuffixList::from_text(kList)));
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(index.add({.id = "A" + std::to_string(i),
                           .name = "Company " + std::to_string(i) + " Analytics",
                           .domain = "c" + std::to_string(i) + ".com"}));
  }
  const core::FreeMailDomains no_free_mail;
  auto run = [&](std::vector<std::string>& out) {
    for (int i = 0; i < 500; ++i) {
      core::Lead lead;
      lead.email = i % 2 == 0 ? "x@c" + std::to_string(i) + ".com" : "";
      lead.company = "Company " + std::to_string(i) + " Analytcis";
      const auto m = index.match(lead, core::derive_facts(lead, no_free_mail));
      out.push_back(m ? m->account_id + " " + m->reason : "none");
    }
  };
  std::vector<std::vector<std::string>> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) {
    threads.emplace_back(run, std::ref(r));
  }
  for (auto& t : threads) {
    t.join();
  }
  for (const auto& r : results) {
    EXPECT_EQ(r, results[0]);
  }
  EXPECT_EQ(results[0][1], "A1 name 'Company 1 Analytics' ~ 'Company 1 Analytcis' (0.98)");
  EXPECT_EQ(results[0][2], "A2 email domain c2.com");
}

}  // namespace
}  // namespace leadrouter::matching
