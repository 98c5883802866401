// String similarity for company names: Jaro-Winkler on single words, and a
// token-aware score on whole names in which every word must find a partner
// on the other side, weighted by how much the word says about the company
// (inverse document frequency over the account index).
//
//   "acme"          vs "acme"      -> 1     (Acme Corp vs ACME Corporation)
//   "acme holdings" vs "acme"      -> < 0.8 (a holding is another entity)
//   "acme"          vs "acne"      -> 0     (short words must be equal)
//   "northwind"     vs "nortwhind" -> > 0.95 (a typo in a long word)
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace leadrouter::matching {

// Jaro similarity in [0, 1], byte-wise.
double jaro(std::string_view a, std::string_view b);

// Jaro-Winkler: Jaro boosted by the common prefix (up to 4 bytes) times
// `prefix_scale` (at most 0.25 keeps the score within [0, 1]).
double jaro_winkler(std::string_view a, std::string_view b, double prefix_scale = 0.1);

struct TokenSimilarityOptions {
  // Words shorter than this must be equal: "Acme" vs "Acne", "Apex" vs
  // "Aptex" are different companies, not typos.
  std::size_t min_fuzzy_length = 5;
  // Jaro-Winkler below this counts as no match at all, so that a weak
  // resemblance ("Globex" vs "Global") adds nothing. 0.94 lets a swapped or
  // doubled letter through ("Stirpe", "Contosso") but not another last
  // letter in a short word ("Hooli" vs "Hooly" is 0.92).
  double min_token_similarity = 0.94;
};

// 1 for equal words, Jaro-Winkler when both are long enough and similar
// enough, else 0.
double token_similarity(std::string_view a, std::string_view b,
                        const TokenSimilarityOptions& options = {});

struct WeightedToken {
  std::string_view text;
  double weight = 1;  // > 0
};

// For each word of `from`, its best partner in `to` by token_similarity,
// weighted: sum(weight * best) / sum(weight). 0 when `from` is empty.
double directed_token_similarity(std::span<const WeightedToken> from,
                                 std::span<const WeightedToken> to,
                                 const TokenSimilarityOptions& options = {});

// The smaller of the two directions, so that a word missing on either side
// ("Acme" vs "Acme Holdings") lowers the score.
double token_set_similarity(std::span<const WeightedToken> a, std::span<const WeightedToken> b,
                            const TokenSimilarityOptions& options = {});

}  // namespace leadrouter::matching
