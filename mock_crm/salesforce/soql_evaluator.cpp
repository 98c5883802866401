#include "mock_crm/salesforce/soql_evaluator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "mock_crm/salesforce/salesforce_id.hpp"
#include "mock_crm/salesforce/soql_lexer.hpp"

namespace leadrouter::mock_crm::salesforce {
namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

int compare_text(std::string_view a, std::string_view b, bool case_sensitive) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    char x = case_sensitive ? a[i] : lower(a[i]);
    char y = case_sensitive ? b[i] : lower(b[i]);
    if (x != y) {
      return x < y ? -1 : 1;
    }
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

bool is_id_like(const FieldDef& f) {
  return f.type == FieldType::kId || f.type == FieldType::kReference;
}

// -1, 0, 1 for two non-null values of one field.
int compare_values(const FieldDef& field, const SfValue& a, const SfValue& b) {
  if (a.index() != b.index()) {
    return a.index() < b.index() ? -1 : 1;
  }
  if (const auto* s = std::get_if<std::string>(&a)) {
    return compare_text(*s, std::get<std::string>(b), is_id_like(field));
  }
  auto three_way = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (const auto* d = std::get_if<double>(&a)) {
    return three_way(*d, std::get<double>(b));
  }
  if (const auto* v = std::get_if<bool>(&a)) {
    return three_way(*v, std::get<bool>(b));
  }
  if (const auto* dt = std::get_if<DateTime>(&a)) {
    return three_way(*dt, std::get<DateTime>(b));
  }
  if (const auto* day = std::get_if<Date>(&a)) {
    return three_way(*day, std::get<Date>(b));
  }
  return 0;
}

// [start, end) of a relative date literal, in days.
std::pair<Date, Date> date_range(const DateLiteral& literal, DateTime now) {
  using std::chrono::days;
  Date today = std::chrono::floor<days>(now);
  switch (literal.kind) {
    case DateLiteralKind::kToday:
      return {today, today + days(1)};
    case DateLiteralKind::kYesterday:
      return {today - days(1), today};
    case DateLiteralKind::kTomorrow:
      return {today + days(1), today + days(2)};
    case DateLiteralKind::kLastNDays:
      return {today - days(literal.n), today + days(1)};
    case DateLiteralKind::kNextNDays:
      return {today + days(1), today + days(1 + literal.n)};
    case DateLiteralKind::kNDaysAgo:
      return {today - days(literal.n), today - days(literal.n - 1)};
  }
  return {today, today + days(1)};
}

const char* type_phrase(FieldType type) {
  if (is_text(type)) {
    return "string";
  }
  switch (type) {
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kDate:
      return "date";
    case FieldType::kDateTime:
      return "dateTime";
    case FieldType::kInt:
      return "int";
    default:
      return "double";
  }
}

std::string literal_text(const SoqlLiteral& literal) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, NullLiteral>) {
          return "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          return fmt::format("{}", v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return "'" + v + "'";
        } else if constexpr (std::is_same_v<T, DateTime>) {
          return format_datetime(v);
        } else if constexpr (std::is_same_v<T, Date>) {
          return format_date(v);
        } else {
          return v.text;
        }
      },
      literal);
}

class Resolver {
 public:
  Resolver(const SoqlQuery& q, const SObjectDef& object) : query_(q), object_(object) {}

  std::optional<SfError> resolve_condition(Condition& c) {
    if (c.kind != Condition::Kind::kCompare) {
      for (auto& child : c.children) {
        if (auto e = resolve_condition(child)) {
          return e;
        }
      }
      return std::nullopt;
    }
    Comparison& cmp = c.comparison;
    cmp.resolved = object_.field(cmp.field);
    if (cmp.resolved == nullptr) {
      return no_such_column(cmp.field, cmp.position);
    }
    const FieldDef& f = *cmp.resolved;
    bool ordering = cmp.op == CompareOp::kLt || cmp.op == CompareOp::kGt ||
                    cmp.op == CompareOp::kLe || cmp.op == CompareOp::kGe;
    if (cmp.op == CompareOp::kLike && !is_text(f.type)) {
      return SfError{"INVALID_QUERY_FILTER_OPERATOR",
                     fmt::format("\n{}\nERROR at Row:1:Column:{}\ninvalid operator on {} field: {}",
                                 query_.text, cmp.position + 1, to_string(f.type), f.name),
                     {}};
    }
    if (ordering && (f.type == FieldType::kBoolean)) {
      return SfError{
          "INVALID_QUERY_FILTER_OPERATOR",
          fmt::format("\n{}\nERROR at Row:1:Column:{}\ninvalid operator on boolean field: {}",
                      query_.text, cmp.position + 1, f.name),
          {}};
    }
    for (auto& v : cmp.values) {
      if (auto e = check_literal(cmp, f, v)) {
        return e;
      }
    }
    return std::nullopt;
  }

  SfError no_such_column(std::string_view field, std::size_t position) const {
    SfError e =
        malformed_query(query_.text, position,
                        fmt::format("No such column '{}' on entity '{}'. If you are attempting to "
                                    "use a custom field, be sure to append the '__c' after the "
                                    "custom field name. Please reference your WSDL or the describe "
                                    "call for the appropriate names.",
                                    field, object_.name));
    e.code = "INVALID_FIELD";
    return e;
  }

 private:
  std::optional<SfError> check_literal(const Comparison& cmp, const FieldDef& f, SoqlLiteral& v) {
    if (std::holds_alternative<NullLiteral>(v)) {
      bool ordering = cmp.op != CompareOp::kEq && cmp.op != CompareOp::kNe &&
                      cmp.op != CompareOp::kIn && cmp.op != CompareOp::kNotIn;
      if (!ordering) {
        return std::nullopt;
      }
    } else if (is_text(f.type)) {
      if (auto* s = std::get_if<std::string>(&v)) {
        if (!is_id_like(f) || cmp.op == CompareOp::kLike) {
          return std::nullopt;
        }
        // Ids compare in their 18-character form, whichever form was written.
        if (auto id = normalize_id(*s)) {
          *s = *id;
          return std::nullopt;
        }
        return SfError{"INVALID_QUERY_FILTER_OPERATOR",
                       fmt::format("\n{}\nERROR at Row:1:Column:{}\ninvalid ID field: {}",
                                   query_.text, cmp.position + 1, *s),
                       {}};
      }
    } else if (f.type == FieldType::kBoolean) {
      if (std::holds_alternative<bool>(v)) {
        return std::nullopt;
      }
    } else if (is_numeric(f.type)) {
      if (std::holds_alternative<double>(v)) {
        return std::nullopt;
      }
    } else if (f.type == FieldType::kDate) {
      if (std::holds_alternative<Date>(v) || std::holds_alternative<DateLiteral>(v)) {
        return std::nullopt;
      }
    } else if (f.type == FieldType::kDateTime) {
      if (std::holds_alternative<DateTime>(v) || std::holds_alternative<DateLiteral>(v)) {
        return std::nullopt;
      }
    }
    return SfError{
        "INVALID_QUERY_FILTER_OPERATOR",
        fmt::format("\n{}\nERROR at Row:1:Column:{}\nvalue of filter criterion for field '{}' "
                    "must be of type {} and should not be enclosed in quotes: {}",
                    query_.text, cmp.position + 1, f.name, type_phrase(f.type), literal_text(v)),
        {}};
  }

  const SoqlQuery& query_;
  const SObjectDef& object_;
};

// Where a Date/DateTime value lies relative to a day range.
bool in_range_op(CompareOp op, const SfValue& value, std::pair<Date, Date> range) {
  DateTime v{};
  if (const auto* dt = std::get_if<DateTime>(&value)) {
    v = *dt;
  } else if (const auto* d = std::get_if<Date>(&value)) {
    v = DateTime{*d};
  } else {
    return op == CompareOp::kNe || op == CompareOp::kNotIn;
  }
  DateTime start{range.first};
  DateTime end{range.second};
  switch (op) {
    case CompareOp::kEq:
    case CompareOp::kIn:
      return v >= start && v < end;
    case CompareOp::kNe:
    case CompareOp::kNotIn:
      return v < start || v >= end;
    case CompareOp::kLt:
      return v < start;
    case CompareOp::kLe:
      return v < end;
    case CompareOp::kGt:
      return v >= end;
    case CompareOp::kGe:
      return v >= start;
    case CompareOp::kLike:
      return false;
  }
  return false;
}

SfValue literal_value(const SoqlLiteral& literal) {
  return std::visit(
      [](const auto& v) -> SfValue {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, NullLiteral> || std::is_same_v<T, DateLiteral>) {
          return SfValue{};
        } else {
          return SfValue{v};
        }
      },
      literal);
}

}  // namespace

bool soql_like(std::string_view value, std::string_view pattern) {
  // Iterative wildcard match with backtracking to the last %.
  std::size_t v = 0;
  std::size_t p = 0;
  std::size_t star_p = std::string_view::npos;
  std::size_t star_v = 0;
  while (v < value.size()) {
    if (p < pattern.size()) {
      char pc = pattern[p];
      if (pc == '%') {
        star_p = p++;
        star_v = v;
        continue;
      }
      bool escaped = pc == '\\' && p + 1 < pattern.size();
      char literal = escaped ? pattern[p + 1] : pc;
      if ((!escaped && pc == '_') || lower(literal) == lower(value[v])) {
        p += escaped ? 2 : 1;
        ++v;
        continue;
      }
    }
    if (star_p == std::string_view::npos) {
      return false;
    }
    p = star_p + 1;
    v = ++star_v;
  }
  while (p < pattern.size() && pattern[p] == '%') {
    ++p;
  }
  return p == pattern.size();
}

std::expected<SoqlEvaluator, SfError> SoqlEvaluator::create(SoqlQuery query,
                                                            const SObjectSchema& schema,
                                                            DateTime now) {
  SoqlEvaluator e;
  e.now_ = now;
  e.object_ = schema.object(query.object);
  if (e.object_ == nullptr) {
    std::size_t at = query.text.find(query.object);
    SfError err =
        malformed_query(query.text, at == std::string::npos ? 0 : at,
                        fmt::format("sObject type '{}' is not supported. If you are attempting "
                                    "to use a custom object, be sure to append the '__c' after "
                                    "the entity name. Please reference your WSDL or the describe "
                                    "call for the appropriate names.",
                                    query.object));
    err.code = "INVALID_TYPE";
    return std::unexpected(err);
  }
  Resolver resolver(query, *e.object_);
  for (const auto& name : query.fields) {
    const FieldDef* f = e.object_->field(name);
    if (f == nullptr) {
      std::size_t at = query.text.find(name);
      return std::unexpected(resolver.no_such_column(name, at == std::string::npos ? 0 : at));
    }
    if (std::find(e.fields_.begin(), e.fields_.end(), f) != e.fields_.end()) {
      std::size_t at = query.text.find(name);
      return std::unexpected(malformed_query(query.text, at == std::string::npos ? 0 : at,
                                             "duplicate field selected: " + f->name));
    }
    e.fields_.push_back(f);
  }
  if (query.where) {
    if (auto err = resolver.resolve_condition(*query.where)) {
      return std::unexpected(*err);
    }
  }
  for (auto& item : query.order_by) {
    item.resolved = e.object_->field(item.field);
    if (item.resolved == nullptr) {
      std::size_t at = query.text.rfind(item.field);
      return std::unexpected(resolver.no_such_column(item.field, at == std::string::npos ? 0 : at));
    }
    if (item.resolved->type == FieldType::kTextarea && item.resolved->length > 255) {
      return std::unexpected(
          SfError{"INVALID_FIELD",
                  fmt::format("field '{}' can not be sorted in a query call", item.resolved->name),
                  {}});
    }
  }
  if (query.offset && *query.offset > 2000) {
    return std::unexpected(SfError{
        "NUMBER_OUTSIDE_VALID_RANGE", fmt::format("Maximum SOQL offset allowed is 2000"), {}});
  }
  e.query_ = std::move(query);
  return e;
}

bool SoqlEvaluator::matches(const SObjectRecord& record) const {
  return !query_.where || evaluate(*query_.where, record);
}

bool SoqlEvaluator::evaluate(const Condition& c, const SObjectRecord& record) const {
  switch (c.kind) {
    case Condition::Kind::kCompare:
      return compare(c.comparison, record);
    case Condition::Kind::kAnd:
      return std::all_of(c.children.begin(), c.children.end(),
                         [&](const Condition& child) { return evaluate(child, record); });
    case Condition::Kind::kOr:
      return std::any_of(c.children.begin(), c.children.end(),
                         [&](const Condition& child) { return evaluate(child, record); });
    case Condition::Kind::kNot:
      return !evaluate(c.children.front(), record);
  }
  return false;
}

bool SoqlEvaluator::compare(const Comparison& c, const SObjectRecord& record) const {
  const FieldDef& f = *c.resolved;
  const SfValue& value = record.get(f.name);
  bool is_null = std::holds_alternative<std::monostate>(value);
  auto equals = [&](const SoqlLiteral& literal) {
    if (const auto* range = std::get_if<DateLiteral>(&literal)) {
      return in_range_op(CompareOp::kEq, value, date_range(*range, now_));
    }
    SfValue lit = literal_value(literal);
    bool lit_null = std::holds_alternative<std::monostate>(lit);
    if (is_null || lit_null) {
      return is_null && lit_null;
    }
    return compare_values(f, value, lit) == 0;
  };
  switch (c.op) {
    case CompareOp::kEq:
      return equals(c.values.front());
    case CompareOp::kNe:
      return !equals(c.values.front());
    case CompareOp::kIn:
      return std::any_of(c.values.begin(), c.values.end(), equals);
    case CompareOp::kNotIn:
      return std::none_of(c.values.begin(), c.values.end(), equals);
    case CompareOp::kLike: {
      const auto* s = std::get_if<std::string>(&value);
      return s != nullptr && soql_like(*s, std::get<std::string>(c.values.front()));
    }
    case CompareOp::kLt:
    case CompareOp::kGt:
    case CompareOp::kLe:
    case CompareOp::kGe: {
      if (const auto* range = std::get_if<DateLiteral>(&c.values.front())) {
        return !is_null && in_range_op(c.op, value, date_range(*range, now_));
      }
      SfValue lit = literal_value(c.values.front());
      if (is_null || std::holds_alternative<std::monostate>(lit)) {
        return false;
      }
      int r = compare_values(f, value, lit);
      switch (c.op) {
        case CompareOp::kLt:
          return r < 0;
        case CompareOp::kGt:
          return r > 0;
        case CompareOp::kLe:
          return r <= 0;
        default:
          return r >= 0;
      }
    }
  }
  return false;
}

bool SoqlEvaluator::before(const SObjectRecord& a, const SObjectRecord& b) const {
  for (const auto& item : query_.order_by) {
    const FieldDef& f = *item.resolved;
    const SfValue& va = a.get(f.name);
    const SfValue& vb = b.get(f.name);
    bool a_null = std::holds_alternative<std::monostate>(va);
    bool b_null = std::holds_alternative<std::monostate>(vb);
    if (a_null || b_null) {
      if (a_null && b_null) {
        continue;
      }
      bool nulls_first = item.nulls_first.value_or(!item.descending);
      return a_null ? nulls_first : !nulls_first;
    }
    int r = compare_values(f, va, vb);
    if (r != 0) {
      return item.descending ? r > 0 : r < 0;
    }
  }
  return false;
}

std::size_t SoqlEvaluator::count(const std::vector<const SObjectRecord*>& candidates) const {
  return static_cast<std::size_t>(std::count_if(
      candidates.begin(), candidates.end(), [&](const SObjectRecord* r) { return matches(*r); }));
}

std::vector<const SObjectRecord*> SoqlEvaluator::run(
    const std::vector<const SObjectRecord*>& candidates) const {
  std::vector<const SObjectRecord*> rows;
  for (const auto* r : candidates) {
    if (matches(*r)) {
      rows.push_back(r);
    }
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const SObjectRecord* a, const SObjectRecord* b) { return before(*a, *b); });
  std::size_t offset = static_cast<std::size_t>(query_.offset.value_or(0));
  if (offset >= rows.size()) {
    return {};
  }
  rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(offset));
  if (query_.limit && rows.size() > static_cast<std::size_t>(*query_.limit)) {
    rows.resize(static_cast<std::size_t>(*query_.limit));
  }
  return rows;
}

}  // namespace leadrouter::mock_crm::salesforce
