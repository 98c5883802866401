// Splits SOQL text into tokens: identifiers and keywords (one kind; the parser
// decides), quoted strings with backslash escapes, numbers, unquoted date and
// datetime literals, comparison operators and punctuation.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "mock_crm/salesforce/salesforce_error.hpp"

namespace leadrouter::mock_crm::salesforce {

struct SoqlToken {
  enum class Kind {
    kIdentifier,
    kString,
    kNumber,
    kDate,
    kDateTime,
    kOperator,
    kLParen,
    kRParen,
    kComma,
    kColon,
    kEnd
  };
  Kind kind = Kind::kEnd;
  std::string text;      // the unescaped value for strings, the raw text otherwise
  std::size_t position;  // 0-based offset in the query
};

// MALFORMED_QUERY in Salesforce's layout: the query, a caret under the
// offending column, "ERROR at Row:1:Column:N" and the reason.
SfError malformed_query(std::string_view query, std::size_t position, std::string_view reason);

class SoqlLexer {
 public:
  static std::expected<std::vector<SoqlToken>, SfError> tokenize(std::string_view query);
};

}  // namespace leadrouter::mock_crm::salesforce
