#include "sidecar/cli/backtest_command.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>

#include "core/backtest/accounts_file.hpp"
#include "core/backtest/assignments_out.hpp"
#include "core/backtest/history.hpp"
#include "core/backtest/replay.hpp"
#include "core/backtest/report.hpp"
#include "core/matching/public_suffix.hpp"
#include "sidecar/cli/cli_support.hpp"
#include "sidecar/config/routing_setup.hpp"

namespace leadrouter::cli {

namespace {

constexpr CommandSpec kSpec{
    "backtest",
    "--policy NEW.json [--baseline OLD.json] --leads HISTORY.(jsonl|csv) --roster ROSTER.json\n"
    "                       [--outcomes FILE.(csv|jsonl)] [--accounts FILE.csv]\n"
    "                       [--no-duplicates] [--report FILE.html]\n"
    "                       [--assignments FILE.(csv|jsonl)] [--free-mail FILE]\n"
    "                       [--open-hours N] [--outcome-days N]\n"
    "                       [--model FILE] [--baseline-model FILE] [--progress]",
    "Replays historical leads in created_at order through each policy, every lead\n"
    "decided at its own created_at with a fresh roster per policy, so caps, loads,\n"
    "round-robin fairness and working hours apply as they would have at the time.\n"
    "An assigned lead counts toward its rep's open load for --open-hours, then is\n"
    "taken as worked.\n"
    "Prints a side-by-side table: leads per rep, load Gini, cap hits, assignments\n"
    "outside working hours, tiers, scores, and the share of leads whose owner\n"
    "changes. With --outcomes (lead_id, converted) it also estimates expected\n"
    "conversions from track records built only from earlier leads (or from the\n"
    "model's probabilities when a policy has one); outcomes never change routing.\n"
    "With --accounts (id, name, owner_id, domain, website, created_at, ...) leads\n"
    "are matched to accounts as live, so account-owner routes fire. A lead that\n"
    "repeats an earlier one (same email, or same name at the same company) is its\n"
    "duplicate: it goes to that lead's owner or a queue, as live.\n"
    "\n"
    "Lead history: JSONL as for `leadrouter route`, or CSV whose header names lead\n"
    "fields (id, email, company, country, employees, created_at, ...; other columns\n"
    "become custom fields). Every lead needs created_at."};

po::options_description backtest_options() {
  po::options_description opts;
  opts.add_options()                                                                       //
      ("policy", string_value()->required()->value_name("FILE"), "the policy under test")  //
      ("baseline", string_value()->value_name("FILE"),
       "the policy it replaces (e.g. the live one); without it, only --policy is replayed")  //
      ("leads", string_value()->required()->value_name("FILE"),
       "historical leads, .jsonl or .csv, each with created_at")                      //
      ("roster", string_value()->required()->value_name("FILE"), "roster JSON file")  //
      ("outcomes", string_value()->value_name("FILE"),
       "which leads converted: .csv (lead_id,converted) or .jsonl")  //
      ("accounts", string_value()->value_name("FILE.csv"),
       "the CRM's accounts with owners, for account-owner routes")                               //
      ("no-duplicates", "do not treat repeats of earlier leads as duplicates")                   //
      ("report", string_value()->value_name("FILE.html"), "write a self-contained HTML report")  //
      ("assignments", string_value()->value_name("FILE"),
       "write per-lead owners as .csv or .jsonl")  //
      ("free-mail",
       string_value()->default_value(sidecar::default_free_mail_path())->value_name("FILE"),
       "free-mail domain list, one domain per line")                                             //
      ("model", string_value()->value_name("FILE"), "conversion model for --policy")             //
      ("baseline-model", string_value()->value_name("FILE"), "conversion model for --baseline")  //
      ("open-hours", po::value<int>()->default_value(48)->value_name("N"),
       "hours an assigned lead counts toward its rep's open load (max_open) before it is "
       "taken as worked; 0: never")  //
      ("outcome-days", po::value<int>()->default_value(14)->value_name("N"),
       "days after its creation that a lead's outcome is known (and best-match learns from "
       "it); 0: right away")  //
      ("progress",
       "report progress on stderr every 10,000 leads (default: when stderr is a terminal)");
  return opts;
}

std::string optional_arg(const po::variables_map& vm, const char* name) {
  return vm.count(name) != 0 ? vm[name].as<std::string>() : std::string();
}

std::expected<std::vector<core::Lead>, std::string> load_history(const std::string& path) {
  auto text = read_file(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  auto leads = backtest::is_csv_path(path) ? backtest::leads_from_csv(*text, path)
                                           : backtest::leads_from_jsonl(*text, path);
  if (!leads) {
    return std::unexpected(sidecar::format_file_errors(path, leads.error()));
  }
  return std::move(*leads);
}

std::expected<backtest::Outcomes, std::string> load_outcomes(const std::string& path) {
  auto text = read_file(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  auto outcomes = backtest::is_csv_path(path) ? backtest::outcomes_from_csv(*text, path)
                                              : backtest::outcomes_from_jsonl(*text, path);
  if (!outcomes) {
    return std::unexpected(sidecar::format_file_errors(path, outcomes.error()));
  }
  return std::move(*outcomes);
}

std::expected<backtest::PolicyUnderTest, std::string> load_policy_under_test(
    std::string label, const std::string& policy_path, const std::string& roster_path,
    const std::string& free_mail_path, const std::string& model_path) {
  auto setup = sidecar::load_routing_setup(policy_path, roster_path, free_mail_path, model_path);
  if (!setup) {
    if (setup.error().starts_with("free-mail domain list:")) {
      return std::unexpected(setup.error() + " (set it with --free-mail FILE)");
    }
    return std::unexpected(setup.error());
  }
  return backtest::PolicyUnderTest{std::move(label), std::move(setup->policy),
                                   std::move(setup->free_mail), std::move(setup->model),
                                   std::move(setup->reps)};
}

std::expected<std::vector<backtest::HistoricalAccount>, std::string> load_accounts(
    const std::string& path) {
  auto text = read_file(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  auto accounts = backtest::accounts_from_csv(*text, path);
  if (!accounts) {
    return std::unexpected(sidecar::format_file_errors(path, accounts.error()));
  }
  return std::move(*accounts);
}

std::expected<void, std::string> write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) {
    return std::unexpected(fmt::format("cannot write {}", path));
  }
  return {};
}

}  // namespace

int run_backtest(const std::vector<std::string>& args) {
  po::variables_map vm;
  if (auto done = parse_command_line(kSpec, backtest_options(), {}, args, vm)) {
    return *done;
  }
  const auto bad_input = [](const std::string& message) {
    print_error("backtest: " + message);
    return exit_code(ExitCode::kBadInput);
  };
  const std::string assignments_path = optional_arg(vm, "assignments");
  if (!assignments_path.empty() && !assignments_path.ends_with(".csv") &&
      !assignments_path.ends_with(".jsonl")) {
    return bad_input(
        fmt::format("--assignments: '{}' must end in .csv or .jsonl", assignments_path));
  }
  if (vm.count("baseline-model") != 0 && vm.count("baseline") == 0) {
    return bad_input("--baseline-model needs --baseline");
  }

  const std::string roster = vm["roster"].as<std::string>();
  const std::string free_mail = vm["free-mail"].as<std::string>();
  std::vector<backtest::PolicyUnderTest> policies;
  if (vm.count("baseline") != 0) {
    auto baseline = load_policy_under_test("baseline", vm["baseline"].as<std::string>(), roster,
                                           free_mail, optional_arg(vm, "baseline-model"));
    if (!baseline) {
      return bad_input(baseline.error());
    }
    policies.push_back(std::move(*baseline));
  }
  auto candidate =
      load_policy_under_test(policies.empty() ? "policy" : "new", vm["policy"].as<std::string>(),
                             roster, free_mail, optional_arg(vm, "model"));
  if (!candidate) {
    return bad_input(candidate.error());
  }
  policies.push_back(std::move(*candidate));

  auto leads = load_history(vm["leads"].as<std::string>());
  if (!leads) {
    return bad_input(leads.error());
  }
  backtest::Outcomes outcomes;
  if (vm.count("outcomes") != 0) {
    auto loaded = load_outcomes(vm["outcomes"].as<std::string>());
    if (!loaded) {
      return bad_input(loaded.error());
    }
    outcomes = std::move(*loaded);
  }

  std::vector<backtest::HistoricalAccount> accounts;
  std::shared_ptr<const matching::PublicSuffixList> suffixes;
  if (vm.count("accounts") != 0) {
    auto loaded = load_accounts(vm["accounts"].as<std::string>());
    if (!loaded) {
      return bad_input(loaded.error());
    }
    accounts = std::move(*loaded);
    auto list = matching::PublicSuffixList::load();
    if (!list) {
      return bad_input(
          fmt::format("--accounts needs the Public Suffix List: {}", list.error().message));
    }
    suffixes = std::make_shared<const matching::PublicSuffixList>(std::move(*list));
  }

  backtest::ReplayOptions options;
  options.outcomes = vm.count("outcomes") != 0 ? &outcomes : nullptr;
  options.accounts = accounts;
  options.suffixes = suffixes;
  options.detect_duplicates = vm.count("no-duplicates") == 0;
  const int open_hours = vm["open-hours"].as<int>();
  if (open_hours < 0) {
    return bad_input("--open-hours must be 0 or more");
  }
  const int outcome_days = vm["outcome-days"].as<int>();
  if (outcome_days < 0) {
    return bad_input("--outcome-days must be 0 or more");
  }
  options.outcome_delay = std::chrono::days{outcome_days};
  options.open_for = open_hours == 0
                         ? std::nullopt
                         : std::optional<std::chrono::seconds>(std::chrono::hours{open_hours});
  if (vm.count("progress") != 0 || isatty(STDERR_FILENO) != 0) {
    options.progress = [](std::size_t done, std::size_t total) {
      fmt::print(stderr, "backtest: {} of {} leads replayed\n", done, total);
    };
  }
  auto replay = backtest::replay(*leads, policies, options);
  if (!replay) {
    return bad_input(replay.error().message);
  }

  fmt::print("{}", backtest::format_report_text(*replay));
  if (vm.count("report") != 0) {
    const std::string path = vm["report"].as<std::string>();
    if (auto written = write_file(path, backtest::format_report_html(*replay)); !written) {
      return bad_input(written.error());
    }
    fmt::print("\nHTML report: {}\n", path);
  }
  if (!assignments_path.empty()) {
    const std::string content = assignments_path.ends_with(".csv")
                                    ? backtest::assignments_csv(*replay)
                                    : backtest::assignments_jsonl(*replay);
    if (auto written = write_file(assignments_path, content); !written) {
      return bad_input(written.error());
    }
    fmt::print("{}Assignments: {} ({} leads)\n", vm.count("report") != 0 ? "" : "\n",
               assignments_path, replay->leads.size());
  }
  return exit_code(ExitCode::kOk);
}

}  // namespace leadrouter::cli
