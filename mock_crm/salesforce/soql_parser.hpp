// Parses SOQL text into a SoqlQuery. Anything outside the supported subset
// (relationship paths, aggregates other than COUNT(), GROUP BY, subqueries,
// mixing AND and OR without parentheses, ...) is a MALFORMED_QUERY error in
// Salesforce's layout, never a partial result.
//
//   auto q = SoqlParser::parse("SELECT Id FROM Lead WHERE Email LIKE '%@acme.com'");
#pragma once

#include <expected>
#include <string_view>

#include "mock_crm/salesforce/salesforce_error.hpp"
#include "mock_crm/salesforce/soql_query.hpp"

namespace leadrouter::mock_crm::salesforce {

class SoqlParser {
 public:
  static std::expected<SoqlQuery, SfError> parse(std::string_view text);
};

}  // namespace leadrouter::mock_crm::salesforce
