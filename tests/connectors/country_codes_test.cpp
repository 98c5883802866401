#include "connectors/country_codes.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "connectors/field_mapping.hpp"

namespace leadrouter::connectors {
namespace {

TEST(CountryCodes, Alpha2IsUppercasedAndAlpha3Mapped) {
  EXPECT_EQ(normalize_country("US"), "US");
  EXPECT_EQ(normalize_country("de"), "DE");
  EXPECT_EQ(normalize_country(" gb "), "GB");
  EXPECT_EQ(normalize_country("DEU"), "DE");
  EXPECT_EQ(normalize_country("usa"), "US");
  EXPECT_EQ(normalize_country("FRA"), "FR");
  EXPECT_EQ(normalize_country("CAN"), "CA");
}

TEST(CountryCodes, EnglishNamesFromIsoCodes) {
  EXPECT_EQ(normalize_country("United States"), "US");
  EXPECT_EQ(normalize_country("United Kingdom"), "GB");
  EXPECT_EQ(normalize_country("Germany"), "DE");
  EXPECT_EQ(normalize_country("France"), "FR");
  EXPECT_EQ(normalize_country("Canada"), "CA");
  EXPECT_EQ(normalize_country("Netherlands"), "NL");
  EXPECT_EQ(normalize_country("Finland"), "FI");
  // Official and common names, and the "Name, qualifier" form turned round.
  EXPECT_EQ(normalize_country("United Kingdom of Great Britain and Northern Ireland"), "GB");
  EXPECT_EQ(normalize_country("Korea, Republic of"), "KR");
  EXPECT_EQ(normalize_country("South Korea"), "KR");
  EXPECT_EQ(normalize_country("Korea, Democratic People's Republic of"), "KP");
  EXPECT_EQ(normalize_country("North Korea"), "KP");
  EXPECT_EQ(normalize_country("Iran, Islamic Republic of"), "IR");
  EXPECT_EQ(normalize_country("Plurinational State of Bolivia"), "BO");
  EXPECT_EQ(normalize_country("Holy See"), "VA");
  EXPECT_EQ(normalize_country("Czechia"), "CZ");
}

TEST(CountryCodes, CaseAccentsAndPunctuationDoNotMatter) {
  EXPECT_EQ(normalize_country("UNITED STATES"), "US");
  EXPECT_EQ(normalize_country("united-states"), "US");
  EXPECT_EQ(normalize_country("U.S.A."), "US");
  EXPECT_EQ(normalize_country("Côte d'Ivoire"), "CI");
  EXPECT_EQ(normalize_country("Cote d\u2019Ivoire"), "CI");
  EXPECT_EQ(normalize_country("Türkiye"), "TR");
  EXPECT_EQ(normalize_country("Åland Islands"), "AX");
  EXPECT_EQ(normalize_country("Österreich"), "AT");
  EXPECT_EQ(normalize_country("The Netherlands"), "NL");
  EXPECT_EQ(normalize_country("the gambia"), "GM");
}

TEST(CountryCodes, FrequentVariants) {
  EXPECT_EQ(normalize_country("USA"), "US");
  EXPECT_EQ(normalize_country("United States of America"), "US");
  EXPECT_EQ(normalize_country("UK"), "GB");
  EXPECT_EQ(normalize_country("Great Britain"), "GB");
  EXPECT_EQ(normalize_country("England"), "GB");
  EXPECT_EQ(normalize_country("Deutschland"), "DE");
  EXPECT_EQ(normalize_country("Holland"), "NL");
  EXPECT_EQ(normalize_country("Russia"), "RU");
  EXPECT_EQ(normalize_country("Vietnam"), "VN");
  EXPECT_EQ(normalize_country("Czech Republic"), "CZ");
  EXPECT_EQ(normalize_country("Turkey"), "TR");
  EXPECT_EQ(normalize_country("UAE"), "AE");
  EXPECT_EQ(normalize_country("Ivory Coast"), "CI");
}

TEST(CountryCodes, UnknownValuesAreKeptTrimmed) {
  EXPECT_EQ(normalize_country("Atlantis"), "Atlantis");
  EXPECT_EQ(normalize_country("  Middle-earth "), "Middle-earth");
  EXPECT_EQ(normalize_country("XX"), "XX");
  EXPECT_EQ(normalize_country("zz"), "zz");
  EXPECT_EQ(normalize_country(""), "");
  // Ambiguous without a qualifier: both Congos and both Virgin Islands exist.
  EXPECT_EQ(normalize_country("Virgin Islands"), "Virgin Islands");
  EXPECT_EQ(normalize_country("Congo"), "CG");  // iso-codes' short name of CG
}

TEST(CountryCodes, KeyFoldsLikeTheGenerator) {
  EXPECT_EQ(country_key("Korea, Republic of"), "korearepublicof");
  EXPECT_EQ(country_key("The Bahamas"), "bahamas");
  EXPECT_EQ(country_key("Thailand"), "thailand");
  EXPECT_EQ(country_key("Curaçao"), "curacao");
  EXPECT_EQ(country_key("Straße"), "strasse");
  EXPECT_EQ(country_key("Æ×"), "ae");
  // Other scripts are kept byte for byte, so they never collide with ASCII keys.
  EXPECT_EQ(country_key("日本"), "日本");
}

TEST(CountryCodes, BothConnectorsMappingsNormalize) {
  const auto hubspot = FieldMapping::hubspot_defaults().to_lead({{"country", "United Kingdom"}});
  EXPECT_EQ(hubspot.country, "GB");
  const auto salesforce = FieldMapping::salesforce_defaults().to_lead({{"Country", "Germany"}});
  EXPECT_EQ(salesforce.country, "DE");
  const auto unknown = FieldMapping::hubspot_defaults().to_lead({{"country", "Mars"}});
  EXPECT_EQ(unknown.country, "Mars");
}

}  // namespace
}  // namespace leadrouter::connectors
