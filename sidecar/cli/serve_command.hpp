// `leadrouter serve`: validates the sidecar config (and every file and secret
// it references), then runs the daemon until SIGTERM/SIGINT. The first stdout
// line is "listening on http://HOST:PORT" once the HTTP port is bound.
#pragma once

#include <string>
#include <vector>

namespace leadrouter::cli {

int run_serve(const std::vector<std::string>& args);

}  // namespace leadrouter::cli
