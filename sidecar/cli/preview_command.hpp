// `leadrouter preview`: routes one lead without committing and prints the full
// explanation (scores and their parts, route trail, every candidate, SLA).
#pragma once

#include <string>
#include <vector>

namespace leadrouter::cli {

int run_preview(const std::vector<std::string>& args);

}  // namespace leadrouter::cli
