// Error values shared by every module: a small set of kinds that callers
// branch on, a message for humans, and HTTP details when a CRM answered.
//
//   std::expected<Policy, Error> p = ...;
//   if (!p && p.error().kind == ErrorKind::kInvalidInput) { ... }
#pragma once

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <vector>

namespace leadrouter {

enum class ErrorKind {
  kInvalidInput,     // the caller's input is wrong; retrying will not help
  kNotFound,         // the thing asked for does not exist
  kRetryable,        // connect failure, timeout, 5xx, truncated body
  kRateLimited,      // 429 or equivalent; see retry_after
  kAuth,             // 401, invalid_grant, revoked credentials
  kPermanent,        // other 4xx: the request itself is refused
  kInvalidResponse,  // the peer answered with something we cannot parse
  kInternal,         // a bug or an environment failure (disk, OOM)
};

const char* to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;
  int http_status = 0;  // 0 when no HTTP response was involved
  std::optional<std::chrono::milliseconds> retry_after;

  static Error invalid_input(std::string msg) { return {ErrorKind::kInvalidInput, std::move(msg)}; }
  static Error not_found(std::string msg) { return {ErrorKind::kNotFound, std::move(msg)}; }
  static Error internal(std::string msg) { return {ErrorKind::kInternal, std::move(msg)}; }
};

// One problem found while validating a document: where (a JSON path such as
// "/routes/2/when/all/0/op", or "file.jsonl:17") and why.
struct ValidationError {
  std::string path;
  std::string reason;
};

// Validation collects every problem before it reports, so that an admin fixes
// a file in one pass instead of one error per run.
using ValidationErrors = std::vector<ValidationError>;

// Formats "path: reason" lines, one per error.
std::string format_errors(const ValidationErrors& errors);

}  // namespace leadrouter
