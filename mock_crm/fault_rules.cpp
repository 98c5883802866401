#include "mock_crm/fault_rules.hpp"

#include <algorithm>
#include <cctype>

namespace leadrouter::mock_crm {

const char* to_string(Fault::Kind kind) {
  switch (kind) {
    case Fault::Kind::kStatus:
      return "status";
    case Fault::Kind::kDelay:
      return "delay";
    case Fault::Kind::kDrop:
      return "drop";
    case Fault::Kind::kTruncate:
      return "truncate";
  }
  return "status";
}

std::expected<Fault, std::string> FaultRules::parse(const rapidjson::Value& json) {
  if (!json.IsObject()) {
    return std::unexpected("fault: expected a JSON object");
  }
  Fault f;
  if (auto it = json.FindMember("method"); it != json.MemberEnd()) {
    if (!it->value.IsString()) {
      return std::unexpected("fault.method: expected a string such as \"POST\"");
    }
    f.method = it->value.GetString();
    std::transform(f.method.begin(), f.method.end(), f.method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  }
  if (auto it = json.FindMember("path_prefix"); it != json.MemberEnd()) {
    if (!it->value.IsString() || it->value.GetStringLength() == 0 ||
        it->value.GetString()[0] != '/') {
      return std::unexpected("fault.path_prefix: expected a path starting with '/'");
    }
    f.path_prefix = it->value.GetString();
  }
  if (auto it = json.FindMember("count"); it != json.MemberEnd()) {
    if (!it->value.IsInt() || it->value.GetInt() < 1) {
      return std::unexpected("fault.count: expected an integer >= 1");
    }
    f.remaining = it->value.GetInt();
  }
  int kinds = 0;
  if (auto it = json.FindMember("status"); it != json.MemberEnd()) {
    if (!it->value.IsInt() || it->value.GetInt() < 100 || it->value.GetInt() > 599) {
      return std::unexpected("fault.status: expected an HTTP status between 100 and 599");
    }
    f.kind = Fault::Kind::kStatus;
    f.status = it->value.GetInt();
    ++kinds;
  }
  if (auto it = json.FindMember("retry_after_seconds"); it != json.MemberEnd()) {
    if (!it->value.IsInt() || it->value.GetInt() < 0) {
      return std::unexpected("fault.retry_after_seconds: expected an integer >= 0");
    }
    f.retry_after_seconds = it->value.GetInt();
  }
  if (auto it = json.FindMember("delay_ms"); it != json.MemberEnd()) {
    if (!it->value.IsInt() || it->value.GetInt() < 0 || it->value.GetInt() > 600000) {
      return std::unexpected("fault.delay_ms: expected an integer between 0 and 600000");
    }
    f.kind = Fault::Kind::kDelay;
    f.delay = std::chrono::milliseconds(it->value.GetInt());
    ++kinds;
  }
  for (const auto& [name, kind] :
       {std::pair{"drop", Fault::Kind::kDrop}, std::pair{"truncate", Fault::Kind::kTruncate}}) {
    if (auto it = json.FindMember(name); it != json.MemberEnd()) {
      if (!it->value.IsBool()) {
        return std::unexpected(std::string("fault.") + name + ": expected true or false");
      }
      if (it->value.GetBool()) {
        f.kind = kind;
        ++kinds;
      }
    }
  }
  if (kinds != 1) {
    return std::unexpected(
        "fault: give exactly one of \"status\", \"delay_ms\", \"drop\": true, \"truncate\": true");
  }
  return f;
}

std::optional<Fault> FaultRules::take(std::string_view method, std::string_view path) {
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if ((!it->method.empty() && it->method != method) || !path.starts_with(it->path_prefix)) {
      continue;
    }
    Fault hit = *it;
    if (--it->remaining <= 0) {
      faults_.erase(it);
    }
    return hit;
  }
  return std::nullopt;
}

void FaultRules::write(rapidjson::Writer<rapidjson::StringBuffer>& w) const {
  w.StartArray();
  for (const auto& f : faults_) {
    w.StartObject();
    w.Key("method");
    w.String(f.method.empty() ? "*" : f.method.c_str());
    w.Key("path_prefix");
    w.String(f.path_prefix.c_str());
    w.Key("remaining");
    w.Int(f.remaining);
    w.Key("kind");
    w.String(to_string(f.kind));
    if (f.kind == Fault::Kind::kStatus) {
      w.Key("status");
      w.Int(f.status);
    }
    if (f.kind == Fault::Kind::kDelay) {
      w.Key("delay_ms");
      w.Int64(f.delay.count());
    }
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace leadrouter::mock_crm
