#include "core/lead_facts.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace leadrouter::core {
namespace {

TEST(FreeMailDomainsTest, ParsesLinesSkippingCommentsAndBlanks) {
  const auto list =
      FreeMailDomains::from_text("# header\n\ngmail.com\n  GMX.de \r\n# x.com\nweb.de");
  EXPECT_EQ(list.size(), 3u);
  EXPECT_TRUE(list.contains("gmail.com"));
  EXPECT_TRUE(list.contains("gmx.de"));
  EXPECT_TRUE(list.contains("GMail.Com"));
  EXPECT_TRUE(list.contains("web.de"));
  EXPECT_FALSE(list.contains("x.com"));
  EXPECT_FALSE(list.contains("acme.com"));
}

TEST(FreeMailDomainsTest, AddExtendsTheList) {
  auto list = FreeMailDomains::from_text("gmail.com\n");
  list.add(" Corp-Mail.example ");
  list.add("");
  EXPECT_EQ(list.size(), 2u);
  EXPECT_TRUE(list.contains("corp-mail.example"));
}

TEST(FreeMailDomainsTest, VendoredListHasTheBigProviders) {
  std::ifstream in(std::string(LEADROUTER_SOURCE_DIR) + "/data/free-email-domains.txt");
  ASSERT_TRUE(in) << "data/free-email-domains.txt missing";
  std::stringstream text;
  text << in.rdbuf();
  const auto list = FreeMailDomains::from_text(text.str());
  EXPECT_GT(list.size(), 10000u);
  for (const char* d : {"gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com",
                        "gmx.de", "web.de", "yahoo.co.uk", "aol.com", "protonmail.com"}) {
    EXPECT_TRUE(list.contains(d)) << d;
  }
  for (const char* d : {"acme.com", "salesforce.com", "siemens.de"}) {
    EXPECT_FALSE(list.contains(d)) << d;
  }
}

TEST(NormalizeCompanyNameTest, FoldsCasePunctuationAndLegalSuffixes) {
  EXPECT_EQ(normalize_company_name("ACME, Inc."), "acme");
  EXPECT_EQ(normalize_company_name("Acme Corp"), "acme");
  EXPECT_EQ(normalize_company_name("Acme Corporation"), "acme");
  EXPECT_EQ(normalize_company_name("Acme LLC"), "acme");
  EXPECT_EQ(normalize_company_name("Acme L.L.C."), "acme");
  EXPECT_EQ(normalize_company_name("Acme Ltd."), "acme");
  EXPECT_EQ(normalize_company_name("Acme Limited"), "acme");
  EXPECT_EQ(normalize_company_name("Acme GmbH"), "acme");
  EXPECT_EQ(normalize_company_name("Acme GmbH & Co. KG"), "acme");
  EXPECT_EQ(normalize_company_name("Acme S.A."), "acme");
  EXPECT_EQ(normalize_company_name("Acme SARL"), "acme");
  EXPECT_EQ(normalize_company_name("Acme AG"), "acme");
  EXPECT_EQ(normalize_company_name("Acme PLC"), "acme");
  EXPECT_EQ(normalize_company_name("Acme Co."), "acme");
  EXPECT_EQ(normalize_company_name("Acme B.V."), "acme");
  EXPECT_EQ(normalize_company_name("Acme Pty Ltd"), "acme");
  EXPECT_EQ(normalize_company_name("Acme Co., Ltd."), "acme");
}

TEST(NormalizeCompanyNameTest, KeepsTheNameItself) {
  EXPECT_EQ(normalize_company_name("The Home Depot"), "home depot");
  EXPECT_EQ(normalize_company_name("Johnson & Johnson"), "johnson and johnson");
  EXPECT_EQ(normalize_company_name("Johnson and Johnson Inc"), "johnson and johnson");
  EXPECT_EQ(normalize_company_name("McDonald's"), "mcdonalds");
  EXPECT_EQ(normalize_company_name("McDonald\xE2\x80\x99s Corp"), "mcdonalds");
  EXPECT_EQ(normalize_company_name("J.P. Morgan Chase & Co."), "jp morgan chase");
  EXPECT_EQ(normalize_company_name("Booking.com"), "booking com");
  EXPECT_EQ(normalize_company_name("  Müller   Werke  GmbH "), "müller werke");
  // A name that is only a legal form stays, rather than becoming empty.
  EXPECT_EQ(normalize_company_name("Company"), "company");
  EXPECT_EQ(normalize_company_name(""), "");
  EXPECT_EQ(normalize_company_name("  ,. "), "");
}

TEST(WebsiteToDomainTest, StripsSchemeWwwPortPathAndCase) {
  EXPECT_EQ(website_to_domain("https://www.Example.co.uk/about?x"), "example.co.uk");
  EXPECT_EQ(website_to_domain("http://acme.com:8080/"), "acme.com");
  EXPECT_EQ(website_to_domain("www.acme.com"), "acme.com");
  EXPECT_EQ(website_to_domain("acme.com"), "acme.com");
  EXPECT_EQ(website_to_domain("  //cdn.acme.io#top "), "cdn.acme.io");
  EXPECT_EQ(website_to_domain("https://user:pw@shop.acme.de/x"), "shop.acme.de");
  EXPECT_EQ(website_to_domain("ACME.COM."), "acme.com");
}

TEST(WebsiteToDomainTest, RejectsWhatIsNotAHostName) {
  EXPECT_EQ(website_to_domain(""), "");
  EXPECT_EQ(website_to_domain("n/a"), "");
  EXPECT_EQ(website_to_domain("localhost"), "");
  EXPECT_EQ(website_to_domain("acme..com"), "");
  EXPECT_EQ(website_to_domain("acme com"), "");
  EXPECT_EQ(website_to_domain("-acme.com"), "");
}

TEST(DeriveFactsTest, CorporateEmail) {
  Lead lead;
  lead.email = "  Ana.Lima@ACME.com ";
  lead.company = "Acme GmbH";
  lead.website = "https://www.acme.com";
  const auto facts = derive_facts(lead, FreeMailDomains::from_text("gmail.com"));
  EXPECT_EQ(facts.email_domain, "acme.com");
  EXPECT_FALSE(facts.is_free_mail);
  EXPECT_EQ(facts.company_normalized, "acme");
  EXPECT_EQ(facts.website_domain, "acme.com");
}

TEST(DeriveFactsTest, FreeMail) {
  Lead lead;
  lead.email = "someone@GMail.com";
  const auto facts = derive_facts(lead, FreeMailDomains::from_text("gmail.com"));
  EXPECT_EQ(facts.email_domain, "gmail.com");
  EXPECT_TRUE(facts.is_free_mail);
}

TEST(DeriveFactsTest, DisplayNameForm) {
  Lead lead;
  lead.email = "Ana Lima <ana@acme.com>";
  EXPECT_EQ(derive_facts(lead, {}).email_domain, "acme.com");
}

TEST(DeriveFactsTest, InvalidEmailsGiveNoDomain) {
  for (const char* email :
       {"", "no-at-sign", "@acme.com", "ana@", "ana@localhost", "ana@acme..com", "ana@ac me.com"}) {
    Lead lead;
    lead.email = email;
    const auto facts = derive_facts(lead, FreeMailDomains::from_text("gmail.com"));
    EXPECT_EQ(facts.email_domain, "") << email;
    EXPECT_FALSE(facts.is_free_mail) << email;
  }
}

}  // namespace
}  // namespace leadrouter::core
