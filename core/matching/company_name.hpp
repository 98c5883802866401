// Company names folded for matching: what core::normalize_company_name does
// (case, punctuation, "&" -> "and", legal suffixes such as Inc, L.L.C., GmbH,
// S.A.) plus what a match needs beyond it: accented Latin letters folded to
// ASCII ("Société Générale" = "Societe Generale"), more legal forms (S.p.A.,
// S.r.l., Pty Ltd, S.A. de C.V.), and common business abbreviations spelled
// out ("Intl" = "International"), English plurals folded, and a web suffix
// used as a name dropped ("Amazon.com"), so that two spellings of one
// company give the same tokens.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace leadrouter::matching {

// Latin-1 Supplement and Latin Extended-A letters to ASCII ("é" -> "e",
// "ß" -> "ss", "Æ" -> "AE", "ł" -> "l"); typographic quotes, dashes and
// non-breaking spaces to their ASCII forms. Other UTF-8 passes through.
std::string fold_diacritics(std::string_view utf8);

struct CompanyName {
  // Plurals folded to the singular: "acme", "industry".
  std::vector<std::string> tokens;
  std::string normalized;  // tokens joined by one space
  // The words as written (plurals kept) joined without spaces, so "Sales
  // Force" and "SalesForce" (or "Hewlett-Packard" and "HewlettPackard") meet.
  std::string compact;
  // Initials of the words other than "and", "of", "the", "for", when there
  // are at least three: "international business machines" -> "ibm".
  std::string acronym;
};

// "ACME Int'l Foods, S.p.A." -> {"acme", "international", "food"}. Empty when nothing but
// punctuation or legal forms remains.
CompanyName normalize_company(std::string_view name);

}  // namespace leadrouter::matching
