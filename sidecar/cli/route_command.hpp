// `leadrouter route`: routes every lead of a JSONL file in order, committing
// each decision to the roster, and prints the decisions (table or JSONL).
#pragma once

#include <string>
#include <vector>

namespace leadrouter::cli {

int run_route(const std::vector<std::string>& args);

}  // namespace leadrouter::cli
