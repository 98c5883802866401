// Boost's typed_value<std::string>::notify assigns through a pointer it has
// checked; GCC 12 cannot see the check once inlined. See string_value().
// The pragma precedes every include because the warning is reported at the
// standard-library line the code was inlined from.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "sidecar/cli/cli_support.hpp"

#include <fmt/core.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace leadrouter::cli {

namespace {

void print_help(const CommandSpec& spec, const po::options_description& options) {
  fmt::print("Usage: leadrouter {} {}\n", spec.name, spec.synopsis);
  if (!spec.description.empty()) {
    fmt::print("\n{}\n", spec.description);
  }
  std::ostringstream text;
  text << options;
  fmt::print("\nOptions:\n{}", text.str());
}

}  // namespace

po::typed_value<std::string>* string_value() {
  return po::value<std::string>();
}

std::optional<int> parse_command_line(const CommandSpec& spec, po::options_description options,
                                      const po::positional_options_description& positional,
                                      const std::vector<std::string>& args, po::variables_map& vm) {
  options.add_options()("help,h", "show this help and exit");
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    if (vm.count("help") != 0) {
      print_help(spec, options);
      return exit_code(ExitCode::kOk);
    }
    // Checks required options only after --help, so help never needs them.
    po::notify(vm);
  } catch (const po::error& e) {
    print_error(
        fmt::format("{}: {}\nUsage: leadrouter {} {}\nRun `leadrouter {} --help` for details.",
                    spec.name, e.what(), spec.name, spec.synopsis, spec.name));
    return exit_code(ExitCode::kBadInput);
  }
  return std::nullopt;
}

std::expected<std::string, std::string> read_file(const std::string& path) {
  // Opening a directory for reading succeeds on Linux and reads as empty.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return std::unexpected(fmt::format("cannot read {}: is a directory", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::unexpected(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return std::unexpected(fmt::format("cannot read {}: read error", path));
  }
  return content.str();
}

void print_error(std::string_view message) {
  const bool has_newline = !message.empty() && message.back() == '\n';
  fmt::print(stderr, "leadrouter: {}{}", message, has_newline ? "" : "\n");
}

std::expected<Timestamp, std::string> parse_time_option(std::string_view option,
                                                        std::string_view text) {
  if (auto t = parse_iso8601(text)) {
    return *t;
  }
  return std::unexpected(
      fmt::format("--{}: '{}' is not an ISO 8601 time with an offset (e.g. 2026-03-09T14:30:00Z)",
                  option, text));
}

}  // namespace leadrouter::cli
