#include "sidecar/daemon/account_sync.hpp"

#include <fmt/format.h>

#include <utility>

#include "sidecar/logging/log.hpp"

namespace leadrouter::sidecar {

namespace {

// Progress of a long first read, at most every this many accounts.
constexpr std::size_t kProgressEvery = 10000;

}  // namespace

AccountSync::AccountSync(AccountsConfig config, AccountDirectory::Clock clock)
    : config_(std::move(config)), clock_(std::move(clock)) {}

std::expected<std::unique_ptr<AccountSync>, std::string> AccountSync::create(
    const SidecarConfig& config, StateStore& store, MetricsRegistry& metrics,
    AccountDirectory::Clock clock) {
  std::unique_ptr<AccountSync> sync(new AccountSync(config.accounts, clock));
  if (config.accounts.enabled) {
    auto suffixes = matching::PublicSuffixList::load(config.accounts.public_suffix_list);
    if (!suffixes) {
      return std::unexpected(
          fmt::format("accounts.public_suffix_list: {}", suffixes.error().message));
    }
    sync->directory_ = std::make_unique<AccountDirectory>(
        store, metrics, std::make_shared<const matching::PublicSuffixList>(std::move(*suffixes)),
        config.accounts, clock);
  }
  if (config.accounts.enabled || config.duplicates.enabled) {
    sync->enricher_ =
        std::make_shared<const LeadEnricher>(store, metrics, sync->directory_.get(),
                                             config.duplicates, config.ingest.unassigned_owner_ids);
  }
  return sync;
}

AccountSync::~AccountSync() {
  stop();
}

std::expected<void, std::string> AccountSync::add_connector(
    connectors::CrmConnector& crm, std::shared_ptr<const core::FreeMailDomains> free_mail) {
  if (!directory_) {
    return {};
  }
  const std::string& name = crm.name();
  const auto started = std::chrono::steady_clock::now();
  auto loaded = directory_->load(name, std::move(free_mail));
  if (!loaded) {
    return std::unexpected(
        fmt::format("cannot load the stored accounts: {}", loaded.error().message));
  }
  const std::chrono::duration<double, std::milli> load_ms =
      std::chrono::steady_clock::now() - started;
  log::info("accounts_loaded",
            {{"connector", name}, {"accounts", *loaded}, {"ms", load_ms.count()}});
  connectors_.push_back(&crm);

  auto cursor = directory_->has_cursor(name);
  if (!cursor) {
    return std::unexpected(
        fmt::format("cannot read the account cursor: {}", cursor.error().message));
  }
  if (*cursor) {
    // Catch up before leads are routed: usually a page of changes, or the
    // rest of a first read that a crash interrupted. The stored copy is good
    // enough to start with if the CRM does not answer now.
    auto caught_up = directory_->refresh(crm);
    record_read(name,
                caught_up ? std::expected<void, Error>{} : std::unexpected(caught_up.error()));
    if (!caught_up) {
      log::warn("accounts_catch_up_failed",
                {{"connector", name}, {"error", caught_up.error().message}});
    } else {
      log::info(
          "accounts_caught_up",
          {{"connector", name}, {"changed", caught_up->changed}, {"accounts", caught_up->indexed}});
    }
    return {};
  }
  // A first start: leads routed before the accounts are known would miss
  // their account owner, so every account is read before the pollers start.
  log::info("accounts_first_read", {{"connector", name}});
  std::size_t next_report = kProgressEvery;
  auto read = directory_->refresh(crm, [&](const std::string& connector, std::size_t count) {
    if (count >= next_report) {
      log::info("accounts_read_progress", {{"connector", connector}, {"accounts", count}});
      next_report = count + kProgressEvery;
    }
    return true;
  });
  if (!read) {
    return std::unexpected(fmt::format("cannot read the CRM's accounts: {}", read.error().message));
  }
  record_read(name, {});
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - started;
  log::info("accounts_first_read_done", {{"connector", name},
                                         {"accounts", read->indexed},
                                         {"pages", read->pages},
                                         {"seconds", seconds.count()}});
  return {};
}

void AccountSync::set_active_owners(const std::string& connector,
                                    const std::vector<core::Rep>& users) {
  if (!directory_) {
    return;
  }
  std::vector<std::string> ids;
  ids.reserve(users.size());
  for (const core::Rep& rep : users) {
    if (rep.active) {
      ids.push_back(rep.id);
    }
  }
  directory_->set_active_owners(connector, ids);
}

void AccountSync::set_free_mail(const std::string& connector,
                                std::shared_ptr<const core::FreeMailDomains> free_mail) {
  if (directory_ && directory_->set_free_mail(connector, std::move(free_mail))) {
    log::info("account_index_rebuilt",
              {{"connector", connector}, {"reason", "free-mail list changed"}});
  }
}

void AccountSync::start() {
  if (!directory_ || connectors_.empty() || thread_) {
    return;
  }
  thread_.emplace([this](std::stop_token stop) { run(stop); });
}

void AccountSync::stop() {
  thread_.reset();  // requests stop and joins
}

void AccountSync::record_read(const std::string& connector,
                              const std::expected<void, Error>& result) {
  std::lock_guard lock(read_mutex_);
  ReadState& state = reads_[connector];
  if (result) {
    state.last_success = clock_();
    state.last_error.clear();
  } else {
    state.last_error = result.error().message;
  }
}

std::string AccountSync::status(const std::string& connector) const {
  if (!directory_) {
    return "account matching off";
  }
  std::string line = fmt::format("{} accounts indexed", directory_->size(connector));
  std::lock_guard lock(read_mutex_);
  const auto it = reads_.find(connector);
  if (it == reads_.end() || !it->second.last_success) {
    line += "; not read from the CRM since start";
  } else {
    const auto age = std::chrono::floor<std::chrono::seconds>(clock_() - *it->second.last_success);
    line += fmt::format("; last read from the CRM {} s ago", age.count());
  }
  if (it != reads_.end() && !it->second.last_error.empty()) {
    line += "; latest read failed: " + it->second.last_error;
  }
  return line;
}

void AccountSync::run(std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any cv;
  const auto interval = std::chrono::seconds{config_.refresh_seconds};
  const auto full_every = std::chrono::hours{config_.full_refresh_hours};
  auto last_full = clock_();
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mutex);
      cv.wait_for(lock, stop, interval, [] { return false; });
    }
    if (stop.stop_requested()) {
      return;
    }
    const bool full = config_.full_refresh_hours > 0 && clock_() - last_full >= full_every;
    for (connectors::CrmConnector* crm : connectors_) {
      if (stop.stop_requested()) {
        return;
      }
      const auto keep_going = [&](const std::string&, std::size_t) {
        return !stop.stop_requested();
      };
      auto result =
          full ? directory_->full_refresh(*crm, keep_going) : directory_->refresh(*crm, keep_going);
      record_read(crm->name(),
                  result ? std::expected<void, Error>{} : std::unexpected(result.error()));
      if (!result) {
        // Counted in leadrouter_account_refresh_errors_total; the next round retries.
        log::warn("account_refresh_failed",
                  {{"connector", crm->name()}, {"full", full}, {"error", result.error().message}});
        continue;
      }
      if (result->changed > 0 || result->removed > 0) {
        log::info("accounts_refreshed", {{"connector", crm->name()},
                                         {"full", full},
                                         {"changed", result->changed},
                                         {"removed", result->removed},
                                         {"accounts", result->indexed}});
      }
    }
    if (full) {
      last_full = clock_();
    }
  }
}

}  // namespace leadrouter::sidecar
