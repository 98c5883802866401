// Country values from CRMs as ISO 3166-1 alpha-2 codes, so that a policy's
// territories ("country in [US, CA]") match. HubSpot's and Salesforce's
// country fields are free text or picklists of English names ("United
// States", "Korea, Republic of", "UK"); leads from forms carry anything.
//
//   normalize_country("United Kingdom") == "GB"
//   normalize_country("deu") == "DE"
//   normalize_country("Atlantis") == "Atlantis"   // unknown: kept as given
#pragma once

#include <string>
#include <string_view>

namespace leadrouter::connectors {

// An alpha-2 code (uppercased) for a known alpha-2 or alpha-3 code or an
// English name (short, official or common, with frequent variants), compared
// without case, accents, spaces or punctuation. Anything else is returned as
// given, trimmed, so that a policy can still match it literally.
std::string normalize_country(std::string_view text);

// The lookup key normalize_country compares: ASCII letters and digits
// lowercased, Latin-1 letters without accents, other punctuation and spaces
// dropped, a leading "the " removed ("The Netherlands" -> "netherlands").
std::string country_key(std::string_view text);

}  // namespace leadrouter::connectors
