// A fixed token, such as a HubSpot private-app token. It cannot be refreshed:
// after a 401 it keeps returning the same token, and the caller reports the
// auth failure.
#pragma once

#include "connectors/token_provider.hpp"

namespace leadrouter::connectors {

class StaticTokenProvider final : public TokenProvider {
 public:
  explicit StaticTokenProvider(std::string token) : token_(std::move(token)) {}

  std::expected<AccessToken, Error> token() override { return AccessToken{token_, {}, {}}; }
  void invalidate(const std::string& /*rejected*/) override {}

 private:
  std::string token_;
};

}  // namespace leadrouter::connectors
