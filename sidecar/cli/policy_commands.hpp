// `leadrouter policy check` (validation) and `leadrouter policy lint`
// (findings on a valid policy, optionally against a roster).
#pragma once

#include <string>
#include <vector>

namespace leadrouter::cli {

int run_policy_check(const std::vector<std::string>& args);
int run_policy_lint(const std::vector<std::string>& args);

}  // namespace leadrouter::cli
