#include "sidecar/config/sla_config.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace leadrouter::sidecar {
namespace {

constexpr int kMaxCheckSeconds = 86400;

// Keys not given keep the values `worked` already holds (the defaults, or
// the section-wide settings for a per-connector override).
void read_worked(core::JsonObjectReader& r, SlaWorkedConfig& worked) {
  if (auto task = r.boolean("task_completed")) {
    worked.task_completed = *task;
  }
  if (auto field = r.string("field")) {
    worked.field = *field;
  }
  if (r.has("untouched_values")) {
    worked.untouched_values = r.strings("untouched_values");
  }
  r.reject_unknown_keys();
  if (!worked.task_completed && worked.field.empty()) {
    r.error(r.path(), "nothing counts as worked: set task_completed or a field");
  }
  if (worked.field.empty() && !worked.untouched_values.empty()) {
    r.error_at("untouched_values", "only meaningful with a field");
  }
}

}  // namespace

const SlaWorkedConfig& SlaConfig::worked_for(std::string_view connector) const {
  auto it = worked_by_connector.find(connector);
  return it == worked_by_connector.end() ? worked : it->second;
}

void read_sla_config(core::JsonObjectReader& root, const std::vector<std::string>& connector_names,
                     SlaConfig& config) {
  const auto* v = root.find("sla");
  if (v == nullptr || v->IsNull()) {
    return;
  }
  core::JsonObjectReader r(*v, root.path_of("sla"), root.errors());
  if (!r.is_object()) {
    return;
  }
  if (auto check = r.integer("check_seconds")) {
    if (*check < 1 || *check > kMaxCheckSeconds) {
      r.error_at("check_seconds",
                 fmt::format("expected 1 to {}, got {}", kMaxCheckSeconds, *check));
    } else {
      config.check_seconds = *check;
    }
  }
  if (const auto* worked = r.find("worked"); worked != nullptr && !worked->IsNull()) {
    core::JsonObjectReader w(*worked, r.path_of("worked"), r.errors());
    if (w.is_object()) {
      read_worked(w, config.worked);
    }
  }
  if (const auto* by = r.find("connectors"); by != nullptr && !by->IsNull()) {
    const std::string path = r.path_of("connectors");
    if (!by->IsObject()) {
      r.error(path,
              "expected an object of connector name -> {task_completed, field, "
              "untouched_values}");
    } else {
      for (auto it = by->MemberBegin(); it != by->MemberEnd(); ++it) {
        const std::string name(it->name.GetString(), it->name.GetStringLength());
        const std::string where = core::json_path(path, name);
        if (!connector_names.empty() &&
            std::ranges::find(connector_names, name) == connector_names.end()) {
          r.error(where, fmt::format("no connector is named '{}'", name));
          continue;
        }
        core::JsonObjectReader w(it->value, where, r.errors());
        if (!w.is_object()) {
          continue;
        }
        SlaWorkedConfig worked = config.worked;
        read_worked(w, worked);
        config.worked_by_connector[name] = std::move(worked);
      }
    }
  }
  r.reject_unknown_keys();
}

}  // namespace leadrouter::sidecar
