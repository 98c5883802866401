// The Public Suffix List (https://publicsuffix.org): which part of a host name
// is a public registry ("co.uk", "com.au", "github.io"), so that the company's
// own domain can be told apart from its subdomains and from its registry:
//
//   registrable_domain("shop.acme.co.uk") == "acme.co.uk"
//
// Debian ships the list in the `publicsuffix` package. It is loaded once by
// the caller and then only read, so one list can be shared between threads.
#pragma once

#include <expected>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/error.hpp"

namespace leadrouter::matching {

inline constexpr std::string_view kDefaultPublicSuffixListPath =
    "/usr/share/publicsuffix/public_suffix_list.dat";

struct PublicSuffixSections {
  bool icann = true;
  // Private rules ("github.io", "myshopify.com", "blogspot.com") make
  // "acme.github.io" a domain of its own instead of one of GitHub's, which is
  // what account matching wants: every shop on a platform is a different
  // company.
  bool private_domains = true;
};

class PublicSuffixList {
 public:
  PublicSuffixList() = default;

  // The list's own format: one rule a line, "//" comments, "*." wildcards,
  // "!" exceptions, and the "===BEGIN PRIVATE DOMAINS===" marker that starts
  // the private section. Rules are lower-cased; UTF-8 rules are kept as UTF-8.
  static PublicSuffixList from_text(std::string_view text, PublicSuffixSections sections = {});

  // Reads the file at `path`. kNotFound when it is missing, kInvalidInput when
  // it holds no rule at all.
  static std::expected<PublicSuffixList, Error> load(
      std::string_view path = kDefaultPublicSuffixListPath, PublicSuffixSections sections = {});

  // The public suffix of a lower-case host name (no trailing dot), by the
  // list's algorithm: exception rules first, then the longest matching rule,
  // else the implicit "*" rule (the last label). "" for an empty host.
  std::string_view public_suffix(std::string_view host) const;

  // The public suffix plus one label: "acme.co.uk" for "shop.acme.co.uk".
  // "" when the host is itself a public suffix ("co.uk"), is empty or is not a
  // well-formed host name (empty labels). Upper case is folded.
  std::string registrable_domain(std::string_view host) const;

  std::size_t size() const { return rules_.size() + wildcards_.size() + exceptions_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Set = std::unordered_set<std::string, Hash, std::equal_to<>>;

  Set rules_;       // "co.uk"
  Set wildcards_;   // "ck" for the rule "*.ck"
  Set exceptions_;  // "www.ck" for the rule "!www.ck"
};

}  // namespace leadrouter::matching
