#include "sidecar/config/account_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <limits>
#include <optional>
#include <string_view>

namespace leadrouter::sidecar {
namespace {

using core::JsonObjectReader;

struct TieBreakerName {
  std::string_view name;
  matching::TieBreaker value;
};
constexpr std::array<TieBreakerName, 3> kTieBreakers = {{
    {"owner_active", matching::TieBreaker::kOwnerActive},
    {"most_recent_activity", matching::TieBreaker::kMostRecentActivity},
    {"largest", matching::TieBreaker::kLargest},
}};

std::optional<JsonObjectReader> section(JsonObjectReader& root, std::string_view key) {
  const auto* v = root.find(key);
  if (v == nullptr || v->IsNull()) {
    return std::nullopt;
  }
  JsonObjectReader r(*v, root.path_of(key), root.errors());
  if (!r.is_object()) {
    return std::nullopt;
  }
  return r;
}

int whole_number(JsonObjectReader& r, std::string_view key, int fallback, int min, int max) {
  const auto* v = r.find(key);
  if (v == nullptr || v->IsNull()) {
    return fallback;
  }
  const double d = v->IsNumber() ? v->GetDouble() : std::numeric_limits<double>::quiet_NaN();
  if (!(d >= min && d <= max) || d != static_cast<double>(static_cast<long long>(d))) {
    r.error_at(key, v->IsNumber()
                        ? fmt::format("expected a whole number from {} to {}, got {}", min, max, d)
                        : fmt::format("expected a whole number from {} to {}, got {}", min, max,
                                      core::json_type_name(*v)));
    return fallback;
  }
  return static_cast<int>(d);
}

double fraction(JsonObjectReader& r, std::string_view key, double fallback) {
  const auto* v = r.find(key);
  if (v == nullptr || v->IsNull()) {
    return fallback;
  }
  auto d = r.number(key);
  if (!d) {
    return fallback;
  }
  if (*d < 0 || *d > 1) {
    r.error_at(key, fmt::format("expected a number from 0 to 1, got {}", *d));
    return fallback;
  }
  return *d;
}

bool flag(JsonObjectReader& r, std::string_view key, bool fallback) {
  const auto* v = r.find(key);
  if (v == nullptr || v->IsNull()) {
    return fallback;
  }
  return r.boolean(key).value_or(fallback);
}

std::string tie_breaker_hint(std::string_view given) {
  std::string_view best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& t : kTieBreakers) {
    if (const auto d = core::typo_distance(given, t.name); d < best_distance) {
      best_distance = d;
      best = t.name;
    }
  }
  if (best_distance <= core::typo_tolerance(given)) {
    return fmt::format(" (did you mean '{}'?)", best);
  }
  return " (expected owner_active, most_recent_activity or largest)";
}

}  // namespace

void read_accounts_config(JsonObjectReader& root, const std::string& base_dir,
                          AccountsConfig& config) {
  auto r = section(root, "accounts");
  if (!r) {
    return;
  }
  config.enabled = flag(*r, "enabled", config.enabled);
  config.refresh_seconds = whole_number(*r, "refresh_seconds", config.refresh_seconds, 1, 86400);
  config.full_refresh_hours =
      whole_number(*r, "full_refresh_hours", config.full_refresh_hours, 0, 24 * 365);
  // HubSpot's search API returns at most 200 results a page.
  config.page_size = whole_number(*r, "page_size", config.page_size, 1, 200);
  if (const auto* v = r->find("public_suffix_list"); v != nullptr && !v->IsNull()) {
    if (auto path = r->string("public_suffix_list"); path && !path->empty()) {
      const std::filesystem::path p(*path);
      config.public_suffix_list =
          (p.is_absolute() ? p : std::filesystem::path(base_dir) / p).lexically_normal().string();
    } else if (path) {
      r->error_at("public_suffix_list", "must not be empty (leave the key out or use null)");
    }
  }
  matching::MatchOptions& match = config.match;
  match.use_email_domain = flag(*r, "use_email_domain", match.use_email_domain);
  match.use_website = flag(*r, "use_website", match.use_website);
  match.use_name = flag(*r, "use_name", match.use_name);
  match.min_name_similarity = fraction(*r, "min_name_similarity", match.min_name_similarity);
  match.ambiguity_margin = fraction(*r, "ambiguity_margin", match.ambiguity_margin);
  match.use_acronyms = flag(*r, "use_acronyms", match.use_acronyms);
  if (const auto* v = r->find("tie_breakers"); v != nullptr && !v->IsNull()) {
    const std::string path = r->path_of("tie_breakers");
    if (!v->IsArray()) {
      r->error_at("tie_breakers",
                  fmt::format("expected an array of names, got {}", core::json_type_name(*v)));
    } else {
      std::vector<matching::TieBreaker> chosen;
      for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
        const std::string item_path = core::json_path(path, i);
        auto name = core::read_string((*v)[i], item_path, r->errors());
        if (!name) {
          continue;
        }
        const auto* known = std::ranges::find(kTieBreakers, *name, &TieBreakerName::name);
        if (known == kTieBreakers.end()) {
          r->error(item_path,
                   fmt::format("unknown tie-breaker '{}'{}", *name, tie_breaker_hint(*name)));
        } else if (std::ranges::find(chosen, known->value) != chosen.end()) {
          r->error(item_path, fmt::format("'{}' is listed twice", *name));
        } else {
          chosen.push_back(known->value);
        }
      }
      match.tie_breakers = std::move(chosen);
    }
  }
  r->reject_unknown_keys();
}

void read_duplicates_config(JsonObjectReader& root, DuplicatesConfig& config) {
  auto r = section(root, "duplicates");
  if (!r) {
    return;
  }
  config.enabled = flag(*r, "enabled", config.enabled);
  config.match_email = flag(*r, "match_email", config.match_email);
  config.match_name_company = flag(*r, "match_name_company", config.match_name_company);
  if (config.enabled && !config.match_email && !config.match_name_company) {
    r->error(r->path(),
             "enabled with neither match_email nor match_name_company: nothing could match (set "
             "\"enabled\": false instead)");
  }
  r->reject_unknown_keys();
}

}  // namespace leadrouter::sidecar
