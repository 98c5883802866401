#include "mock_crm/request_log.hpp"

#include "mock_crm/time_format.hpp"

namespace leadrouter::mock_crm {

void RequestLog::add(RequestLogEntry entry) {
  entry.seq = next_seq_++;
  entries_.push_back(std::move(entry));
  while (entries_.size() > capacity_) {
    entries_.pop_front();
  }
}

void RequestLog::write(rapidjson::Writer<rapidjson::StringBuffer>& w, std::uint64_t after_seq,
                       bool bodies) const {
  w.StartArray();
  for (const auto& e : entries_) {
    if (e.seq <= after_seq) {
      continue;
    }
    w.StartObject();
    w.Key("seq");
    w.Uint64(e.seq);
    w.Key("time");
    w.String(format_iso_ms(e.time_ms).c_str());
    w.Key("method");
    w.String(e.method.c_str());
    w.Key("path");
    w.String(e.path.c_str());
    w.Key("query");
    w.String(e.query.c_str());
    w.Key("status");
    w.Int(e.status);
    w.Key("principal");
    w.String(e.principal.c_str());
    if (!e.fault.empty()) {
      w.Key("fault");
      w.String(e.fault.c_str());
    }
    if (bodies && !e.body.empty()) {
      w.Key("body");
      w.String(e.body.c_str(), static_cast<rapidjson::SizeType>(e.body.size()));
      if (e.body_truncated) {
        w.Key("body_truncated");
        w.Bool(true);
      }
    }
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace leadrouter::mock_crm
