#include "core/matching/company_name.hpp"

#include <gtest/gtest.h>

namespace leadrouter::matching {
namespace {

std::string norm(std::string_view name) {
  return normalize_company(name).normalized;
}

TEST(FoldDiacriticsTest, FoldsLatinLettersToAscii) {
  EXPECT_EQ(fold_diacritics("Société Générale"), "Societe Generale");
  EXPECT_EQ(fold_diacritics("Müller Straße"), "Muller Strasse");
  EXPECT_EQ(fold_diacritics("ÆØÅ æøå"), "AEOA aeoa");
  EXPECT_EQ(fold_diacritics("Łódź Škoda Čapek Őrség"), "Lodz Skoda Capek Orseg");
  EXPECT_EQ(fold_diacritics("Œuvre"), "OEuvre");
  EXPECT_EQ(fold_diacritics("Ñandú Çelik Þór"), "Nandu Celik THor");
  EXPECT_EQ(fold_diacritics("McDonald\u2019s \u2013 Nord\u00A0AG"), "McDonald's - Nord AG");
  // Other scripts pass through untouched.
  EXPECT_EQ(fold_diacritics("トヨタ Αθήνα"), "トヨタ Αθήνα");
  EXPECT_EQ(fold_diacritics("plain ascii"), "plain ascii");
}

TEST(NormalizeCompanyTest, RemovesLegalFormsFromTheEnd) {
  for (const char* name : {"Acme",
                           "ACME, Inc.",
                           "Acme Inc",
                           "Acme LLC",
                           "Acme L.L.C.",
                           "Acme Ltd",
                           "Acme Limited",
                           "Acme GmbH",
                           "Acme AG",
                           "Acme S.A.",
                           "Acme SA",
                           "Acme S.A.S.",
                           "Acme SAS",
                           "Acme SARL",
                           "Acme BV",
                           "Acme B.V.",
                           "Acme NV",
                           "Acme Pty Ltd",
                           "Acme PLC",
                           "Acme Corp",
                           "Acme Corporation",
                           "Acme Co.",
                           "Acme Company",
                           "Acme KG",
                           "Acme Oy",
                           "Acme AB",
                           "Acme AS",
                           "Acme SpA",
                           "Acme S.p.A.",
                           "Acme S.r.l.",
                           "Acme GmbH & Co. KG",
                           "Acme S.A. de C.V.",
                           "Acme Sp. z o.o.",
                           "The Acme Company",
                           "acme",
                           "  ACME  "}) {
    EXPECT_EQ(norm(name), "acme") << name;
  }
}

TEST(NormalizeCompanyTest, KeepsAWholeNameThatLooksLikeALegalForm) {
  EXPECT_EQ(norm("Company"), "company");
  EXPECT_EQ(norm("AG"), "ag");
  EXPECT_EQ(norm(""), "");
  EXPECT_EQ(norm("..., "), "");
}

TEST(NormalizeCompanyTest, FoldsPunctuationAmpersandAccentsAndAbbreviations) {
  EXPECT_EQ(norm("Johnson & Johnson"), "johnson and johnson");
  EXPECT_EQ(norm("Johnson and Johnson"), "johnson and johnson");
  EXPECT_EQ(norm("Société Générale S.A."), "societe generale");
  EXPECT_EQ(norm("Nestlé S.A."), "nestle");
  EXPECT_EQ(norm("Acme Int'l"), "acme international");
  EXPECT_EQ(norm("Acme Intl."), "acme international");
  EXPECT_EQ(norm("Acme Mfg. Co."), "acme manufacturing");
  EXPECT_EQ(norm("Acme Tech"), "acme technology");
  EXPECT_EQ(norm("Acme Technologies"), "acme technology");
  EXPECT_EQ(norm("Acme Hldgs"), "acme holding");
  EXPECT_EQ(norm("McDonald\u2019s Corp."), norm("McDonalds"));
  EXPECT_EQ(norm("Hewlett-Packard"), "hewlett packard");
}

TEST(NormalizeCompanyTest, FoldsPluralsOnBothSides) {
  EXPECT_EQ(norm("Acme Foods"), norm("Acme Food"));
  EXPECT_EQ(norm("Delivery Heroes"), "delivery hero");
  EXPECT_EQ(norm("Stark Industries"), "stark industry");
  EXPECT_EQ(norm("Acme Boxes"), "acme box");
  // Not plurals.
  EXPECT_EQ(norm("Genesis Access Genius"), "genesis access genius");
}

TEST(NormalizeCompanyTest, KeepsDotsThatAreNotWebAddresses) {
  EXPECT_EQ(norm("Node.js Foundation"), "node js foundation");
  EXPECT_EQ(norm("Booking.com B.V."), "booking");
  EXPECT_EQ(norm("Comcast"), "comcast");
}

TEST(NormalizeCompanyTest, AcronymNeedsThreeWords) {
  EXPECT_EQ(normalize_company("International Business Machines Corp").acronym, "ibm");
  EXPECT_EQ(normalize_company("Commonwealth Bank of Australia").acronym, "cba");
  EXPECT_EQ(normalize_company("Acme Foods").acronym, "");
}

TEST(NormalizeCompanyTest, CompactJoinsTheWords) {
  const CompanyName a = normalize_company("Sales Force, Inc.");
  const CompanyName b = normalize_company("SalesForce");
  EXPECT_EQ(a.tokens, (std::vector<std::string>{"sale", "force"}));
  EXPECT_EQ(a.compact, "salesforce");
  EXPECT_EQ(b.compact, "salesforce");
}

TEST(NormalizeCompanyTest, DistinguishingWordsStay) {
  EXPECT_EQ(norm("Acme Holdings Ltd"), "acme holding");
  EXPECT_EQ(norm("Acme Labs GmbH"), "acme laboratory");
  EXPECT_EQ(norm("Acme Group"), "acme group");
}

}  // namespace
}  // namespace leadrouter::matching
