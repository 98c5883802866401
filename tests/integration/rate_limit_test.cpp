// 429 storms (with Retry-After) and 5xx bursts injected through mock-crm's
// /__admin/faults on the endpoints the sidecar writes through, while 50 leads
// flow: every lead is still written exactly once (owner and one task), no
// write is dead-lettered, and the mock's request log shows that after each
// 429 no request reached that endpoint before the Retry-After had passed.
#include <gtest/gtest.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/connectors/mock_crm_process.hpp"
#include "tests/integration/crm_write_log.hpp"
#include "tests/integration/sidecar_process.hpp"
#include "tests/integration/test_support.hpp"

namespace leadrouter::integration {
namespace {

using connectors::testing::MockCrmProcess;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kLeads = 50;
constexpr int kBatch = 10;
// The log's times are whole milliseconds of the mock's clock.
constexpr std::int64_t kClockSlackMs = 5;

const std::string kUpdate = "/crm/v3/objects/contacts/batch/update";
const std::string kTasks = "/crm/v3/objects/tasks";  // task creates, and (prefix) task lookups
const std::string kSearch = "/crm/v3/objects/contacts/search";

// Retry-After of every 429 armed on a path prefix (one value per prefix, so
// the log, which does not record headers, can be judged).
const std::map<std::string, int> kRetryAfterSeconds = {{kUpdate, 2}, {kTasks, 2}, {kSearch, 1}};

// "2026-11-25T23:45:01.123Z" -> epoch ms.
std::int64_t parse_log_time(const std::string& iso) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    throw std::runtime_error("unexpected time in the request log: " + iso);
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

std::string fault(const std::string& prefix, int count, int status) {
  std::string f = R"({"method":"POST","path_prefix":")" + prefix + R"(","count":)" +
                  std::to_string(count) + R"(,"status":)" + std::to_string(status);
  if (status == 429 || status == 503) {
    const auto it = kRetryAfterSeconds.find(prefix);
    f += R"(,"retry_after_seconds":)" +
         std::to_string(it == kRetryAfterSeconds.end() ? 1 : it->second);
  }
  return f + "}";
}

class RateLimitTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && sidecar) {
      const std::string log = sidecar->log();
      std::cerr << "--- sidecar stderr (tail) ---\n"
                << log.substr(log.size() > 6000 ? log.size() - 6000 : 0) << "\n";
    }
  }

  void arm(const std::vector<std::string>& faults) {
    std::string body = R"({"faults":[)";
    for (std::size_t i = 0; i < faults.size(); ++i) {
      body += (i ? "," : "") + faults[i];
    }
    const auto r = http_post(mock.base_url() + "/__admin/faults", body + "]}");
    ASSERT_EQ(r.status, 200) << r.body;
    armed_faults += static_cast<int>(faults.size());
  }

  std::vector<std::string> create_batch(int first) {
    std::string inputs;
    for (int i = first; i < first + kBatch; ++i) {
      const std::string n = std::to_string(i);
      inputs += (i > first ? "," : "") + std::string(R"({"properties":{"email":"storm-)") + n +
                R"(@limits)" + n + R"(.example","lastname":"Storm )" + n +
                R"(","company":"Limits Ltd )" + n + R"("}})";
    }
    const auto response = http_post(mock.base_url() + "/crm/v3/objects/contacts/batch/create",
                                    R"({"inputs":[)" + inputs + "]}",
                                    {{"Authorization", "Bearer " + env.at("HUBSPOT_TOKEN")}});
    if (response.status != 201) {
      throw std::runtime_error("batch create: " + std::to_string(response.status) + " " +
                               response.body);
    }
    std::vector<std::string> ids;
    for (const auto& r : parse_json(response.body)["results"].GetArray()) {
      ids.push_back(json_string(r, "/id"));
    }
    return ids;
  }

  MockCrmProcess mock;
  TempDir dir;
  Env env = demo_env();
  std::optional<SidecarProcess> sidecar;
  int armed_faults = 0;
};

TEST_F(RateLimitTest, StormsAndBurstsDelayWritesButLoseNoneAndRespectRetryAfter) {
  const auto started = std::chrono::steady_clock::now();
  const std::string config = write_test_config(dir, {.poll_interval_seconds = 1,
                                                     .start_from = "now",
                                                     .connectors = "hubspot",
                                                     .log_level = "info"});
  sidecar.emplace(std::vector<std::string>{"--config", config, "--crm-url", mock.base_url(),
                                           "--state", dir.file("state"), "--listen", "127.0.0.1:0"},
                  env, dir.path());

  // First wave: storms and bursts waiting on every write endpoint and the poll.
  arm({fault(kUpdate, 3, 429), fault(kUpdate, 2, 503), fault(kTasks, 4, 429), fault(kTasks, 3, 500),
       fault(kTasks, 2, 502), fault(kSearch, 2, 429)});

  std::vector<std::string> ids;
  for (int first = 0; first < kLeads; first += kBatch) {
    auto batch = create_batch(first);
    ids.insert(ids.end(), batch.begin(), batch.end());
    if (first == 2 * kBatch) {
      // Second wave in mid-stream.
      arm({fault(kTasks, 5, 429), fault(kUpdate, 3, 500), fault(kUpdate, 2, 429),
           fault(kTasks, 2, 503)});
    }
    std::this_thread::sleep_for(milliseconds{700});
  }

  std::map<std::string, std::string> owner_of;
  HubSpotWriteLog writes;
  const bool all_written = wait_until(
      [&] {
        writes = hubspot_writes(mock_requests(mock.base_url(), true));
        for (const auto& id : ids) {
          const auto it = writes.by_contact.find(id);
          if (it == writes.by_contact.end() || it->second.owner_writes_accepted < 1 ||
              it->second.tasks_created < 1) {
            return false;
          }
        }
        return true;
      },
      seconds{100}, milliseconds{500});
  ASSERT_TRUE(all_written) << "not every lead was written through the storms";
  // A little longer, so a duplicate task would have time to appear.
  std::this_thread::sleep_for(seconds{2});

  // Every armed fault was actually hit.
  const auto armed = parse_json(http_get(mock.base_url() + "/__admin/faults").body);
  EXPECT_EQ(armed["faults"].Size(), 0u) << to_json(armed);

  const auto log = mock_requests(mock.base_url(), true);
  writes = hubspot_writes(log);
  ASSERT_EQ(writes.first_seq, 1) << "the mock's request log overflowed";
  for (const auto& id : ids) {
    SCOPED_TRACE("contact " + id);
    const auto& w = writes.by_contact.at(id);
    EXPECT_EQ(w.owners.size(), 1u);
    EXPECT_EQ(w.tasks_created, 1);
  }

  // After a 429 at time t on an endpoint, nothing reaches that endpoint
  // before t + Retry-After.
  int rate_limited = 0;
  int server_errors = 0;
  int violations = 0;
  std::int64_t shortest_wait_ms = -1;
  for (std::size_t i = 0; i < log.size(); ++i) {
    const auto& r = log[i];
    if (r.fault == "status" && r.status >= 500) {
      ++server_errors;
    }
    if (r.fault != "status" || r.status != 429) {
      continue;
    }
    ++rate_limited;
    int retry_after = 0;
    for (const auto& [prefix, s] : kRetryAfterSeconds) {
      if (r.path.starts_with(prefix)) {
        retry_after = s;
      }
    }
    ASSERT_GT(retry_after, 0) << "a 429 on an endpoint this test did not arm: " << r.path;
    const std::int64_t t = parse_log_time(r.time);
    for (std::size_t j = i + 1; j < log.size(); ++j) {
      if (log[j].method != r.method || log[j].path != r.path) {
        continue;
      }
      const std::int64_t waited = parse_log_time(log[j].time) - t;
      if (shortest_wait_ms < 0 || waited < shortest_wait_ms) {
        shortest_wait_ms = waited;
      }
      if (waited < retry_after * 1000 - kClockSlackMs) {
        ++violations;
        ADD_FAILURE() << r.method << " " << r.path << " again " << waited
                      << " ms after a 429 with Retry-After: " << retry_after << " (seq " << r.seq
                      << " -> " << log[j].seq << ")";
      }
      break;  // the next request to the endpoint is the one that must wait
    }
  }
  EXPECT_EQ(rate_limited, 3 + 4 + 2 + 5 + 2);
  EXPECT_EQ(server_errors, 2 + 3 + 2 + 3 + 2);
  EXPECT_EQ(violations, 0);

  const auto metrics = http_get(sidecar->base_url() + "/metrics").body;
  EXPECT_EQ(metric_value(metrics, R"(leadrouter_outbox_rows{state="dead"})").value_or(0), 0)
      << "dead letters";
  EXPECT_GT(metric_value(metrics, R"(leadrouter_outbox_rows{state="done"})").value_or(0), 0);

  const double taken =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "rate limits: " << kLeads << " leads, " << rate_limited << " injected 429s, "
            << server_errors << " injected 5xx, shortest gap after a 429: " << shortest_wait_ms
            << " ms, " << writes.batch_updates << " batch updates, " << writes.task_creates
            << " task creates, " << taken << " s\n";
  RecordProperty("injected_429", rate_limited);
  RecordProperty("shortest_wait_after_429_ms", static_cast<int>(shortest_wait_ms));
  EXPECT_EQ(sidecar->stop(), 0);
}

}  // namespace
}  // namespace leadrouter::integration
