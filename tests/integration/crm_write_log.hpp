// What the sidecar wrote to mock-crm's HubSpot, per contact, read from the
// mock's request log with bodies (GET /__admin/requests?bodies=true): every
// owner value it ever sent for a contact (batch update inputs, whatever the
// answer), how many of those writes the CRM accepted, and how many follow-up
// tasks it created for the contact. The crash, webhook and rate-limit tests
// judge "exactly one owner, exactly one task" from this, not from the
// sidecar's own account.
//
//   auto writes = hubspot_writes(mock_requests(mock.base_url(), true));
//   writes.by_contact["100461"].owners      // {"41629779"}
//   writes.by_contact["100461"].tasks_created
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/test_support.hpp"

namespace leadrouter::integration {

struct ContactWrites {
  std::set<std::string> owners;   // every hubspot_owner_id value sent, accepted or not
  int owner_writes_accepted = 0;  // in batch updates answered 200
  int tasks_created = 0;          // task creates answered 201 that associate the contact
};

struct HubSpotWriteLog {
  std::map<std::string, ContactWrites> by_contact;
  int batch_updates = 0;       // batch update calls, any answer
  int task_creates = 0;        // task create calls, any answer
  std::int64_t first_seq = 0;  // > 1: the log lost its oldest entries
};

inline HubSpotWriteLog hubspot_writes(const std::vector<MockRequest>& log) {
  HubSpotWriteLog out;
  if (!log.empty()) {
    out.first_seq = log.front().seq;
  }
  for (const auto& r : log) {
    if (r.method != "POST" || r.body.empty()) {
      continue;
    }
    const bool update = r.path == "/crm/v3/objects/contacts/batch/update";
    const bool task = r.path == "/crm/v3/objects/tasks";
    if (!update && !task) {
      continue;
    }
    rapidjson::Document body;
    body.Parse(r.body.data(), r.body.size());
    if (body.HasParseError() || !body.IsObject()) {
      continue;
    }
    if (update) {
      ++out.batch_updates;
      const auto* inputs = json_at(body, "/inputs");
      if (inputs == nullptr || !inputs->IsArray()) {
        continue;
      }
      for (const auto& input : inputs->GetArray()) {
        const std::string id = json_string(input, "/id");
        const std::string owner = json_string(input, "/properties/hubspot_owner_id");
        if (id.empty() || owner.empty()) {
          continue;
        }
        auto& c = out.by_contact[id];
        c.owners.insert(owner);
        if (r.status == 200) {
          ++c.owner_writes_accepted;
        }
      }
    } else {
      ++out.task_creates;
      if (r.status != 201) {
        continue;
      }
      const auto* associations = json_at(body, "/associations");
      if (associations == nullptr || !associations->IsArray()) {
        continue;
      }
      for (const auto& a : associations->GetArray()) {
        const std::string to = json_string(a, "/to/id");
        if (!to.empty()) {
          ++out.by_contact[to].tasks_created;
        }
      }
    }
  }
  return out;
}

}  // namespace leadrouter::integration
