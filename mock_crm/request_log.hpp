// The server's record of every request it answered (GET /__admin/requests),
// so tests can assert what a client actually sent. Bounded: the oldest
// entries go first.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace leadrouter::mock_crm {

struct RequestLogEntry {
  std::uint64_t seq = 0;
  std::int64_t time_ms = 0;  // server (mock) clock
  std::string method;
  std::string path;
  std::string query;  // raw query string, without '?'
  int status = 0;     // 0 when the connection was dropped on purpose
  std::string principal;
  std::string fault;  // kind of injected fault, empty if none
  // The request body of a non-GET CRM call (at most kMaxLoggedBody bytes), so
  // tests can tell which records a batch write touched and with what values.
  std::string body;
  bool body_truncated = false;
};

inline constexpr std::size_t kMaxLoggedBody = 256 * 1024;

class RequestLog {
 public:
  explicit RequestLog(std::size_t capacity = 20000) : capacity_(capacity) {}

  void add(RequestLogEntry entry);
  void clear() { entries_.clear(); }
  // Entries with seq > after_seq, with their bodies when `bodies` is set.
  void write(rapidjson::Writer<rapidjson::StringBuffer>& out, std::uint64_t after_seq,
             bool bodies = false) const;

 private:
  std::size_t capacity_;
  std::uint64_t next_seq_ = 1;
  std::deque<RequestLogEntry> entries_;
};

}  // namespace leadrouter::mock_crm
