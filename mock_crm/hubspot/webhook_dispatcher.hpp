// Outbound HubSpot webhook deliveries: events are batched per target URL (at
// most 100 per request, optionally held for a batching window), POSTed as a
// JSON array with v1 and v3 signature headers from a thread of their own, and
// retried with backoff on connection failure, timeout (5 s) or any non-2xx.
// Every attempt is recorded. Thread-safe; handlers enqueue under the server
// lock while deliveries run without it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mock_crm/crm_api.hpp"

namespace leadrouter::mock_crm::hubspot {

struct WebhookEvent {
  std::int64_t event_id = 0;
  std::int64_t subscription_id = 0;
  std::int64_t portal_id = 0;
  std::int64_t app_id = 0;
  std::int64_t occurred_at = 0;   // epoch ms
  std::string subscription_type;  // "contact.creation", "contact.propertyChange"
  std::int64_t object_id = 0;
  std::string change_source;
  std::string change_flag;  // "NEW" on creation events
  bool property_change = false;
  std::string property_name;
  std::string property_value;
};

struct DeliveryPolicy {
  std::int64_t batch_window_ms = 0;
  int max_attempts = 10;
  std::vector<std::int64_t> retry_backoff_ms = {1000, 2000, 4000, 8000, 16000, 32000, 64000};
};

// The JSON array HubSpot POSTs, with attemptNumber set for this attempt.
std::string webhook_body(const std::vector<WebhookEvent>& events, int attempt_number);

class WebhookDispatcher {
 public:
  WebhookDispatcher();
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // The clock that stamps attempts and schedules retries (the server's).
  void set_clock(const MockClock* clock) { clock_.store(clock); }
  // Forgets queued batches and the delivery log.
  void reset();
  void enqueue(const std::string& url, const std::string& client_secret, const WebhookEvent& event,
               const DeliveryPolicy& policy);
  // Attempts every queued batch now and waits (up to 30 s) for those attempts.
  void flush();
  // Writes the members "webhook_deliveries" (every attempt) and
  // "webhook_pending_batches" into the object the caller has open.
  void write_log_members(rapidjson::Writer<rapidjson::StringBuffer>& out) const;
  std::size_t queued() const;

 private:
  struct Batch {
    std::int64_t id = 0;
    std::string url;
    std::string secret;
    std::vector<WebhookEvent> events;
    int attempt = 0;
    std::int64_t due_ms = 0;
    bool forced = false;  // set by flush(): attempt now
    DeliveryPolicy policy;
  };
  struct Attempt {
    std::int64_t batch_id = 0;
    int attempt_number = 0;
    std::int64_t time_ms = 0;
    std::string url;
    std::vector<std::int64_t> event_ids;
    int status = 0;  // 0: no HTTP response
    std::string error;
    bool delivered = false;
    bool will_retry = false;
  };

  std::int64_t now_ms() const;
  void run();
  // Returns the HTTP status (0 on transport failure) and an error text.
  std::pair<int, std::string> post(const Batch& batch, const std::string& body) const;

  std::atomic<const MockClock*> clock_{nullptr};
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Batch> queue_;
  std::vector<Attempt> log_;
  std::int64_t next_batch_id_ = 1;
  int in_flight_ = 0;
  std::uint64_t generation_ = 0;  // bumped by reset() so stale attempts are dropped
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace leadrouter::mock_crm::hubspot
