// Boost's typed_value<std::string>::notify trips GCC 12's -Wnull-dereference
// once inlined (see cli_support.cpp); the options here are strings.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "sidecar/cli/crm_command.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <iostream>

#include "connectors/connector_config.hpp"
#include "connectors/connector_factory.hpp"
#include "core/lead_json.hpp"
#include "sidecar/cli/cli_support.hpp"

namespace leadrouter::cli {
namespace {

using connectors::BuiltConnector;
using connectors::ConnectorConfig;

// stdout carries results (JSONL for pull); connector warnings go to stderr.
void log_to_stderr() {
  if (!spdlog::get("leadrouter-crm")) {
    auto logger = spdlog::stderr_logger_mt("leadrouter-crm");
    spdlog::set_default_logger(logger);
  }
}

std::optional<int> parse_int(const std::string& option, const std::string& text, int min, int max,
                             int& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc{} || ptr != text.data() + text.size() || out < min || out > max) {
    print_error(
        fmt::format("--{} must be an integer from {} to {}, not '{}'", option, min, max, text));
    return exit_code(ExitCode::kBadInput);
  }
  return std::nullopt;
}

// Loads the config, applies --crm-url and keeps the --connector selection.
std::expected<std::vector<ConnectorConfig>, int> load_configs(const po::variables_map& vm) {
  auto configs = connectors::load_connector_configs(vm["config"].as<std::string>());
  if (!configs) {
    print_error(configs.error().message);
    return std::unexpected(exit_code(ExitCode::kBadInput));
  }
  if (vm.count("crm-url")) {
    if (auto r = connectors::override_crm_url(*configs, vm["crm-url"].as<std::string>()); !r) {
      print_error(r.error().message);
      return std::unexpected(exit_code(ExitCode::kBadInput));
    }
  }
  if (vm.count("connector")) {
    const auto wanted = vm["connector"].as<std::string>();
    std::erase_if(*configs, [&](const ConnectorConfig& c) { return c.name != wanted; });
    if (configs->empty()) {
      print_error("no connector named '" + wanted + "' in the config");
      return std::unexpected(exit_code(ExitCode::kBadInput));
    }
  }
  return std::move(*configs);
}

std::string auth_source(const ConnectorConfig& c) {
  const auto& a = c.auth;
  if (a.kind == "private_app") {
    return "private app token from " + a.token.describe();
  }
  if (a.kind == "jwt_bearer") {
    return fmt::format("JWT bearer as {} (key from {})", a.username, a.private_key.describe());
  }
  if (a.kind == "oauth" || a.kind == "refresh_token") {
    return fmt::format("{} refresh token from {}", a.kind, a.refresh_token.describe());
  }
  return a.kind;
}

bool check_one(const ConnectorConfig& config, int recent_days) {
  std::cout << fmt::format("connector {} ({}, {})\n", config.name, config.type,
                           config.type == "hubspot" ? config.base_url : config.login_url);
  auto fail = [](std::string_view step, const Error& e) {
    std::cout << fmt::format("  {:<13} FAILED [{}] {}\n", step, to_string(e.kind), e.message);
    return false;
  };
  auto built = connectors::build_connector(config, {});
  if (!built) {
    return fail("setup", built.error());
  }
  auto token = built->tokens->token();
  if (!token) {
    return fail("auth", token.error());
  }
  // A private-app token is only proven by the first API call (the reps step).
  std::cout << fmt::format("  {:<13} {}: {}{}\n", "auth",
                           config.auth.kind == "private_app" ? "found" : "ok", auth_source(config),
                           token->instance_url.empty() ? "" : ", instance " + token->instance_url);
  auto reps = built->connector->list_reps();
  if (!reps) {
    return fail("reps", reps.error());
  }
  std::string names;
  for (std::size_t i = 0; i < reps->size() && i < 5; ++i) {
    names += (i ? ", " : "") + (*reps)[i].name;
  }
  std::cout << fmt::format("  {:<13} ok: {} active{}{}{}\n", "reps", reps->size(),
                           names.empty() ? "" : " (", names,
                           names.empty() ? "" : (reps->size() > 5 ? ", ...)" : ")"));
  const auto since = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) -
                     std::chrono::days{recent_days};
  connectors::LeadCursor cursor{connectors::TimestampMs{since.time_since_epoch()}, {}};
  std::size_t count = 0;
  bool capped = true;
  for (int page = 0; page < 10; ++page) {
    auto leads = built->connector->fetch_changed_leads(cursor, 200);
    if (!leads) {
      return fail("recent leads", leads.error());
    }
    count += leads->leads.size();
    cursor = leads->next;
    if (leads->leads.empty() && !leads->more) {
      capped = false;
      break;
    }
  }
  std::cout << fmt::format("  {:<13} ok: {}{} changed in the last {} days\n", "recent leads",
                           capped ? "at least " : "", count, recent_days);
  const auto rl = built->connector->rate_limit();
  std::string headroom =
      fmt::format("bucket {:.0f} requests per {} ms", rl.limit.requests, rl.limit.interval.count());
  if (rl.window_remaining && rl.window_max) {
    headroom += fmt::format("; CRM window: {} of {} left", *rl.window_remaining, *rl.window_max);
  }
  if (rl.daily_used && rl.daily_max) {
    headroom += fmt::format("; daily API usage {} of {}{}", *rl.daily_used, *rl.daily_max,
                            rl.daily_throttled ? " (throttled: under the reserve)" : "");
  }
  if (!rl.window_remaining && !rl.daily_used) {
    headroom += "; the CRM reported no rate-limit headers";
  }
  std::cout << fmt::format("  {:<13} {}\n", "rate limit", headroom);
  return true;
}

po::options_description common_options() {
  po::options_description opts;
  // clang-format off
  opts.add_options()
      ("config", string_value()->required()->value_name("FILE"), "config file with a \"connectors\" array")
      ("crm-url", string_value()->value_name("URL"),
       "point every connector's API and token host at this base URL (mock-crm)")
      ("connector", string_value()->value_name("NAME"), "only this connector");
  // clang-format on
  return opts;
}

}  // namespace

int run_crm_check(const std::vector<std::string>& args) {
  static constexpr CommandSpec kSpec{
      "crm check", "--config FILE [--crm-url URL] [--connector NAME] [--recent-days N]",
      "For each connector: authenticate, list reps, count recently changed leads and show the\n"
      "rate-limit headroom. A failing step says what is wrong. Exit 1 when any step fails."};
  auto opts = common_options();
  opts.add_options()("recent-days", string_value()->default_value("30")->value_name("N"),
                     "what counts as recent");
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, opts, {}, args, vm)) {
    return *done;
  }
  int recent_days = 30;
  if (auto bad =
          parse_int("recent-days", vm["recent-days"].as<std::string>(), 1, 3650, recent_days)) {
    return *bad;
  }
  log_to_stderr();
  auto configs = load_configs(vm);
  if (!configs) {
    return configs.error();
  }
  bool all_ok = true;
  for (const auto& c : *configs) {
    all_ok = check_one(c, recent_days) && all_ok;
  }
  return exit_code(all_ok ? ExitCode::kOk : ExitCode::kFailure);
}

int run_crm_pull(const std::vector<std::string>& args) {
  static constexpr CommandSpec kSpec{
      "crm pull", "--config FILE --since ISO8601 [--crm-url URL] [--connector NAME] [--limit N]",
      "Print the leads changed since a time as normalized JSONL (one lead per line, the format\n"
      "of `leadrouter route --leads`), from every configured connector in turn."};
  auto opts = common_options();
  opts.add_options()("since", string_value()->required()->value_name("ISO8601"),
                     "changed after this time")("limit", string_value()->value_name("N"),
                                                "stop after N leads per connector");
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, opts, {}, args, vm)) {
    return *done;
  }
  auto since = parse_time_option("--since", vm["since"].as<std::string>());
  if (!since) {
    print_error(since.error());
    return exit_code(ExitCode::kBadInput);
  }
  int limit = 0;
  if (vm.count("limit")) {
    if (auto bad = parse_int("limit", vm["limit"].as<std::string>(), 1, 100'000'000, limit)) {
      return *bad;
    }
  }
  log_to_stderr();
  auto configs = load_configs(vm);
  if (!configs) {
    return configs.error();
  }
  for (const auto& config : *configs) {
    auto built = connectors::build_connector(config, {});
    if (!built) {
      print_error(built.error().message);
      return exit_code(ExitCode::kFailure);
    }
    connectors::LeadCursor cursor{connectors::TimestampMs{since->time_since_epoch()}, {}};
    int printed = 0;
    for (;;) {
      auto page = built->connector->fetch_changed_leads(cursor, 200);
      if (!page) {
        print_error(fmt::format("connector {}: {}", config.name, page.error().message));
        return exit_code(ExitCode::kFailure);
      }
      for (const auto& changed : page->leads) {
        if (limit > 0 && printed >= limit) {
          break;
        }
        std::cout << core::lead_to_json(changed.lead) << '\n';
        ++printed;
      }
      cursor = page->next;
      if ((limit > 0 && printed >= limit) || (page->leads.empty() && !page->more)) {
        break;
      }
    }
    std::cout.flush();
  }
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
