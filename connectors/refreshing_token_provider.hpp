// The caching and single-flight part shared by every token provider that talks
// to an authorization server: the token is cached until `refresh_margin`
// before it expires; when it must be renewed, one caller fetches while the
// others wait for that result (success or failure) instead of fetching too.
// An auth failure (kAuth) from the server is remembered and returned to every
// later caller without contacting the server again.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

#include "connectors/token_provider.hpp"

namespace leadrouter::connectors {

class RefreshingTokenProvider : public TokenProvider {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  std::expected<AccessToken, Error> token() final;
  void invalidate(const std::string& rejected) final;

  // How many times the authorization server was asked (for tests and metrics).
  int fetch_count() const;

 protected:
  RefreshingTokenProvider(Clock clock, std::chrono::seconds refresh_margin);

  // Asks the authorization server for a new token. Never called concurrently.
  virtual std::expected<AccessToken, Error> fetch() = 0;

  std::chrono::system_clock::time_point now() const { return clock_(); }

 private:
  bool usable_locked() const;

  Clock clock_;
  std::chrono::seconds refresh_margin_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  std::optional<AccessToken> cached_;
  bool fetching_ = false;
  unsigned long generation_ = 0;  // bumped after each fetch completes
  std::optional<Error> last_error_;
  std::optional<Error> fatal_;
  int fetch_count_ = 0;
};

}  // namespace leadrouter::connectors
