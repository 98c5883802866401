#include "connectors/salesforce/refresh_token_token_provider.hpp"

#include <spdlog/spdlog.h>

namespace leadrouter::connectors::salesforce {

std::expected<SalesforceTokenProvider::Form, Error> RefreshTokenTokenProvider::grant() {
  Form form{{"grant_type", "refresh_token"},
            {"refresh_token", refresh_.refresh_token},
            {"client_id", refresh_.client_id}};
  if (!refresh_.client_secret.empty()) {
    form.emplace_back("client_secret", refresh_.client_secret);
  }
  return form;
}

void RefreshTokenTokenProvider::on_refresh_token(const std::string& token) {
  if (token == refresh_.refresh_token) {
    return;
  }
  if (refresh_.persist) {
    if (auto stored = refresh_.persist(token); !stored) {
      spdlog::error("event=refresh_token_persist_failed crm=salesforce error={}",
                    stored.error().message);
    }
  }
  refresh_.refresh_token = token;
}

}  // namespace leadrouter::connectors::salesforce
