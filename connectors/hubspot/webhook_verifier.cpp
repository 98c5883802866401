#include "connectors/hubspot/webhook_verifier.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <charconv>

#include "connectors/crypto.hpp"
#include "connectors/json_fields.hpp"

namespace leadrouter::connectors::hubspot {
namespace {

Error rejected(std::string why) {
  return Error{ErrorKind::kAuth, "webhook rejected: " + std::move(why)};
}

}  // namespace

WebhookVerifier::WebhookVerifier(std::string client_secret, std::chrono::milliseconds window)
    : client_secret_(std::move(client_secret)), window_(window) {}

std::string WebhookVerifier::normalize_uri(std::string_view uri) {
  static constexpr std::pair<std::string_view, char> kDecoded[] = {
      {"%3A", ':'},  {"%2F", '/'}, {"%3F", '?'}, {"%40", '@'}, {"%21", '!'}, {"%24", '$'},
      {"%27", '\''}, {"%28", '('}, {"%29", ')'}, {"%2A", '*'}, {"%2C", ','}, {"%3B", ';'}};
  std::string out;
  for (std::size_t i = 0; i < uri.size(); ++i) {
    bool replaced = false;
    if (uri[i] == '%' && i + 2 < uri.size()) {
      for (const auto& [escape, c] : kDecoded) {
        const auto candidate = uri.substr(i, 3);
        if (candidate.size() == 3 &&
            std::toupper(static_cast<unsigned char>(candidate[1])) == escape[1] &&
            std::toupper(static_cast<unsigned char>(candidate[2])) == escape[2]) {
          out += c;
          i += 2;
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) {
      out += uri[i];
    }
  }
  return out;
}

std::string WebhookVerifier::sign_v3(std::string_view client_secret, std::string_view method,
                                     std::string_view uri, std::string_view body,
                                     std::string_view timestamp_ms) {
  std::string source;
  source.reserve(method.size() + uri.size() + body.size() + timestamp_ms.size());
  source.append(method).append(normalize_uri(uri)).append(body).append(timestamp_ms);
  return base64_encode(hmac_sha256(client_secret, source));
}

std::expected<std::vector<WebhookEvent>, Error> WebhookVerifier::verify(
    const WebhookRequest& request, std::chrono::system_clock::time_point now) {
  if (client_secret_.empty()) {
    return std::unexpected(rejected("no client secret is configured for this connector"));
  }
  const auto signature = find_header(request.headers, "X-HubSpot-Signature-v3");
  if (!signature) {
    return std::unexpected(rejected("missing X-HubSpot-Signature-v3 header"));
  }
  const auto timestamp = find_header(request.headers, "X-HubSpot-Request-Timestamp");
  if (!timestamp) {
    return std::unexpected(rejected("missing X-HubSpot-Request-Timestamp header"));
  }
  long long ts_ms = 0;
  auto [ptr, ec] = std::from_chars(timestamp->data(), timestamp->data() + timestamp->size(), ts_ms);
  if (ec != std::errc{} || ptr != timestamp->data() + timestamp->size()) {
    return std::unexpected(rejected("X-HubSpot-Request-Timestamp is not epoch milliseconds"));
  }
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  if (now_ms - ts_ms > window_.count()) {
    return std::unexpected(rejected(fmt::format("stale: signed {} s ago, more than the {} s window",
                                                (now_ms - ts_ms) / 1000, window_.count() / 1000)));
  }
  if (ts_ms - now_ms > window_.count()) {
    return std::unexpected(
        rejected(fmt::format("timestamp {} s in the future (clock skew beyond the {} s window)",
                             (ts_ms - now_ms) / 1000, window_.count() / 1000)));
  }
  const auto expected =
      sign_v3(client_secret_, request.method, request.url, request.body, *timestamp);
  if (!constant_time_equal(expected, *signature)) {
    return std::unexpected(
        rejected("bad signature (check the app's client secret and that the URL matches the one "
                 "configured in HubSpot exactly)"));
  }
  {
    std::lock_guard lock(mu_);
    std::erase_if(seen_, [&](const auto& kv) { return kv.second < now; });
    if (!seen_.emplace(*signature, now + 2 * window_).second) {
      return std::unexpected(rejected("replayed: this signed request was already accepted"));
    }
  }
  rapidjson::Document doc;
  doc.Parse(request.body.data(), request.body.size());
  if (doc.HasParseError() || !doc.IsArray()) {
    return std::unexpected(
        Error{ErrorKind::kInvalidInput, "webhook body is not a JSON array of events"});
  }
  std::vector<WebhookEvent> events;
  for (const auto& e : doc.GetArray()) {
    if (!e.IsObject()) {
      return std::unexpected(
          Error{ErrorKind::kInvalidInput,
                fmt::format("webhook event {} is not an object", events.size())});
    }
    WebhookEvent ev;
    ev.event_id = json_text(e, "eventId");
    ev.type = json_text(e, "subscriptionType");
    if (ev.type.empty()) {
      ev.type = json_text(e, "eventType");
    }
    ev.object_id = json_text(e, "objectId");
    ev.property_name = json_text(e, "propertyName");
    ev.property_value = json_text(e, "propertyValue");
    const auto occurred = json_member(e, "occurredAt");
    if (occurred && occurred->IsInt64()) {
      ev.occurred_at = TimestampMs{std::chrono::milliseconds{occurred->GetInt64()}};
    }
    if (ev.object_id.empty() || ev.type.empty()) {
      return std::unexpected(
          Error{ErrorKind::kInvalidInput,
                fmt::format("webhook event {} lacks objectId or subscriptionType", events.size())});
    }
    events.push_back(std::move(ev));
  }
  return events;
}

}  // namespace leadrouter::connectors::hubspot
