#include "sidecar/store/roster_state_json.hpp"

#include <fmt/core.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <set>

#include "core/json_reader.hpp"
#include "core/time.hpp"

namespace leadrouter::sidecar {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key(Writer& w, const std::string& k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}

void write_rep(Writer& w, const core::RepState& s) {
  w.StartObject();
  w.Key("open_load");
  w.Int(s.open_load);
  w.Key("day_key");
  w.Int64(s.day_key);
  w.Key("assigned_in_day");
  w.Int(s.assigned_in_day);
  w.Key("hour_key");
  w.Int64(s.hour_key);
  w.Key("assigned_in_hour");
  w.Int(s.assigned_in_hour);
  if (s.last_assigned_at) {
    w.Key("last_assigned_at");
    w.String(format_iso8601(*s.last_assigned_at).c_str());
  }
  w.Key("track_record");
  w.StartObject();
  for (const auto& [segment, record] : s.track_record) {
    key(w, segment);
    w.StartObject();
    w.Key("assigned");
    w.Int64(record.assigned);
    w.Key("converted");
    w.Int64(record.converted);
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
}

void write_pool(Writer& w, const core::PoolLedger& p) {
  w.StartObject();
  w.Key("credit");
  w.StartObject();
  for (const auto& [rep, credit] : p.credit) {
    key(w, rep);
    w.Double(credit);
  }
  w.EndObject();
  // A string: JSON readers that hold numbers as doubles (JavaScript, jq)
  // would round a 64-bit cursor.
  w.Key("round_robin_cursor");
  w.String(std::to_string(p.round_robin_cursor).c_str());
  w.Key("last_rep_id");
  w.String(p.last_rep_id.data(), static_cast<rapidjson::SizeType>(p.last_rep_id.size()));
  w.EndObject();
}

// Calls `each(name, value, path)` for every member of an object whose keys are
// data (rep ids, pool names, segments), reporting keys given twice.
template <typename Each>
void for_each_member(const rapidjson::Value& v, const std::string& path, ValidationErrors& errors,
                     Each each) {
  if (!v.IsObject()) {
    errors.push_back({path, fmt::format("expected an object, got {}", core::json_type_name(v))});
    return;
  }
  std::set<std::string, std::less<>> seen;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string name(it->name.GetString(), it->name.GetStringLength());
    const std::string member_path = core::json_path(path, name);
    if (!seen.insert(name).second) {
      errors.push_back({member_path, fmt::format("key '{}' is given more than once", name)});
      continue;
    }
    each(name, it->value, member_path);
  }
}

std::optional<std::int64_t> read_int64(core::JsonObjectReader& r, std::string_view k) {
  const rapidjson::Value* v = r.find(k);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->IsInt64()) {
    r.error_at(k, fmt::format("expected a whole number, got {}", core::json_type_name(*v)));
    return std::nullopt;
  }
  return v->GetInt64();
}

void read_int(core::JsonObjectReader& r, std::string_view k, int& out) {
  if (auto v = r.integer(k)) {
    out = *v;
  }
}

void read_int64_into(core::JsonObjectReader& r, std::string_view k, std::int64_t& out) {
  if (auto v = read_int64(r, k)) {
    out = *v;
  }
}

core::TrackRecord read_track_record(const rapidjson::Value& v, const std::string& path,
                                    ValidationErrors& errors) {
  core::JsonObjectReader r(v, path, errors);
  core::TrackRecord record;
  read_int64_into(r, "assigned", record.assigned);
  read_int64_into(r, "converted", record.converted);
  if (record.assigned < 0 || record.converted < 0 || record.converted > record.assigned) {
    r.error(path, fmt::format("converted ({}) must be between 0 and assigned ({})",
                              record.converted, record.assigned));
  }
  r.reject_unknown_keys();
  return record;
}

core::RepState read_rep(const rapidjson::Value& v, const std::string& path,
                        ValidationErrors& errors) {
  core::JsonObjectReader r(v, path, errors);
  core::RepState s;
  read_int(r, "open_load", s.open_load);
  read_int64_into(r, "day_key", s.day_key);
  read_int(r, "assigned_in_day", s.assigned_in_day);
  read_int64_into(r, "hour_key", s.hour_key);
  read_int(r, "assigned_in_hour", s.assigned_in_hour);
  if (auto text = r.string("last_assigned_at")) {
    if (auto t = parse_iso8601(*text)) {
      s.last_assigned_at = *t;
    } else {
      r.error_at("last_assigned_at", fmt::format("'{}' is not an ISO 8601 time", *text));
    }
  }
  if (const auto* records = r.find("track_record")) {
    for_each_member(*records, r.path_of("track_record"), errors,
                    [&](const std::string& segment, const rapidjson::Value& value,
                        const std::string& member_path) {
                      s.track_record[segment] = read_track_record(value, member_path, errors);
                    });
  }
  r.reject_unknown_keys();
  return s;
}

std::optional<std::uint64_t> parse_cursor(const rapidjson::Value& v) {
  if (v.IsUint64()) {
    return v.GetUint64();
  }
  if (!v.IsString()) {
    return std::nullopt;
  }
  const std::string_view text(v.GetString(), v.GetStringLength());
  std::uint64_t out = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return out;
}

core::PoolLedger read_pool(const rapidjson::Value& v, const std::string& path,
                           ValidationErrors& errors) {
  core::JsonObjectReader r(v, path, errors);
  core::PoolLedger p;
  if (const auto* credit = r.find("credit")) {
    for_each_member(
        *credit, r.path_of("credit"), errors,
        [&](const std::string& rep, const rapidjson::Value& value, const std::string& member_path) {
          if (auto d = core::read_number(value, member_path, errors)) {
            p.credit[rep] = *d;
          }
        });
  }
  if (const auto* cursor = r.find("round_robin_cursor")) {
    if (auto c = parse_cursor(*cursor)) {
      p.round_robin_cursor = *c;
    } else {
      r.error_at("round_robin_cursor", "expected an unsigned 64-bit integer as a decimal string");
    }
  }
  if (auto last = r.string("last_rep_id")) {
    p.last_rep_id = std::move(*last);
  }
  r.reject_unknown_keys();
  return p;
}

}  // namespace

std::string roster_state_to_json(const core::RosterSnapshot& snapshot) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("reps");
  w.StartObject();
  for (const auto& [id, state] : snapshot.reps) {
    key(w, id);
    write_rep(w, state);
  }
  w.EndObject();
  w.Key("pools");
  w.StartObject();
  for (const auto& [name, ledger] : snapshot.pools) {
    key(w, name);
    write_pool(w, ledger);
  }
  w.EndObject();
  w.EndObject();
  return buffer.GetString();
}

std::expected<core::RosterSnapshot, Error> roster_state_from_json(std::string_view json) {
  ValidationErrors errors;
  auto doc = core::parse_json_document(json, errors);
  core::RosterSnapshot snapshot;
  if (doc) {
    core::JsonObjectReader r(*doc, "", errors);
    if (const auto* reps = r.find("reps")) {
      for_each_member(
          *reps, r.path_of("reps"), errors,
          [&](const std::string& id, const rapidjson::Value& value, const std::string& path) {
            snapshot.reps[id] = read_rep(value, path, errors);
          });
    }
    if (const auto* pools = r.find("pools")) {
      for_each_member(
          *pools, r.path_of("pools"), errors,
          [&](const std::string& name, const rapidjson::Value& value, const std::string& path) {
            snapshot.pools[name] = read_pool(value, path, errors);
          });
    }
    r.reject_unknown_keys();
  }
  if (!errors.empty()) {
    std::string message = "roster state JSON: " + format_errors(errors);
    message.pop_back();  // format_errors ends every line, the last one too
    return std::unexpected(Error::invalid_input(std::move(message)));
  }
  return snapshot;
}

}  // namespace leadrouter::sidecar
