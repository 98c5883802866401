#include <gtest/gtest.h>

#include "sidecar/config/sidecar_config.hpp"

namespace leadrouter::sidecar {
namespace {

constexpr std::string_view kBase = R"({
  "policy": "policy.json",
  "connectors": [{"name": "hs", "type": "hubspot", "auth": {"kind": "private_app", "token_env": "T"}}])";

std::expected<SidecarConfig, ValidationErrors> parse(std::string_view extra) {
  return parse_sidecar_config(std::string(kBase) + std::string(extra) + "}", "/etc/leadrouter");
}

std::string joined(const ValidationErrors& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += e.path + ": " + e.reason + "\n";
  }
  return out;
}

TEST(AccountConfigTest, DefaultsWhenAbsent) {
  auto config = parse("");
  ASSERT_TRUE(config) << joined(config.error());
  EXPECT_TRUE(config->accounts.enabled);
  EXPECT_EQ(config->accounts.refresh_seconds, 300);
  EXPECT_EQ(config->accounts.full_refresh_hours, 24);
  EXPECT_EQ(config->accounts.public_suffix_list, matching::kDefaultPublicSuffixListPath);
  EXPECT_DOUBLE_EQ(config->accounts.match.min_name_similarity, 0.9);
  EXPECT_TRUE(config->duplicates.enabled);
  EXPECT_TRUE(config->duplicates.match_email);
  EXPECT_TRUE(config->duplicates.match_name_company);
}

TEST(AccountConfigTest, ReadsEveryKey) {
  auto config = parse(R"(,
    "accounts": {"enabled": true, "refresh_seconds": 60, "full_refresh_hours": 0, "page_size": 50,
                 "public_suffix_list": "psl.dat", "use_email_domain": false, "use_website": false,
                 "use_name": true, "min_name_similarity": 0.8, "ambiguity_margin": 0.05,
                 "use_acronyms": false, "tie_breakers": ["largest", "owner_active"]},
    "duplicates": {"match_email": true, "match_name_company": false})");
  ASSERT_TRUE(config) << joined(config.error());
  const AccountsConfig& a = config->accounts;
  EXPECT_EQ(a.refresh_seconds, 60);
  EXPECT_EQ(a.full_refresh_hours, 0);
  EXPECT_EQ(a.page_size, 50);
  EXPECT_EQ(a.public_suffix_list, "/etc/leadrouter/psl.dat");
  EXPECT_FALSE(a.match.use_email_domain);
  EXPECT_FALSE(a.match.use_website);
  EXPECT_FALSE(a.match.use_acronyms);
  EXPECT_DOUBLE_EQ(a.match.min_name_similarity, 0.8);
  EXPECT_DOUBLE_EQ(a.match.ambiguity_margin, 0.05);
  EXPECT_EQ(a.match.tie_breakers,
            (std::vector<matching::TieBreaker>{matching::TieBreaker::kLargest,
                                               matching::TieBreaker::kOwnerActive}));
  EXPECT_FALSE(config->duplicates.match_name_company);
}

TEST(AccountConfigTest, NamesEveryProblemByItsPath) {
  auto config = parse(R"(,
    "accounts": {"refresh_seconds": 0, "min_name_similarity": 1.5, "tie_breakers": ["larges", "owner_active", "owner_active"],
                 "use_nmae": true},
    "duplicates": {"enabled": true, "match_email": false, "match_name_company": false})");
  ASSERT_FALSE(config);
  const std::string text = joined(config.error());
  EXPECT_NE(text.find("/accounts/refresh_seconds: expected a whole number from 1 to 86400, got 0"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("/accounts/min_name_similarity: expected a number from 0 to 1, got 1.5"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("/accounts/tie_breakers/0: unknown tie-breaker 'larges' (did you mean 'largest'?)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("/accounts/tie_breakers/2: 'owner_active' is listed twice"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("/accounts/use_nmae"), std::string::npos) << text;
  EXPECT_NE(text.find("/duplicates: enabled with neither match_email nor match_name_company"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace leadrouter::sidecar
