#include "core/error.hpp"

namespace leadrouter {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput:
      return "invalid_input";
    case ErrorKind::kNotFound:
      return "not_found";
    case ErrorKind::kRetryable:
      return "retryable";
    case ErrorKind::kRateLimited:
      return "rate_limited";
    case ErrorKind::kAuth:
      return "auth";
    case ErrorKind::kPermanent:
      return "permanent";
    case ErrorKind::kInvalidResponse:
      return "invalid_response";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string format_errors(const ValidationErrors& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += e.path.empty() ? std::string("(document)") : e.path;
    out += ": ";
    out += e.reason;
    out += '\n';
  }
  return out;
}

}  // namespace leadrouter
