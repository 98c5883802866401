// The `accounts` and `duplicates` sections of the sidecar config: how the
// account index is kept current and matched (docs/account-matching.md, "In
// the sidecar"), and which rules make a new lead the duplicate of an existing
// lead or contact. docs/configuration.md lists every key.
#pragma once

#include <string>

#include "core/json_reader.hpp"
#include "core/matching/account_index.hpp"

namespace leadrouter::sidecar {

struct AccountsConfig {
  bool enabled = true;
  int refresh_seconds = 300;  // the change feed is read this often
  // A complete re-read this often, which is the only way to see accounts
  // deleted in the CRM (a change feed lists no deletions); 0: never.
  int full_refresh_hours = 24;
  int page_size = 100;
  // Debian's `publicsuffix` package; "" never (the path is always set).
  std::string public_suffix_list{matching::kDefaultPublicSuffixListPath};
  matching::MatchOptions match;
};

struct DuplicatesConfig {
  bool enabled = true;
  bool match_email = true;         // same email, case folded
  bool match_name_company = true;  // same first and last name and normalized company
};

// Read `accounts` / `duplicates` of the root object into `config`; every
// problem is recorded in the reader with its JSON path.
void read_accounts_config(core::JsonObjectReader& root, const std::string& base_dir,
                          AccountsConfig& config);
void read_duplicates_config(core::JsonObjectReader& root, DuplicatesConfig& config);

}  // namespace leadrouter::sidecar
