// The parsed form of the SOQL subset mock-crm understands:
//   SELECT f1, f2 | COUNT() FROM Object
//   [WHERE cond] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]
// where cond combines `field op value` with AND, OR, NOT and parentheses.
// The parser fills names only; SoqlEvaluator resolves them against the schema.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mock_crm/salesforce/salesforce_datetime.hpp"
#include "mock_crm/salesforce/sobject_schema.hpp"

namespace leadrouter::mock_crm::salesforce {

enum class CompareOp { kEq, kNe, kLt, kGt, kLe, kGe, kIn, kNotIn, kLike };

// Relative date literals: each names a whole-day range [start, end) in UTC.
enum class DateLiteralKind { kToday, kYesterday, kTomorrow, kLastNDays, kNextNDays, kNDaysAgo };

struct DateLiteral {
  DateLiteralKind kind = DateLiteralKind::kToday;
  int n = 0;
  std::string text;  // as written, for error messages
};

struct NullLiteral {};

using SoqlLiteral =
    std::variant<NullLiteral, bool, double, std::string, DateTime, Date, DateLiteral>;

struct Comparison {
  std::string field;
  CompareOp op = CompareOp::kEq;
  std::vector<SoqlLiteral> values;  // one, or the IN / NOT IN list
  std::size_t position = 0;         // column of the field, for error messages
  const FieldDef* resolved = nullptr;
};

struct Condition {
  enum class Kind { kCompare, kAnd, kOr, kNot };
  Kind kind = Kind::kCompare;
  Comparison comparison;            // kCompare
  std::vector<Condition> children;  // kAnd, kOr (two or more), kNot (one)
};

struct OrderItem {
  std::string field;
  bool descending = false;
  std::optional<bool> nulls_first;  // unset: nulls first ascending, last descending
  const FieldDef* resolved = nullptr;
};

struct SoqlQuery {
  std::string text;
  bool count_only = false;  // SELECT COUNT()
  std::vector<std::string> fields;
  std::string object;
  std::optional<Condition> where;
  std::vector<OrderItem> order_by;
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> offset;
};

}  // namespace leadrouter::mock_crm::salesforce
