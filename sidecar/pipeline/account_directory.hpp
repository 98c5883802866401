// The sidecar's copy of each CRM's accounts (HubSpot companies, Salesforce
// Accounts): one matching::AccountIndex per connector, kept in the store so
// that a restart resumes the CRM's account change feed instead of reading
// every account again.
//
//   AccountDirectory accounts(store, metrics, suffixes, config.accounts, clock);
//   accounts.load("hs", free_mail);             // the stored copy, at start
//   accounts.refresh(connector);                // pages after the stored cursor
//   auto match = accounts.match("hs", lead, facts);
//
// A change feed reports no deletions: an account deleted in the CRM stays
// matchable until full_refresh() (every full_refresh_hours) re-reads all
// accounts and drops those no longer listed.
//
// Thread-safe: matches run under a shared lock and may overlap; a refresh
// updates the index under the exclusive lock one page at a time, so a match
// never waits for the CRM.
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "connectors/crm_connector.hpp"
#include "core/lead.hpp"
#include "core/lead_facts.hpp"
#include "core/matching/account_index.hpp"
#include "sidecar/config/account_config.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

struct AccountRefreshResult {
  int pages = 0;
  std::size_t changed = 0;  // accounts added or updated
  std::size_t removed = 0;  // full refresh only
  std::size_t indexed = 0;  // accounts in the index afterwards
};

class AccountDirectory {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // Called after each page of a refresh with the accounts read so far;
  // false stops the refresh there (what it read is stored and indexed).
  using Progress = std::function<bool(const std::string& connector, std::size_t read)>;

  AccountDirectory(StateStore& store, MetricsRegistry& metrics,
                   std::shared_ptr<const matching::PublicSuffixList> suffixes,
                   AccountsConfig config, Clock clock);

  // Registers a connector (again: replaces its index) with the accounts
  // stored for it. Returns how many were loaded.
  std::expected<std::size_t, Error> load(const std::string& connector,
                                         std::shared_ptr<const core::FreeMailDomains> free_mail);
  // Whether the connector's account feed was ever read to its end: false on
  // a first start, when routing should wait for the first full read.
  std::expected<bool, Error> has_cursor(std::string_view connector);

  // Reads the change feed from the stored cursor until the CRM says there is
  // no more, committing each page with its cursor before it enters the index.
  std::expected<AccountRefreshResult, Error> refresh(connectors::CrmConnector& crm,
                                                     const Progress& progress = {});
  // Reads every account from the start and drops the ones the CRM no longer
  // lists; the stored cursor moves only at the end, so an interrupted full
  // refresh leaves the incremental feed where it was.
  std::expected<AccountRefreshResult, Error> full_refresh(connectors::CrmConnector& crm,
                                                          const Progress& progress = {});

  // A reloaded free-mail list. When it differs from the one the index was
  // built with, the index is rebuilt with it (an account on a domain that is
  // now free mail must stop matching by domain); true when it was. The
  // rebuild runs under the exclusive lock, so no refresh page can slip
  // between the old index and the new one.
  bool set_free_mail(const std::string& connector,
                     std::shared_ptr<const core::FreeMailDomains> free_mail);

  // The CRM's active users (roster refresh), for the owner_active tie-breaker.
  void set_active_owners(const std::string& connector, const std::vector<std::string>& user_ids);

  std::optional<core::AccountMatch> match(std::string_view connector, const core::Lead& lead,
                                          const core::LeadFacts& facts) const;
  // The account's name ("" when unknown): a Salesforce contact's company.
  std::string account_name(std::string_view connector, std::string_view account_id) const;
  std::size_t size(std::string_view connector) const;
  bool has_connector(std::string_view connector) const;
  const AccountsConfig& config() const { return config_; }

 private:
  struct Tenant {
    std::unique_ptr<matching::AccountIndex> index;
    std::shared_ptr<const core::FreeMailDomains> free_mail;
    // Empty until the first roster refresh: every owner counts as active.
    std::optional<std::unordered_set<std::string>> active_owners;
    // Account id -> owner id, to find the accounts an owner change affects.
    std::unordered_map<std::string, std::string> owners;
  };

  matching::IndexedAccount indexed(const Tenant& tenant, const connectors::CrmAccount& a) const;
  void publish_size(const std::string& connector, std::size_t size);
  std::expected<AccountRefreshResult, Error> read_feed(connectors::CrmConnector& crm, bool full,
                                                       const Progress& progress);

  StateStore& store_;
  MetricsRegistry& metrics_;
  std::shared_ptr<const matching::PublicSuffixList> suffixes_;
  AccountsConfig config_;
  Clock clock_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Tenant, std::less<>> tenants_;
};

}  // namespace leadrouter::sidecar
