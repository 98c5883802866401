// What the sidecar would have known about a lead of the history when it
// arrived: the account it matches among the accounts that existed by then,
// and the earlier lead it repeats. Used by replay(); kept apart so the
// replay loop reads as the routing it simulates.
#pragma once

#include <cstddef>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/backtest/accounts_file.hpp"
#include "core/error.hpp"
#include "core/lead.hpp"
#include "core/lead_facts.hpp"
#include "core/matching/account_index.hpp"

namespace leadrouter::backtest {

class HistoryEnrichment {
 public:
  // `accounts` may be empty (no account matching); `suffixes` is needed only
  // when it is not. kInvalidInput for a missing suffix list or an account the
  // index refuses.
  static std::expected<HistoryEnrichment, Error> create(
      std::span<const HistoricalAccount> accounts,
      std::shared_ptr<const matching::PublicSuffixList> suffixes,
      std::shared_ptr<const core::FreeMailDomains> free_mail, matching::MatchOptions options,
      bool detect_duplicates);

  // The account `lead` matches among those created by `lead.created_at`.
  // Leads must come in time order.
  std::optional<core::AccountMatch> match_account(const core::Lead& lead);

  struct Repeat {
    std::size_t position;  // of the earlier lead, in the order remember() saw them
    std::string reason;    // "same email", "same name and company"
  };
  // The earliest remembered lead this one repeats.
  std::optional<Repeat> earlier_duplicate(const core::Lead& lead) const;
  // Makes `lead` (at `position`) findable by later duplicates.
  void remember(const core::Lead& lead, std::size_t position);

 private:
  HistoryEnrichment() = default;

  std::unique_ptr<matching::AccountIndex> index_;
  std::shared_ptr<const core::FreeMailDomains> free_mail_;
  matching::MatchOptions options_;
  std::vector<const HistoricalAccount*> pending_;  // not yet indexed, latest first
  bool detect_duplicates_ = true;
  std::unordered_map<std::string, std::size_t> by_email_;
  std::unordered_map<std::string, std::size_t> by_name_;
};

}  // namespace leadrouter::backtest
