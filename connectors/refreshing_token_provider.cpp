#include "connectors/refreshing_token_provider.hpp"

namespace leadrouter::connectors {

RefreshingTokenProvider::RefreshingTokenProvider(Clock clock, std::chrono::seconds refresh_margin)
    : clock_(std::move(clock)), refresh_margin_(refresh_margin) {}

bool RefreshingTokenProvider::usable_locked() const {
  if (!cached_) {
    return false;
  }
  return !cached_->expires_at || clock_() + refresh_margin_ < *cached_->expires_at;
}

std::expected<AccessToken, Error> RefreshingTokenProvider::token() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (fatal_) {
      return std::unexpected(*fatal_);
    }
    if (usable_locked()) {
      return *cached_;
    }
    if (fetching_) {
      // Share the fetch in flight, including its failure: fifty callers must
      // not turn one outage into fifty requests to the token endpoint.
      const auto seen = generation_;
      done_.wait(lock, [&] { return generation_ != seen; });
      if (last_error_) {
        return std::unexpected(*last_error_);
      }
      continue;
    }
    fetching_ = true;
    ++fetch_count_;
    lock.unlock();
    auto fetched = fetch();
    lock.lock();
    fetching_ = false;
    ++generation_;
    if (fetched) {
      cached_ = *fetched;
      last_error_.reset();
    } else {
      cached_.reset();
      last_error_ = fetched.error();
      if (fetched.error().kind == ErrorKind::kAuth) {
        fatal_ = fetched.error();
      }
    }
    done_.notify_all();
    if (!fetched) {
      return std::unexpected(fetched.error());
    }
    return *fetched;
  }
}

void RefreshingTokenProvider::invalidate(const std::string& rejected) {
  std::lock_guard lock(mu_);
  if (cached_ && cached_->value == rejected) {
    cached_.reset();
  }
}

int RefreshingTokenProvider::fetch_count() const {
  std::lock_guard lock(mu_);
  return fetch_count_;
}

}  // namespace leadrouter::connectors
