#include "mock_crm/salesforce/soql_lexer.hpp"

#include <fmt/format.h>

#include <cctype>

namespace leadrouter::mock_crm::salesforce {
namespace {

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}

}  // namespace

SfError malformed_query(std::string_view query, std::size_t position, std::string_view reason) {
  // Salesforce counts rows and columns from 1 over the original text.
  std::size_t row = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < position && i < query.size(); ++i) {
    if (query[i] == '\n') {
      ++row;
      line_start = i + 1;
    }
  }
  std::size_t line_end = query.find('\n', line_start);
  std::string_view line =
      query.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos
                                                                  : line_end - line_start);
  std::size_t column = position - line_start + 1;
  return {"MALFORMED_QUERY",
          fmt::format("\n{}\n{}^\nERROR at Row:{}:Column:{}\n{}", line,
                      std::string(column - 1, ' '), row, column, reason),
          {}};
}

std::expected<std::vector<SoqlToken>, SfError> SoqlLexer::tokenize(std::string_view q) {
  using Kind = SoqlToken::Kind;
  std::vector<SoqlToken> tokens;
  std::size_t i = 0;
  while (i < q.size()) {
    char c = q[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
      continue;
    }
    std::size_t start = i;
    if (c == '\'') {
      std::string value;
      ++i;
      bool closed = false;
      while (i < q.size()) {
        char ch = q[i];
        if (ch == '\\') {
          if (i + 1 >= q.size()) {
            break;
          }
          char e = q[i + 1];
          switch (e) {
            case 'n':
              value.push_back('\n');
              break;
            case 't':
              value.push_back('\t');
              break;
            case 'r':
              value.push_back('\r');
              break;
            case 'b':
              value.push_back('\b');
              break;
            case 'f':
              value.push_back('\f');
              break;
            case '\'':
            case '"':
            case '\\':
              value.push_back(e);
              break;
            // LIKE's wildcards stay escaped so the matcher can see them.
            case '%':
            case '_':
              value.push_back('\\');
              value.push_back(e);
              break;
            default:
              return std::unexpected(
                  malformed_query(q, i, "Invalid string literal: illegal escape sequence"));
          }
          i += 2;
          continue;
        }
        if (ch == '\'') {
          closed = true;
          ++i;
          break;
        }
        value.push_back(ch);
        ++i;
      }
      if (!closed) {
        return std::unexpected(malformed_query(q, start, "unterminated string literal"));
      }
      tokens.push_back({Kind::kString, std::move(value), start});
      continue;
    }
    bool signed_number = (c == '-' || c == '+') && i + 1 < q.size() && is_digit(q[i + 1]);
    if (is_digit(c) || signed_number) {
      // yyyy-mm-dd... is a date or datetime literal, never arithmetic.
      if (!signed_number && i + 4 < q.size() && is_digit(q[i + 1]) && is_digit(q[i + 2]) &&
          is_digit(q[i + 3]) && q[i + 4] == '-') {
        while (i < q.size() &&
               (is_digit(q[i]) || q[i] == '-' || q[i] == ':' || q[i] == 'T' || q[i] == 't' ||
                q[i] == '.' || q[i] == 'Z' || q[i] == 'z' || q[i] == '+')) {
          ++i;
        }
        std::string text(q.substr(start, i - start));
        Kind kind = text.size() > 10 ? Kind::kDateTime : Kind::kDate;
        tokens.push_back({kind, std::move(text), start});
        continue;
      }
      ++i;
      while (i < q.size() && is_digit(q[i])) {
        ++i;
      }
      if (i < q.size() && q[i] == '.') {
        ++i;
        while (i < q.size() && is_digit(q[i])) {
          ++i;
        }
      }
      if (i < q.size() && is_ident_start(q[i])) {
        return std::unexpected(malformed_query(
            q, start, fmt::format("unexpected token: '{}'", q.substr(start, i + 1 - start))));
      }
      tokens.push_back({Kind::kNumber, std::string(q.substr(start, i - start)), start});
      continue;
    }
    if (is_ident_start(c)) {
      while (i < q.size() && is_ident_char(q[i])) {
        ++i;
      }
      tokens.push_back({Kind::kIdentifier, std::string(q.substr(start, i - start)), start});
      continue;
    }
    switch (c) {
      case '(':
        tokens.push_back({Kind::kLParen, "(", start});
        ++i;
        continue;
      case ')':
        tokens.push_back({Kind::kRParen, ")", start});
        ++i;
        continue;
      case ',':
        tokens.push_back({Kind::kComma, ",", start});
        ++i;
        continue;
      case ':':
        tokens.push_back({Kind::kColon, ":", start});
        ++i;
        continue;
      case '=':
        tokens.push_back({Kind::kOperator, "=", start});
        ++i;
        continue;
      case '!':
        if (i + 1 < q.size() && q[i + 1] == '=') {
          tokens.push_back({Kind::kOperator, "!=", start});
          i += 2;
          continue;
        }
        break;
      case '<':
      case '>': {
        std::string op(1, c);
        if (i + 1 < q.size() && (q[i + 1] == '=' || (c == '<' && q[i + 1] == '>'))) {
          op.push_back(q[i + 1]);
        }
        if (op == "<>") {
          op = "!=";
        }
        i += op.size();
        tokens.push_back({Kind::kOperator, std::move(op), start});
        continue;
      }
      default:
        break;
    }
    return std::unexpected(malformed_query(q, start, fmt::format("unexpected token: '{}'", c)));
  }
  tokens.push_back({Kind::kEnd, "<EOF>", q.size()});
  return tokens;
}

}  // namespace leadrouter::mock_crm::salesforce
