#include "core/matching/public_suffix.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace leadrouter::matching {
namespace {

// A small list in the real file's format: both sections, a wildcard with an
// exception, a comment after a rule.
constexpr std::string_view kList = R"(// ===BEGIN ICANN DOMAINS===
com
uk
co.uk
au
com.au
jp
co.jp
*.kawasaki.jp
!city.kawasaki.jp
*.ck
!www.ck
// ===END ICANN DOMAINS===
// ===BEGIN PRIVATE DOMAINS===
github.io  trailing text is ignored
MyShopify.com
// ===END PRIVATE DOMAINS===
)";

TEST(PublicSuffixListTest, ParsesRulesWildcardsAndExceptions) {
  const auto list = PublicSuffixList::from_text(kList);
  EXPECT_EQ(list.size(), 13u);
  EXPECT_EQ(list.public_suffix("shop.acme.co.uk"), "co.uk");
  EXPECT_EQ(list.public_suffix("acme.com"), "com");
  EXPECT_EQ(list.public_suffix("a.b.kawasaki.jp"), "b.kawasaki.jp");
  EXPECT_EQ(list.public_suffix("www.city.kawasaki.jp"), "kawasaki.jp");
  EXPECT_EQ(list.public_suffix("acme.gov.ck"), "gov.ck");
  EXPECT_EQ(list.public_suffix("www.ck"), "ck");
  // No rule: the implicit "*" rule makes the last label the suffix.
  EXPECT_EQ(list.public_suffix("acme.example"), "example");
  EXPECT_EQ(list.public_suffix("localhost"), "localhost");
}

TEST(PublicSuffixListTest, RegistrableDomainIsTheSuffixPlusOneLabel) {
  const auto list = PublicSuffixList::from_text(kList);
  EXPECT_EQ(list.registrable_domain("shop.acme.co.uk"), "acme.co.uk");
  EXPECT_EQ(list.registrable_domain("acme.co.uk"), "acme.co.uk");
  EXPECT_EQ(list.registrable_domain("mail.eu.acme.com"), "acme.com");
  EXPECT_EQ(list.registrable_domain("Shop.ACME.com.au"), "acme.com.au");
  EXPECT_EQ(list.registrable_domain("toyota.co.jp"), "toyota.co.jp");
  EXPECT_EQ(list.registrable_domain("a.b.kawasaki.jp"), "a.b.kawasaki.jp");
  EXPECT_EQ(list.registrable_domain("www.city.kawasaki.jp"), "city.kawasaki.jp");
  EXPECT_EQ(list.registrable_domain("x.www.ck"), "www.ck");
  EXPECT_EQ(list.registrable_domain("acme.example"), "acme.example");
}

TEST(PublicSuffixListTest, PublicSuffixesAndMalformedHostsHaveNoRegistrableDomain) {
  const auto list = PublicSuffixList::from_text(kList);
  for (const char* host : {"co.uk", "uk", "com", "b.kawasaki.jp", "gov.ck", "", "acme..com",
                           ".acme.com", "acme.com.", "localhost"}) {
    EXPECT_EQ(list.registrable_domain(host), "") << host;
  }
}

TEST(PublicSuffixListTest, PrivateSectionIsOptional) {
  const auto both = PublicSuffixList::from_text(kList);
  EXPECT_EQ(both.registrable_domain("acme.github.io"), "acme.github.io");
  EXPECT_EQ(both.registrable_domain("store.acme.myshopify.com"), "acme.myshopify.com");

  const auto icann = PublicSuffixList::from_text(kList, {.icann = true, .private_domains = false});
  EXPECT_EQ(icann.size(), 11u);
  EXPECT_EQ(icann.registrable_domain("acme.github.io"), "github.io");
  EXPECT_EQ(icann.registrable_domain("store.acme.myshopify.com"), "myshopify.com");

  const auto only_private =
      PublicSuffixList::from_text(kList, {.icann = false, .private_domains = true});
  EXPECT_EQ(only_private.size(), 2u);
  EXPECT_EQ(only_private.registrable_domain("shop.acme.co.uk"), "co.uk");
}

TEST(PublicSuffixListTest, LoadReportsAMissingOrEmptyFile) {
  const auto missing = PublicSuffixList::load("/nonexistent/public_suffix_list.dat");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(missing.error().message.find("/nonexistent/public_suffix_list.dat"), std::string::npos);

  const auto dir =
      std::filesystem::temp_directory_path() /
      ("leadrouter-psl-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "empty.dat";
  std::ofstream(path) << "// only comments\n\n";
  const auto empty = PublicSuffixList::load(path.string());
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, ErrorKind::kInvalidInput);
}

TEST(PublicSuffixListTest, DebianListHandlesMultiPartSuffixes) {
  if (!std::filesystem::exists(kDefaultPublicSuffixListPath)) {
    GTEST_SKIP() << kDefaultPublicSuffixListPath << " missing: install the publicsuffix package";
  }
  const auto list = PublicSuffixList::load();
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_GT(list->size(), 5000u);
  EXPECT_EQ(list->registrable_domain("shop.acme.co.uk"), "acme.co.uk");
  EXPECT_EQ(list->registrable_domain("www.bhp.com.au"), "bhp.com.au");
  EXPECT_EQ(list->registrable_domain("global.toyota.co.jp"), "toyota.co.jp");
  EXPECT_EQ(list->registrable_domain("acme.com.br"), "acme.com.br");
  EXPECT_EQ(list->registrable_domain("www.city.kawasaki.jp"), "city.kawasaki.jp");
  EXPECT_EQ(list->registrable_domain("acme.github.io"), "acme.github.io");
  EXPECT_EQ(list->registrable_domain("eu.siemens.de"), "siemens.de");
  EXPECT_EQ(list->registrable_domain("co.uk"), "");
}

}  // namespace
}  // namespace leadrouter::matching
