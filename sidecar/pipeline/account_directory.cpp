#include "sidecar/pipeline/account_directory.hpp"

#include <fmt/format.h>

#include <mutex>
#include <utility>

#include "sidecar/logging/log.hpp"

namespace leadrouter::sidecar {

namespace {

TimestampMs to_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::milliseconds>(t);
}

}  // namespace

AccountDirectory::AccountDirectory(StateStore& store, MetricsRegistry& metrics,
                                   std::shared_ptr<const matching::PublicSuffixList> suffixes,
                                   AccountsConfig config, Clock clock)
    : store_(store),
      metrics_(metrics),
      suffixes_(std::move(suffixes)),
      config_(std::move(config)),
      clock_(std::move(clock)) {}

matching::IndexedAccount AccountDirectory::indexed(const Tenant& tenant,
                                                   const connectors::CrmAccount& a) const {
  matching::IndexedAccount out;
  out.id = a.id;
  out.name = a.name;
  out.domain = a.domain;
  out.website = a.website;
  out.owner_id = a.owner_id;
  out.owner_active =
      !a.owner_id.empty() && (!tenant.active_owners || tenant.active_owners->contains(a.owner_id));
  if (a.last_activity_at) {
    out.last_activity_at = std::chrono::floor<std::chrono::seconds>(*a.last_activity_at);
  }
  out.size = a.size;
  return out;
}

void AccountDirectory::publish_size(const std::string& connector, std::size_t size) {
  metrics_
      .gauge("leadrouter_accounts_indexed", "Accounts in the account index",
             {{"connector", connector}})
      .set(static_cast<double>(size));
}

std::expected<std::size_t, Error> AccountDirectory::load(
    const std::string& connector, std::shared_ptr<const core::FreeMailDomains> free_mail) {
  auto stored = store_.accounts(connector);
  if (!stored) {
    return std::unexpected(stored.error());
  }
  Tenant tenant;
  tenant.index = std::make_unique<matching::AccountIndex>(suffixes_, free_mail);
  tenant.free_mail = std::move(free_mail);
  for (const connectors::CrmAccount& a : *stored) {
    if (auto added = tenant.index->upsert(indexed(tenant, a)); !added) {
      return std::unexpected(added.error());
    }
    tenant.owners[a.id] = a.owner_id;
  }
  const std::size_t size = tenant.index->size();
  {
    std::unique_lock lock(mutex_);
    tenants_[connector] = std::move(tenant);
  }
  publish_size(connector, size);
  return size;
}

bool AccountDirectory::set_free_mail(const std::string& connector,
                                     std::shared_ptr<const core::FreeMailDomains> free_mail) {
  if (!free_mail) {
    return false;
  }
  std::unique_lock lock(mutex_);
  auto it = tenants_.find(connector);
  if (it == tenants_.end()) {
    return false;
  }
  Tenant& tenant = it->second;
  if (tenant.free_mail && *tenant.free_mail == *free_mail) {
    return false;
  }
  auto index = std::make_unique<matching::AccountIndex>(suffixes_, free_mail);
  for (const auto& [id, owner] : tenant.owners) {
    if (const matching::IndexedAccount* account = tenant.index->find(id)) {
      // The old index held each id once, so add() cannot refuse it.
      (void)index->add(*account);
    }
  }
  tenant.index = std::move(index);
  tenant.free_mail = std::move(free_mail);
  return true;
}

std::expected<bool, Error> AccountDirectory::has_cursor(std::string_view connector) {
  auto cursor = store_.account_cursor(connector);
  if (!cursor) {
    return std::unexpected(cursor.error());
  }
  return cursor->has_value();
}

std::expected<AccountRefreshResult, Error> AccountDirectory::refresh(connectors::CrmConnector& crm,
                                                                     const Progress& progress) {
  return read_feed(crm, false, progress);
}

std::expected<AccountRefreshResult, Error> AccountDirectory::full_refresh(
    connectors::CrmConnector& crm, const Progress& progress) {
  return read_feed(crm, true, progress);
}

std::expected<AccountRefreshResult, Error> AccountDirectory::read_feed(
    connectors::CrmConnector& crm, bool full, const Progress& progress) {
  const std::string& name = crm.name();
  if (!has_connector(name)) {
    return std::unexpected(Error::not_found(fmt::format("no account index for '{}'", name)));
  }
  auto& errors = metrics_.counter("leadrouter_account_refresh_errors_total",
                                  "Account refreshes that failed (retried on the next round)",
                                  {{"connector", name}});
  const auto failed = [&](Error error) -> std::expected<AccountRefreshResult, Error> {
    errors.inc();
    return std::unexpected(std::move(error));
  };

  connectors::LeadCursor cursor;
  if (!full) {
    auto stored = store_.account_cursor(name);
    if (!stored) {
      return failed(stored.error());
    }
    if (*stored) {
      auto parsed = connectors::LeadCursor::parse(**stored);
      if (!parsed) {
        return failed(Error::internal(fmt::format("stored account cursor of '{}' is unreadable: {}",
                                                  name, parsed.error().message)));
      }
      cursor = std::move(*parsed);
    }
  }

  AccountRefreshResult result;
  std::unordered_set<std::string> seen;
  for (;;) {
    auto page = crm.fetch_changed_accounts(cursor, config_.page_size);
    if (!page) {
      return failed(page.error());
    }
    ++result.pages;
    // The store first: an account is indexed only once it would survive a
    // restart, so the index never knows more than the store resumes from.
    AccountCommit commit;
    commit.connector = name;
    commit.accounts = page->accounts;
    commit.now = to_ms(clock_());
    if (!full) {
      commit.cursor = page->next.serialize();
    }
    if (!commit.accounts.empty() || commit.cursor) {
      if (auto stored = store_.commit_accounts(commit); !stored) {
        return failed(stored.error());
      }
    }
    {
      std::unique_lock lock(mutex_);
      Tenant& tenant = tenants_.find(name)->second;
      for (const connectors::CrmAccount& a : page->accounts) {
        if (auto added = tenant.index->upsert(indexed(tenant, a)); !added) {
          log::warn("account_not_indexed",
                    {{"connector", name}, {"account", a.id}, {"error", added.error().message}});
          continue;
        }
        tenant.owners[a.id] = a.owner_id;
      }
    }
    result.changed += page->accounts.size();
    if (full) {
      for (const connectors::CrmAccount& a : page->accounts) {
        seen.insert(a.id);
      }
    }
    const bool moved = !(page->next == cursor);
    cursor = page->next;
    // A page that did not move the cursor would be asked for again forever.
    if (!page->more || !moved) {
      break;
    }
    if (progress && !progress(name, result.changed)) {
      // Stopped early: a full refresh has not seen every account, so it
      // must not remove any.
      full = false;
      break;
    }
  }

  if (full) {
    AccountCommit commit;
    commit.connector = name;
    commit.cursor = cursor.serialize();
    commit.now = to_ms(clock_());
    {
      std::shared_lock lock(mutex_);
      for (const auto& [id, owner] : tenants_.find(name)->second.owners) {
        if (!seen.contains(id)) {
          commit.removed_ids.push_back(id);
        }
      }
    }
    if (auto stored = store_.commit_accounts(commit); !stored) {
      return failed(stored.error());
    }
    std::unique_lock lock(mutex_);
    Tenant& tenant = tenants_.find(name)->second;
    for (const std::string& id : commit.removed_ids) {
      tenant.index->remove(id);
      tenant.owners.erase(id);
    }
    result.removed = commit.removed_ids.size();
  }
  {
    std::shared_lock lock(mutex_);
    result.indexed = tenants_.find(name)->second.index->size();
  }
  publish_size(name, result.indexed);
  return result;
}

void AccountDirectory::set_active_owners(const std::string& connector,
                                         const std::vector<std::string>& user_ids) {
  std::unique_lock lock(mutex_);
  auto it = tenants_.find(connector);
  if (it == tenants_.end()) {
    return;
  }
  Tenant& tenant = it->second;
  tenant.active_owners.emplace(user_ids.begin(), user_ids.end());
  for (const auto& [id, owner] : tenant.owners) {
    const matching::IndexedAccount* current = tenant.index->find(id);
    if (current == nullptr) {
      continue;
    }
    const bool active = !owner.empty() && tenant.active_owners->contains(owner);
    if (current->owner_active != active) {
      matching::IndexedAccount changed = *current;
      changed.owner_active = active;
      [[maybe_unused]] auto updated = tenant.index->update(std::move(changed));
    }
  }
}

std::optional<core::AccountMatch> AccountDirectory::match(std::string_view connector,
                                                          const core::Lead& lead,
                                                          const core::LeadFacts& facts) const {
  std::shared_lock lock(mutex_);
  auto it = tenants_.find(connector);
  if (it == tenants_.end()) {
    return std::nullopt;
  }
  return it->second.index->match(lead, facts, config_.match);
}

std::string AccountDirectory::account_name(std::string_view connector,
                                           std::string_view account_id) const {
  std::shared_lock lock(mutex_);
  auto it = tenants_.find(connector);
  if (it == tenants_.end()) {
    return {};
  }
  const matching::IndexedAccount* account = it->second.index->find(account_id);
  return account == nullptr ? std::string() : account->name;
}

std::size_t AccountDirectory::size(std::string_view connector) const {
  std::shared_lock lock(mutex_);
  auto it = tenants_.find(connector);
  return it == tenants_.end() ? 0 : it->second.index->size();
}

bool AccountDirectory::has_connector(std::string_view connector) const {
  std::shared_lock lock(mutex_);
  return tenants_.contains(connector);
}

}  // namespace leadrouter::sidecar
