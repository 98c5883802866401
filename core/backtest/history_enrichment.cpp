#include "core/backtest/history_enrichment.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/text.hpp"

namespace leadrouter::backtest {

namespace {

std::string email_key(const core::Lead& lead) {
  return ascii_lower(trim(lead.email));
}

// Name and company must all be known: two "J. Smith"s at unknown companies
// are not evidence of one person.
std::string name_key(const core::Lead& lead) {
  const std::string first = ascii_lower(trim(lead.first_name));
  const std::string last = ascii_lower(trim(lead.last_name));
  const std::string company = core::normalize_company_name(lead.company);
  if (first.empty() || last.empty() || company.empty()) {
    return {};
  }
  return fmt::format("{}\x1f{}\x1f{}", first, last, company);
}

}  // namespace

std::expected<HistoryEnrichment, Error> HistoryEnrichment::create(
    std::span<const HistoricalAccount> accounts,
    std::shared_ptr<const matching::PublicSuffixList> suffixes,
    std::shared_ptr<const core::FreeMailDomains> free_mail, matching::MatchOptions options,
    bool detect_duplicates) {
  HistoryEnrichment e;
  e.free_mail_ = free_mail ? std::move(free_mail) : std::make_shared<const core::FreeMailDomains>();
  e.options_ = std::move(options);
  e.detect_duplicates_ = detect_duplicates;
  if (!accounts.empty()) {
    if (!suffixes) {
      return std::unexpected(
          Error::invalid_input("backtest: accounts given without a public suffix list"));
    }
    e.index_ = std::make_unique<matching::AccountIndex>(std::move(suffixes), e.free_mail_);
    for (const HistoricalAccount& a : accounts) {
      e.pending_.push_back(&a);
    }
    // Latest first, so the next account to join is at the back.
    std::ranges::stable_sort(e.pending_,
                             [](const HistoricalAccount* a, const HistoricalAccount* b) {
                               const Timestamp ta = a->created_at.value_or(Timestamp::min());
                               const Timestamp tb = b->created_at.value_or(Timestamp::min());
                               return ta > tb;
                             });
  }
  return e;
}

std::optional<core::AccountMatch> HistoryEnrichment::match_account(const core::Lead& lead) {
  if (!index_) {
    return std::nullopt;
  }
  const Timestamp now = lead.created_at.value_or(Timestamp::max());
  while (!pending_.empty() && pending_.back()->created_at.value_or(Timestamp::min()) <= now) {
    // accounts_from_csv refuses duplicate ids, so only an empty id fails
    // here, and such an account could never be routed to anyway.
    (void)index_->add(pending_.back()->account);
    pending_.pop_back();
  }
  return index_->match(lead, core::derive_facts(lead, *free_mail_), options_);
}

std::optional<HistoryEnrichment::Repeat> HistoryEnrichment::earlier_duplicate(
    const core::Lead& lead) const {
  if (!detect_duplicates_) {
    return std::nullopt;
  }
  std::optional<Repeat> found;
  if (const std::string key = email_key(lead); !key.empty()) {
    if (auto it = by_email_.find(key); it != by_email_.end()) {
      found = Repeat{it->second, "same email"};
    }
  }
  if (const std::string key = name_key(lead); !key.empty()) {
    if (auto it = by_name_.find(key);
        it != by_name_.end() && (!found || it->second < found->position)) {
      found = Repeat{it->second, "same name and company"};
    }
  }
  return found;
}

void HistoryEnrichment::remember(const core::Lead& lead, std::size_t position) {
  if (!detect_duplicates_) {
    return;
  }
  if (const std::string key = email_key(lead); !key.empty()) {
    by_email_.emplace(key, position);
  }
  if (const std::string key = name_key(lead); !key.empty()) {
    by_name_.emplace(key, position);
  }
}

}  // namespace leadrouter::backtest
