// Asio's scheduler trips GCC 12's -Wnull-dereference once inlined at -O2
// (a false positive inside Boost); silence it for this file only.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "mock_crm/hubspot/webhook_dispatcher.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "mock_crm/hubspot/webhook_signature.hpp"
#include "mock_crm/time_format.hpp"

namespace leadrouter::mock_crm::hubspot {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
constexpr std::size_t kMaxEventsPerRequest = 100;
constexpr auto kDeliveryTimeout = std::chrono::seconds(5);
constexpr auto kPollInterval = std::chrono::milliseconds(20);
}  // namespace

std::string webhook_body(const std::vector<WebhookEvent>& events, int attempt_number) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  for (const auto& e : events) {
    w.StartObject();
    w.Key("eventId");
    w.Int64(e.event_id);
    w.Key("subscriptionId");
    w.Int64(e.subscription_id);
    w.Key("portalId");
    w.Int64(e.portal_id);
    w.Key("appId");
    w.Int64(e.app_id);
    w.Key("occurredAt");
    w.Int64(e.occurred_at);
    w.Key("subscriptionType");
    w.String(e.subscription_type.c_str());
    w.Key("attemptNumber");
    w.Int(attempt_number);
    w.Key("objectId");
    w.Int64(e.object_id);
    w.Key("changeSource");
    w.String(e.change_source.c_str());
    if (!e.change_flag.empty()) {
      w.Key("changeFlag");
      w.String(e.change_flag.c_str());
    }
    if (e.property_change) {
      w.Key("propertyName");
      w.String(e.property_name.c_str());
      w.Key("propertyValue");
      w.String(e.property_value.c_str());
    }
    w.EndObject();
  }
  w.EndArray();
  return buf.GetString();
}

WebhookDispatcher::WebhookDispatcher() : worker_([this] { run(); }) {}

WebhookDispatcher::~WebhookDispatcher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

std::int64_t WebhookDispatcher::now_ms() const {
  const MockClock* clock = clock_.load();
  return to_epoch_ms(clock != nullptr ? clock->now() : std::chrono::system_clock::now());
}

void WebhookDispatcher::reset() {
  std::lock_guard lock(mu_);
  queue_.clear();
  log_.clear();
  ++generation_;
  idle_.notify_all();
}

std::size_t WebhookDispatcher::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size() + static_cast<std::size_t>(in_flight_);
}

void WebhookDispatcher::enqueue(const std::string& url, const std::string& client_secret,
                                const WebhookEvent& event, const DeliveryPolicy& policy) {
  std::int64_t now = now_ms();
  {
    std::lock_guard lock(mu_);
    auto open = std::find_if(queue_.begin(), queue_.end(), [&](const Batch& b) {
      return b.attempt == 0 && b.url == url && b.secret == client_secret &&
             b.events.size() < kMaxEventsPerRequest && b.due_ms > now;
    });
    if (open != queue_.end()) {
      open->events.push_back(event);
    } else {
      Batch b;
      b.id = next_batch_id_++;
      b.url = url;
      b.secret = client_secret;
      b.events.push_back(event);
      b.due_ms = now + policy.batch_window_ms;
      b.policy = policy;
      queue_.push_back(std::move(b));
    }
  }
  wake_.notify_all();
}

void WebhookDispatcher::flush() {
  std::unique_lock lock(mu_);
  for (auto& b : queue_) {
    b.forced = true;
  }
  wake_.notify_all();
  idle_.wait_for(lock, std::chrono::seconds(30), [this] {
    return in_flight_ == 0 &&
           std::none_of(queue_.begin(), queue_.end(), [](const Batch& b) { return b.forced; });
  });
}

void WebhookDispatcher::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    std::int64_t now = now_ms();
    auto due = std::find_if(queue_.begin(), queue_.end(),
                            [&](const Batch& b) { return b.forced || b.due_ms <= now; });
    if (due == queue_.end()) {
      idle_.notify_all();
      wake_.wait_for(lock, kPollInterval);
      continue;
    }
    Batch batch = std::move(*due);
    queue_.erase(due);
    ++in_flight_;
    std::uint64_t generation = generation_;
    lock.unlock();

    std::string body = webhook_body(batch.events, batch.attempt);
    auto [status, error] = post(batch, body);

    lock.lock();
    --in_flight_;
    if (generation != generation_) {
      idle_.notify_all();
      continue;  // reset() while delivering: this batch belongs to the old state
    }
    Attempt a;
    a.batch_id = batch.id;
    a.attempt_number = batch.attempt;
    a.time_ms = now_ms();
    a.url = batch.url;
    for (const auto& e : batch.events) {
      a.event_ids.push_back(e.event_id);
    }
    a.status = status;
    a.error = error;
    a.delivered = status >= 200 && status < 300;
    a.will_retry = !a.delivered && batch.attempt + 1 < batch.policy.max_attempts;
    log_.push_back(a);
    if (a.will_retry) {
      const auto& backoff = batch.policy.retry_backoff_ms;
      std::int64_t delay = backoff.empty()
                               ? 1000
                               : backoff[std::min<std::size_t>(
                                     static_cast<std::size_t>(batch.attempt), backoff.size() - 1)];
      batch.attempt += 1;
      batch.due_ms = a.time_ms + delay;
      batch.forced = false;
      queue_.push_back(std::move(batch));
    }
    idle_.notify_all();
  }
}

std::pair<int, std::string> WebhookDispatcher::post(const Batch& batch,
                                                    const std::string& body) const {
  std::string_view url = batch.url;
  if (!url.starts_with("http://")) {
    return {0, "only http:// webhook targets are supported by mock-crm"};
  }
  std::string_view rest = url.substr(7);
  auto slash = rest.find('/');
  std::string authority(rest.substr(0, slash));
  std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string host = authority;
  std::string port = "80";
  if (auto colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  net::io_context ioc;
  beast::error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(host, port, ec);
  if (ec) {
    return {0, "resolve " + authority + ": " + ec.message()};
  }
  // Asynchronous operations driven to completion here, because Beast applies
  // stream timeouts only to async operations; a target that accepts but never
  // answers must not hold this thread forever.
  beast::tcp_stream stream(ioc);
  auto run = [&ioc] {
    ioc.restart();
    ioc.run();
  };
  stream.expires_after(kDeliveryTimeout);
  stream.async_connect(endpoints, [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
  run();
  if (ec) {
    return {0, "connect " + authority + ": " + ec.message()};
  }
  // HubSpot stamps the signature with wall-clock time so receivers can check skew.
  std::string timestamp = std::to_string(to_epoch_ms(std::chrono::system_clock::now()));
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, authority);
  req.set(http::field::user_agent, "HubSpot Connect 2.0 (http://dev.hubspot.com/) mock-crm");
  req.set(http::field::content_type, "application/json");
  req.set("X-HubSpot-Signature", signature_v1(batch.secret, body));
  req.set("X-HubSpot-Signature-Version", "v1");
  req.set("X-HubSpot-Signature-v3", signature_v3(batch.secret, "POST", batch.url, body, timestamp));
  req.set("X-HubSpot-Request-Timestamp", timestamp);
  req.body() = body;
  req.prepare_payload();
  stream.expires_after(kDeliveryTimeout);
  http::async_write(stream, req, [&ec](beast::error_code e, std::size_t) { ec = e; });
  run();
  if (ec) {
    return {0, "send: " + ec.message()};
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  stream.expires_after(kDeliveryTimeout);
  http::async_read(stream, buffer, res, [&ec](beast::error_code e, std::size_t) { ec = e; });
  run();
  if (ec) {
    return {0, ec == beast::error::timeout ? "no response within 5 s" : "receive: " + ec.message()};
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  int status = static_cast<int>(res.result_int());
  return {status, status >= 200 && status < 300 ? "" : "HTTP " + std::to_string(status)};
}

void WebhookDispatcher::write_log_members(rapidjson::Writer<rapidjson::StringBuffer>& w) const {
  std::lock_guard lock(mu_);
  w.Key("webhook_deliveries");
  w.StartArray();
  for (const auto& a : log_) {
    w.StartObject();
    w.Key("batch_id");
    w.Int64(a.batch_id);
    w.Key("attempt_number");
    w.Int(a.attempt_number);
    w.Key("time");
    w.String(format_iso_ms(a.time_ms).c_str());
    w.Key("url");
    w.String(a.url.c_str());
    w.Key("event_ids");
    w.StartArray();
    for (auto id : a.event_ids) {
      w.Int64(id);
    }
    w.EndArray();
    w.Key("status");
    w.Int(a.status);
    w.Key("delivered");
    w.Bool(a.delivered);
    w.Key("will_retry");
    w.Bool(a.will_retry);
    if (!a.error.empty()) {
      w.Key("error");
      w.String(a.error.c_str());
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("webhook_pending_batches");
  w.Int64(static_cast<std::int64_t>(queue_.size()) + in_flight_);
}

}  // namespace leadrouter::mock_crm::hubspot
