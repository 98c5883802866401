#include "core/matching/similarity.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leadrouter::matching {
namespace {

TEST(JaroTest, MatchesTheTextbookValues) {
  EXPECT_NEAR(jaro("martha", "marhta"), 0.9444, 1e-4);
  EXPECT_NEAR(jaro("dixon", "dicksonx"), 0.7667, 1e-4);
  EXPECT_NEAR(jaro("jellyfish", "smellyfish"), 0.8963, 1e-4);
  EXPECT_DOUBLE_EQ(jaro("abc", "abc"), 1);
  EXPECT_DOUBLE_EQ(jaro("abc", "xyz"), 0);
  EXPECT_DOUBLE_EQ(jaro("", ""), 1);
  EXPECT_DOUBLE_EQ(jaro("", "a"), 0);
}

TEST(JaroWinklerTest, BoostsACommonPrefix) {
  EXPECT_NEAR(jaro_winkler("martha", "marhta"), 0.9611, 1e-4);
  EXPECT_NEAR(jaro_winkler("dixon", "dicksonx"), 0.8133, 1e-4);
  EXPECT_NEAR(jaro_winkler("dwayne", "duane"), 0.84, 1e-4);
  EXPECT_DOUBLE_EQ(jaro_winkler("acme", "acme"), 1);
  EXPECT_GT(jaro_winkler("northwind", "nortwhind"), 0.95);
  // Symmetric, and long words beyond the stack buffer work the same way.
  const std::string a(100, 'a');
  std::string b = a;
  b[50] = 'b';
  EXPECT_DOUBLE_EQ(jaro_winkler(a, b), jaro_winkler(b, a));
  EXPECT_GT(jaro_winkler(a, b), 0.98);
  EXPECT_LT(jaro_winkler(a, b), 1);
}

TEST(TokenSimilarityTest, ShortWordsMustBeEqual) {
  EXPECT_DOUBLE_EQ(token_similarity("acme", "acme"), 1);
  EXPECT_DOUBLE_EQ(token_similarity("acme", "acne"), 0);
  EXPECT_DOUBLE_EQ(token_similarity("ibm", "ibn"), 0);
  EXPECT_GT(token_similarity("northwind", "nortwhind"), 0.95);
  EXPECT_DOUBLE_EQ(token_similarity("globex", "global"), 0);
  // The options decide what counts as a typo.
  EXPECT_GT(token_similarity("acme", "acne", {.min_fuzzy_length = 4, .min_token_similarity = 0.8}),
            0.8);
}

std::vector<WeightedToken> words(std::initializer_list<std::string_view> texts) {
  std::vector<WeightedToken> out;
  for (std::string_view t : texts) {
    out.push_back({t, 1});
  }
  return out;
}

TEST(TokenSetSimilarityTest, EveryWordNeedsAPartner) {
  EXPECT_DOUBLE_EQ(token_set_similarity(words({"acme"}), words({"acme"})), 1);
  EXPECT_DOUBLE_EQ(token_set_similarity(words({"acme", "software"}), words({"software", "acme"})),
                   1);
  EXPECT_DOUBLE_EQ(token_set_similarity(words({"acme", "holdings"}), words({"acme"})), 0.5);
  EXPECT_DOUBLE_EQ(token_set_similarity(words({"acme"}), words({"acme", "holdings"})), 0.5);
  EXPECT_DOUBLE_EQ(token_set_similarity(words({"acme", "holdings"}), words({"apex", "holdings"})),
                   0.5);
  EXPECT_DOUBLE_EQ(token_set_similarity(words({}), words({"acme"})), 0);
}

TEST(TokenSetSimilarityTest, WeightsDecideHowMuchAWordCounts) {
  // A distinctive word matched, a common one missing: most of the weight is
  // there, but not enough for a 0.9 threshold.
  const std::vector<WeightedToken> lead = {{"acme", 9}, {"group", 3}};
  const std::vector<WeightedToken> account = {{"acme", 9}};
  EXPECT_DOUBLE_EQ(directed_token_similarity(lead, account), 0.75);
  EXPECT_DOUBLE_EQ(directed_token_similarity(account, lead), 1);
  EXPECT_DOUBLE_EQ(token_set_similarity(lead, account), 0.75);

  const std::vector<WeightedToken> typo = {{"nortwhind", 9}, {"traders", 3}};
  const std::vector<WeightedToken> right = {{"northwind", 9}, {"traders", 3}};
  const double s = token_set_similarity(typo, right);
  EXPECT_GT(s, 0.95);
  EXPECT_LT(s, 1);
}

}  // namespace
}  // namespace leadrouter::matching
