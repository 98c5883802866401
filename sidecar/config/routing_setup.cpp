#include "sidecar/config/routing_setup.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "core/model/model_file.hpp"
#include "core/model/xgboost_scorer.hpp"

namespace leadrouter::sidecar {

std::string default_free_mail_path() {
  return std::string(LEADROUTER_DATA_DIR) + "/free-email-domains.txt";
}

std::expected<std::string, std::string> read_text_file(const std::string& path) {
  // Opening a directory for reading succeeds on Linux and reads as empty.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return std::unexpected(fmt::format("cannot read {}: is a directory", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::unexpected(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return std::unexpected(fmt::format("cannot read {}: read error", path));
  }
  return content.str();
}

std::string format_file_errors(const std::string& file, const ValidationErrors& errors,
                               std::size_t limit) {
  std::string out =
      errors.size() == 1 ? std::string() : fmt::format("{}: {} problems\n", file, errors.size());
  std::size_t shown = 0;
  for (const auto& e : errors) {
    if (shown == limit) {
      out += fmt::format("... and {} more\n", errors.size() - shown);
      break;
    }
    // A path that is already "file:line[: /pointer]" names its own place.
    if (e.path.starts_with(file + ":")) {
      out += fmt::format("{}: {}\n", e.path, e.reason);
    } else {
      out += fmt::format("{}: {}: {}\n", file, e.path.empty() ? "(document)" : e.path, e.reason);
    }
    ++shown;
  }
  return out;
}

std::expected<core::Policy, std::string> load_policy(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  auto policy = core::parse_policy(*text);
  if (!policy) {
    return std::unexpected(format_file_errors(path, policy.error()));
  }
  return std::move(*policy);
}

std::expected<std::vector<core::Rep>, std::string> load_roster(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  auto reps = core::parse_roster(*text);
  if (!reps) {
    return std::unexpected(format_file_errors(path, reps.error()));
  }
  return std::move(*reps);
}

std::expected<core::FreeMailDomains, std::string> load_free_mail(const std::string& path,
                                                                 const core::Policy& policy) {
  auto text = read_text_file(path);
  if (!text) {
    return std::unexpected(fmt::format("free-mail domain list: {}", text.error()));
  }
  auto domains = core::FreeMailDomains::from_text(*text);
  for (const auto& d : policy.extra_free_mail_domains) {
    domains.add(d);
  }
  return domains;
}

std::expected<std::shared_ptr<const core::ModelScorer>, std::string> load_model(
    const std::string& path) {
  auto text = read_text_file(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  auto file = model::ModelFile::parse(*text);
  if (!file) {
    return std::unexpected(fmt::format("{}: {}", path, file.error().message));
  }
  // Three factors each way: what a decision and a CRM task can show.
  auto scorer = model::XgboostScorer::create(std::move(*file), {.top_factors = 3});
  if (!scorer) {
    return std::unexpected(fmt::format("{}: {}", path, scorer.error().message));
  }
  return std::shared_ptr<const core::ModelScorer>(std::move(*scorer));
}

std::expected<RoutingSetup, std::string> load_routing_setup(const std::string& policy_path,
                                                            const std::string& roster_path,
                                                            const std::string& free_mail_path,
                                                            const std::string& model_path) {
  auto policy = load_policy(policy_path);
  if (!policy) {
    return std::unexpected(policy.error());
  }
  std::vector<core::Rep> reps;
  if (!roster_path.empty()) {
    auto roster = load_roster(roster_path);
    if (!roster) {
      return std::unexpected(roster.error());
    }
    reps = std::move(*roster);
  }
  auto free_mail =
      load_free_mail(free_mail_path.empty() ? default_free_mail_path() : free_mail_path, *policy);
  if (!free_mail) {
    return std::unexpected(free_mail.error());
  }
  std::shared_ptr<const core::ModelScorer> model;
  if (!model_path.empty()) {
    auto loaded = load_model(model_path);
    if (!loaded) {
      return std::unexpected(loaded.error());
    }
    model = std::move(*loaded);
  }
  // The policy's rep attributes replace the roster's, rep by rep (the same
  // rule as the linter).
  for (const auto& rep : policy->reps) {
    const auto same =
        std::ranges::find_if(reps, [&rep](const core::Rep& r) { return r.id == rep.id; });
    if (same != reps.end()) {
      *same = rep;
    } else {
      reps.push_back(rep);
    }
  }
  return RoutingSetup{std::make_shared<const core::Policy>(std::move(*policy)),
                      std::make_shared<const core::FreeMailDomains>(std::move(*free_mail)),
                      std::move(reps), std::move(model)};
}

MergedReps merge_reps(const std::vector<core::Rep>& crm_users,
                      const std::vector<core::Rep>& attributes) {
  std::map<std::string, const core::Rep*, std::less<>> by_id;
  for (const auto& a : attributes) {
    by_id.emplace(a.id, &a);  // the first entry for an id wins, as in a roster file
  }
  MergedReps out;
  out.reps.reserve(crm_users.size());
  std::set<std::string, std::less<>> matched;
  for (const auto& user : crm_users) {
    core::Rep rep = user;
    auto it = by_id.find(user.id);
    if (it != by_id.end()) {
      const core::Rep& a = *it->second;
      matched.insert(a.id);
      // Routing attributes exist only in the configuration.
      rep.territories = a.territories;
      rep.skills = a.skills;
      rep.languages = a.languages;
      rep.weight = a.weight;
      rep.capacity = a.capacity;
      rep.working_hours = a.working_hours;
      rep.time_off = a.time_off;
      // The CRM may know these too; the configuration is more specific when set.
      if (!a.teams.empty()) {
        rep.teams = a.teams;
      }
      if (!a.manager_id.empty()) {
        rep.manager_id = a.manager_id;
      }
      if (rep.name.empty()) {
        rep.name = a.name;
      }
      if (rep.email.empty()) {
        rep.email = a.email;
      }
      // Either side can take a rep out of rotation (left the company, on leave).
      rep.active = user.active && a.active;
    }
    out.reps.push_back(std::move(rep));
  }
  for (const auto& a : attributes) {
    if (!matched.contains(a.id) &&
        std::ranges::find(out.unknown_ids, a.id) == out.unknown_ids.end()) {
      out.unknown_ids.push_back(a.id);
    }
  }
  return out;
}

}  // namespace leadrouter::sidecar
