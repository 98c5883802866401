#include "mock_crm/salesforce/salesforce_id.hpp"

#include <algorithm>
#include <cctype>

namespace leadrouter::mock_crm::salesforce {
namespace {

constexpr std::string_view kChecksumAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}

}  // namespace

std::string id_checksum(std::string_view id15) {
  std::string suffix;
  for (std::size_t chunk = 0; chunk < 3; ++chunk) {
    unsigned bits = 0;
    for (std::size_t i = 0; i < 5; ++i) {
      if (is_upper(id15[chunk * 5 + i])) {
        bits |= 1U << i;
      }
    }
    suffix.push_back(kChecksumAlphabet[bits]);
  }
  return suffix;
}

std::string make_id(std::string_view key_prefix, std::uint64_t counter) {
  // "Dm" stands in for the pod/instance characters of a real org.
  std::string body(10, '0');
  for (std::size_t i = 0; i < body.size() && counter > 0; ++i) {
    body[body.size() - 1 - i] = kBase62[counter % kBase62.size()];
    counter /= kBase62.size();
  }
  std::string id15 = std::string(key_prefix) + "Dm" + body;
  return id15 + id_checksum(id15);
}

std::optional<std::string> normalize_id(std::string_view id) {
  if (id.size() != 15 && id.size() != 18) {
    return std::nullopt;
  }
  if (!std::all_of(id.begin(), id.end(),
                   [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; })) {
    return std::nullopt;
  }
  std::string id15(id.substr(0, 15));
  std::string expected = id_checksum(id15);
  if (id.size() == 18) {
    std::string given(id.substr(15));
    // The suffix itself is case-insensitive: that is its purpose.
    std::transform(given.begin(), given.end(), given.begin(), [](char c) {
      return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    if (given != expected) {
      return std::nullopt;
    }
  }
  return id15 + expected;
}

}  // namespace leadrouter::mock_crm::salesforce
