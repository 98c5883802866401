// Boost's typed_value<std::string>::notify trips GCC 12's -Wnull-dereference
// once inlined (see cli_support.cpp); the options here are strings.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "sidecar/cli/config_command.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "connectors/connector_config.hpp"
#include "sidecar/cli/cli_support.hpp"
#include "sidecar/config/sidecar_config.hpp"

namespace leadrouter::cli {
namespace {

constexpr CommandSpec kCheckSpec{
    "config check", "CONFIG.json [--crm-url URL]",
    "Validates a sidecar config as `serve` would at start: every key, every file it\n"
    "names (policy, roster, model, free-mail list) and every secret it references\n"
    "(environment variables of this shell, or owner-only files). Prints\n"
    "\"ok: N connectors, mode M, policy P\" and exits 0, or prints every problem\n"
    "and exits 2."};

}  // namespace

int run_config_check(const std::vector<std::string>& args) {
  po::options_description opts;
  opts.add_options()  //
      ("config", string_value()->required()->value_name("FILE"),
       "the sidecar config JSON file (may also be given as the first argument)")  //
      ("crm-url", string_value()->value_name("URL"),
       "point every connector at this base URL (mock-crm), as `serve --crm-url` does");
  po::positional_options_description positional;
  positional.add("config", 1);
  po::variables_map vm;
  if (auto done = parse_command_line(kCheckSpec, opts, positional, args, vm)) {
    return *done;
  }
  sidecar::ConfigOverrides overrides;
  if (vm.count("crm-url") != 0) {
    overrides.crm_url = vm["crm-url"].as<std::string>();
  }
  auto config = sidecar::load_sidecar_config(vm["config"].as<std::string>(), overrides);
  if (!config) {
    // As the other commands report a file: a count first when there are several.
    const auto lines = std::ranges::count(config.error(), '\n');
    print_error(lines > 1 ? fmt::format("{}: {} problems\n{}", vm["config"].as<std::string>(),
                                        lines, config.error())
                          : config.error());
    return exit_code(ExitCode::kBadInput);
  }
  const auto problems =
      sidecar::check_config_references(*config, connectors::process_environment());
  if (!problems.empty()) {
    std::string message = problems.size() == 1
                              ? std::string()
                              : fmt::format("{}: {} problems\n", config->path, problems.size());
    for (const auto& p : problems) {
      message += p + "\n";
    }
    print_error(message);
    return exit_code(ExitCode::kBadInput);
  }
  fmt::print("ok: {} connector{}, mode {}, policy {}\n", config->connectors.size(),
             config->connectors.size() == 1 ? "" : "s", sidecar::to_string(config->mode),
             config->routing.policy);
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
