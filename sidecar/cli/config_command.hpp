// `leadrouter config check FILE [--crm-url URL]`: validates a sidecar config
// the way `serve` does at start, without starting: the JSON itself, then every
// file it names (policy, roster, model, free-mail list) and every secret it
// points at (read from this process's environment). docs/configuration.md.
#pragma once

#include <string>
#include <vector>

namespace leadrouter::cli {

int run_config_check(const std::vector<std::string>& args);

}  // namespace leadrouter::cli
