#include "core/matching/account_index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <utility>

#include "core/text.hpp"

namespace leadrouter::matching {
namespace {

// Words are padded so that their first and last letters carry their own
// trigrams: "acme" -> "\1ac", "acm", "cme", "me\2".
template <typename F>
void for_each_trigram(std::string_view token, F&& f) {
  if (token.empty()) {
    return;
  }
  auto at = [&](std::size_t i) -> std::uint32_t {
    if (i == 0) {
      return 1;
    }
    if (i == token.size() + 1) {
      return 2;
    }
    return static_cast<unsigned char>(token[i - 1]);
  };
  for (std::size_t i = 0; i + 2 < token.size() + 2; ++i) {
    f((at(i) << 16) | (at(i + 1) << 8) | at(i + 2));
  }
}

template <typename T>
void erase_one(std::vector<T>& v, const T& value) {
  if (auto it = std::find(v.begin(), v.end(), value); it != v.end()) {
    *it = v.back();
    v.pop_back();
  }
}

template <typename T>
void push_distinct(std::vector<T>& v, T value) {
  if (std::find(v.begin(), v.end(), value) == v.end()) {
    v.push_back(std::move(value));
  }
}

int compare_by(TieBreaker tie_breaker, const IndexedAccount& a, const IndexedAccount& b) {
  switch (tie_breaker) {
    case TieBreaker::kOwnerActive:
      return a.owner_active == b.owner_active ? 0 : (a.owner_active ? -1 : 1);
    case TieBreaker::kMostRecentActivity:
      if (a.last_activity_at == b.last_activity_at) {
        return 0;
      }
      // Accounts with no activity at all come last.
      return a.last_activity_at > b.last_activity_at ? -1 : 1;
    case TieBreaker::kLargest:
      return a.size == b.size ? 0 : (a.size > b.size ? -1 : 1);
  }
  return 0;
}

}  // namespace

const char* to_string(TieBreaker tie_breaker) {
  switch (tie_breaker) {
    case TieBreaker::kOwnerActive:
      return "owner active";
    case TieBreaker::kMostRecentActivity:
      return "most recent activity";
    case TieBreaker::kLargest:
      return "largest";
  }
  return "?";
}

AccountIndex::AccountIndex(std::shared_ptr<const PublicSuffixList> suffixes,
                           std::shared_ptr<const core::FreeMailDomains> free_mail)
    : suffixes_(std::move(suffixes)), free_mail_(std::move(free_mail)) {
  if (!suffixes_) {
    suffixes_ = std::make_shared<const PublicSuffixList>();
  }
}

std::string AccountIndex::domain_key(std::string_view host) const {
  const std::string domain = core::website_to_domain(host);
  if (domain.empty()) {
    return {};
  }
  std::string key = suffixes_->registrable_domain(domain);
  if (key.empty() || (free_mail_ && (free_mail_->contains(domain) || free_mail_->contains(key)))) {
    return {};
  }
  return key;
}

std::expected<void, Error> AccountIndex::add(IndexedAccount account) {
  if (account.id.empty()) {
    return std::unexpected(Error::invalid_input("account without an id"));
  }
  if (ids_.find(account.id) != ids_.end()) {
    return std::unexpected(Error::invalid_input("account " + account.id + " is already indexed"));
  }
  Slot slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<Slot>(entries_.size());
    entries_.emplace_back();
  }
  ids_.emplace(account.id, slot);
  entries_[slot].account = std::move(account);
  insert(slot);
  return {};
}

std::expected<void, Error> AccountIndex::update(IndexedAccount account) {
  const auto it = ids_.find(account.id);
  if (it == ids_.end()) {
    return std::unexpected(Error::not_found("account " + account.id + " is not indexed"));
  }
  const Slot slot = it->second;
  erase(slot);
  entries_[slot].account = std::move(account);
  insert(slot);
  return {};
}

std::expected<void, Error> AccountIndex::upsert(IndexedAccount account) {
  if (ids_.find(account.id) != ids_.end()) {
    return update(std::move(account));
  }
  return add(std::move(account));
}

bool AccountIndex::remove(std::string_view id) {
  const auto it = ids_.find(id);
  if (it == ids_.end()) {
    return false;
  }
  const Slot slot = it->second;
  erase(slot);
  ids_.erase(it);
  entries_[slot].account = {};
  free_slots_.push_back(slot);
  return true;
}

const IndexedAccount* AccountIndex::find(std::string_view id) const {
  const auto it = ids_.find(id);
  return it == ids_.end() ? nullptr : &entries_[it->second].account;
}

AccountIndex::TokenId AccountIndex::intern(const std::string& token) {
  if (const auto it = token_ids_.find(token); it != token_ids_.end()) {
    return it->second;
  }
  const auto id = static_cast<TokenId>(tokens_.size());
  tokens_.push_back({token, {}});
  token_ids_.emplace(token, id);
  for_each_trigram(token, [&](std::uint32_t trigram) { push_distinct(trigrams_[trigram], id); });
  return id;
}

void AccountIndex::insert(Slot slot) {
  Entry& entry = entries_[slot];
  entry.live = true;
  entry.name = normalize_company(entry.account.name);
  entry.tokens.clear();
  for (const std::string& token : entry.name.tokens) {
    push_distinct(entry.tokens, intern(token));
  }
  std::copy_n(entry.tokens.begin(), std::min(entry.tokens.size(), kInlineWords),
              entry.inline_tokens.begin());
  entry.compact_hash = std::hash<std::string>{}(entry.name.compact);
  for (const TokenId id : entry.tokens) {
    tokens_[id].postings.push_back(slot);
    refresh(id);
  }
  if (!entry.name.compact.empty()) {
    compact_names_[entry.name.compact].push_back(slot);
  }
  if (!entry.name.acronym.empty()) {
    acronyms_[entry.name.acronym].push_back(slot);
  }
  entry.domains.clear();
  for (const std::string* field : {&entry.account.domain, &entry.account.website}) {
    if (std::string key = domain_key(*field); !key.empty()) {
      push_distinct(entry.domains, std::move(key));
    }
  }
  for (const std::string& key : entry.domains) {
    domains_[key].push_back(slot);
  }
}

void AccountIndex::erase(Slot slot) {
  Entry& entry = entries_[slot];
  for (const TokenId id : entry.tokens) {
    erase_one(tokens_[id].postings, slot);
    refresh(id);
  }
  if (const auto it = compact_names_.find(entry.name.compact); it != compact_names_.end()) {
    erase_one(it->second, slot);
    if (it->second.empty()) {
      compact_names_.erase(it);
    }
  }
  if (const auto it = acronyms_.find(entry.name.acronym); it != acronyms_.end()) {
    erase_one(it->second, slot);
    if (it->second.empty()) {
      acronyms_.erase(it);
    }
  }
  for (const std::string& key : entry.domains) {
    if (const auto it = domains_.find(key); it != domains_.end()) {
      erase_one(it->second, slot);
      if (it->second.empty()) {
        domains_.erase(it);
      }
    }
  }
  entry.tokens.clear();
  entry.domains.clear();
  entry.live = false;
}

double AccountIndex::weight(std::size_t document_frequency) const {
  const double n = static_cast<double>(ids_.size());
  return 1 + std::log((n + 1) / (static_cast<double>(document_frequency) + 0.5));
}

void AccountIndex::refresh(TokenId id) {
  tokens_[id].log_df = std::log(static_cast<double>(tokens_[id].postings.size()) + 0.5);
}

AccountIndex::PreparedName AccountIndex::prepare(const CompanyName& name) const {
  PreparedName out;
  out.name = &name;
  out.compact_hash = std::hash<std::string>{}(name.compact);
  out.log_n = std::log(static_cast<double>(ids_.size()) + 1);
  for (const std::string& token : name.tokens) {
    if (std::any_of(out.tokens.begin(), out.tokens.end(),
                    [&](const WeightedToken& t) { return t.text == token; })) {
      continue;
    }
    const auto it = token_ids_.find(token);
    const bool known = it != token_ids_.end() && !tokens_[it->second].postings.empty();
    out.ids.push_back(known ? it->second : kNoToken);
    out.tokens.push_back({token, weight(known ? tokens_[it->second].postings.size() : 0)});
    out.total_weight += out.tokens.back().weight;
  }
  return out;
}

std::vector<AccountIndex::Slot> AccountIndex::domain_slots(std::string_view key) const {
  if (key.empty()) {
    return {};
  }
  const auto it = domains_.find(key);
  return it == domains_.end() ? std::vector<Slot>{} : it->second;
}

std::vector<AccountIndex::TokenId> AccountIndex::similar_tokens(std::string_view token,
                                                                const MatchOptions& options) const {
  std::vector<TokenId> out;
  if (token.size() < options.tokens.min_fuzzy_length) {
    return out;
  }
  // One substitution changes at most three trigrams and a transposition
  // four, so a similar word shares at least `needed` of the word's trigrams
  // and, by pigeonhole, appears under one of its (trigrams - needed + 1)
  // rarest ones: only those lists are read, however common the others are.
  static const std::vector<TokenId> kNone;
  std::vector<const std::vector<TokenId>*> lists;
  for_each_trigram(token, [&](std::uint32_t trigram) {
    const auto it = trigrams_.find(trigram);
    lists.push_back(it == trigrams_.end() ? &kNone : &it->second);
  });
  const std::size_t needed = token.size() > 5 ? token.size() - 4 : 1;
  const std::size_t read = lists.size() - std::min(needed, lists.size()) + 1;
  std::partial_sort(lists.begin(), lists.begin() + static_cast<std::ptrdiff_t>(read), lists.end(),
                    [](const auto* a, const auto* b) { return a->size() < b->size(); });
  std::vector<TokenId> candidates;
  for (std::size_t i = 0; i < read; ++i) {
    candidates.insert(candidates.end(), lists[i]->begin(), lists[i]->end());
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (const TokenId id : candidates) {
    const Token& candidate = tokens_[id];
    if (candidate.postings.empty()) {
      continue;
    }
    const std::size_t a = token.size();
    const std::size_t b = candidate.text.size();
    if ((a > b ? a - b : b - a) > 3) {
      continue;
    }
    if (token_similarity(token, candidate.text, options.tokens) > 0) {
      out.push_back(id);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

double AccountIndex::name_score(const PreparedName& lead, const Entry& entry,
                                const MatchOptions& options) const {
  const std::span<const TokenId> words = entry.words();
  if (lead.tokens.empty() || words.empty()) {
    return 0;
  }
  if (lead.compact_hash == entry.compact_hash && lead.name->compact == entry.name.compact) {
    return 1;
  }
  // Two different words can only pass min_token_similarity s when their
  // lengths are close: Jaro-Winkler <= 0.6 * Jaro + 0.4 and Jaro <=
  // (2 + shorter / longer) / 3, so shorter / longer >= 5s - 4.
  const double min_ratio = std::max(0.0, 5 * options.tokens.min_token_similarity - 4);
  auto may_match = [&](std::string_view a, std::string_view b) {
    const double la = static_cast<double>(a.size());
    const double lb = static_cast<double>(b.size());
    return a.size() >= options.tokens.min_fuzzy_length &&
           b.size() >= options.tokens.min_fuzzy_length &&
           std::min(la, lb) >= min_ratio * std::max(la, lb);
  };

  // Upper bounds first, from word ids and lengths alone: most candidates
  // share one rare word with the lead and miss the rest.
  constexpr std::size_t kInline = 16;
  std::array<WeightedToken, kInline> inline_tokens;
  std::vector<WeightedToken> heap_tokens;
  std::span<WeightedToken> account_tokens;
  if (words.size() <= kInline) {
    account_tokens = std::span(inline_tokens.data(), words.size());
  } else {
    heap_tokens.resize(words.size());
    account_tokens = heap_tokens;
  }
  double account_total = 0;
  double account_possible = 0;
  for (std::size_t k = 0; k < words.size(); ++k) {
    const Token& token = tokens_[words[k]];
    const double w = 1 + lead.log_n - token.log_df;
    account_tokens[k] = {token.text, w};
    account_total += w;
    bool possible = std::find(lead.ids.begin(), lead.ids.end(), words[k]) != lead.ids.end();
    for (std::size_t j = 0; !possible && j < lead.tokens.size(); ++j) {
      possible = may_match(token.text, lead.tokens[j].text);
    }
    account_possible += possible ? w : 0;
  }
  if (account_possible < options.min_name_similarity * account_total) {
    return account_possible / account_total;
  }
  double lead_possible = 0;
  for (std::size_t j = 0; j < lead.tokens.size(); ++j) {
    bool possible = lead.ids[j] != kNoToken &&
                    std::find(words.begin(), words.end(), lead.ids[j]) != words.end();
    for (std::size_t k = 0; !possible && k < account_tokens.size(); ++k) {
      possible = may_match(lead.tokens[j].text, account_tokens[k].text);
    }
    lead_possible += possible ? lead.tokens[j].weight : 0;
  }
  if (lead_possible < options.min_name_similarity * lead.total_weight) {
    return lead_possible / lead.total_weight;
  }
  auto similarity = [&](std::size_t j, std::size_t k) {
    if (lead.ids[j] == words[k]) {
      return 1.0;
    }
    const std::uint64_t key = (static_cast<std::uint64_t>(j) << 32) | words[k];
    const auto [it, inserted] = lead.similarity.try_emplace(key, 0.0);
    if (inserted) {
      it->second = token_similarity(lead.tokens[j].text, account_tokens[k].text, options.tokens);
    }
    return it->second;
  };
  // token_set_similarity, with each pair of words compared once per match.
  double lead_matched = 0;
  for (std::size_t j = 0; j < lead.tokens.size(); ++j) {
    double best = 0;
    for (std::size_t k = 0; k < account_tokens.size() && best < 1; ++k) {
      best = std::max(best, similarity(j, k));
    }
    lead_matched += lead.tokens[j].weight * best;
  }
  double account_matched = 0;
  for (std::size_t k = 0; k < account_tokens.size(); ++k) {
    double best = 0;
    for (std::size_t j = 0; j < lead.tokens.size() && best < 1; ++j) {
      best = std::max(best, similarity(j, k));
    }
    account_matched += account_tokens[k].weight * best;
  }
  return std::min(lead_matched / lead.total_weight, account_matched / account_total);
}

std::vector<AccountIndex::Scored> AccountIndex::name_candidates(const PreparedName& name,
                                                                const MatchOptions& options) const {
  struct LeadToken {
    std::vector<TokenId> expansions;
    std::size_t cost = 0;
    double weight = 0;
  };
  std::vector<LeadToken> lead_tokens;
  for (std::size_t j = 0; j < name.tokens.size(); ++j) {
    LeadToken t;
    if (name.ids[j] != kNoToken) {
      t.expansions.push_back(name.ids[j]);
    } else {
      t.expansions = similar_tokens(name.tokens[j].text, options);
    }
    for (const TokenId id : t.expansions) {
      t.cost += tokens_[id].postings.size();
    }
    t.weight = name.tokens[j].weight;
    lead_tokens.push_back(std::move(t));
  }
  const double total_weight = name.total_weight;

  // An account that shares no word with the tokens in the chosen prefix
  // misses their weight, so with a prefix heavier than (1 - threshold) of the
  // name it cannot reach the threshold: the cheapest such prefix is enough.
  std::stable_sort(lead_tokens.begin(), lead_tokens.end(),
                   [](const LeadToken& a, const LeadToken& b) { return a.cost < b.cost; });
  const double must_cover = (1 - options.min_name_similarity) * total_weight;
  std::vector<Slot> slots;
  double covered = 0;
  for (const LeadToken& t : lead_tokens) {
    for (const TokenId id : t.expansions) {
      slots.insert(slots.end(), tokens_[id].postings.begin(), tokens_[id].postings.end());
    }
    covered += t.weight;
    if (covered > must_cover) {
      break;
    }
  }
  if (const auto it = compact_names_.find(name.name->compact); it != compact_names_.end()) {
    slots.insert(slots.end(), it->second.begin(), it->second.end());
  }
  std::sort(slots.begin(), slots.end());
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());

  std::vector<Scored> out;
  for (const Slot slot : slots) {
    const double score = name_score(name, entries_[slot], options);
    if (score >= options.min_name_similarity) {
      out.push_back({slot, score});
    }
  }
  return out;
}

std::optional<AccountIndex::Slot> AccountIndex::acronym_match(const CompanyName& name) const {
  const std::vector<Slot>* slots = nullptr;
  if (name.tokens.size() == 1) {
    const std::string& word = name.tokens[0];
    const bool letters =
        std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (letters && word.size() >= 2 && word.size() <= 6) {
      if (const auto it = acronyms_.find(word); it != acronyms_.end()) {
        slots = &it->second;
      }
    }
  } else if (!name.acronym.empty()) {
    if (const auto it = compact_names_.find(name.acronym); it != compact_names_.end()) {
      slots = &it->second;
    }
  }
  // Initials are short and shared by many names: only a single account with
  // them is a match.
  if (slots == nullptr || slots->size() != 1) {
    return std::nullopt;
  }
  // Initials of the lead against a one-word account name, not against
  // another long name that happens to join into them.
  if (name.tokens.size() > 1 && entries_[slots->front()].name.tokens.size() > 1) {
    return std::nullopt;
  }
  return slots->front();
}

void AccountIndex::rank(std::vector<Slot>& slots, const MatchOptions& options) const {
  std::sort(slots.begin(), slots.end(), [&](Slot x, Slot y) {
    const IndexedAccount& a = entries_[x].account;
    const IndexedAccount& b = entries_[y].account;
    for (const TieBreaker tie_breaker : options.tie_breakers) {
      if (const int c = compare_by(tie_breaker, a, b); c != 0) {
        return c < 0;
      }
    }
    return a.id < b.id;
  });
}

std::string AccountIndex::deciding_tie_breaker(const std::vector<Slot>& slots,
                                               const MatchOptions& options) const {
  const IndexedAccount& a = entries_[slots[0]].account;
  const IndexedAccount& b = entries_[slots[1]].account;
  for (const TieBreaker tie_breaker : options.tie_breakers) {
    if (compare_by(tie_breaker, a, b) != 0) {
      return to_string(tie_breaker);
    }
  }
  return "account id";
}

std::optional<core::AccountMatch> AccountIndex::match(const core::Lead& lead,
                                                      const core::LeadFacts& facts,
                                                      const MatchOptions& options) const {
  // Also read when names are not matched on: it picks among accounts that
  // share a domain.
  const CompanyName lead_name = normalize_company(lead.company);
  const PreparedName prepared = prepare(lead_name);

  auto result = [&](Slot slot, double confidence, std::string reason) {
    const IndexedAccount& account = entries_[slot].account;
    return core::AccountMatch{account.id, account.name, account.owner_id, confidence,
                              std::move(reason)};
  };

  // Several accounts on one domain (a parent and its subsidiaries, or
  // duplicates): the lead's company name picks one if it can, else the
  // tie-breakers do.
  auto by_domain = [&](std::vector<Slot> slots, double confidence,
                       std::string reason) -> core::AccountMatch {
    if (slots.size() == 1) {
      return result(slots[0], confidence, std::move(reason));
    }
    const std::size_t total = slots.size();
    if (!lead_name.compact.empty()) {
      std::vector<Scored> scored;
      double best = 0;
      for (const Slot slot : slots) {
        const double s = name_score(prepared, entries_[slot], options);
        scored.push_back({slot, s});
        best = std::max(best, s);
      }
      if (best >= options.min_name_similarity) {
        std::vector<Slot> named;
        for (const Scored& s : scored) {
          // Below the threshold a score may be only an upper bound.
          if (s.score >= options.min_name_similarity &&
              s.score >= best - options.ambiguity_margin) {
            named.push_back(s.slot);
          }
        }
        rank(named, options);
        reason += fmt::format(" and name ({:.2f}), 1 of {} accounts on the domain", best, total);
        if (named.size() > 1) {
          reason += ", by " + deciding_tie_breaker(named, options);
        }
        return result(named[0], confidence, std::move(reason));
      }
    }
    rank(slots, options);
    reason += fmt::format(", 1 of {} accounts, by {}", total, deciding_tie_breaker(slots, options));
    return result(slots[0], confidence, std::move(reason));
  };

  if (options.use_email_domain && !facts.email_domain.empty() && !facts.is_free_mail) {
    const std::string key = domain_key(facts.email_domain);
    if (auto slots = domain_slots(key); !slots.empty()) {
      return by_domain(std::move(slots), options.email_domain_confidence, "email domain " + key);
    }
  }
  if (options.use_website && !facts.website_domain.empty()) {
    const std::string key = domain_key(facts.website_domain);
    if (auto slots = domain_slots(key); !slots.empty()) {
      return by_domain(std::move(slots), options.website_confidence, "website " + key);
    }
  }
  if (!options.use_name || lead_name.tokens.empty()) {
    return std::nullopt;
  }

  std::vector<Scored> candidates = name_candidates(prepared, options);
  if (candidates.empty()) {
    if (!options.use_acronyms || options.acronym_similarity < options.min_name_similarity) {
      return std::nullopt;
    }
    const std::optional<Slot> slot = acronym_match(lead_name);
    if (!slot) {
      return std::nullopt;
    }
    return result(*slot, options.name_confidence * options.acronym_similarity,
                  fmt::format("name '{}' ~ '{}' (acronym)", entries_[*slot].account.name,
                              std::string(trim(lead.company))));
  }
  double best = 0;
  for (const Scored& c : candidates) {
    best = std::max(best, c.score);
  }
  std::vector<Slot> tied;
  for (const Scored& c : candidates) {
    if (c.score >= best - options.ambiguity_margin) {
      tied.push_back(c.slot);
    }
  }
  rank(tied, options);
  const IndexedAccount& chosen = entries_[tied[0]].account;
  std::string reason =
      fmt::format("name '{}' ~ '{}' ({:.2f})", chosen.name, std::string(trim(lead.company)), best);
  if (tied.size() > 1) {
    reason += fmt::format(", 1 of {} similar accounts, by {}", tied.size(),
                          deciding_tie_breaker(tied, options));
  }
  double score = best;
  for (const Scored& c : candidates) {
    if (c.slot == tied[0]) {
      score = c.score;
    }
  }
  return result(tied[0], options.name_confidence * score, std::move(reason));
}

}  // namespace leadrouter::matching
