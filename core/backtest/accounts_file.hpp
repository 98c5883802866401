// Reading the accounts a backtest matches leads against: a CSV export of the
// CRM's accounts (HubSpot companies, Salesforce Accounts) with their owners,
// so that routes to the account owner fire in a replay as they would live.
//
//   auto accounts = backtest::accounts_from_csv(text, "accounts.csv");
//   if (!accounts) { fmt::print(stderr, "{}\n", leadrouter::format_errors(accounts.error())); }
#pragma once

#include <expected>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/matching/account_index.hpp"
#include "core/time.hpp"

namespace leadrouter::backtest {

// An account as it stood in the CRM. It can match leads created at or after
// `created_at` (any lead when unset), so a replay never routes a lead to an
// account that did not exist yet.
struct HistoricalAccount {
  matching::IndexedAccount account;
  std::optional<Timestamp> created_at;
};

// A header row, then one account per row. Columns: id, name and owner_id
// (required); domain, website, size (employees or revenue, for the "largest"
// tie-breaker), last_activity_at and created_at (ISO 8601) are optional.
// Errors name the file, the line and the column; all are reported at once.
std::expected<std::vector<HistoricalAccount>, ValidationErrors> accounts_from_csv(
    std::string_view text, std::string_view source_name);

}  // namespace leadrouter::backtest
