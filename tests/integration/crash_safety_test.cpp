// Crash safety: 500 HubSpot contacts stream into mock-crm while the sidecar is
// killed with SIGKILL at pseudo-random moments (seeded, so a failure can be
// replayed) and restarted on the same state directory each time. In the end,
// judged from the mock's own request log and state, not from the sidecar:
//   - no contact is lost: every one has an owner and a follow-up task;
//   - the owner was set to exactly one rep and never to two different reps
//     (every hubspot_owner_id the sidecar ever sent for a contact is the same
//     value, the final one; an identical write repeated after a crash is what
//     the outbox's at-least-once delivery allows and is counted, not refused);
//   - exactly one task was created per contact (the request log's accepted
//     task creates, and the tasks associated in the mock's state);
//   - the audit log holds exactly one decision per contact.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
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

constexpr int kLeads = 500;
constexpr int kBatch = 10;
constexpr int kMinKills = 5;
constexpr int kMaxKills = 10;
constexpr std::uint32_t kSeed = 20261125;

class CrashSafetyTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && sidecar) {
      const std::string log = sidecar->log();
      std::cerr << "--- last sidecar stderr (tail) ---\n"
                << log.substr(log.size() > 6000 ? log.size() - 6000 : 0) << "\n";
    }
  }

  // The example config, HubSpot only, polling every second from "now". The
  // client-side budget is raised so 500 leads drain within the test's time;
  // the mock enforces no limits here (rate limits have their own test).
  std::string write_config() {
    const std::string path = write_test_config(dir, {.poll_interval_seconds = 1,
                                                     .start_from = "now",
                                                     .connectors = "hubspot",
                                                     .log_level = "info"});
    auto config = parse_json(read_file(path));
    auto& a = config.GetAllocator();
    auto& connector = config["connectors"][0];
    connector.RemoveMember("rate_limit");
    rapidjson::Value limit(rapidjson::kObjectType);
    limit.AddMember("requests", 200, a);
    limit.AddMember("interval_ms", 1000, a);
    connector.AddMember("rate_limit", limit, a);
    return dir.write("config.json", to_json(config));
  }

  void start_sidecar() {
    sidecar.reset();
    sidecar.emplace(
        std::vector<std::string>{"--config", config_path, "--crm-url", mock.base_url(), "--state",
                                 dir.file("state"), "--listen", "127.0.0.1:0"},
        env, dir.path());
  }

  std::vector<std::string> create_batch(int first) {
    std::string inputs;
    for (int i = first; i < first + kBatch; ++i) {
      const std::string n = std::to_string(i);
      inputs += (i > first ? "," : "") + std::string(R"({"properties":{"email":"crash-)") + n +
                R"(@stream)" + n + R"(.example","firstname":"Stream","lastname":"Lead )" + n +
                R"(","company":"Stream Co )" + n + R"(","country":"United States"}})";
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

  // Writes the mock answered with success after request `after_seq`.
  int accepted_writes_since(std::int64_t after_seq) {
    int n = 0;
    for (const auto& r : mock_requests(mock.base_url())) {
      if (r.seq > after_seq && r.method == "POST" &&
          ((r.path == "/crm/v3/objects/tasks" && r.status == 201) ||
           (r.path == "/crm/v3/objects/contacts/batch/update" && r.status == 200))) {
        ++n;
      }
    }
    return n;
  }

  std::int64_t last_seq() {
    const auto log = mock_requests(mock.base_url());
    return log.empty() ? 0 : log.back().seq;
  }

  MockCrmProcess mock;
  TempDir dir;
  Env env = demo_env();
  std::string config_path;
  std::optional<SidecarProcess> sidecar;
};

TEST_F(CrashSafetyTest, KilledAtRandomMomentsEveryLeadGetsOneOwnerAndOneTask) {
  const auto started = std::chrono::steady_clock::now();
  config_path = write_config();
  start_sidecar();

  std::mutex ids_mu;
  std::vector<std::string> ids;
  std::atomic<bool> feeding{true};
  std::atomic<bool> abort_feeding{false};
  std::string feed_error;
  std::thread feeder([&] {
    try {
      for (int first = 0; first < kLeads && !abort_feeding; first += kBatch) {
        auto batch = create_batch(first);
        {
          std::lock_guard lock(ids_mu);
          ids.insert(ids.end(), batch.begin(), batch.end());
        }
        std::this_thread::sleep_for(milliseconds{300});
      }
    } catch (const std::exception& e) {
      feed_error = e.what();
    }
    feeding = false;
  });

  std::mt19937 rng(kSeed);
  std::uniform_int_distribution<int> pause_ms(300, 2500);
  int kills = 0;
  int kills_while_streaming = 0;
  int restarts = 0;
  std::vector<int> kill_after_ms;
  while (kills < kMaxKills && (kills < kMinKills || feeding)) {
    // Progress between kills: the restarted sidecar must have written at
    // least one owner or task before it is killed again.
    const std::int64_t mark = last_seq();
    const auto up = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(milliseconds{pause_ms(rng)});
    const bool progressed =
        wait_until([&] { return accepted_writes_since(mark) > 0; }, seconds{30}, milliseconds{50});
    if (!progressed) {
      abort_feeding = true;
      feeder.join();
      FAIL() << "the sidecar wrote nothing to the CRM within 30 s after (re)start " << restarts;
    }
    sidecar->kill_hard();
    ++kills;
    kills_while_streaming += feeding ? 1 : 0;
    kill_after_ms.push_back(static_cast<int>(
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - up).count()));
    start_sidecar();
    ++restarts;
  }
  feeder.join();
  ASSERT_TRUE(feed_error.empty()) << feed_error;
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kLeads));
  ASSERT_GE(kills, kMinKills);

  // Let the last incarnation finish: every contact owned and with a task.
  const std::set<std::string> wanted(ids.begin(), ids.end());
  rapidjson::Document state;
  std::map<std::string, std::string> owner_of;
  std::map<std::string, int> tasks_of;
  const bool all_written = wait_until(
      [&] {
        state = parse_json(http_get(mock.base_url() + "/__admin/state").body);
        owner_of.clear();
        tasks_of.clear();
        for (const auto& c : state["hubspot"]["contacts"].GetArray()) {
          const std::string id = json_string(c, "/id");
          if (wanted.contains(id)) {
            owner_of[id] = json_string(c, "/properties/hubspot_owner_id");
          }
        }
        for (const auto& t : state["hubspot"]["tasks"].GetArray()) {
          if (const auto* contacts = json_at(t, "/associations/contacts");
              contacts != nullptr && contacts->IsArray()) {
            for (const auto& c : contacts->GetArray()) {
              ++tasks_of[c.GetString()];
            }
          }
        }
        for (const auto& id : wanted) {
          if (owner_of[id].empty() || tasks_of[id] < 1) {
            return false;
          }
        }
        return true;
      },
      seconds{90}, milliseconds{500});
  int owned = 0;
  for (const auto& id : wanted) {
    owned += owner_of[id].empty() ? 0 : 1;
  }
  ASSERT_TRUE(all_written) << owned << " of " << kLeads << " contacts owned after the last restart";

  const auto writes = hubspot_writes(mock_requests(mock.base_url(), true));
  ASSERT_EQ(writes.first_seq, 1) << "the mock's request log overflowed; the check would be blind";
  const auto decisions = fetch_decisions(sidecar->base_url(), 1000);
  std::map<std::string, std::vector<std::string>> decided;  // lead -> assignees
  for (const auto& d : decisions) {
    decided[d.lead_id].push_back(d.assignee_id);
  }
  int repeated_owner_writes = 0;
  int bad = 0;
  for (const auto& id : ids) {
    SCOPED_TRACE("contact " + id);
    const auto it = writes.by_contact.find(id);
    ASSERT_NE(it, writes.by_contact.end()) << "no owner write in the request log";
    const auto& w = it->second;
    const bool ok = w.owners == std::set<std::string>{owner_of[id]} &&
                    w.owner_writes_accepted >= 1 && w.tasks_created == 1 && tasks_of[id] == 1 &&
                    decided[id] == std::vector<std::string>{owner_of[id]};
    if (!ok && ++bad <= 10) {  // the first few in full; the count says the rest
      EXPECT_EQ(w.owners, std::set<std::string>{owner_of[id]}) << "owner values sent";
      EXPECT_GE(w.owner_writes_accepted, 1);
      EXPECT_EQ(w.tasks_created, 1) << "task creates in the request log";
      EXPECT_EQ(tasks_of[id], 1) << "tasks associated in the CRM";
      EXPECT_EQ(decided[id], std::vector<std::string>{owner_of[id]})
          << "decisions in the audit log";
    }
    repeated_owner_writes += w.owner_writes_accepted > 1 ? w.owner_writes_accepted - 1 : 0;
  }
  EXPECT_EQ(bad, 0) << "contacts with a lost, doubled or conflicting write";

  const double seconds_taken =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "crash safety: " << kLeads << " leads, seed " << kSeed << ", " << kills
            << " kills (-9, " << kills_while_streaming
            << " while leads were still streaming in) and " << restarts
            << " restarts, kill moments (ms after each start):";
  for (int ms : kill_after_ms) {
    std::cout << " " << ms;
  }
  std::cout << "\n  " << writes.batch_updates << " batch updates, " << writes.task_creates
            << " task creates, " << repeated_owner_writes
            << " identical owner writes repeated after a crash; " << seconds_taken << " s\n";
  RecordProperty("kills", kills);
  RecordProperty("repeated_owner_writes", repeated_owner_writes);
  RecordProperty("duration_s", static_cast<int>(seconds_taken));

  const auto metrics = http_get(sidecar->base_url() + "/metrics").body;
  EXPECT_EQ(metric_value(metrics, R"(leadrouter_outbox_rows{state="dead"})").value_or(0), 0);
  EXPECT_EQ(sidecar->stop(), 0);
}

}  // namespace
}  // namespace leadrouter::integration
