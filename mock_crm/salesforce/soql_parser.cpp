#include "mock_crm/salesforce/soql_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "mock_crm/salesforce/soql_lexer.hpp"

namespace leadrouter::mock_crm::salesforce {
namespace {

using Kind = SoqlToken::Kind;

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::toupper(static_cast<unsigned char>(x)) ==
           std::toupper(static_cast<unsigned char>(y));
  });
}

// Words that cannot be field names because they start or continue a clause.
constexpr std::string_view kReserved[] = {
    "SELECT", "FROM", "WHERE", "AND",   "OR",    "NOT",    "IN",       "LIKE",    "ORDER",
    "BY",     "ASC",  "DESC",  "NULLS", "LIMIT", "OFFSET", "GROUP",    "HAVING",  "WITH",
    "FOR",    "NULL", "TRUE",  "FALSE", "USING", "TYPEOF", "INCLUDES", "EXCLUDES"};

bool is_reserved(std::string_view word) {
  return std::any_of(std::begin(kReserved), std::end(kReserved),
                     [&](std::string_view r) { return iequals(r, word); });
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<SoqlToken> tokens)
      : text_(text), tokens_(std::move(tokens)) {}

  std::expected<SoqlQuery, SfError> parse() {
    SoqlQuery q;
    q.text = std::string(text_);
    if (!expect_keyword("SELECT")) {
      return fail();
    }
    if (!parse_select_list(q)) {
      return fail();
    }
    if (!expect_keyword("FROM")) {
      return fail();
    }
    if (peek().kind != Kind::kIdentifier || is_reserved(peek().text)) {
      return fail(unexpected());
    }
    q.object = next().text;
    if (q.object.find('.') != std::string::npos) {
      return fail(error_at(tokens_[pos_ - 1], "unexpected token: '" + q.object + "'"));
    }
    if (keyword("WHERE")) {
      ++pos_;
      auto cond = parse_condition();
      if (!cond) {
        return fail();
      }
      q.where = std::move(*cond);
    }
    if (keyword("ORDER")) {
      ++pos_;
      if (!expect_keyword("BY") || !parse_order_by(q)) {
        return fail();
      }
    }
    if (keyword("LIMIT")) {
      ++pos_;
      auto n = parse_integer();
      if (!n) {
        return fail();
      }
      q.limit = *n;
    }
    if (keyword("OFFSET")) {
      ++pos_;
      auto n = parse_integer();
      if (!n) {
        return fail();
      }
      q.offset = *n;
    }
    if (peek().kind != Kind::kEnd) {
      return fail(unexpected());
    }
    return q;
  }

 private:
  const SoqlToken& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const SoqlToken& next() { return tokens_[std::min(pos_++, tokens_.size() - 1)]; }

  bool keyword(std::string_view word, std::size_t ahead = 0) const {
    return peek(ahead).kind == Kind::kIdentifier && iequals(peek(ahead).text, word);
  }

  SfError error_at(const SoqlToken& token, std::string_view reason) const {
    return malformed_query(text_, token.position, reason);
  }
  SfError unexpected() const {
    return error_at(peek(), fmt::format("unexpected token: {}", peek().kind == Kind::kEnd
                                                                    ? std::string("<EOF>")
                                                                    : "'" + peek().text + "'"));
  }

  std::unexpected<SfError> fail() { return std::unexpected(error_.value_or(unexpected())); }
  std::unexpected<SfError> fail(SfError e) {
    error_ = std::move(e);
    return std::unexpected(*error_);
  }
  bool set_error(SfError e) {
    if (!error_) {
      error_ = std::move(e);
    }
    return false;
  }

  bool expect_keyword(std::string_view word) {
    if (!keyword(word)) {
      return set_error(unexpected());
    }
    ++pos_;
    return true;
  }

  bool expect(Kind kind) {
    if (peek().kind != kind) {
      return set_error(unexpected());
    }
    ++pos_;
    return true;
  }

  // A field name: an identifier that is not a keyword and not a path.
  std::optional<SoqlToken> field_name() {
    const SoqlToken& t = peek();
    if (t.kind != Kind::kIdentifier || is_reserved(t.text)) {
      set_error(unexpected());
      return std::nullopt;
    }
    if (t.text.find('.') != std::string::npos) {
      set_error(
          error_at(t, fmt::format("relationship field '{}' is not supported by mock-crm", t.text)));
      return std::nullopt;
    }
    ++pos_;
    return t;
  }

  bool parse_select_list(SoqlQuery& q) {
    if (keyword("COUNT") && peek(1).kind == Kind::kLParen) {
      if (peek(2).kind != Kind::kRParen) {
        return set_error(
            error_at(peek(2), "aggregate COUNT(field) is not supported by mock-crm; use COUNT()"));
      }
      pos_ += 3;
      q.count_only = true;
      return true;
    }
    while (true) {
      if (peek().kind == Kind::kIdentifier && peek(1).kind == Kind::kLParen) {
        return set_error(error_at(
            peek(), fmt::format("function '{}' is not supported by mock-crm", peek().text)));
      }
      auto f = field_name();
      if (!f) {
        return false;
      }
      q.fields.push_back(f->text);
      if (peek().kind != Kind::kComma) {
        return true;
      }
      ++pos_;
    }
  }

  // SOQL forbids mixing AND and OR at one level: parentheses must group them.
  std::optional<Condition> parse_condition() {
    auto first = parse_unary();
    if (!first) {
      return std::nullopt;
    }
    if (!keyword("AND") && !keyword("OR")) {
      return first;
    }
    bool is_and = keyword("AND");
    Condition group;
    group.kind = is_and ? Condition::Kind::kAnd : Condition::Kind::kOr;
    group.children.push_back(std::move(*first));
    while (keyword(is_and ? "AND" : "OR")) {
      ++pos_;
      auto operand = parse_unary();
      if (!operand) {
        return std::nullopt;
      }
      group.children.push_back(std::move(*operand));
    }
    if (keyword(is_and ? "OR" : "AND")) {
      set_error(unexpected());
      return std::nullopt;
    }
    return group;
  }

  std::optional<Condition> parse_unary() {
    // A URI holds at most 16 KB; without a bound, thousands of '(' or NOT
    // would recurse deep enough to overflow the stack.
    if (depth_ >= kMaxDepth) {
      set_error(error_at(peek(), fmt::format("conditions nest deeper than {} levels", kMaxDepth)));
      return std::nullopt;
    }
    struct DepthGuard {
      int& depth;
      explicit DepthGuard(int& d) : depth(++d) {}
      ~DepthGuard() { --depth; }
    } guard(depth_);
    if (keyword("NOT")) {
      ++pos_;
      auto operand = parse_unary();
      if (!operand) {
        return std::nullopt;
      }
      Condition c;
      c.kind = Condition::Kind::kNot;
      c.children.push_back(std::move(*operand));
      return c;
    }
    if (peek().kind == Kind::kLParen) {
      ++pos_;
      auto inner = parse_condition();
      if (!inner || !expect(Kind::kRParen)) {
        return std::nullopt;
      }
      return inner;
    }
    return parse_comparison();
  }

  std::optional<Condition> parse_comparison() {
    auto field = field_name();
    if (!field) {
      return std::nullopt;
    }
    Condition c;
    c.comparison.field = field->text;
    c.comparison.position = field->position;
    const SoqlToken& op = peek();
    if (op.kind == Kind::kOperator) {
      ++pos_;
      static constexpr std::pair<std::string_view, CompareOp> kOps[] = {
          {"=", CompareOp::kEq}, {"!=", CompareOp::kNe}, {"<", CompareOp::kLt},
          {">", CompareOp::kGt}, {"<=", CompareOp::kLe}, {">=", CompareOp::kGe}};
      for (const auto& [text, value] : kOps) {
        if (op.text == text) {
          c.comparison.op = value;
        }
      }
      auto value = parse_literal();
      if (!value) {
        return std::nullopt;
      }
      c.comparison.values.push_back(std::move(*value));
      return c;
    }
    if (keyword("LIKE")) {
      ++pos_;
      if (peek().kind != Kind::kString) {
        set_error(error_at(peek(), "LIKE needs a quoted string pattern"));
        return std::nullopt;
      }
      c.comparison.op = CompareOp::kLike;
      c.comparison.values.emplace_back(next().text);
      return c;
    }
    bool negated = false;
    if (keyword("NOT") && keyword("IN", 1)) {
      negated = true;
      ++pos_;
    }
    if (keyword("IN")) {
      ++pos_;
      c.comparison.op = negated ? CompareOp::kNotIn : CompareOp::kIn;
      if (!expect(Kind::kLParen)) {
        return std::nullopt;
      }
      if (keyword("SELECT")) {
        set_error(error_at(peek(), "semi-join subqueries are not supported by mock-crm"));
        return std::nullopt;
      }
      while (true) {
        auto value = parse_literal();
        if (!value) {
          return std::nullopt;
        }
        c.comparison.values.push_back(std::move(*value));
        if (peek().kind == Kind::kComma) {
          ++pos_;
          continue;
        }
        if (!expect(Kind::kRParen)) {
          return std::nullopt;
        }
        return c;
      }
    }
    set_error(unexpected());
    return std::nullopt;
  }

  std::optional<SoqlLiteral> parse_literal() {
    const SoqlToken& t = peek();
    switch (t.kind) {
      case Kind::kString:
        ++pos_;
        return SoqlLiteral{t.text};
      case Kind::kNumber: {
        double v = 0;
        auto [ptr, ec] = std::from_chars(t.text.data() + (t.text[0] == '+' ? 1 : 0),
                                         t.text.data() + t.text.size(), v);
        if (ec != std::errc{} || ptr != t.text.data() + t.text.size()) {
          set_error(error_at(t, "invalid number: " + t.text));
          return std::nullopt;
        }
        ++pos_;
        return SoqlLiteral{v};
      }
      case Kind::kDate: {
        auto d = parse_date(t.text);
        if (!d) {
          set_error(error_at(t, "line 1:" + std::to_string(t.position) +
                                    " no viable alternative at character '" + t.text + "'"));
          return std::nullopt;
        }
        ++pos_;
        return SoqlLiteral{*d};
      }
      case Kind::kDateTime: {
        auto dt = parse_datetime(t.text);
        if (!dt) {
          set_error(error_at(t, "invalid datetime literal: " + t.text));
          return std::nullopt;
        }
        ++pos_;
        return SoqlLiteral{*dt};
      }
      case Kind::kIdentifier:
        return parse_word_literal();
      default:
        set_error(unexpected());
        return std::nullopt;
    }
  }

  std::optional<SoqlLiteral> parse_word_literal() {
    const SoqlToken& t = peek();
    if (iequals(t.text, "null")) {
      ++pos_;
      return SoqlLiteral{NullLiteral{}};
    }
    if (iequals(t.text, "true") || iequals(t.text, "false")) {
      ++pos_;
      return SoqlLiteral{iequals(t.text, "true")};
    }
    static constexpr std::pair<std::string_view, DateLiteralKind> kFixed[] = {
        {"TODAY", DateLiteralKind::kToday},
        {"YESTERDAY", DateLiteralKind::kYesterday},
        {"TOMORROW", DateLiteralKind::kTomorrow}};
    for (const auto& [name, kind] : kFixed) {
      if (iequals(t.text, name)) {
        ++pos_;
        return SoqlLiteral{DateLiteral{kind, 0, t.text}};
      }
    }
    static constexpr std::pair<std::string_view, DateLiteralKind> kWithN[] = {
        {"LAST_N_DAYS", DateLiteralKind::kLastNDays},
        {"NEXT_N_DAYS", DateLiteralKind::kNextNDays},
        {"N_DAYS_AGO", DateLiteralKind::kNDaysAgo}};
    for (const auto& [name, kind] : kWithN) {
      if (iequals(t.text, name)) {
        if (peek(1).kind != Kind::kColon || peek(2).kind != Kind::kNumber) {
          set_error(error_at(t, fmt::format("date literal {} needs ':n'", name)));
          return std::nullopt;
        }
        const SoqlToken& n_token = peek(2);
        int n = 0;
        auto [ptr, ec] =
            std::from_chars(n_token.text.data(), n_token.text.data() + n_token.text.size(), n);
        if (ec != std::errc{} || ptr != n_token.text.data() + n_token.text.size() || n < 0) {
          set_error(
              error_at(n_token, "date literal needs a non-negative integer, got " + n_token.text));
          return std::nullopt;
        }
        pos_ += 3;
        return SoqlLiteral{DateLiteral{kind, n, fmt::format("{}:{}", name, n)}};
      }
    }
    set_error(unexpected());
    return std::nullopt;
  }

  bool parse_order_by(SoqlQuery& q) {
    while (true) {
      auto f = field_name();
      if (!f) {
        return false;
      }
      OrderItem item;
      item.field = f->text;
      if (keyword("ASC") || keyword("DESC")) {
        item.descending = keyword("DESC");
        ++pos_;
      }
      if (keyword("NULLS")) {
        ++pos_;
        if (!keyword("FIRST") && !keyword("LAST")) {
          return set_error(unexpected());
        }
        item.nulls_first = keyword("FIRST");
        ++pos_;
      }
      q.order_by.push_back(std::move(item));
      if (peek().kind != Kind::kComma) {
        return true;
      }
      ++pos_;
    }
  }

  std::optional<std::int64_t> parse_integer() {
    const SoqlToken& t = peek();
    std::int64_t n = 0;
    if (t.kind != Kind::kNumber) {
      set_error(unexpected());
      return std::nullopt;
    }
    auto [ptr, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n);
    if (ec != std::errc{} || ptr != t.text.data() + t.text.size() || n < 0) {
      set_error(error_at(t, "expected a non-negative integer, got " + t.text));
      return std::nullopt;
    }
    ++pos_;
    return n;
  }

  std::string_view text_;
  std::vector<SoqlToken> tokens_;
  std::size_t pos_ = 0;
  std::optional<SfError> error_;
  static constexpr int kMaxDepth = 64;
  int depth_ = 0;
};

}  // namespace

std::expected<SoqlQuery, SfError> SoqlParser::parse(std::string_view text) {
  auto tokens = SoqlLexer::tokenize(text);
  if (!tokens) {
    return std::unexpected(tokens.error());
  }
  return Parser(text, std::move(*tokens)).parse();
}

}  // namespace leadrouter::mock_crm::salesforce
