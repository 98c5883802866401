// Injected faults (POST /__admin/faults): the next N requests matching a
// method and path prefix answer a given status, wait, lose their connection
// or get a truncated body. Used under the server's handler lock.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadrouter::mock_crm {

struct Fault {
  enum class Kind { kStatus, kDelay, kDrop, kTruncate };

  std::string method;  // empty: any method
  std::string path_prefix = "/";
  int remaining = 1;
  Kind kind = Kind::kStatus;
  int status = 0;
  int retry_after_seconds = 1;  // sent with a 429 or 503 status fault
  std::chrono::milliseconds delay{0};
};

class FaultRules {
 public:
  // Parses one fault object; the error names the offending field.
  static std::expected<Fault, std::string> parse(const rapidjson::Value& json);

  void add(Fault fault) { faults_.push_back(std::move(fault)); }
  void clear() { faults_.clear(); }

  // The first armed fault matching the request, consuming one of its uses.
  std::optional<Fault> take(std::string_view method, std::string_view path);

  void write(rapidjson::Writer<rapidjson::StringBuffer>& out) const;

 private:
  std::vector<Fault> faults_;
};

const char* to_string(Fault::Kind kind);

}  // namespace leadrouter::mock_crm
