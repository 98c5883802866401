#include "sidecar/http/api_routes.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <cstdint>
#include <limits>

#include "core/lead_json.hpp"
#include "sidecar/logging/log.hpp"
#include "sidecar/logging/utf8.hpp"

namespace leadrouter::sidecar {

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr std::string_view kDecisionsPath = "/api/decisions";
constexpr std::string_view kDecisionPrefix = "/api/decisions/";
constexpr std::string_view kWebhookPrefix = "/webhooks/";

void write_string(JsonWriter& w, std::string_view s) {
  std::string text = valid_utf8(s);
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

HttpResponse method_not_allowed(const HttpRequest& req, std::string_view allow) {
  auto res = HttpResponse::error(
      405, fmt::format("{} is not allowed on {}; use {}", req.method, req.path, allow));
  res.headers.emplace_back("Allow", std::string(allow));
  return res;
}

// Backend failures: the caller's fault, a missing thing, or ours. Internal
// details stay in the log, not in the answer.
HttpResponse backend_error(const HttpRequest& req, const Error& e) {
  switch (e.kind) {
    case ErrorKind::kInvalidInput:
      return HttpResponse::error(400, e.message);
    case ErrorKind::kNotFound:
      return HttpResponse::error(404, e.message);
    default:
      log::error("api_backend_failed", {{"method", req.method},
                                        {"path", req.path},
                                        {"kind", to_string(e.kind)},
                                        {"error", e.message}});
      return HttpResponse::error(500, "internal error");
  }
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::string param(const HttpRequest& req, const std::string& name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? std::string() : it->second;
}

// The stored documents are embedded as objects, not as strings, so that a
// client reads one JSON tree. A document that does not parse (it never
// should) is shown as null rather than breaking the whole answer.
void write_embedded(JsonWriter& w, const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    w.Null();
    return;
  }
  doc.Accept(w);
}

void write_row(JsonWriter& w, const DecisionRow& row) {
  w.StartObject();
  w.Key("seq");
  w.Int64(row.seq);
  w.Key("decision_id");
  write_string(w, row.decision_id);
  w.Key("connector");
  write_string(w, row.connector);
  w.Key("lead_id");
  write_string(w, row.lead_id);
  w.Key("kind");
  write_string(w, row.kind);
  w.Key("source");
  write_string(w, row.source);
  w.Key("mode");
  write_string(w, row.mode);
  w.Key("decided_at");
  write_string(w, connectors::format_time_ms(row.decided_at));
  w.Key("assignee_kind");
  write_string(w, row.assignee_kind);
  w.Key("assignee_id");
  write_string(w, row.assignee_id);
  w.Key("route");
  write_string(w, row.route);
  w.Key("tier");
  write_string(w, row.tier);
  w.Key("score");
  w.Double(row.score);
  w.Key("policy_name");
  write_string(w, row.policy_name);
  w.Key("policy_version");
  w.Int(row.policy_version);
  w.Key("model_version");
  write_string(w, row.model_version);
  w.Key("lead_created_at");
  if (row.lead_created_at) {
    write_string(w, connectors::format_time_ms(*row.lead_created_at));
  } else {
    w.Null();
  }
  w.Key("decision");
  write_embedded(w, row.decision_json);
  w.Key("lead");
  write_embedded(w, row.lead_json);
  w.EndObject();
}

class ApiHandler {
 public:
  ApiHandler(ApiBackend& backend, ApiOptions options)
      : backend_(backend), options_(std::move(options)) {}

  HttpResponse operator()(const HttpRequest& req) {
    const std::string& path = req.path;
    if (path == "/healthz") {
      return get_only(req, [] { return HttpResponse::text("ok\n"); });
    }
    if (path == "/readyz") {
      return get_only(req, [&] { return readyz(); });
    }
    if (path == "/metrics") {
      return get_only(req, [&] {
        auto res = HttpResponse::text(backend_.metrics_text());
        res.content_type = "text/plain; version=0.0.4; charset=utf-8";
        return res;
      });
    }
    if (path == kDecisionsPath) {
      return get_only(req, [&] { return decisions(req); });
    }
    if (path.starts_with(kDecisionPrefix) && path.size() > kDecisionPrefix.size()) {
      return get_only(req, [&] { return decision(req, path.substr(kDecisionPrefix.size())); });
    }
    if (path == "/api/preview") {
      return post_only(req, [&] { return preview(req); });
    }
    if (path.starts_with(kWebhookPrefix) && path.size() > kWebhookPrefix.size() &&
        path.find('/', kWebhookPrefix.size()) == std::string::npos) {
      return post_only(req, [&] { return webhook(req, path.substr(kWebhookPrefix.size())); });
    }
    return HttpResponse::error(404, fmt::format("no endpoint at {}", path));
  }

 private:
  template <class F>
  HttpResponse get_only(const HttpRequest& req, F&& f) {
    if (req.method != "GET" && req.method != "HEAD") {
      return method_not_allowed(req, "GET, HEAD");
    }
    return f();
  }

  template <class F>
  HttpResponse post_only(const HttpRequest& req, F&& f) {
    if (req.method != "POST") {
      return method_not_allowed(req, "POST");
    }
    return f();
  }

  HttpResponse readyz() {
    auto checks = backend_.readiness();
    bool ready = true;
    for (const auto& c : checks) {
      ready = ready && c.ok;
    }
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("ready");
    w.Bool(ready);
    w.Key("checks");
    w.StartArray();
    for (const auto& c : checks) {
      w.StartObject();
      w.Key("name");
      write_string(w, c.name);
      w.Key("ok");
      w.Bool(c.ok);
      w.Key("detail");
      write_string(w, c.detail);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return HttpResponse::json(buf.GetString(), ready ? 200 : 503);
  }

  HttpResponse decisions(const HttpRequest& req) {
    DecisionQuery query;
    query.limit = 50;
    if (auto it = req.query.find("limit"); it != req.query.end()) {
      auto limit = parse_int(it->second);
      if (!limit || *limit < 1 || *limit > options_.max_decisions_limit) {
        return HttpResponse::error(400,
                                   fmt::format("limit: expected an integer from 1 to {}, got '{}'",
                                               options_.max_decisions_limit, it->second));
      }
      query.limit = static_cast<int>(*limit);
    }
    if (auto it = req.query.find("before"); it != req.query.end()) {
      auto before = parse_int(it->second);
      if (!before) {
        return HttpResponse::error(
            400, fmt::format("before: expected an integer (a seq), got '{}'", it->second));
      }
      query.before_seq = *before;
    }
    query.lead_id = param(req, "lead");
    query.connector = param(req, "connector");
    int wanted = query.limit;
    // One row more than asked tells whether another page exists, so that
    // next_before is null exactly on the last page.
    query.limit = wanted + 1;
    auto rows = backend_.decisions(query);
    if (!rows) {
      return backend_error(req, rows.error());
    }
    bool more = static_cast<int>(rows->size()) > wanted;
    if (more) {
      rows->resize(static_cast<std::size_t>(wanted));
    }
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("decisions");
    w.StartArray();
    for (const auto& row : *rows) {
      write_row(w, row);
    }
    w.EndArray();
    w.Key("next_before");
    if (more && !rows->empty()) {
      w.Int64(rows->back().seq);
    } else {
      w.Null();
    }
    w.EndObject();
    return HttpResponse::json(buf.GetString());
  }

  HttpResponse decision(const HttpRequest& req, std::string_view id) {
    auto row = backend_.decision(id);
    if (!row) {
      return backend_error(req, row.error());
    }
    if (!*row) {
      return HttpResponse::error(404, fmt::format("no decision with id '{}'", id));
    }
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    write_row(w, **row);
    return HttpResponse::json(buf.GetString());
  }

  HttpResponse preview(const HttpRequest& req) {
    auto type = connectors::find_header(req.headers, "Content-Type");
    if (!type || !is_json_type(*type)) {
      return HttpResponse::error(
          415, fmt::format("Content-Type must be application/json, got '{}'", type.value_or("")));
    }
    if (req.body.empty()) {
      return HttpResponse::error(400, "the body must be a lead as a JSON object");
    }
    auto lead = core::lead_from_json(req.body);
    if (!lead) {
      return validation_error(lead.error());
    }
    auto decision = backend_.preview(param(req, "connector"), *lead);
    if (!decision) {
      return backend_error(req, decision.error());
    }
    return HttpResponse::json(std::move(*decision));
  }

  HttpResponse webhook(const HttpRequest& req, std::string_view name) {
    connectors::WebhookRequest call;
    call.method = req.method;
    if (!options_.public_url.empty()) {
      std::string_view base = options_.public_url;
      while (base.ends_with('/')) {
        base.remove_suffix(1);
      }
      call.url = std::string(base) + req.target;
    } else {
      auto host = connectors::find_header(req.headers, "Host");
      if (!host || host->empty()) {
        return HttpResponse::error(400, "a Host header is required");
      }
      call.url = "http://" + *host + req.target;
    }
    call.headers = req.headers;
    call.body = req.body;
    auto accepted = backend_.webhook(name, call);
    if (!accepted) {
      const auto& e = accepted.error();
      switch (e.kind) {
        case ErrorKind::kAuth:
          log::warn("webhook_refused", {{"connector", name}, {"reason", e.message}});
          return HttpResponse::error(401, e.message);
        case ErrorKind::kInvalidInput:
          log::warn("webhook_refused", {{"connector", name}, {"reason", e.message}});
          return HttpResponse::error(400, e.message);
        case ErrorKind::kNotFound:
          return HttpResponse::error(404, e.message);
        case ErrorKind::kRetryable:
        case ErrorKind::kRateLimited: {
          // The ingest queue is full: the CRM retries deliveries, so a
          // temporary refusal loses nothing.
          auto res = HttpResponse::error(503, e.message);
          res.headers.emplace_back("Retry-After", "1");
          return res;
        }
        default:
          return backend_error(req, e);
      }
    }
    return HttpResponse::json(fmt::format(R"({{"accepted":{}}})", *accepted));
  }

  static bool is_json_type(std::string_view type) {
    auto semi = type.find(';');
    std::string media(type.substr(0, semi));
    while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) {
      media.pop_back();
    }
    for (auto& c : media) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return media == "application/json" ||
           (media.starts_with("application/") && media.ends_with("+json"));
  }

  static HttpResponse validation_error(const ValidationErrors& errors) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    std::string message;
    w.StartObject();
    w.Key("error");
    w.StartObject();
    w.Key("status");
    w.Int(400);
    for (const auto& e : errors) {
      if (!message.empty()) {
        message += "; ";
      }
      message += e.path.empty() ? e.reason : e.path + ": " + e.reason;
    }
    w.Key("message");
    write_string(w, message);
    // The same problems one by one, for clients that show them per field.
    w.Key("errors");
    w.StartArray();
    for (const auto& e : errors) {
      w.StartObject();
      w.Key("path");
      write_string(w, e.path);
      w.Key("reason");
      write_string(w, e.reason);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    w.EndObject();
    return HttpResponse::json(buf.GetString(), 400);
  }

  ApiBackend& backend_;
  ApiOptions options_;
};

}  // namespace

HttpHandler make_api_handler(ApiBackend& backend, ApiOptions options) {
  auto handler = std::make_shared<ApiHandler>(backend, std::move(options));
  return [handler](const HttpRequest& req) { return (*handler)(req); };
}

}  // namespace leadrouter::sidecar
