// leadrouter sla list: the SLA watches in a daemon's state store (docs/sla.md).
#pragma once

#include <string>
#include <vector>

namespace leadrouter::cli {

int run_sla_list(const std::vector<std::string>& args);

}  // namespace leadrouter::cli
