// Lead-to-account matching: which existing CRM account (HubSpot company,
// Salesforce Account) a new lead belongs to, so that routes can send it to the
// account's owner. In order:
//
//   1. the registrable domain of a corporate email ("ana@uk.acme.co.uk" ->
//      acme.co.uk); free-mail domains never match by domain;
//   2. the registrable domain of the lead's website;
//   3. the company name, folded (legal forms, punctuation, accents,
//      abbreviations) and compared word by word, over candidates found
//      through an inverted index of words and, for words no account has, of
//      their trigrams: a lookup never scans every account.
//
// Several accounts on one domain, or names scoring within the ambiguity
// margin, are decided by the tie-breakers in order (owner active, most
// recent activity, largest), then by account id, so the same index and lead
// always give the same match. The index is updated incrementally as the CRM
// changes; match() is const and may run on many threads while nothing
// writes.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/lead.hpp"
#include "core/lead_facts.hpp"
#include "core/matching/company_name.hpp"
#include "core/matching/public_suffix.hpp"
#include "core/matching/similarity.hpp"
#include "core/time.hpp"

namespace leadrouter::matching {

struct IndexedAccount {
  std::string id;       // the CRM record id
  std::string name;     // as the CRM has it: "ACME Corporation"
  std::string domain;   // "acme.com" (HubSpot's domain property)
  std::string website;  // "https://www.acme.com/en" (Salesforce's Website)
  std::string owner_id;
  bool owner_active = true;
  std::optional<Timestamp> last_activity_at;
  double size = 0;  // employees or annual revenue; only compared between accounts
};

enum class TieBreaker {
  kOwnerActive,         // an account whose owner can take the lead
  kMostRecentActivity,  // the account the team is working now
  kLargest,             // by IndexedAccount::size
};

const char* to_string(TieBreaker tie_breaker);

struct MatchOptions {
  bool use_email_domain = true;
  bool use_website = true;
  bool use_name = true;
  double email_domain_confidence = 0.95;
  double website_confidence = 0.9;
  // A name match has confidence name_confidence * similarity, so a name
  // never outranks a domain.
  double name_confidence = 0.85;
  // The lowest token_set_similarity that counts as the same company. 0.9
  // lets a typo in a long word through and stops any extra or missing word
  // that carries weight ("Acme" vs "Acme Holdings").
  double min_name_similarity = 0.9;
  // Names within this of the best score are as good as the best; the
  // tie-breakers choose among them.
  double ambiguity_margin = 0.01;
  TokenSimilarityOptions tokens;
  // When no name matches: "IBM" for "International Business Machines" (and
  // back), if exactly one account has those initials. Such a match has
  // similarity acronym_similarity.
  bool use_acronyms = true;
  double acronym_similarity = 0.9;
  std::vector<TieBreaker> tie_breakers = {TieBreaker::kOwnerActive, TieBreaker::kMostRecentActivity,
                                          TieBreaker::kLargest};
};

class AccountIndex {
 public:
  // `suffixes` must not be null. Accounts whose domain is in `free_mail`
  // (a record created from a gmail.com contact) are not matched by domain,
  // nor are leads whose website is there; null means no such list.
  explicit AccountIndex(std::shared_ptr<const PublicSuffixList> suffixes,
                        std::shared_ptr<const core::FreeMailDomains> free_mail = nullptr);

  // kInvalidInput for an empty id or an id already indexed.
  std::expected<void, Error> add(IndexedAccount account);
  // kNotFound when no account has this id.
  std::expected<void, Error> update(IndexedAccount account);
  // add or update; kInvalidInput for an empty id.
  std::expected<void, Error> upsert(IndexedAccount account);
  // false when no account has this id.
  bool remove(std::string_view id);

  std::size_t size() const { return ids_.size(); }
  const IndexedAccount* find(std::string_view id) const;

  std::optional<core::AccountMatch> match(const core::Lead& lead, const core::LeadFacts& facts,
                                          const MatchOptions& options = {}) const;

  // The registrable domain an account or lead domain is indexed under, or ""
  // when it cannot match by domain (no host, a public suffix, free mail).
  std::string domain_key(std::string_view host) const;

 private:
  using Slot = std::uint32_t;
  using TokenId = std::uint32_t;

  // What a name lookup reads of each candidate comes first and, for names of
  // up to kInlineWords words, fits in one cache line: with 100,000 accounts
  // the candidates are rarely in cache.
  static constexpr std::size_t kInlineWords = 8;
  struct Entry {
    std::size_t compact_hash = 0;
    std::vector<TokenId> tokens;  // distinct
    std::array<TokenId, kInlineWords> inline_tokens{};
    bool live = false;
    IndexedAccount account;
    CompanyName name;
    std::vector<std::string> domains;  // distinct registrable domains

    std::span<const TokenId> words() const {
      return tokens.size() <= kInlineWords
                 ? std::span<const TokenId>(inline_tokens.data(), tokens.size())
                 : std::span<const TokenId>(tokens);
    }
  };
  static constexpr TokenId kNoToken = static_cast<TokenId>(-1);

  struct Token {
    std::string text;
    std::vector<Slot> postings;  // accounts with this word, unordered
    double log_df = 0;           // log(postings.size() + 0.5), kept current
  };
  // A lead's name, prepared once per match: its distinct words with their
  // weights, and their ids in the index (kNoToken when no account has one).
  struct PreparedName {
    const CompanyName* name = nullptr;
    std::vector<WeightedToken> tokens;
    std::vector<TokenId> ids;
    double total_weight = 0;
    double log_n = 0;  // log(accounts + 1)
    std::size_t compact_hash = 0;
    // token_similarity of (lead word, indexed word) pairs already compared
    // during this match: candidates share their common words.
    mutable std::unordered_map<std::uint64_t, double> similarity;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, Hash, std::equal_to<>>;

  struct Scored {
    Slot slot;
    double score;
  };

  void insert(Slot slot);
  void erase(Slot slot);
  TokenId intern(const std::string& token);
  double weight(std::size_t document_frequency) const;
  void refresh(TokenId id);
  PreparedName prepare(const CompanyName& name) const;

  std::vector<Slot> domain_slots(std::string_view key) const;
  std::vector<Scored> name_candidates(const PreparedName& name, const MatchOptions& options) const;
  std::optional<Slot> acronym_match(const CompanyName& name) const;
  std::vector<TokenId> similar_tokens(std::string_view token, const MatchOptions& options) const;
  // token_set_similarity of the two names, exact when it reaches
  // options.min_name_similarity; below that, possibly only an upper bound
  // (most candidates are rejected without comparing their words).
  double name_score(const PreparedName& lead, const Entry& entry,
                    const MatchOptions& options) const;
  // Sorts `slots` best first by the tie-breakers, then by id.
  void rank(std::vector<Slot>& slots, const MatchOptions& options) const;
  // The tie-breaker that separated the first two of ranked `slots`, for the
  // reason; "account id" when none did.
  std::string deciding_tie_breaker(const std::vector<Slot>& slots,
                                   const MatchOptions& options) const;

  std::shared_ptr<const PublicSuffixList> suffixes_;
  std::shared_ptr<const core::FreeMailDomains> free_mail_;

  std::vector<Entry> entries_;
  std::vector<Slot> free_slots_;
  StringMap<Slot> ids_;
  StringMap<std::vector<Slot>> domains_;
  StringMap<std::vector<Slot>> compact_names_;
  StringMap<std::vector<Slot>> acronyms_;
  std::vector<Token> tokens_;
  StringMap<TokenId> token_ids_;
  // Trigrams of every word ever indexed, for words of a lead that no account
  // has ("Nortwhind"): the words sharing trigrams with it are its candidates.
  std::unordered_map<std::uint32_t, std::vector<TokenId>> trigrams_;
};

}  // namespace leadrouter::matching
