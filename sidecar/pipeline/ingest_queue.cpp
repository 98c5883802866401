#include "sidecar/pipeline/ingest_queue.hpp"

namespace leadrouter::sidecar {

IngestQueue::IngestQueue(std::size_t limit) : limit_(limit == 0 ? 1 : limit) {}

bool IngestQueue::push(IngestItem item, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  if (!not_full_.wait_until(lock, deadline, [&] { return closed_ || items_.size() < limit_; })) {
    return false;
  }
  if (closed_) {
    return false;
  }
  items_.push_back(std::move(item));
  not_empty_.notify_one();
  return true;
}

bool IngestQueue::try_push(IngestItem item) {
  std::lock_guard lock(mutex_);
  if (closed_ || items_.size() >= limit_) {
    return false;
  }
  items_.push_back(std::move(item));
  not_empty_.notify_one();
  return true;
}

std::vector<IngestItem> IngestQueue::pop_batch(std::size_t max, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
  std::vector<IngestItem> batch;
  while (!items_.empty() && batch.size() < max) {
    batch.push_back(std::move(items_.front()));
    items_.pop_front();
  }
  if (!batch.empty()) {
    not_full_.notify_all();
  }
  return batch;
}

void IngestQueue::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  not_empty_.notify_all();
  not_full_.notify_all();
}

std::size_t IngestQueue::size() const {
  std::lock_guard lock(mutex_);
  return items_.size();
}

}  // namespace leadrouter::sidecar
