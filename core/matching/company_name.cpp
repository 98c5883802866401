#include "core/matching/company_name.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "core/lead_facts.hpp"
#include "core/text.hpp"

namespace leadrouter::matching {
namespace {

// U+00C0..U+00FF, indexed by code point - 0xC0. Multiplication and division
// signs become separators.
constexpr std::array<std::string_view, 64> kLatin1 = {
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I",  "I",
    "D", "N", "O", "O", "O", "O", "O",  " ", "O", "U", "U", "U", "U", "Y", "TH", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  " ", "o", "u", "u", "u", "u", "y", "th", "y",
};

// U+0100..U+017F: pairs of upper and lower case with a few exceptions; the
// base letter of each, indexed by code point - 0x100.
constexpr std::string_view kLatinExtendedA =
    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlLlLlNnNnNn"
    "nNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
static_assert(kLatinExtendedA.size() == 0x80);

// Typographic punctuation that people paste from documents and web pages.
struct Replacement {
  std::string_view from;
  std::string_view to;
};
constexpr auto kPunctuation = std::to_array<Replacement>({
    {"\u2018", "'"},  // left single quote
    {"\u2019", "'"},  // right single quote, the usual apostrophe
    {"\u201C", "\""},
    {"\u201D", "\""},
    {"\u2010", "-"},
    {"\u2011", "-"},
    {"\u2012", "-"},
    {"\u2013", "-"},
    {"\u2014", "-"},
    {"\u00A0", " "},  // no-break space
    {"\u202F", " "},
    {"\uFF06", "&"},  // fullwidth ampersand
});

// Legal forms that core::normalize_company_name leaves in place, as tokens
// after its folding ("S.p.A." arrives as "spa"). Only removed from the end of
// a name, and never the whole name.
constexpr auto kMoreLegalForms = std::to_array<std::string_view>({
    "aktiengesellschaft",
    "sab",
    "gesmbh",
    "sae",
    "sau",
    "saa",
    "sca",
    "scs",
    "snc",
    "bvba",
    "vof",
    "cvba",
    "ltda",
    "eirl",
    "sprl",
    "ehf",
    "hf",
    "kft",
    "zrt",
    "nyrt",
    "doo",
    "dd",
    "ad",
    "sp",
    "zoo",
    "spzoo",
    "pvt",
    "pte",
    "lda",
    "ek",
    "ev",
    "ii",
    "iii",
    "pllc",
    "lllp",
});

// Abbreviations that stand for one word in company names.
constexpr auto kAbbreviations = std::to_array<std::pair<std::string_view, std::string_view>>({
    {"intl", "international"},
    {"int", "international"},
    {"mfg", "manufacturing"},
    {"mfrs", "manufacturers"},
    {"svcs", "services"},
    {"svc", "services"},
    {"sys", "systems"},
    {"tech", "technologies"},
    {"technology", "technologies"},
    {"grp", "group"},
    {"hldgs", "holdings"},
    {"hldg", "holdings"},
    {"holding", "holdings"},
    {"natl", "national"},
    {"assn", "association"},
    {"assoc", "associates"},
    {"univ", "university"},
    {"bros", "brothers"},
    {"mgmt", "management"},
    {"engr", "engineering"},
    {"eng", "engineering"},
    {"labs", "laboratories"},
    {"lab", "laboratories"},
    {"laboratory", "laboratories"},
    {"solution", "solutions"},
    {"service", "services"},
    {"system", "systems"},
    {"ind", "industries"},
    {"inds", "industries"},
    {"industry", "industries"},
    {"dept", "department"},
    {"ctr", "center"},
    {"centre", "center"},
    {"mktg", "marketing"},
    {"pharma", "pharmaceuticals"},
    {"pharmaceutical", "pharmaceuticals"},
    {"coop", "cooperative"},
});

void append_code_point(std::string& out, char32_t cp, std::string_view original) {
  if (cp >= 0xC0 && cp <= 0xFF) {
    out += kLatin1[cp - 0xC0];
  } else if (cp >= 0x100 && cp < 0x100 + kLatinExtendedA.size()) {
    out += kLatinExtendedA[cp - 0x100];
    // Ligatures and sharp letters of Latin Extended-A that need two letters.
    if (cp == 0x152 || cp == 0x153) {  // Œ œ
      out += cp == 0x152 ? 'E' : 'e';
    } else if (cp == 0x132 || cp == 0x133) {  // Ĳ ĳ
      out += cp == 0x132 ? 'J' : 'j';
    }
  } else {
    out += original;
  }
}

bool is_legal_form(std::string_view token) {
  return std::find(kMoreLegalForms.begin(), kMoreLegalForms.end(), token) != kMoreLegalForms.end();
}

std::string_view expand(std::string_view token) {
  for (const auto& [abbreviation, word] : kAbbreviations) {
    if (token == abbreviation) {
      return word;
    }
  }
  return token;
}

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// "Amazon.com", "Allegro.eu": a web address used as the name says nothing
// more than the name before it.
std::string strip_web_suffixes(std::string name) {
  static constexpr auto kSuffixes = std::to_array<std::string_view>(
      {".co.uk", ".com", ".net", ".org", ".io", ".eu", ".ai", ".co", ".de"});
  for (std::size_t i = 1; i < name.size(); ++i) {
    if (name[i] != '.' || !is_ascii_alnum(name[i - 1])) {
      continue;
    }
    for (std::string_view suffix : kSuffixes) {
      const std::size_t end = i + suffix.size();
      if (end <= name.size() && iequals(std::string_view(name).substr(i, suffix.size()), suffix) &&
          (end == name.size() || !is_ascii_alnum(name[end]))) {
        name.erase(i, suffix.size());
        break;
      }
    }
  }
  return name;
}

// English plurals folded to one form on both sides ("Foods" = "Food",
// "Heroes" = "Hero", "Industries" = "Industry"). Words ending in "ss", "us"
// or "is" are not plurals ("Access", "Genius", "Genesis").
std::string singular(std::string_view token) {
  if (token.size() > 4 && token.ends_with("ies")) {
    return std::string(token.substr(0, token.size() - 3)) + "y";
  }
  if (token.size() > 4 && (token.ends_with("oes") || token.ends_with("xes") ||
                           token.ends_with("ches") || token.ends_with("shes"))) {
    return std::string(token.substr(0, token.size() - 2));
  }
  if (token.size() > 3 && token.ends_with('s') && !token.ends_with("ss") &&
      !token.ends_with("us") && !token.ends_with("is")) {
    return std::string(token.substr(0, token.size() - 1));
  }
  return std::string(token);
}

}  // namespace

std::string fold_diacritics(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  std::size_t i = 0;
  while (i < utf8.size()) {
    const auto b0 = static_cast<unsigned char>(utf8[i]);
    if (b0 < 0x80) {
      out += utf8[i++];
      continue;
    }
    bool replaced = false;
    for (const auto& r : kPunctuation) {
      if (utf8.substr(i).starts_with(r.from)) {
        out += r.to;
        i += r.from.size();
        replaced = true;
        break;
      }
    }
    if (replaced) {
      continue;
    }
    // Two-byte sequences cover U+0080..U+07FF, which holds both Latin blocks.
    if ((b0 & 0xE0) == 0xC0 && i + 1 < utf8.size() &&
        (static_cast<unsigned char>(utf8[i + 1]) & 0xC0) == 0x80) {
      const char32_t cp = (static_cast<char32_t>(b0 & 0x1F) << 6) |
                          (static_cast<unsigned char>(utf8[i + 1]) & 0x3F);
      append_code_point(out, cp, utf8.substr(i, 2));
      i += 2;
      continue;
    }
    out += utf8[i++];
  }
  return out;
}

CompanyName normalize_company(std::string_view name) {
  const std::string base = core::normalize_company_name(strip_web_suffixes(fold_diacritics(name)));

  CompanyName out;
  std::size_t start = 0;
  while (start < base.size()) {
    const std::size_t end = std::min(base.find(' ', start), base.size());
    if (end > start) {
      out.tokens.emplace_back(expand(std::string_view(base).substr(start, end - start)));
    }
    start = end + 1;
  }
  // "Acme S.A. de C.V." leaves "acme sa de"; "Acme Sp. z o.o." leaves
  // "acme sp z oo".
  // "A/S" and "a/s" arrive as two one-letter words.
  if (out.tokens.size() > 2 && out.tokens.back().size() == 1 &&
      out.tokens[out.tokens.size() - 2].size() == 1) {
    const std::string joined = out.tokens[out.tokens.size() - 2] + out.tokens.back();
    if (is_legal_form(joined) || core::normalize_company_name("x " + joined) == "x") {
      out.tokens.resize(out.tokens.size() - 2);
    }
  }
  while (out.tokens.size() > 1) {
    const std::string& last = out.tokens.back();
    const bool legal = is_legal_form(last) ||
                       (last == "de" && out.tokens.size() > 2 &&
                        (out.tokens[out.tokens.size() - 2] == "sa" ||
                         out.tokens[out.tokens.size() - 2] == "sab")) ||
                       (last == "oo" && out.tokens.size() > 2) || last == "z";
    if (!legal) {
      break;
    }
    out.tokens.pop_back();
    // A legal form removed here may uncover one that core would have removed.
    while (out.tokens.size() > 1) {
      const std::string refolded = core::normalize_company_name("x " + out.tokens.back());
      if (refolded != "x") {
        break;
      }
      out.tokens.pop_back();
    }
  }
  // The compact form keeps plurals: "Sales Force" must meet "Salesforce".
  for (std::string& token : out.tokens) {
    out.compact += token;
    token = singular(token);
    if (!out.normalized.empty()) {
      out.normalized += ' ';
    }
    out.normalized += token;
  }
  std::size_t words = 0;
  std::string initials;
  for (const std::string& token : out.tokens) {
    if (token != "and" && token != "of" && token != "the" && token != "for") {
      initials += token.front();
      ++words;
    }
  }
  if (words >= 3) {
    out.acronym = std::move(initials);
  }
  return out;
}

}  // namespace leadrouter::matching
