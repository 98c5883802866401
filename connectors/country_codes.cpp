#include "connectors/country_codes.hpp"

#include <rapidjson/document.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace leadrouter::connectors {
namespace {

// Debian's iso-codes package (LGPL-2.1+) keeps the ISO 3166-1 list current;
// it is read at run time rather than copied into our source so that the
// list follows the system's package and its licence stays with it.
constexpr const char* kIsoCodesPath = "/usr/share/iso-codes/json/iso_3166-1.json";

// Spellings iso-codes does not have: what people type into forms and what
// CRMs' picklists used before a country was renamed. Ours, not iso-codes'.
constexpr std::pair<const char*, const char*> kAliases[] = {
    {"UK", "GB"},
    {"U.K.", "GB"},
    {"Great Britain", "GB"},
    {"Britain", "GB"},
    {"England", "GB"},
    {"Scotland", "GB"},
    {"Wales", "GB"},
    {"Northern Ireland", "GB"},
    {"US", "US"},
    {"U.S.", "US"},
    {"U.S.A.", "US"},
    {"United States of America", "US"},
    {"America", "US"},
    {"Estados Unidos", "US"},
    {"Deutschland", "DE"},
    {"Federal Republic of Germany", "DE"},
    {"Holland", "NL"},
    {"Nederland", "NL"},
    // In business data a bare "Korea" is practically always the Republic of Korea.
    {"Korea", "KR"},
    {"Republic of Korea", "KR"},
    {"Russia", "RU"},
    {"Vietnam", "VN"},
    {"Czech Republic", "CZ"},
    {"Turkey", "TR"},
    {"Ivory Coast", "CI"},
    {"Cape Verde", "CV"},
    {"East Timor", "TL"},
    {"Swaziland", "SZ"},
    {"Macedonia", "MK"},
    {"Burma", "MM"},
    {"Vatican", "VA"},
    {"Vatican City", "VA"},
    {"UAE", "AE"},
    {"Emirates", "AE"},
    {"Hong Kong SAR", "HK"},
    {"Macau", "MO"},
    {"Brasil", "BR"},
    {"Mexico", "MX"},
    {"Espana", "ES"},
    {"Italia", "IT"},
    {"Osterreich", "AT"},
    {"Schweiz", "CH"},
    {"Suisse", "CH"},
    {"Svizzera", "CH"},
    {"Sverige", "SE"},
    {"Norge", "NO"},
    {"Danmark", "DK"},
    {"Suomi", "FI"},
    {"Polska", "PL"},
    {"Belgique", "BE"},
    {"Belgie", "BE"},
    {"Eire", "IE"},
    {"Republic of Ireland", "IE"},
    {"Mainland China", "CN"},
    {"PRC", "CN"},
    {"People's Republic of China", "CN"},
    {"Republic of China", "TW"},
    {"Laos", "LA"},
    {"Moldova", "MD"},
    {"Syria", "SY"},
    {"Tanzania", "TZ"},
    {"Venezuela", "VE"},
    {"Bolivia", "BO"},
    {"Iran", "IR"},
    {"Palestine", "PS"},
    {"Micronesia", "FM"},
    {"Brunei", "BN"},
    {"Congo-Brazzaville", "CG"},
    {"Congo-Kinshasa", "CD"},
    {"DR Congo", "CD"},
    {"DRC", "CD"},
    {"Democratic Republic of Congo", "CD"},
    {"St. Lucia", "LC"},
    {"St Lucia", "LC"},
    {"St. Kitts and Nevis", "KN"},
    {"St. Vincent and the Grenadines", "VC"},
    {"Trinidad & Tobago", "TT"},
    {"Bosnia", "BA"},
    {"Bosnia-Herzegovina", "BA"},
    {"Antigua & Barbuda", "AG"},
    {"Sao Tome & Principe", "ST"},
    {"Saint Martin", "MF"},
    {"Falkland Islands", "FK"},
    {"US Virgin Islands", "VI"},
    {"British Virgin Islands", "VG"},
};

// Latin-1 letters (U+00C0..U+00FF; both halves fold alike) without accents;
// "" for the multiplication and division signs.
constexpr std::array<const char*, 32> kLatin1 = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

// Extra spellings of an ISO name: "Korea, Republic of" -> "Republic of
// Korea" and "Korea"; "Holy See (Vatican City State)" -> both parts.
std::vector<std::string> name_variants(std::string_view name) {
  std::vector<std::string> out;
  if (auto comma = name.find(", "); comma != std::string_view::npos) {
    out.push_back(std::string(name.substr(comma + 2)) + " " + std::string(name.substr(0, comma)));
    out.emplace_back(name.substr(0, comma));
  }
  if (auto open = name.find('('); open != std::string_view::npos && name.ends_with(')')) {
    out.emplace_back(trim(name.substr(0, open)));
    out.emplace_back(trim(name.substr(open + 1, name.size() - open - 2)));
  }
  return out;
}

void add_iso_codes(std::unordered_map<std::string, std::string>& table, const char* path) {
  std::string text;
  if (std::FILE* f = std::fopen(path, "rb")) {
    char buf[65536];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) {
      text.append(buf, n);
    }
    std::fclose(f);
  } else {
    spdlog::warn(
        "country names: cannot read {} (install Debian's iso-codes); only codes and "
        "common aliases are normalized",
        path);
    return;
  }
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("3166-1") ||
      !doc["3166-1"].IsArray()) {
    spdlog::warn("country names: {} is not the iso-codes ISO 3166-1 list", path);
    return;
  }
  auto member = [](const rapidjson::Value& v, const char* key) -> std::string_view {
    auto it = v.FindMember(key);
    return it != v.MemberEnd() && it->value.IsString()
               ? std::string_view(it->value.GetString(), it->value.GetStringLength())
               : std::string_view{};
  };
  // Codes and the names iso-codes gives come first; a derived spelling is
  // kept only when it names one country and no primary key claims it.
  std::unordered_map<std::string, std::string> derived;
  std::unordered_map<std::string, bool> ambiguous;
  for (const auto& c : doc["3166-1"].GetArray()) {
    const std::string alpha2(member(c, "alpha_2"));
    if (alpha2.size() != 2) {
      continue;
    }
    for (const char* key : {"alpha_2", "alpha_3", "name", "official_name", "common_name"}) {
      if (auto value = member(c, key); !value.empty()) {
        table.emplace(country_key(value), alpha2);
      }
    }
    for (const char* key : {"name", "official_name"}) {
      for (const std::string& v : name_variants(member(c, key))) {
        std::string k = country_key(v);
        if (k.empty()) {
          continue;
        }
        if (auto [it, added] = derived.emplace(k, alpha2); !added && it->second != alpha2) {
          ambiguous[k] = true;
        }
      }
    }
  }
  for (const auto& [k, alpha2] : derived) {
    if (!ambiguous.contains(k)) {
      table.emplace(k, alpha2);
    }
  }
}

const std::unordered_map<std::string, std::string>& lookup_table() {
  static const auto table = [] {
    std::unordered_map<std::string, std::string> t;
    add_iso_codes(t, kIsoCodesPath);
    // iso-codes wins where both name a key; an alias only adds spellings.
    for (const auto& [alias, alpha2] : kAliases) {
      t.emplace(country_key(alias), alpha2);
    }
    return t;
  }();
  return table;
}

}  // namespace

std::string country_key(std::string_view text) {
  text = trim(text);
  if (text.size() > 4 && (text[0] == 'T' || text[0] == 't') && (text[1] == 'H' || text[1] == 'h') &&
      (text[2] == 'E' || text[2] == 'e') && text[3] == ' ') {
    text.remove_prefix(4);
  }
  std::string key;
  key.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) {
        key += static_cast<char>(std::tolower(c));
      }
      continue;
    }
    // A two-byte UTF-8 sequence for U+0080..U+00FF starts with C2 or C3.
    if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if ((next & 0xC0) == 0x80) {
        const unsigned code = ((c & 0x1Fu) << 6) | (next & 0x3Fu);
        if (code >= 0xC0) {
          // U+00FF (y with diaeresis) is the one place the halves differ.
          key += code == 0xFF ? "y" : kLatin1[(code - 0xC0) % 32];
        }
        ++i;
        continue;
      }
    }
    // U+2010..U+201F (dashes, curly quotes): E2 80 90..9F.
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(text[i + 2]) & 0xF0) == 0x90) {
      i += 2;
      continue;
    }
    key += static_cast<char>(c);
  }
  return key;
}

std::string normalize_country(std::string_view text) {
  const std::string_view trimmed = trim(text);
  const auto& table = lookup_table();
  if (auto it = table.find(country_key(trimmed)); it != table.end()) {
    return it->second;
  }
  return std::string(trimmed);
}

}  // namespace leadrouter::connectors
