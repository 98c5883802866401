// The daemon's side of account matching and duplicate detection: it builds
// the account directory and the lead enricher from the config, loads each
// connector's stored accounts at start (reading them all from the CRM first
// on a first start, before any lead is routed) and keeps them current on a
// thread of its own: the change feed every accounts.refresh_seconds, a full
// re-read every accounts.full_refresh_hours.
#pragma once

#include <chrono>
#include <condition_variable>
#include <expected>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "connectors/crm_connector.hpp"
#include "core/rep.hpp"
#include "sidecar/config/sidecar_config.hpp"
#include "sidecar/metrics/metrics.hpp"
#include "sidecar/pipeline/account_directory.hpp"
#include "sidecar/pipeline/lead_enricher.hpp"
#include "sidecar/store/state_store.hpp"

namespace leadrouter::sidecar {

class AccountSync {
 public:
  // The error is ready to print (an unreadable public suffix list).
  static std::expected<std::unique_ptr<AccountSync>, std::string> create(
      const SidecarConfig& config, StateStore& store, MetricsRegistry& metrics,
      AccountDirectory::Clock clock);
  ~AccountSync();  // stops the thread

  // Loads the connector's stored accounts; with no stored cursor (a first
  // start) reads every account from the CRM before returning.
  std::expected<void, std::string> add_connector(
      connectors::CrmConnector& crm, std::shared_ptr<const core::FreeMailDomains> free_mail);
  void set_active_owners(const std::string& connector, const std::vector<core::Rep>& users);
  // After a reload: the free-mail list the connector's routing now uses.
  void set_free_mail(const std::string& connector,
                     std::shared_ptr<const core::FreeMailDomains> free_mail);

  // For DecisionEngine::set_enricher; null when accounts and duplicates are off.
  std::shared_ptr<const LeadEnricher> enricher() const { return enricher_; }
  // Null when account matching is off.
  const AccountDirectory* directory() const { return directory_.get(); }

  void start();
  void stop();

  // One line for /readyz: how many accounts are indexed and how old the
  // last successful read of the CRM's accounts is ("account matching off"
  // when disabled). Thread-safe.
  std::string status(const std::string& connector) const;

 private:
  AccountSync(AccountsConfig config, AccountDirectory::Clock clock);
  void run(std::stop_token stop);
  void record_read(const std::string& connector, const std::expected<void, Error>& result);

  AccountsConfig config_;
  AccountDirectory::Clock clock_;
  std::unique_ptr<AccountDirectory> directory_;
  std::shared_ptr<const LeadEnricher> enricher_;
  std::vector<connectors::CrmConnector*> connectors_;
  std::optional<std::jthread> thread_;

  struct ReadState {
    std::optional<std::chrono::system_clock::time_point> last_success;
    std::string last_error;  // of the latest read, "" when it succeeded
  };
  mutable std::mutex read_mutex_;
  std::map<std::string, ReadState, std::less<>> reads_;
};

}  // namespace leadrouter::sidecar
