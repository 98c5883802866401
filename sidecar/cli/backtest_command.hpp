// `leadrouter backtest`: replays historical leads through a new policy (and a
// baseline) at their historical times and reports what would have changed.
#pragma once

#include <string>
#include <vector>

namespace leadrouter::cli {

int run_backtest(const std::vector<std::string>& args);

}  // namespace leadrouter::cli
