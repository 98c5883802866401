// HubSpot webhooks: the v1/v3 signatures against the reference's worked
// example and an independent HMAC, delivery of signed event batches to a
// real HTTP listener, and retries with increasing attemptNumber.
#include <gtest/gtest.h>
#pragma GCC diagnostic ignored "-Wnull-dereference"  // Asio false positive at -O2

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <thread>

#include "hubspot_fixture.hpp"
#include "mock_crm/hubspot/webhook_signature.hpp"

namespace mock_crm_test {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using leadrouter::mock_crm::hubspot::signature_v1;
using leadrouter::mock_crm::hubspot::signature_v3;

const std::string kDocBody =
    R"([{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}])";

TEST(HubspotSignature, MatchesTheReferenceWorkedExamples) {
  EXPECT_EQ(signature_v1(kClientSecret, kDocBody),
            "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de");
  EXPECT_EQ(signature_v3(kClientSecret, "POST", "https://www.example.com/webhook_uri", kDocBody,
                         "1564113600000"),
            "DxmVAjFNa2xfF3YgQjdZP6TNcok9k1oaH7UXombPtvw=");
}

// Computed here with OpenSSL's one-shot HMAC, independently of the mock's code.
std::string independent_v3(const std::string& secret, const std::string& source) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(source.data()), source.size(), mac, &len);
  unsigned char out[64] = {};
  int n = EVP_EncodeBlock(out, mac, static_cast<int>(len));
  return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
}

struct Received {
  std::string target;
  std::map<std::string, std::string> headers;
  std::string body;
};

// A one-thread HTTP listener that answers each request with the next status
// from a script (then 200) and records what it got.
class Listener {
 public:
  explicit Listener(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    acceptor_.open(tcp::v4());
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~Listener() {
    stop_ = true;
    beast::error_code ec;
    // Wake the blocking accept with a throwaway connection.
    net::io_context ioc;
    tcp::socket s(ioc);
    s.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
  }
  unsigned short port() const { return port_; }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (received().size() >= n) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

 private:
  void serve() {
    while (!stop_) {
      beast::error_code ec;
      tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (ec || stop_) {
        return;
      }
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) {
        continue;
      }
      int status = 200;
      {
        std::lock_guard lock(mu_);
        Received r{std::string(req.target()), {}, req.body()};
        for (const auto& f : req) {
          r.headers[std::string(f.name_string())] = std::string(f.value());
        }
        received_.push_back(std::move(r));
        if (next_ < statuses_.size()) {
          status = statuses_[next_++];
        }
      }
      http::response<http::string_body> res{static_cast<http::status>(status), 11};
      res.keep_alive(false);
      res.prepare_payload();
      http::write(socket, res, ec);
      socket.shutdown(tcp::socket::shutdown_both, ec);
    }
  }

  net::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
  unsigned short port_ = 0;
  std::vector<int> statuses_;
  std::size_t next_ = 0;
  std::mutex mu_;
  std::vector<Received> received_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class HubspotWebhooks : public HubspotFixture {
 protected:
  void point_webhooks_at(unsigned short port, const std::string& backoff_json = "[50]") {
    auto& hook = seed_["hubspot"]["webhooks"][0];
    auto& alloc = seed_.GetAllocator();
    std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hubspot/events";
    hook["target_url"].SetString(url.c_str(), static_cast<rapidjson::SizeType>(url.size()), alloc);
    rapidjson::Document backoff;
    backoff.Parse(backoff_json.c_str());
    hook["retry_backoff_ms"].CopyFrom(backoff, alloc);
    hook["max_attempts"] = 3;
    url_ = url;
    reload();
  }
  std::string url_;
};

TEST_F(HubspotWebhooks, CreationAndPropertyChangeAreDeliveredSigned) {
  Listener listener({});
  point_webhooks_at(listener.port());
  auto created = call("POST", "/crm/v3/objects/contacts",
                      R"({"properties":{"email":"hook@acme.example","firstname":"Hook"}})");
  ASSERT_EQ(created.status(), 201);
  std::string id = created.json["id"].GetString();
  ASSERT_TRUE(listener.wait_for(1, std::chrono::seconds(10)));
  auto patched = call("PATCH", "/crm/v3/objects/contacts/" + id,
                      R"({"properties":{"hubspot_owner_id":"41629781","firstname":"Hooky"}})");
  ASSERT_EQ(patched.status(), 200);
  api_->flush_outbound();
  ASSERT_TRUE(listener.wait_for(2, std::chrono::seconds(10)));

  auto got = listener.received();
  ASSERT_EQ(got.size(), 2U);
  for (const auto& r : got) {
    EXPECT_EQ(r.target, "/hubspot/events");
    const std::string ts = r.headers.at("X-HubSpot-Request-Timestamp");
    EXPECT_EQ(r.headers.at("X-HubSpot-Signature-v3"),
              independent_v3(kClientSecret, "POST" + url_ + r.body + ts));
    EXPECT_EQ(r.headers.at("X-HubSpot-Signature-Version"), "v1");
    EXPECT_EQ(r.headers.at("X-HubSpot-Signature"), signature_v1(kClientSecret, r.body));
    EXPECT_EQ(r.headers.at("Content-Type"), "application/json");
  }
  rapidjson::Document first;
  first.Parse(got[0].body.c_str());
  ASSERT_TRUE(first.IsArray());
  ASSERT_EQ(first.Size(), 1U);
  EXPECT_STREQ(first[0]["subscriptionType"].GetString(), "contact.creation");
  EXPECT_EQ(std::to_string(first[0]["objectId"].GetInt64()), id);
  EXPECT_EQ(first[0]["portalId"].GetInt(), 62515);
  EXPECT_EQ(first[0]["appId"].GetInt(), 1160452);
  EXPECT_EQ(first[0]["attemptNumber"].GetInt(), 0);
  EXPECT_EQ(first[0]["subscriptionId"].GetInt(), 22);

  // Only the subscribed property (hubspot_owner_id) produces an event.
  rapidjson::Document second;
  second.Parse(got[1].body.c_str());
  ASSERT_EQ(second.Size(), 1U);
  EXPECT_STREQ(second[0]["subscriptionType"].GetString(), "contact.propertyChange");
  EXPECT_STREQ(second[0]["propertyName"].GetString(), "hubspot_owner_id");
  EXPECT_STREQ(second[0]["propertyValue"].GetString(), "41629781");
}

TEST_F(HubspotWebhooks, FailedDeliveriesAreRetriedWithBackoff) {
  Listener listener({500, 503});
  point_webhooks_at(listener.port(), "[50, 100]");
  ASSERT_EQ(call("POST", "/crm/v3/objects/contacts", R"({"properties":{"email":"r@x.example"}})")
                .status(),
            201);
  ASSERT_TRUE(listener.wait_for(3, std::chrono::seconds(10)));
  auto got = listener.received();
  for (int attempt = 0; attempt < 3; ++attempt) {
    rapidjson::Document d;
    d.Parse(got[static_cast<std::size_t>(attempt)].body.c_str());
    EXPECT_EQ(d[0]["attemptNumber"].GetInt(), attempt);
  }
  // The delivery log records every attempt, once the listener has answered:
  // the third entry may land just after the listener saw the request.
  rapidjson::Document state;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    api_->write_state(w);
    state.Parse(buf.GetString());
    if (state["webhook_deliveries"].Size() >= 3 || std::chrono::steady_clock::now() > deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto& log = state["webhook_deliveries"];
  ASSERT_GE(log.Size(), 3U);
  EXPECT_EQ(log[0]["status"].GetInt(), 500);
  EXPECT_TRUE(log[0]["will_retry"].GetBool());
  EXPECT_EQ(log[1]["status"].GetInt(), 503);
  EXPECT_EQ(log[2]["status"].GetInt(), 200);
  EXPECT_TRUE(log[2]["delivered"].GetBool());
}

TEST_F(HubspotWebhooks, GivesUpAfterMaxAttemptsWhenNobodyListens) {
  unsigned short dead_port = 0;
  {
    Listener probe({});
    dead_port = probe.port();
  }
  point_webhooks_at(dead_port, "[10]");
  ASSERT_EQ(call("POST", "/crm/v3/objects/contacts", R"({"properties":{"email":"d@x.example"}})")
                .status(),
            201);
  for (int i = 0; i < 3; ++i) {
    api_->flush_outbound();
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  api_->write_state(w);
  rapidjson::Document state;
  state.Parse(buf.GetString());
  const auto& log = state["webhook_deliveries"];
  ASSERT_EQ(log.Size(), 3U);  // max_attempts
  EXPECT_EQ(log[0]["status"].GetInt(), 0);
  EXPECT_TRUE(log[0].HasMember("error"));
  EXPECT_FALSE(log[2]["will_retry"].GetBool());
  EXPECT_EQ(state["webhook_pending_batches"].GetInt(), 0);
}

TEST_F(HubspotWebhooks, BatchingWindowGroupsEvents) {
  Listener listener({});
  seed_["hubspot"]["webhooks"][0]["batch_window_ms"] = 60000;
  point_webhooks_at(listener.port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(call("POST", "/crm/v3/objects/contacts",
                   R"({"properties":{"email":"b)" + std::to_string(i) + R"(@x.example"}})")
                  .status(),
              201);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(listener.received().empty());  // still inside the window
  api_->flush_outbound();
  ASSERT_TRUE(listener.wait_for(1, std::chrono::seconds(5)));
  rapidjson::Document d;
  d.Parse(listener.received()[0].body.c_str());
  EXPECT_EQ(d.Size(), 3U);
}

}  // namespace
}  // namespace mock_crm_test
