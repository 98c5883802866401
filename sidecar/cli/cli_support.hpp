// Helpers every `leadrouter` subcommand shares: exit codes, reading input
// files with errors that name the file, and Boost.Program_options parsing
// with a uniform `--help` and uniform bad-argument messages.
//
//   po::options_description opts;
//   opts.add_options()("policy", string_value()->required(), "policy file");
//   po::variables_map vm;
//   if (auto done = parse_command_line(kSpec, opts, {}, args, vm)) return *done;
#pragma once

#include <boost/program_options.hpp>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace leadrouter::cli {

namespace po = boost::program_options;

enum class ExitCode : int {
  kOk = 0,
  kFailure = 1,   // the command ran and found problems (lint errors, failed checks)
  kBadInput = 2,  // bad arguments or an input file that does not validate
};

inline int exit_code(ExitCode code) {
  return static_cast<int>(code);
}

// Use instead of po::value<std::string>(): GCC 12 at -O2 warns (an error
// here, -Wnull-dereference) about Boost's inlined notify() in every file that
// instantiates typed_value<std::string>, so that happens in one place only.
//   opts.add_options()("policy", string_value()->required(), "policy file");
po::typed_value<std::string>* string_value();

// How a command presents itself in `--help`.
struct CommandSpec {
  std::string_view name;         // "policy lint"
  std::string_view synopsis;     // "--policy P --roster R [--now ISO8601]"
  std::string_view description;  // a few lines of prose, may be empty
};

// Parses `args` against `options` (a `--help` option is added). Returns an
// exit code when the command must stop: `--help` printed (kOk) or a bad
// argument reported on stderr (kBadInput). nullopt: carry on with `vm`.
std::optional<int> parse_command_line(const CommandSpec& spec, po::options_description options,
                                      const po::positional_options_description& positional,
                                      const std::vector<std::string>& args, po::variables_map& vm);

// The whole file, or "cannot read <path>: <reason>".
std::expected<std::string, std::string> read_file(const std::string& path);

// Prints "leadrouter: <message>" (adding a newline when missing) to stderr.
void print_error(std::string_view message);

// Parses a --now style argument; the error names the option.
std::expected<Timestamp, std::string> parse_time_option(std::string_view option,
                                                        std::string_view text);

}  // namespace leadrouter::cli
