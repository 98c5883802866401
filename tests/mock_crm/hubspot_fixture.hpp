// A HubSpot API loaded with the example seed, driven directly with
// HttpRequest objects (no sockets), with a server clock the test moves.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "mock_crm/crm_api.hpp"
#include "mock_crm/hubspot/hubspot_api.hpp"

namespace mock_crm_test {

using leadrouter::mock_crm::HttpRequest;
using leadrouter::mock_crm::HttpResponse;
using leadrouter::mock_crm::MockClock;
using leadrouter::mock_crm::RequestContext;

inline const char* kPrivateToken = "pat-na1-11111111-2222-3333-4444-555555555555";
inline const char* kClientId = "6d3c1a52-4f0e-4c5b-9a51-2f1a0c7d9e01";
inline const char* kClientSecret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
inline const char* kRedirect = "http://127.0.0.1:8787/oauth/callback";

inline rapidjson::Document load_example_seed() {
  std::ifstream in(LEADROUTER_SOURCE_DIR "/examples/mock_crm/seed.json");
  std::stringstream ss;
  ss << in.rdbuf();
  rapidjson::Document d;
  d.Parse(ss.str().c_str());
  return d;
}

struct Answer {
  HttpResponse response;
  rapidjson::Document json;
  int status() const { return response.status; }
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : response.headers) {
      if (k == name) {
        return v;
      }
    }
    return {};
  }
  bool has_header(const std::string& name) const {
    for (const auto& [k, v] : response.headers) {
      if (k == name) {
        return true;
      }
    }
    return false;
  }
};

class HubspotFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = load_example_seed();
    ASSERT_FALSE(seed_.HasParseError());
    reload();
  }

  // Reloads the seed, after the test has edited seed_ if it wants to.
  void reload() {
    api_ = std::make_unique<leadrouter::mock_crm::hubspot::HubspotApi>();
    auto errors = api_->load_seed(seed_["hubspot"], &seed_["limits"]);
    ASSERT_TRUE(errors.empty()) << errors.front();
  }

  Answer call(const std::string& method, const std::string& target, const std::string& body = "",
              const std::string& token = kPrivateToken, const std::string& content_type = "") {
    HttpRequest req;
    req.method = method;
    req.target = target;
    auto q = target.find('?');
    req.path = leadrouter::mock_crm::percent_decode(target.substr(0, q), false);
    if (q != std::string::npos) {
      req.query = leadrouter::mock_crm::parse_urlencoded(target.substr(q + 1));
    }
    if (!token.empty()) {
      req.headers["Authorization"] = "Bearer " + token;
    }
    if (!body.empty()) {
      req.headers["Content-Type"] = content_type.empty() ? "application/json" : content_type;
    }
    req.body = body;
    RequestContext ctx{clock_, "http://127.0.0.1:9", rate_limits_on_, ""};
    auto r = api_->handle(req, ctx);
    principal_ = ctx.principal;
    Answer a;
    if (!r) {
      a.response.status = -1;
      return a;
    }
    a.response = *r;
    a.json.Parse(a.response.body.c_str());
    return a;
  }

  // Asserts HubSpot's error shape and returns the category.
  static std::string error_category(const Answer& a) {
    EXPECT_TRUE(a.json.IsObject()) << a.response.body;
    if (!a.json.IsObject()) {
      return {};
    }
    EXPECT_STREQ(a.json["status"].GetString(), "error");
    EXPECT_TRUE(a.json.HasMember("message") && a.json["message"].IsString());
    EXPECT_TRUE(a.json.HasMember("correlationId") &&
                std::string(a.json["correlationId"].GetString()).size() == 36);
    return a.json.HasMember("category") ? a.json["category"].GetString() : "";
  }

  rapidjson::Document seed_;
  std::unique_ptr<leadrouter::mock_crm::hubspot::HubspotApi> api_;
  MockClock clock_;
  bool rate_limits_on_ = false;
  std::string principal_;
};

inline std::vector<std::string> ids_of(const rapidjson::Value& results) {
  std::vector<std::string> out;
  for (const auto& r : results.GetArray()) {
    out.emplace_back(r["id"].GetString());
  }
  return out;
}

}  // namespace mock_crm_test
