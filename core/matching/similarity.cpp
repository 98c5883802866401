#include "core/matching/similarity.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace leadrouter::matching {
namespace {

// Company words are short; the flags live on the stack unless a word is
// unusually long.
constexpr std::size_t kStackFlags = 64;

template <typename Flags>
double jaro_with(std::string_view a, std::string_view b, Flags& a_matched, Flags& b_matched) {
  const std::size_t window = std::max(a.size(), b.size()) / 2;
  const std::size_t reach = window == 0 ? 0 : window - 1;
  std::size_t matches = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::size_t lo = i > reach ? i - reach : 0;
    const std::size_t hi = std::min(i + reach + 1, b.size());
    for (std::size_t j = lo; j < hi; ++j) {
      if (!b_matched[j] && a[i] == b[j]) {
        a_matched[i] = true;
        b_matched[j] = true;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) {
    return 0;
  }
  std::size_t transpositions = 0;
  std::size_t j = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a_matched[i]) {
      continue;
    }
    while (!b_matched[j]) {
      ++j;
    }
    if (a[i] != b[j]) {
      ++transpositions;
    }
    ++j;
  }
  const double m = static_cast<double>(matches);
  return (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) +
          (m - static_cast<double>(transpositions) / 2) / m) /
         3;
}

}  // namespace

double jaro(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) {
    return 1;
  }
  if (a.empty() || b.empty()) {
    return 0;
  }
  if (a == b) {
    return 1;
  }
  if (a.size() <= kStackFlags && b.size() <= kStackFlags) {
    std::array<bool, kStackFlags> a_matched{};
    std::array<bool, kStackFlags> b_matched{};
    return jaro_with(a, b, a_matched, b_matched);
  }
  std::vector<bool> a_matched(a.size());
  std::vector<bool> b_matched(b.size());
  return jaro_with(a, b, a_matched, b_matched);
}

double jaro_winkler(std::string_view a, std::string_view b, double prefix_scale) {
  const double j = jaro(a, b);
  std::size_t prefix = 0;
  const std::size_t limit = std::min({a.size(), b.size(), std::size_t{4}});
  while (prefix < limit && a[prefix] == b[prefix]) {
    ++prefix;
  }
  return j + static_cast<double>(prefix) * prefix_scale * (1 - j);
}

double token_similarity(std::string_view a, std::string_view b,
                        const TokenSimilarityOptions& options) {
  if (a == b) {
    return 1;
  }
  if (a.size() < options.min_fuzzy_length || b.size() < options.min_fuzzy_length) {
    return 0;
  }
  const double s = jaro_winkler(a, b);
  return s >= options.min_token_similarity ? s : 0;
}

double directed_token_similarity(std::span<const WeightedToken> from,
                                 std::span<const WeightedToken> to,
                                 const TokenSimilarityOptions& options) {
  double total = 0;
  double matched = 0;
  for (const WeightedToken& f : from) {
    double best = 0;
    for (const WeightedToken& t : to) {
      best = std::max(best, token_similarity(f.text, t.text, options));
      if (best == 1) {
        break;
      }
    }
    total += f.weight;
    matched += f.weight * best;
  }
  return total > 0 ? matched / total : 0;
}

double token_set_similarity(std::span<const WeightedToken> a, std::span<const WeightedToken> b,
                            const TokenSimilarityOptions& options) {
  return std::min(directed_token_similarity(a, b, options),
                  directed_token_similarity(b, a, options));
}

}  // namespace leadrouter::matching
