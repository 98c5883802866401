// Loading what one connector routes with from disk: policy, rep attributes
// (roster file, with the policy's "reps" merged over it by id), the free-mail
// list and an optional model. Shared by `serve` and the one-shot CLI commands
// (route, preview, policy lint). Every failure is one ready-to-print message
// naming the file and the JSON path or line.
#pragma once

#include <cstddef>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/lead_facts.hpp"
#include "core/model_scorer.hpp"
#include "core/policy.hpp"
#include "core/rep.hpp"

namespace leadrouter::sidecar {

struct RoutingSetup {
  std::shared_ptr<const core::Policy> policy;
  std::shared_ptr<const core::FreeMailDomains> free_mail;
  std::vector<core::Rep> reps;                     // roster file + policy "reps"
  std::shared_ptr<const core::ModelScorer> model;  // null: no model
};

// The free-mail list shipped with leadrouter (data/free-email-domains.txt,
// installed beside the binary or found in the source tree).
std::string default_free_mail_path();

// The whole file, or "cannot read <path>: <reason>".
std::expected<std::string, std::string> read_text_file(const std::string& path);

// "file: /path: reason" lines for validation errors, at most `limit` of them
// followed by a count of the rest (a header line when there are several).
std::string format_file_errors(const std::string& file, const ValidationErrors& errors,
                               std::size_t limit = 20);

// A conversion model file (`leadrouter model train --out`) as a scorer.
std::expected<std::shared_ptr<const core::ModelScorer>, std::string> load_model(
    const std::string& path);

std::expected<core::Policy, std::string> load_policy(const std::string& path);
std::expected<std::vector<core::Rep>, std::string> load_roster(const std::string& path);
std::expected<core::FreeMailDomains, std::string> load_free_mail(const std::string& path,
                                                                 const core::Policy& policy);

// roster_path and model_path may be empty; free_mail_path empty: the default.
std::expected<RoutingSetup, std::string> load_routing_setup(const std::string& policy_path,
                                                            const std::string& roster_path,
                                                            const std::string& free_mail_path,
                                                            const std::string& model_path = {});

// The reps the router sees for a CRM tenant: the CRM's users (who exists, who
// is active) with the configured attributes merged over them by id. A user
// the attributes do not mention keeps the CRM's data; configured reps the CRM
// does not list are left out (they cannot own records there) and named in
// `unknown_ids`. A rep is active only when both sides say so.
struct MergedReps {
  std::vector<core::Rep> reps;
  std::vector<std::string> unknown_ids;
};
MergedReps merge_reps(const std::vector<core::Rep>& crm_users,
                      const std::vector<core::Rep>& attributes);

}  // namespace leadrouter::sidecar
