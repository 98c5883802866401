// `leadrouter crm check | pull`: try every configured CRM connector step by
// step (auth, reps, recent leads, rate-limit headroom), and print a CRM's
// changed leads as normalized JSONL. docs/connectors.md describes both.
#pragma once

#include <string>
#include <vector>

namespace leadrouter::cli {

int run_crm_check(const std::vector<std::string>& args);
int run_crm_pull(const std::vector<std::string>& args);

}  // namespace leadrouter::cli
