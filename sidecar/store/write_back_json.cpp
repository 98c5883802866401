#include "sidecar/store/write_back_json.hpp"

#include <fmt/core.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>

#include "core/json_reader.hpp"
#include "core/time.hpp"

namespace leadrouter::sidecar {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void write_task(Writer& w, const connectors::FollowUpTask& task) {
  w.StartObject();
  write_string(w, "owner_id", task.owner_id);
  write_string(w, "due", format_iso8601(task.due));
  write_string(w, "priority", task.priority);
  write_string(w, "subject", task.subject);
  write_string(w, "body", task.body);
  w.EndObject();
}

void write_notification(Writer& w, const connectors::Notification& n) {
  w.StartObject();
  write_string(w, "recipient_id", n.recipient_id);
  write_string(w, "title", n.title);
  write_string(w, "body", n.body);
  w.EndObject();
}

void read_into(core::JsonObjectReader& r, std::string_view key, std::string& out,
               core::Required required = core::Required::kNo) {
  if (auto v = r.string(key, required)) {
    out = std::move(*v);
  }
}

std::optional<connectors::FollowUpTask> read_task(const rapidjson::Value& v, std::string path,
                                                  ValidationErrors& errors) {
  core::JsonObjectReader r(v, std::move(path), errors);
  if (!r.is_object()) {
    return std::nullopt;
  }
  connectors::FollowUpTask task;
  read_into(r, "owner_id", task.owner_id);
  if (auto due = r.string("due", core::Required::kYes)) {
    if (auto t = parse_iso8601(*due)) {
      task.due = *t;
    } else {
      r.error_at("due", fmt::format("'{}' is not an ISO 8601 time", *due));
    }
  }
  read_into(r, "priority", task.priority);
  read_into(r, "subject", task.subject);
  read_into(r, "body", task.body);
  r.reject_unknown_keys();
  return task;
}

std::optional<connectors::Notification> read_notification(const rapidjson::Value& v,
                                                          std::string path,
                                                          ValidationErrors& errors) {
  core::JsonObjectReader r(v, std::move(path), errors);
  if (!r.is_object()) {
    return std::nullopt;
  }
  connectors::Notification n;
  read_into(r, "recipient_id", n.recipient_id);
  read_into(r, "title", n.title);
  read_into(r, "body", n.body);
  r.reject_unknown_keys();
  return n;
}

}  // namespace

std::string write_back_to_json(const connectors::WriteBack& write) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  write_string(w, "decision_id", write.decision_id);
  write_string(w, "record_id", write.record_id);
  write_string(w, "owner_id", write.owner_id);
  // JSON has no NaN or infinity; a score that is not a number is no score.
  if (write.score && std::isfinite(*write.score)) {
    w.Key("score");
    w.Double(*write.score);
  }
  write_string(w, "tier", write.tier);
  write_string(w, "reason", write.reason);
  if (write.task) {
    w.Key("task");
    write_task(w, *write.task);
  }
  if (write.notification) {
    w.Key("notification");
    write_notification(w, *write.notification);
  }
  w.EndObject();
  return buffer.GetString();
}

std::expected<connectors::WriteBack, Error> write_back_from_json(std::string_view json) {
  ValidationErrors errors;
  auto doc = core::parse_json_document(json, errors);
  connectors::WriteBack write;
  if (doc) {
    core::JsonObjectReader r(*doc, "", errors);
    if (r.is_object()) {
      read_into(r, "decision_id", write.decision_id, core::Required::kYes);
      read_into(r, "record_id", write.record_id, core::Required::kYes);
      read_into(r, "owner_id", write.owner_id);
      write.score = r.number("score");
      read_into(r, "tier", write.tier);
      read_into(r, "reason", write.reason);
      if (const auto* task = r.find("task"); task != nullptr && !task->IsNull()) {
        write.task = read_task(*task, r.path_of("task"), errors);
      }
      if (const auto* n = r.find("notification"); n != nullptr && !n->IsNull()) {
        write.notification = read_notification(*n, r.path_of("notification"), errors);
      }
      r.reject_unknown_keys();
    }
  }
  if (!errors.empty()) {
    std::string message = "write-back JSON: " + format_errors(errors);
    message.pop_back();  // format_errors ends every line, the last one too
    return std::unexpected(Error::invalid_input(std::move(message)));
  }
  return write;
}

}  // namespace leadrouter::sidecar
