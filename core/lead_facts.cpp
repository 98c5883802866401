#include "core/lead_facts.hpp"

#include <algorithm>
#include <array>

#include "core/text.hpp"

namespace leadrouter::core {
namespace {

// Lists and pasted addresses arrive with line breaks as well as blanks.
constexpr std::string_view kSpace = " \t\r\n";

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Bytes of multi-byte UTF-8 sequences are kept as they are: they belong to
// words ("Müller"), and both sides of a comparison go through the same fold.
bool is_utf8_byte(char c) {
  return static_cast<unsigned char>(c) >= 0x80;
}

bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// A host name as found in email addresses and websites: labels of letters,
// digits, hyphens (or UTF-8 for IDNs) separated by single dots, at least two
// labels. `host` is lower case already.
bool is_host_name(std::string_view host) {
  if (host.empty() || host.find('.') == std::string_view::npos) {
    return false;
  }
  std::size_t label_len = 0;
  for (std::size_t i = 0; i < host.size(); ++i) {
    const char c = host[i];
    if (c == '.') {
      if (label_len == 0 || host[i - 1] == '-') {
        return false;
      }
      label_len = 0;
      continue;
    }
    if (c == '-') {
      if (label_len == 0) {
        return false;
      }
    } else if (!is_alnum(c) && !is_utf8_byte(c)) {
      return false;
    }
    ++label_len;
  }
  return label_len > 0 && host.back() != '-';
}

// Trailing words that say what legal form a company has, not who it is.
// Compared after folding, so "S.A." arrives as "sa" and "Co.," as "co".
constexpr auto kLegalSuffixes = std::to_array<std::string_view>({
    "inc", "incorporated", "llc",  "llp",  "lp",          "ltd", "limited", "gmbh", "mbh",
    "ag",  "kg",           "kgaa", "ohg",  "ug",          "sa",  "sas",     "sarl", "srl",
    "sl",  "spa",          "plc",  "corp", "corporation", "co",  "company", "bv",   "nv",
    "pty", "pte",          "ab",   "oy",   "oyj",         "as",  "asa",     "aps",  "kk",
    "se",  "sro",          "cv",   "bhd",  "sdn",
});

bool is_legal_suffix(std::string_view token) {
  return std::find(kLegalSuffixes.begin(), kLegalSuffixes.end(), token) != kLegalSuffixes.end();
}

}  // namespace

FreeMailDomains FreeMailDomains::from_text(std::string_view text) {
  FreeMailDomains out;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = trim(text.substr(0, eol), kSpace);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    out.add(std::string(line));
  }
  return out;
}

void FreeMailDomains::add(std::string domain) {
  const std::string_view trimmed = trim(domain, kSpace);
  if (trimmed.empty()) {
    return;
  }
  domains_.insert(ascii_lower(trimmed));
}

bool FreeMailDomains::contains(std::string_view domain) const {
  if (has_upper(domain)) {
    return domains_.find(ascii_lower(domain)) != domains_.end();
  }
  return domains_.find(domain) != domains_.end();
}

std::string normalize_company_name(std::string_view name) {
  std::string folded;
  folded.reserve(name.size() + 8);
  std::size_t segment = 0;  // characters since the last separator or abbreviation dot
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (is_alnum(c) || is_utf8_byte(c)) {
      // The typographic apostrophe U+2019 is joined like the ASCII one.
      if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < name.size() &&
          static_cast<unsigned char>(name[i + 1]) == 0x80 &&
          static_cast<unsigned char>(name[i + 2]) == 0x99) {
        i += 2;
        continue;
      }
      folded += ascii_lower(c);
      ++segment;
    } else if (c == '.' && segment == 1) {
      // A dot after a single letter is an abbreviation ("S.A.", "L.L.C."):
      // join the letters instead of splitting them into words.
      segment = 0;
    } else if (c == '\'' || c == '`') {
      // "McDonald's" -> "mcdonalds"
    } else if (c == '&') {
      folded += " and ";
      segment = 0;
    } else {
      folded += ' ';
      segment = 0;
    }
  }

  std::vector<std::string_view> tokens;
  std::string_view rest = folded;
  while (!rest.empty()) {
    const std::size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(start);
    const std::size_t end = rest.find(' ');
    tokens.push_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  }

  std::size_t first = 0;
  if (tokens.size() > 1 && tokens.front() == "the") {
    first = 1;
  }
  std::size_t last = tokens.size();
  // "GmbH & Co. KG" folds to "gmbh and co kg": drop the whole tail, but never
  // the name itself ("Company", "AG").
  while (last > first + 1 && (is_legal_suffix(tokens[last - 1]) || tokens[last - 1] == "and")) {
    --last;
  }

  std::string out;
  for (std::size_t i = first; i < last; ++i) {
    if (!out.empty()) {
      out += ' ';
    }
    out += tokens[i];
  }
  return out;
}

std::string website_to_domain(std::string_view website) {
  std::string_view s = trim(website, kSpace);
  if (const std::size_t scheme = s.find("://"); scheme != std::string_view::npos) {
    s.remove_prefix(scheme + 3);
  } else if (s.starts_with("//")) {
    s.remove_prefix(2);
  }
  s = s.substr(0, s.find_first_of("/?#"));
  if (const std::size_t at = s.rfind('@'); at != std::string_view::npos) {
    s.remove_prefix(at + 1);
  }
  s = s.substr(0, s.find(':'));
  while (!s.empty() && s.back() == '.') {
    s.remove_suffix(1);
  }
  std::string host = ascii_lower(s);
  if (host.starts_with("www.")) {
    host.erase(0, 4);
  }
  return is_host_name(host) ? host : std::string{};
}

LeadFacts derive_facts(const Lead& lead, const FreeMailDomains& free_mail) {
  LeadFacts facts;
  std::string_view email = trim(lead.email, kSpace);
  // "Ana Lima <ana@acme.com>"
  if (const std::size_t open = email.find('<'); open != std::string_view::npos) {
    const std::size_t close = email.find('>', open);
    email = email.substr(open + 1, close == std::string_view::npos ? close : close - open - 1);
  }
  if (const std::size_t at = email.rfind('@'); at != std::string_view::npos && at > 0) {
    std::string domain = ascii_lower(trim(email.substr(at + 1), kSpace));
    while (!domain.empty() && domain.back() == '.') {
      domain.pop_back();
    }
    if (is_host_name(domain)) {
      facts.email_domain = std::move(domain);
      facts.is_free_mail = free_mail.contains(facts.email_domain);
    }
  }
  facts.company_normalized = normalize_company_name(lead.company);
  facts.website_domain = website_to_domain(lead.website);
  return facts;
}

}  // namespace leadrouter::core
