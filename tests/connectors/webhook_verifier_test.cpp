#include "connectors/hubspot/webhook_verifier.hpp"

#include <gtest/gtest.h>

namespace leadrouter::connectors::hubspot {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

constexpr char kSecret[] = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
constexpr char kBody[] =
    R"([{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}])";
constexpr char kUrl[] = "https://www.example.com/webhook_uri";
const system_clock::time_point kSigned{milliseconds{1564113600000}};

WebhookRequest signed_request(std::string timestamp = "1564113600000") {
  WebhookRequest r{"POST", kUrl, {}, kBody};
  r.headers = {
      {"X-HubSpot-Signature-v3", WebhookVerifier::sign_v3(kSecret, "POST", kUrl, kBody, timestamp)},
      {"X-HubSpot-Request-Timestamp", timestamp}};
  return r;
}

TEST(WebhookVerifier, MatchesTheDocumentedV3Vector) {
  EXPECT_EQ(WebhookVerifier::sign_v3(kSecret, "POST", kUrl, kBody, "1564113600000"),
            "DxmVAjFNa2xfF3YgQjdZP6TNcok9k1oaH7UXombPtvw=");
}

TEST(WebhookVerifier, AcceptsAGoodSignatureAndParsesEvents) {
  WebhookVerifier v(kSecret);
  auto events = v.verify(signed_request(), kSigned + std::chrono::seconds{30});
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].type, "contact.creation");
  EXPECT_EQ((*events)[0].object_id, "123");
  EXPECT_EQ((*events)[0].occurred_at.time_since_epoch(), milliseconds{1564113600000});
}

TEST(WebhookVerifier, RejectsABadSignature) {
  WebhookVerifier v(kSecret);
  auto r = signed_request();
  r.body[10] = '2';  // one byte of the raw body changed
  auto events = v.verify(r, kSigned);
  ASSERT_FALSE(events);
  EXPECT_NE(events.error().message.find("bad signature"), std::string::npos);
  WebhookVerifier wrong_secret("other");
  EXPECT_FALSE(wrong_secret.verify(signed_request(), kSigned));
}

TEST(WebhookVerifier, RejectsStaleAndFutureTimestamps) {
  WebhookVerifier v(kSecret);
  auto stale = v.verify(signed_request(), kSigned + std::chrono::minutes{5} + milliseconds{1});
  ASSERT_FALSE(stale);
  EXPECT_NE(stale.error().message.find("stale"), std::string::npos);
  auto future = v.verify(signed_request(), kSigned - std::chrono::minutes{6});
  ASSERT_FALSE(future);
  EXPECT_NE(future.error().message.find("future"), std::string::npos);
}

TEST(WebhookVerifier, RejectsAReplay) {
  WebhookVerifier v(kSecret);
  ASSERT_TRUE(v.verify(signed_request(), kSigned));
  auto again = v.verify(signed_request(), kSigned + std::chrono::seconds{1});
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("replayed"), std::string::npos);
}

TEST(WebhookVerifier, RejectsMissingHeaders) {
  WebhookVerifier v(kSecret);
  WebhookRequest r{"POST", kUrl, {}, kBody};
  auto events = v.verify(r, kSigned);
  ASSERT_FALSE(events);
  EXPECT_NE(events.error().message.find("X-HubSpot-Signature-v3"), std::string::npos);
}

TEST(WebhookVerifier, NormalizesOnlyTheDocumentedEscapes) {
  EXPECT_EQ(WebhookVerifier::normalize_uri("https://x.com/a%3Ab%2fc%20d"),
            "https://x.com/a:b/c%20d");
}

}  // namespace
}  // namespace leadrouter::connectors::hubspot
