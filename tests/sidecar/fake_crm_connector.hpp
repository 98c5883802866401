// An in-memory CRM behind the CrmConnector interface, for the pipeline
// tests: leads with modification times and owners, users, a change feed with
// the real cursor semantics, and apply() honouring the idempotency contract
// (a decision id already written finds its task instead of making another).
// Every write-back is recorded; failures can be injected per call.
#pragma once

#include <algorithm>
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
  int apply_calls_ = 0;
  int fetch_calls_ = 0;
  int fetch_lead_calls_ = 0;
};

}  // namespace leadrouter::sidecar::testing
