// The one queue both ingest paths feed: pollers push pages of changed leads,
// the webhook endpoint pushes record ids to fetch. One decision worker drains
// it, so routing (and the roster state it changes) is serialized per process.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "connectors/crm_types.hpp"

namespace leadrouter::sidecar {

struct IngestItem {
  std::string connector;
  std::string source;  // "poll" or "webhook"
  // poll: the lead as fetched. webhook: empty; the worker fetches record_id.
  std::optional<connectors::ChangedLead> lead;
  std::string record_id;
  std::string webhook_event_id;  // webhook: for replay protection
  // poll: set on the last item of a page; persisted with that item's commit.
  std::optional<std::string> cursor_after;
  std::chrono::steady_clock::time_point received_at{};
};

class IngestQueue {
 public:
  explicit IngestQueue(std::size_t limit);

  // Waits while the queue is full (back-pressure on pollers) until `deadline`;
  // false when closed or timed out.
  bool push(IngestItem item, std::chrono::steady_clock::time_point deadline);
  // Never waits: false when full or closed (webhooks answer 503 then).
  bool try_push(IngestItem item);
  // Up to `max` items; waits up to `timeout` for the first. Empty when the
  // timeout passed or the queue is closed and drained.
  std::vector<IngestItem> pop_batch(std::size_t max, std::chrono::milliseconds timeout);
  void close();  // wakes everyone; pushes fail from now on
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<IngestItem> items_;
  std::size_t limit_;
  bool closed_ = false;
};

}  // namespace leadrouter::sidecar
