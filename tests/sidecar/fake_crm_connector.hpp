// An in-memory CRM behind the CrmConnector interface, for the pipeline
// tests: leads with modification times and owners, users, a change feed with
// the real cursor semantics, and apply() honouring the idempotency contract
// (a decision id already written finds its task instead of making another).
// Every write-back is recorded; failures can be injected per call.
#pragma once

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/crm_connector.hpp"

namespace leadrouter::sidecar::testing {

class FakeCrmConnector : public connectors::CrmConnector {
 public:
  explicit FakeCrmConnector(std::string name = "hs") : name_(std::move(name)) {}

  // --- set-up and inspection ----------------------------------------------
  void put_lead(connectors::ChangedLead lead) {
    std::lock_guard lock(mutex_);
    std::string id = lead.lead.id;
    leads_[id] = std::move(lead);
  }
  void remove_lead(const std::string& id) {
    std::lock_guard lock(mutex_);
    leads_.erase(id);
  }
  std::optional<connectors::ChangedLead> lead(const std::string& id) const {
    std::lock_guard lock(mutex_);
    auto it = leads_.find(id);
    return it == leads_.end() ? std::nullopt : std::optional(it->second);
  }
  void set_users(std::vector<core::Rep> users) {
    std::lock_guard lock(mutex_);
    users_ = std::move(users);
  }

  // The label fetch_outcomes reports for a record (replacing an earlier one).
  void set_outcome(connectors::Outcome outcome) {
    std::lock_guard lock(mutex_);
    std::string id = outcome.record_id;
    outcomes_[id] = std::move(outcome);
  }
  void fail_next_fetch_outcomes(Error error) { push(outcome_failures_, std::move(error)); }
  // The `since` of every fetch_outcomes call, in order.
  std::vector<Timestamp> outcome_since() const {
    std::lock_guard lock(mutex_);
    return outcome_since_;
  }

  // Accounts served by fetch_changed_accounts (replacing one with the same id).
  void put_account(connectors::CrmAccount account) {
    std::lock_guard lock(mutex_);
    std::string id = account.id;
    accounts_[id] = std::move(account);
  }
  void fail_next_fetch_accounts(Error error) { push(account_failures_, std::move(error)); }
  int fetch_accounts_calls() const {
    std::lock_guard lock(mutex_);
    return fetch_accounts_calls_;
  }
  // Leads/contacts find_people searches (by equal email or equal first and
  // last name, case folded), replacing one with the same id.
  void put_person(connectors::CrmPerson person) {
    std::lock_guard lock(mutex_);
    std::string id = person.id;
    people_[id] = std::move(person);
  }
  void fail_next_find_people(Error error) { push(people_failures_, std::move(error)); }
  // What work_status reports for a record; unset: not worked.
  void set_work_status(const std::string& record_id, connectors::WorkStatus status) {
    std::lock_guard lock(mutex_);
    work_[record_id] = std::move(status);
  }
  void fail_next_work_status(Error error) { push(work_failures_, std::move(error)); }
  std::vector<connectors::WorkCheck> work_checks() const {
    std::lock_guard lock(mutex_);
    return work_checks_;
  }

  // The next call of that kind fails with `error` (queued: one per call).
  void fail_next_fetch(Error error) { push(fetch_failures_, std::move(error)); }
  void fail_next_fetch_lead(Error error) { push(fetch_lead_failures_, std::move(error)); }
  void fail_next_list_reps(Error error) { push(list_failures_, std::move(error)); }
  // The next apply() call fails every write in it with `error`.
  void fail_next_apply(Error error) { push(apply_failures_, std::move(error)); }
  // The next apply() call answers without a result for this decision (a
  // connector bug the writer must survive).
  void omit_next_result(std::string decision_id) {
    std::lock_guard lock(mutex_);
    omitted_.push_back(std::move(decision_id));
  }

  std::vector<connectors::WriteBack> applied() const {
    std::lock_guard lock(mutex_);
    return applied_;
  }
  std::vector<connectors::WriteResult> results() const {
    std::lock_guard lock(mutex_);
    return results_;
  }
  int apply_calls() const {
    std::lock_guard lock(mutex_);
    return apply_calls_;
  }
  int fetch_calls() const {
    std::lock_guard lock(mutex_);
    return fetch_calls_;
  }
  int fetch_lead_calls() const {
    std::lock_guard lock(mutex_);
    return fetch_lead_calls_;
  }
  // Tasks created, by decision id: one per decision whatever was resent.
  std::map<std::string, std::string> tasks() const {
    std::lock_guard lock(mutex_);
    return tasks_;
  }
  std::vector<int> page_sizes_seen() const {
    std::lock_guard lock(mutex_);
    return page_sizes_;
  }

  // --- CrmConnector ---------------------------------------------------------
  const std::string& name() const override { return name_; }
  std::string_view system() const override { return "hubspot"; }

  std::expected<connectors::LeadPage, Error> fetch_changed_leads(
      const connectors::LeadCursor& cursor, int page_size) override {
    std::lock_guard lock(mutex_);
    ++fetch_calls_;
    page_sizes_.push_back(page_size);
    if (auto error = pop(fetch_failures_)) {
      return std::unexpected(*error);
    }
    std::vector<const connectors::ChangedLead*> after;
    for (const auto& [id, lead] : leads_) {
      const bool later = lead.modified_at > cursor.modified_at ||
                         (lead.modified_at == cursor.modified_at && !cursor.last_id.empty() &&
                          connectors::compare_record_ids(id, cursor.last_id) > 0);
      if (later) {
        after.push_back(&lead);
      }
    }
    std::ranges::sort(after, [](const auto* a, const auto* b) {
      if (a->modified_at != b->modified_at) {
        return a->modified_at < b->modified_at;
      }
      return connectors::compare_record_ids(a->lead.id, b->lead.id) < 0;
    });
    connectors::LeadPage page;
    page.next = cursor;
    const std::size_t n = std::min(after.size(), static_cast<std::size_t>(page_size));
    for (std::size_t i = 0; i < n; ++i) {
      page.leads.push_back(*after[i]);
    }
    if (n > 0) {
      page.next = {after[n - 1]->modified_at, after[n - 1]->lead.id};
    }
    page.more = after.size() > n;
    return page;
  }

  std::expected<connectors::ChangedLead, Error> fetch_lead(const std::string& record_id) override {
    std::lock_guard lock(mutex_);
    ++fetch_lead_calls_;
    if (auto error = pop(fetch_lead_failures_)) {
      return std::unexpected(*error);
    }
    auto it = leads_.find(record_id);
    if (it == leads_.end()) {
      return std::unexpected(Error::not_found("no record " + record_id));
    }
    return it->second;
  }

  std::expected<std::vector<core::Rep>, Error> list_reps() override {
    std::lock_guard lock(mutex_);
    if (auto error = pop(list_failures_)) {
      return std::unexpected(*error);
    }
    return users_;
  }

  std::expected<std::vector<connectors::CrmAccount>, Error> find_accounts(
      const connectors::AccountQuery&) override {
    return std::vector<connectors::CrmAccount>{};
  }

  std::expected<connectors::AccountPage, Error> fetch_changed_accounts(
      const connectors::LeadCursor& cursor, int page_size) override {
    std::lock_guard lock(mutex_);
    ++fetch_accounts_calls_;
    if (auto error = pop(account_failures_)) {
      return std::unexpected(*error);
    }
    std::vector<const connectors::CrmAccount*> after;
    for (const auto& [id, account] : accounts_) {
      const bool later = account.modified_at > cursor.modified_at ||
                         (account.modified_at == cursor.modified_at && !cursor.last_id.empty() &&
                          connectors::compare_record_ids(id, cursor.last_id) > 0);
      if (later) {
        after.push_back(&account);
      }
    }
    std::ranges::sort(after, [](const auto* a, const auto* b) {
      if (a->modified_at != b->modified_at) {
        return a->modified_at < b->modified_at;
      }
      return connectors::compare_record_ids(a->id, b->id) < 0;
    });
    connectors::AccountPage page;
    page.next = cursor;
    const std::size_t n = std::min(after.size(), static_cast<std::size_t>(page_size));
    for (std::size_t i = 0; i < n; ++i) {
      page.accounts.push_back(*after[i]);
    }
    if (n > 0) {
      page.next = {after[n - 1]->modified_at, after[n - 1]->id};
    }
    page.more = after.size() > n;
    return page;
  }

  std::expected<std::vector<connectors::CrmPerson>, Error> find_people(
      const connectors::PeopleQuery& query) override {
    std::lock_guard lock(mutex_);
    if (auto error = pop(people_failures_)) {
      return std::unexpected(*error);
    }
    auto fold = [](std::string s) {
      std::ranges::transform(s, s.begin(), [](unsigned char c) { return std::tolower(c); });
      return s;
    };
    std::vector<connectors::CrmPerson> found;
    for (const auto& [id, person] : people_) {
      if (id == query.exclude_record_id) {
        continue;
      }
      const bool by_email = !query.email.empty() && fold(person.email) == fold(query.email);
      const bool by_name = (!query.first_name.empty() || !query.last_name.empty()) &&
                           fold(person.first_name) == fold(query.first_name) &&
                           fold(person.last_name) == fold(query.last_name);
      if (by_email || by_name) {
        found.push_back(person);
      }
    }
    std::ranges::sort(found, [](const auto& a, const auto& b) {
      return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
    });
    if (found.size() > static_cast<std::size_t>(query.limit)) {
      found.resize(static_cast<std::size_t>(query.limit));
    }
    return found;
  }

  std::expected<connectors::WorkStatus, Error> work_status(
      const connectors::WorkCheck& check) override {
    std::lock_guard lock(mutex_);
    work_checks_.push_back(check);
    if (auto error = pop(work_failures_)) {
      return std::unexpected(*error);
    }
    auto it = work_.find(check.record_id);
    return it == work_.end() ? connectors::WorkStatus{} : it->second;
  }

  std::vector<connectors::WriteResult> apply(
      const std::vector<connectors::WriteBack>& batch) override {
    std::lock_guard lock(mutex_);
    ++apply_calls_;
    const std::optional<Error> failure = pop(apply_failures_);
    const std::vector<std::string> omitted = std::exchange(omitted_, {});
    std::vector<connectors::WriteResult> out;
    for (const connectors::WriteBack& write : batch) {
      applied_.push_back(write);
      connectors::WriteResult result;
      result.decision_id = write.decision_id;
      result.record_id = write.record_id;
      if (failure) {
        result.error = failure;
      } else if (auto it = leads_.find(write.record_id); it == leads_.end()) {
        result.error = Error::not_found("no record " + write.record_id);
      } else {
        if (!write.owner_id.empty()) {
          it->second.owner_id = write.owner_id;
        }
        if (write.task) {
          auto task = tasks_.find(write.decision_id);
          if (task != tasks_.end()) {
            result.task_already_existed = true;
            result.task_id = task->second;
          } else {
            result.task_id = "T" + std::to_string(tasks_.size() + 1);
            tasks_.emplace(write.decision_id, result.task_id);
          }
        }
        result.notified = write.notification.has_value();
      }
      if (std::ranges::find(omitted, write.decision_id) != omitted.end()) {
        continue;
      }
      results_.push_back(result);
      out.push_back(std::move(result));
    }
    return out;
  }

  // Like the real connectors: every record whose label time is at or after
  // `since` (an outcome without a time is always listed).
  std::expected<std::vector<connectors::Outcome>, Error> fetch_outcomes(Timestamp since) override {
    std::lock_guard lock(mutex_);
    outcome_since_.push_back(since);
    if (auto error = pop(outcome_failures_)) {
      return std::unexpected(std::move(*error));
    }
    std::vector<connectors::Outcome> out;
    for (const auto& [id, outcome] : outcomes_) {
      if (!outcome.at || *outcome.at >= since) {
        out.push_back(outcome);
      }
    }
    return out;
  }

  std::expected<std::vector<connectors::WebhookEvent>, Error> verify_webhook(
      const connectors::WebhookRequest&, std::chrono::system_clock::time_point) override {
    return std::unexpected(Error{ErrorKind::kPermanent, "the fake CRM sends no webhooks"});
  }

  connectors::RateLimiter::Snapshot rate_limit() const override { return {}; }

 private:
  void push(std::deque<Error>& queue, Error error) {
    std::lock_guard lock(mutex_);
    queue.push_back(std::move(error));
  }
  static std::optional<Error> pop(std::deque<Error>& queue) {
    if (queue.empty()) {
      return std::nullopt;
    }
    Error error = std::move(queue.front());
    queue.pop_front();
    return error;
  }

  std::string name_;
  mutable std::mutex mutex_;
  std::map<std::string, connectors::ChangedLead> leads_;
  std::vector<core::Rep> users_;
  std::deque<Error> fetch_failures_;
  std::deque<Error> fetch_lead_failures_;
  std::deque<Error> list_failures_;
  std::deque<Error> apply_failures_;
  std::deque<Error> outcome_failures_;
  std::map<std::string, connectors::Outcome> outcomes_;
  std::vector<Timestamp> outcome_since_;
  std::vector<std::string> omitted_;
  std::vector<connectors::WriteBack> applied_;
  std::vector<connectors::WriteResult> results_;
  std::map<std::string, std::string> tasks_;
  std::vector<int> page_sizes_;
  std::map<std::string, connectors::CrmAccount> accounts_;
  std::deque<Error> account_failures_;
  int fetch_accounts_calls_ = 0;
  std::map<std::string, connectors::CrmPerson> people_;
  std::deque<Error> people_failures_;
  std::map<std::string, connectors::WorkStatus> work_;
  std::deque<Error> work_failures_;
  std::vector<connectors::WorkCheck> work_checks_;
  int apply_calls_ = 0;
  int fetch_calls_ = 0;
  int fetch_lead_calls_ = 0;
};

}  // namespace leadrouter::sidecar::testing
