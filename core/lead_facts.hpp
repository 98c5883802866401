// Facts derived from a lead before scoring (step 1 of routing), and the
// enrichment that the sidecar attaches (matched account, duplicate).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/lead.hpp"

namespace leadrouter::core {

// The free-mail domain list (data/free-email-domains.txt plus policy
// additions). Loaded by the caller; core does no I/O.
class FreeMailDomains {
 public:
  FreeMailDomains() = default;
  // One domain per line; blank lines and lines starting with '#' ignored.
  static FreeMailDomains from_text(std::string_view text);
  // Lower-cases; ignores blanks.
  void add(std::string domain);
  // Case-insensitive; does not allocate when `domain` is already lower case.
  bool contains(std::string_view domain) const;
  std::size_t size() const { return domains_.size(); }
  bool operator==(const FreeMailDomains& other) const { return domains_ == other.domains_; }

 private:
  // Transparent, so lookups by string_view need no temporary string.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, Hash, std::equal_to<>> domains_;
};

struct LeadFacts {
  std::string email_domain;  // lower case, "" when no valid email
  bool is_free_mail = false;
  std::string company_normalized;  // case-folded, punctuation and legal suffixes removed
  std::string website_domain;      // scheme, "www.", port and path removed; lower case
};

LeadFacts derive_facts(const Lead& lead, const FreeMailDomains& free_mail);

// Legal-suffix and punctuation folding shared by facts and account matching:
// "ACME, Inc." -> "acme".
std::string normalize_company_name(std::string_view name);

// "https://www.Example.co.uk/about?x" -> "example.co.uk"
std::string website_to_domain(std::string_view website);

struct AccountMatch {
  std::string account_id;
  std::string account_name;
  std::string owner_id;
  double confidence = 0;  // 0..1
  std::string reason;     // "email domain acme.com", "name ~ 'Acme Corp' (0.96)"
};

struct DuplicateMatch {
  std::string record_id;
  std::string object_type;  // "contact" or "lead"; "" when unknown
  std::string owner_id;     // empty: the existing record has no owner yet
  std::string reason;       // "same email", "same name and company"
};

// What the sidecar knows about a lead beyond its own fields.
struct Enrichment {
  std::optional<AccountMatch> account;
  std::optional<DuplicateMatch> duplicate;
};

}  // namespace leadrouter::core
