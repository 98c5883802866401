// Loading what the routing commands (route, preview, policy lint) read from
// disk: policy, roster, free-mail list and lead files. Every failure comes
// back as one ready-to-print message that names the file, the line (JSONL) or
// JSON path, and the reason; a lead file is validated completely before any
// lead is routed.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "core/lead.hpp"
#include "core/lead_facts.hpp"
#include "core/policy.hpp"

namespace leadrouter::cli {

// The free-mail list shipped with leadrouter, used when --free-mail is not given.
std::string default_free_mail_path();

std::expected<core::Policy, std::string> load_policy(const std::string& path);
std::expected<std::vector<core::Rep>, std::string> load_roster(const std::string& path);

// The list in `path` plus the policy's extra_free_mail_domains.
std::expected<core::FreeMailDomains, std::string> load_free_mail(const std::string& path,
                                                                 const core::Policy& policy);

// One JSON lead per line; blank lines are skipped. Lead ids must be unique.
std::expected<std::vector<core::Lead>, std::string> load_leads_jsonl(const std::string& path);
// A file holding a single JSON lead.
std::expected<core::Lead, std::string> load_lead_json(const std::string& path);

// What route and preview need before the first lead: a validated policy, the
// reps (the roster's, with the policy's "reps" merged over them by id) and the
// free-mail list.
struct RoutingSetup {
  std::shared_ptr<const core::Policy> policy;
  std::shared_ptr<const core::FreeMailDomains> free_mail;
  std::vector<core::Rep> reps;
};

std::expected<RoutingSetup, std::string> load_routing_setup(const std::string& policy_path,
                                                            const std::string& roster_path,
                                                            const std::string& free_mail_path);

// "file: /path: reason" lines for validation errors, at most `limit` of them
// followed by a count of the rest.
std::string format_file_errors(const std::string& file, const ValidationErrors& errors,
                               std::size_t limit = 20);

}  // namespace leadrouter::cli
