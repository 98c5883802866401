#include "core/matching/public_suffix.hpp"

#include <fstream>
#include <sstream>

#include "core/text.hpp"

namespace leadrouter::matching {
namespace {

constexpr std::string_view kSpace = " \t\r\n";

// The label boundaries of `host` from the right: suffix(k) is the last k
// labels. Host names have few labels, so a fixed array avoids allocating.
struct Labels {
  static constexpr std::size_t kMax = 128;
  std::size_t starts[kMax];  // start offset of each label, left to right
  std::size_t count = 0;
};

bool split_labels(std::string_view host, Labels& out) {
  std::size_t start = 0;
  while (true) {
    if (out.count == Labels::kMax) {
      return false;
    }
    const std::size_t dot = host.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? host.size() : dot;
    if (end == start) {
      return false;  // empty label: "a..b", ".a", "a."
    }
    out.starts[out.count++] = start;
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

}  // namespace

PublicSuffixList PublicSuffixList::from_text(std::string_view text, PublicSuffixSections sections) {
  PublicSuffixList list;
  bool in_private = false;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    line = trim(line, kSpace);
    if (line.starts_with("//")) {
      if (line.find("===BEGIN PRIVATE DOMAINS===") != std::string_view::npos) {
        in_private = true;
      } else if (line.find("===END PRIVATE DOMAINS===") != std::string_view::npos) {
        in_private = false;
      }
      continue;
    }
    // A rule is the first whitespace-delimited word of its line.
    line = line.substr(0, line.find_first_of(kSpace));
    if (line.empty() || (in_private ? !sections.private_domains : !sections.icann)) {
      continue;
    }
    std::string rule = ascii_lower(line);
    if (rule.starts_with('!')) {
      list.exceptions_.insert(rule.substr(1));
    } else if (rule.starts_with("*.")) {
      list.wildcards_.insert(rule.substr(2));
    } else if (rule != "*") {
      list.rules_.insert(std::move(rule));
    }
  }
  return list;
}

std::expected<PublicSuffixList, Error> PublicSuffixList::load(std::string_view path,
                                                              PublicSuffixSections sections) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) {
    return std::unexpected(Error::not_found(
        std::string(path) + ": cannot open the Public Suffix List (Debian package publicsuffix)"));
  }
  std::stringstream text;
  text << in.rdbuf();
  PublicSuffixList list = from_text(text.str(), sections);
  if (list.size() == 0) {
    return std::unexpected(
        Error::invalid_input(std::string(path) + ": no Public Suffix List rules in this file"));
  }
  return list;
}

std::string_view PublicSuffixList::public_suffix(std::string_view host) const {
  Labels labels;
  if (host.empty() || !split_labels(host, labels)) {
    return {};
  }
  // Walk suffixes from the longest; the first (longest) match wins, and an
  // exception beats every other rule: it makes its parent the suffix.
  for (std::size_t i = 0; i < labels.count; ++i) {
    const std::string_view candidate = host.substr(labels.starts[i]);
    if (exceptions_.find(candidate) != exceptions_.end()) {
      return i + 1 < labels.count ? host.substr(labels.starts[i + 1]) : candidate;
    }
  }
  for (std::size_t i = 0; i < labels.count; ++i) {
    const std::string_view candidate = host.substr(labels.starts[i]);
    if (rules_.find(candidate) != rules_.end()) {
      return candidate;
    }
    // "*.ck" matches "anything.ck": the candidate minus its first label.
    if (i + 1 < labels.count &&
        wildcards_.find(host.substr(labels.starts[i + 1])) != wildcards_.end()) {
      return candidate;
    }
  }
  return host.substr(labels.starts[labels.count - 1]);
}

std::string PublicSuffixList::registrable_domain(std::string_view host) const {
  std::string lower = ascii_lower(trim(host, kSpace));
  const std::string_view suffix = public_suffix(lower);
  if (suffix.empty() || suffix.size() == lower.size()) {
    return {};
  }
  // The label before the suffix: lower ends with "." + suffix.
  const std::size_t dot = lower.size() - suffix.size() - 1;
  const std::size_t start = lower.rfind('.', dot - 1);
  return lower.substr(start == std::string::npos ? 0 : start + 1);
}

}  // namespace leadrouter::matching
