// SOQL parser: every supported construct, and malformed or unsupported text
// rejected with MALFORMED_QUERY.
#include "mock_crm/salesforce/soql_parser.hpp"

#include <gtest/gtest.h>

namespace leadrouter::mock_crm::salesforce {
namespace {

SoqlQuery parse_ok(std::string_view text) {
  auto q = SoqlParser::parse(text);
  EXPECT_TRUE(q.has_value()) << text << "\n" << (q ? "" : q.error().message);
  return q ? std::move(*q) : SoqlQuery{};
}

std::string parse_error(std::string_view text) {
  auto q = SoqlParser::parse(text);
  EXPECT_FALSE(q.has_value()) << text;
  if (q) {
    return "";
  }
  EXPECT_EQ(q.error().code, "MALFORMED_QUERY") << text;
  return q.error().message;
}

TEST(SoqlParser, SelectListAndObject) {
  SoqlQuery q = parse_ok("SELECT Id, OwnerId,Email FROM Lead");
  EXPECT_FALSE(q.count_only);
  EXPECT_EQ(q.fields, (std::vector<std::string>{"Id", "OwnerId", "Email"}));
  EXPECT_EQ(q.object, "Lead");
  EXPECT_FALSE(q.where.has_value());
  EXPECT_TRUE(q.order_by.empty());
}

TEST(SoqlParser, KeywordsAreCaseInsensitive) {
  SoqlQuery q = parse_ok("select name from Account where name = 'x' order by name desc limit 5");
  EXPECT_EQ(q.object, "Account");
  ASSERT_EQ(q.order_by.size(), 1U);
  EXPECT_TRUE(q.order_by[0].descending);
  EXPECT_EQ(q.limit, 5);
}

TEST(SoqlParser, CountOnly) {
  SoqlQuery q = parse_ok("SELECT COUNT() FROM Lead WHERE IsConverted = false");
  EXPECT_TRUE(q.count_only);
  EXPECT_TRUE(q.fields.empty());
}

TEST(SoqlParser, EveryComparisonOperator) {
  struct Case {
    const char* op;
    CompareOp expected;
  };
  for (auto [op, expected] :
       {Case{"=", CompareOp::kEq}, Case{"!=", CompareOp::kNe}, Case{"<>", CompareOp::kNe},
        Case{"<", CompareOp::kLt}, Case{">", CompareOp::kGt}, Case{"<=", CompareOp::kLe},
        Case{">=", CompareOp::kGe}}) {
    SoqlQuery q =
        parse_ok(std::string("SELECT Id FROM Lead WHERE NumberOfEmployees ") + op + " 10");
    ASSERT_TRUE(q.where) << op;
    EXPECT_EQ(q.where->kind, Condition::Kind::kCompare);
    EXPECT_EQ(q.where->comparison.op, expected) << op;
    EXPECT_EQ(std::get<double>(q.where->comparison.values[0]), 10.0);
  }
}

TEST(SoqlParser, InNotInAndLike) {
  SoqlQuery q = parse_ok(
      "SELECT Id FROM Lead WHERE Status IN ('A', 'B') AND Country NOT IN ('DE') AND Email LIKE "
      "'%@acme.com'");
  ASSERT_TRUE(q.where);
  ASSERT_EQ(q.where->kind, Condition::Kind::kAnd);
  ASSERT_EQ(q.where->children.size(), 3U);
  EXPECT_EQ(q.where->children[0].comparison.op, CompareOp::kIn);
  EXPECT_EQ(q.where->children[0].comparison.values.size(), 2U);
  EXPECT_EQ(q.where->children[1].comparison.op, CompareOp::kNotIn);
  EXPECT_EQ(q.where->children[2].comparison.op, CompareOp::kLike);
  EXPECT_EQ(std::get<std::string>(q.where->children[2].comparison.values[0]), "%@acme.com");
}

TEST(SoqlParser, LiteralKinds) {
  SoqlQuery q = parse_ok(
      "SELECT Id FROM Lead WHERE Email = null OR IsConverted = TRUE OR AnnualRevenue > -1.5 OR "
      "Company = 'O\\'Brien \\\\ Co' OR SystemModstamp > 2026-01-01T00:00:00Z OR "
      "CreatedDate < 2026-01-01T01:00:00.250+01:00 OR ConvertedDate = 2026-02-03 OR "
      "CreatedDate = TODAY OR CreatedDate = YESTERDAY OR CreatedDate = LAST_N_DAYS:30");
  ASSERT_TRUE(q.where);
  ASSERT_EQ(q.where->kind, Condition::Kind::kOr);
  const auto& c = q.where->children;
  ASSERT_EQ(c.size(), 10U);
  EXPECT_TRUE(std::holds_alternative<NullLiteral>(c[0].comparison.values[0]));
  EXPECT_EQ(std::get<bool>(c[1].comparison.values[0]), true);
  EXPECT_EQ(std::get<double>(c[2].comparison.values[0]), -1.5);
  EXPECT_EQ(std::get<std::string>(c[3].comparison.values[0]), "O'Brien \\ Co");
  EXPECT_EQ(format_datetime(std::get<DateTime>(c[4].comparison.values[0])),
            "2026-01-01T00:00:00.000+0000");
  EXPECT_EQ(format_datetime(std::get<DateTime>(c[5].comparison.values[0])),
            "2026-01-01T00:00:00.250+0000");
  EXPECT_EQ(format_date(std::get<Date>(c[6].comparison.values[0])), "2026-02-03");
  EXPECT_EQ(std::get<DateLiteral>(c[7].comparison.values[0]).kind, DateLiteralKind::kToday);
  EXPECT_EQ(std::get<DateLiteral>(c[8].comparison.values[0]).kind, DateLiteralKind::kYesterday);
  const auto& last = std::get<DateLiteral>(c[9].comparison.values[0]);
  EXPECT_EQ(last.kind, DateLiteralKind::kLastNDays);
  EXPECT_EQ(last.n, 30);
}

TEST(SoqlParser, NotAndParentheses) {
  SoqlQuery q =
      parse_ok("SELECT Id FROM Lead WHERE (Status = 'A' OR Status = 'B') AND NOT (Country = 'DE')");
  ASSERT_TRUE(q.where);
  ASSERT_EQ(q.where->kind, Condition::Kind::kAnd);
  EXPECT_EQ(q.where->children[0].kind, Condition::Kind::kOr);
  EXPECT_EQ(q.where->children[1].kind, Condition::Kind::kNot);
  EXPECT_EQ(q.where->children[1].children[0].comparison.field, "Country");
}

TEST(SoqlParser, OrderByLimitOffset) {
  SoqlQuery q = parse_ok(
      "SELECT Id FROM Lead ORDER BY SystemModstamp ASC NULLS LAST, Id DESC, Email NULLS FIRST "
      "LIMIT 10 OFFSET 20");
  ASSERT_EQ(q.order_by.size(), 3U);
  EXPECT_EQ(q.order_by[0].field, "SystemModstamp");
  EXPECT_FALSE(q.order_by[0].descending);
  EXPECT_EQ(q.order_by[0].nulls_first, false);
  EXPECT_TRUE(q.order_by[1].descending);
  EXPECT_FALSE(q.order_by[1].nulls_first.has_value());
  EXPECT_EQ(q.order_by[2].nulls_first, true);
  EXPECT_EQ(q.limit, 10);
  EXPECT_EQ(q.offset, 20);
}

TEST(SoqlParser, MalformedQueries) {
  parse_error("");
  parse_error("SELECT FROM Lead");
  parse_error("SELECT Id Lead");
  parse_error("SELECT Id, FROM Lead");
  parse_error("SELECT Id FROM");
  parse_error("SELECT Id FROM Lead WHERE");
  parse_error("SELECT Id FROM Lead WHERE Email");
  parse_error("SELECT Id FROM Lead WHERE Email = ");
  parse_error("SELECT Id FROM Lead WHERE Email = 'unterminated");
  parse_error("SELECT Id FROM Lead WHERE (Email = 'a'");
  parse_error("SELECT Id FROM Lead WHERE Email == 'a'");
  parse_error("SELECT Id FROM Lead WHERE Email LIKE 5");
  parse_error("SELECT Id FROM Lead WHERE Status IN ()");
  parse_error("SELECT Id FROM Lead WHERE Status IN ('a',)");
  parse_error("SELECT Id FROM Lead LIMIT");
  parse_error("SELECT Id FROM Lead LIMIT -1");
  parse_error("SELECT Id FROM Lead LIMIT 1.5");
  parse_error("SELECT Id FROM Lead ORDER Id");
  parse_error("SELECT Id FROM Lead ORDER BY Id NULLS");
  parse_error("SELECT Id FROM Lead OFFSET 5 LIMIT 1");
  parse_error("SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS");
  parse_error("SELECT Id FROM Lead WHERE CreatedDate = 2026-13-01");
  parse_error("SELECT Id FROM Lead WHERE CreatedDate > 2026-01-01T25:00:00Z");
  parse_error("SELECT Id FROM Lead WHERE Email = 'a' garbage");
  parse_error("SELECT Id FROM Lead WHERE Company = 'bad \\q escape'");
}

TEST(SoqlParser, MixingAndOrWithoutParenthesesIsRejected) {
  std::string message =
      parse_error("SELECT Id FROM Lead WHERE Status = 'A' AND Country = 'DE' OR Email = null");
  EXPECT_NE(message.find("unexpected token: 'OR'"), std::string::npos) << message;
  parse_error("SELECT Id FROM Lead WHERE Status = 'A' OR Country = 'DE' AND Email = null");
}

TEST(SoqlParser, UnsupportedSyntaxIsMalformed) {
  parse_error("SELECT Owner.Name FROM Lead");
  parse_error("SELECT COUNT(Id) FROM Lead");
  parse_error("SELECT Id, (SELECT Id FROM Tasks) FROM Lead");
  parse_error("SELECT Id FROM Lead WHERE Id IN (SELECT WhoId FROM Task)");
  parse_error("SELECT Id FROM Lead GROUP BY Status");
  parse_error("SELECT Id FROM Lead FOR UPDATE");
}

TEST(SoqlParser, DeepNestingIsRefusedNotOverflowed) {
  std::string deep = "SELECT Id FROM Lead WHERE " + std::string(20000, '(') + "Email = null" +
                     std::string(20000, ')');
  std::string message = parse_error(deep);
  EXPECT_NE(message.find("nest deeper"), std::string::npos);
  std::string nots = "SELECT Id FROM Lead WHERE ";
  for (int i = 0; i < 5000; ++i) {
    nots += "NOT ";
  }
  parse_error(nots + "Email = null");
  // Moderate nesting is fine.
  parse_ok("SELECT Id FROM Lead WHERE " + std::string(20, '(') + "Email = null" +
           std::string(20, ')'));
}

TEST(SoqlParser, ErrorMessageHasSalesforceLayout) {
  std::string message = parse_error("SELECT Id FROM Lead WHERE");
  EXPECT_NE(message.find("ERROR at Row:1:Column:26"), std::string::npos) << message;
  EXPECT_NE(message.find("unexpected token: <EOF>"), std::string::npos) << message;
}

}  // namespace
}  // namespace leadrouter::mock_crm::salesforce
