// Boost's typed_value<std::string>::notify trips GCC 12's -Wnull-dereference
// once inlined (see cli_support.cpp); the options here are strings.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "sidecar/cli/serve_command.hpp"

#include <fmt/format.h>
#include <pthread.h>

#include <csignal>
#include <cstdio>

#include "connectors/connector_config.hpp"
#include "sidecar/cli/cli_support.hpp"
#include "sidecar/config/sidecar_config.hpp"
#include "sidecar/daemon/daemon.hpp"

namespace leadrouter::cli {

namespace {

constexpr CommandSpec kSpec{
    "serve",
    "--config FILE [--crm-url URL] [--state DIR] [--listen HOST:PORT] [--mode live|shadow]",
    "Runs the sidecar: polls each configured CRM (and accepts its webhooks), routes new\n"
    "leads with the policy, records every decision and writes owners and tasks back.\n"
    "The config and every file and secret it names are checked first; any problem is\n"
    "reported (all of them) and nothing starts (exit 2). Once the HTTP port is bound the\n"
    "first stdout line is \"listening on http://HOST:PORT\" (--listen with port 0 picks a\n"
    "free port). SIGHUP reloads the policy; SIGTERM or SIGINT stops cleanly (exit 0).\n"
    "Exit 1 when start-up fails (store, CRM authentication, roster)."};

std::optional<std::string> optional_string(const po::variables_map& vm, const char* name) {
  if (vm.count(name) == 0) {
    return std::nullopt;
  }
  return vm[name].as<std::string>();
}

}  // namespace

int run_serve(const std::vector<std::string>& args) {
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("config", string_value()->required()->value_name("FILE"), "the sidecar config (JSON)")
      ("crm-url", string_value()->value_name("URL"),
       "point every connector's API and token host at this base URL (mock-crm)")
      ("state", string_value()->value_name("DIR"), "state directory (overrides state_dir)")
      ("listen", string_value()->value_name("HOST:PORT"), "HTTP address (overrides listen)")
      ("mode", string_value()->value_name("live|shadow"),
       "shadow: decide and record, write nothing to the CRM");
  // clang-format on
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, opts, {}, args, vm)) {
    return *done;
  }
  sidecar::ConfigOverrides overrides;
  overrides.crm_url = optional_string(vm, "crm-url");
  overrides.state_dir = optional_string(vm, "state");
  overrides.listen = optional_string(vm, "listen");
  overrides.mode = optional_string(vm, "mode");

  auto config = sidecar::load_sidecar_config(vm["config"].as<std::string>(), overrides);
  if (!config) {
    print_error(config.error());
    return exit_code(ExitCode::kBadInput);
  }
  // Blocked before anything can start a thread: validating a model file
  // starts XGBoost's OpenMP workers, which keep the mask they were born
  // with, and one with SIGTERM unblocked would let it kill the process
  // instead of reaching the daemon's signalfd (a graceful stop).
  sigset_t daemon_signals;
  sigemptyset(&daemon_signals);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    sigaddset(&daemon_signals, sig);
  }
  pthread_sigmask(SIG_BLOCK, &daemon_signals, nullptr);
  const auto problems =
      sidecar::check_config_references(*config, connectors::process_environment());
  if (!problems.empty()) {
    for (const auto& problem : problems) {
      print_error(problem);
    }
    return exit_code(ExitCode::kBadInput);
  }

  sidecar::Daemon daemon(std::move(*config), {.on_listening = [](const std::string& base_url) {
                           // Tests and scripts wait for this line: it must not sit in a buffer.
                           fmt::print("listening on {}\n", base_url);
                           std::fflush(stdout);
                         }});
  return daemon.run();
}

}  // namespace leadrouter::cli
