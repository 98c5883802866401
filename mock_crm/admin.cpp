#include "mock_crm/admin.hpp"

#include <rapidjson/error/en.h>

#include <charconv>

#include "mock_crm/time_format.hpp"

namespace leadrouter::mock_crm {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

HttpResponse admin_json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse admin_error(int status, std::string_view message) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("error");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  return admin_json(status, buf.GetString());
}

namespace {

HttpResponse method_not_allowed(const HttpRequest& req) {
  return admin_error(405, req.method + " is not supported on " + req.path);
}

std::expected<rapidjson::Document, std::string> parse_body(const HttpRequest& req) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError()) {
    return std::unexpected("request body: invalid JSON at offset " +
                           std::to_string(doc.GetErrorOffset()) + ": " +
                           rapidjson::GetParseError_En(doc.GetParseError()));
  }
  return doc;
}

}  // namespace

Admin::Admin(std::vector<NamedApi> apis, MockClock& clock, FaultRules& faults, RequestLog& log,
             std::function<std::vector<std::string>()> reseed)
    : apis_(std::move(apis)),
      clock_(clock),
      faults_(faults),
      log_(log),
      reseed_(std::move(reseed)) {}

std::optional<HttpResponse> Admin::handle(const HttpRequest& req) {
  const std::string& p = req.path;
  if (!is_admin_path(p)) {
    return std::nullopt;
  }
  if (p == "/__admin/state") {
    return req.method == "GET" ? state() : method_not_allowed(req);
  }
  if (p == "/__admin/requests") {
    if (req.method == "DELETE") {
      log_.clear();
      return admin_json(200, R"({"cleared":true})");
    }
    if (req.method != "GET") {
      return method_not_allowed(req);
    }
    std::uint64_t after = 0;
    if (auto a = req.query_param("after")) {
      auto r = std::from_chars(a->data(), a->data() + a->size(), after);
      if (r.ec != std::errc{} || r.ptr != a->data() + a->size()) {
        return admin_error(400, "query parameter after: expected a request sequence number");
      }
    }
    const auto bodies = req.query_param("bodies");
    if (bodies && *bodies != "true" && *bodies != "false") {
      return admin_error(400, "query parameter bodies: expected true or false");
    }
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("requests");
    log_.write(w, after, bodies && *bodies == "true");
    w.EndObject();
    return admin_json(200, buf.GetString());
  }
  if (p == "/__admin/reset") {
    if (req.method != "POST") {
      return method_not_allowed(req);
    }
    faults_.clear();
    log_.clear();
    clock_.reset();
    sink_.clear();
    auto errors = reseed_();
    if (!errors.empty()) {
      std::string joined;
      for (const auto& e : errors) {
        joined += (joined.empty() ? "" : "; ") + e;
      }
      return admin_error(500, "reseed failed: " + joined);
    }
    return admin_json(200, R"({"reset":true})");
  }
  if (p == "/__admin/faults") {
    return faults(req);
  }
  if (p == "/__admin/clock") {
    return clock(req);
  }
  if (p == "/__admin/webhooks/sink") {
    return sink(req);
  }
  return admin_error(404, "unknown admin path " + p);
}

HttpResponse Admin::state() const {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("now");
  w.String(format_iso_ms(to_epoch_ms(clock_.now())).c_str());
  for (const auto& api : apis_) {
    w.Key(api.name.c_str());
    api.api->write_state(w);
  }
  w.Key("faults");
  faults_.write(w);
  w.EndObject();
  return admin_json(200, buf.GetString());
}

HttpResponse Admin::faults(const HttpRequest& req) {
  if (req.method == "GET") {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("faults");
    faults_.write(w);
    w.EndObject();
    return admin_json(200, buf.GetString());
  }
  if (req.method == "DELETE") {
    faults_.clear();
    return admin_json(200, R"({"cleared":true})");
  }
  if (req.method != "POST") {
    return method_not_allowed(req);
  }
  auto doc = parse_body(req);
  if (!doc) {
    return admin_error(400, doc.error());
  }
  if (!doc->IsObject()) {
    return admin_error(400, "request body: expected a JSON object");
  }
  // Token controls act at once; they are not request-matching faults.
  if (auto it = doc->FindMember("expire_access_tokens"); it != doc->MemberEnd()) {
    if (!it->value.IsBool() || !it->value.GetBool()) {
      return admin_error(400, "expire_access_tokens: expected true");
    }
    for (auto& api : apis_) {
      api.api->expire_access_tokens();
    }
    return admin_json(200, R"({"expired_access_tokens":true})");
  }
  if (auto it = doc->FindMember("revoke_refresh_token"); it != doc->MemberEnd()) {
    if (!it->value.IsString()) {
      return admin_error(400, "revoke_refresh_token: expected the refresh token string");
    }
    bool revoked = false;
    for (auto& api : apis_) {
      revoked = api.api->revoke_refresh_token(it->value.GetString()) || revoked;
    }
    if (!revoked) {
      return admin_error(404, "revoke_refresh_token: no CRM knows this refresh token");
    }
    return admin_json(200, R"({"revoked":true})");
  }
  std::vector<Fault> parsed;
  if (auto it = doc->FindMember("faults"); it != doc->MemberEnd()) {
    if (!it->value.IsArray()) {
      return admin_error(400, "faults: expected an array of fault objects");
    }
    for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
      auto f = FaultRules::parse(it->value[i]);
      if (!f) {
        return admin_error(400, "faults[" + std::to_string(i) + "]: " + f.error());
      }
      parsed.push_back(*f);
    }
  } else {
    auto f = FaultRules::parse(*doc);
    if (!f) {
      return admin_error(400, f.error());
    }
    parsed.push_back(*f);
  }
  for (auto& f : parsed) {
    faults_.add(std::move(f));
  }
  return admin_json(200, R"({"armed":)" + std::to_string(parsed.size()) + "}");
}

HttpResponse Admin::clock(const HttpRequest& req) {
  if (req.method == "POST") {
    auto doc = parse_body(req);
    if (!doc) {
      return admin_error(400, doc.error());
    }
    auto it = doc->IsObject() ? doc->FindMember("advance_seconds") : doc->MemberEnd();
    if (!doc->IsObject() || it == doc->MemberEnd() || !it->value.IsNumber()) {
      return admin_error(400, "request body: expected {\"advance_seconds\": N}");
    }
    double seconds = it->value.GetDouble();
    if (seconds < 0 || seconds > 10.0 * 365 * 86400) {
      return admin_error(400, "advance_seconds: expected a number between 0 and 10 years");
    }
    clock_.advance(std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000)));
  } else if (req.method != "GET") {
    return method_not_allowed(req);
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  auto now_ms = to_epoch_ms(clock_.now());
  w.Key("now");
  w.String(format_iso_ms(now_ms).c_str());
  w.Key("now_ms");
  w.Int64(now_ms);
  w.EndObject();
  return admin_json(200, buf.GetString());
}

HttpResponse Admin::sink(const HttpRequest& req) {
  if (req.method == "POST") {
    SinkDelivery d{format_iso_ms(to_epoch_ms(clock_.now())), req.target, {}, req.body};
    for (const auto& [name, value] : req.headers) {
      d.headers.emplace_back(name, value);
    }
    sink_.push_back(std::move(d));
    HttpResponse r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  if (req.method == "DELETE") {
    sink_.clear();
    return admin_json(200, R"({"cleared":true})");
  }
  if (req.method != "GET") {
    return method_not_allowed(req);
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("deliveries");
  w.StartArray();
  for (const auto& d : sink_) {
    w.StartObject();
    w.Key("received_at");
    w.String(d.received_at.c_str());
    w.Key("target");
    w.String(d.path.c_str());
    w.Key("headers");
    w.StartObject();
    for (const auto& [name, value] : d.headers) {
      w.Key(name.c_str());
      w.String(value.c_str());
    }
    w.EndObject();
    // The raw body, so a reader can recompute the signature byte for byte.
    w.Key("body");
    w.String(d.body.c_str(), static_cast<rapidjson::SizeType>(d.body.size()));
    rapidjson::Document parsed;
    parsed.Parse(d.body.c_str(), d.body.size());
    if (!parsed.HasParseError()) {
      w.Key("events");
      parsed.Accept(w);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return admin_json(200, buf.GetString());
}

}  // namespace leadrouter::mock_crm
