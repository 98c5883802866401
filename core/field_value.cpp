#include "core/field_value.hpp"

#include <array>
#include <cmath>
#include <utility>

#include "core/regex_pattern.hpp"
#include "core/text.hpp"

namespace leadrouter::core {
namespace {

struct FieldName {
  std::string_view name;
  FieldId id;
  FieldType type;
  FieldScope scope;
};

constexpr std::array kFields{
    FieldName{"id", FieldId::kId, FieldType::kText, FieldScope::kLead},
    FieldName{"source_system", FieldId::kSourceSystem, FieldType::kText, FieldScope::kLead},
    FieldName{"object_type", FieldId::kObjectType, FieldType::kText, FieldScope::kLead},
    FieldName{"email", FieldId::kEmail, FieldType::kText, FieldScope::kLead},
    FieldName{"first_name", FieldId::kFirstName, FieldType::kText, FieldScope::kLead},
    FieldName{"last_name", FieldId::kLastName, FieldType::kText, FieldScope::kLead},
    FieldName{"title", FieldId::kTitle, FieldType::kText, FieldScope::kLead},
    FieldName{"company", FieldId::kCompany, FieldType::kText, FieldScope::kLead},
    FieldName{"website", FieldId::kWebsite, FieldType::kText, FieldScope::kLead},
    FieldName{"country", FieldId::kCountry, FieldType::kText, FieldScope::kLead},
    FieldName{"state", FieldId::kState, FieldType::kText, FieldScope::kLead},
    FieldName{"city", FieldId::kCity, FieldType::kText, FieldScope::kLead},
    FieldName{"industry", FieldId::kIndustry, FieldType::kText, FieldScope::kLead},
    FieldName{"employees", FieldId::kEmployees, FieldType::kNumber, FieldScope::kLead},
    FieldName{"annual_revenue", FieldId::kAnnualRevenue, FieldType::kNumber, FieldScope::kLead},
    FieldName{"lead_source", FieldId::kLeadSource, FieldType::kText, FieldScope::kLead},
    FieldName{"language", FieldId::kLanguage, FieldType::kText, FieldScope::kLead},
    FieldName{"email_domain", FieldId::kEmailDomain, FieldType::kText, FieldScope::kLead},
    FieldName{"is_free_mail", FieldId::kIsFreeMail, FieldType::kBool, FieldScope::kLead},
    FieldName{"company_normalized", FieldId::kCompanyNormalized, FieldType::kText,
              FieldScope::kLead},
    FieldName{"website_domain", FieldId::kWebsiteDomain, FieldType::kText, FieldScope::kLead},
    FieldName{"territory", FieldId::kTerritory, FieldType::kText, FieldScope::kRouting},
    FieldName{"tier", FieldId::kTier, FieldType::kText, FieldScope::kRouting},
    FieldName{"score", FieldId::kScore, FieldType::kNumber, FieldScope::kRouting},
    FieldName{"fit_score", FieldId::kFitScore, FieldType::kNumber, FieldScope::kRouting},
    FieldName{"intent_score", FieldId::kIntentScore, FieldType::kNumber, FieldScope::kRouting},
    FieldName{"model_probability", FieldId::kModelProbability, FieldType::kNumber,
              FieldScope::kRouting},
    FieldName{"account_matched", FieldId::kAccountMatched, FieldType::kBool, FieldScope::kRouting},
    FieldName{"account_owner_id", FieldId::kAccountOwnerId, FieldType::kText, FieldScope::kRouting},
    FieldName{"duplicate_found", FieldId::kDuplicateFound, FieldType::kBool, FieldScope::kRouting},
    FieldName{"segment", FieldId::kSegment, FieldType::kText, FieldScope::kRouting},
};

constexpr std::string_view kCustomPrefix = "custom.";

const FieldName* find_field(FieldId id) {
  for (const auto& f : kFields) {
    if (f.id == id) {
      return &f;
    }
  }
  return nullptr;
}

// A field's value as seen by evaluate(): views into the lead, so reading a
// field never allocates.
struct FieldRef {
  enum class Kind { kMissing, kBool, kNumber, kText };
  Kind kind = Kind::kMissing;
  bool boolean = false;
  double number = 0;
  std::string_view text;

  static FieldRef missing() { return {}; }
  static FieldRef of_bool(bool b) { return {Kind::kBool, b, 0, {}}; }
  static FieldRef of_number(double n) { return {Kind::kNumber, false, n, {}}; }
  static FieldRef of_text(std::string_view s) {
    return s.empty() ? FieldRef{} : FieldRef{Kind::kText, false, 0, s};
  }
};

FieldRef read_field(const FieldContext& ctx, FieldId id, const std::string* custom_key) {
  const Lead& lead = ctx.lead;
  const RoutingFacts* routing = ctx.routing;
  switch (id) {
    case FieldId::kId:
      return FieldRef::of_text(lead.id);
    case FieldId::kSourceSystem:
      return FieldRef::of_text(lead.source_system);
    case FieldId::kObjectType:
      return FieldRef::of_text(lead.object_type);
    case FieldId::kEmail:
      return FieldRef::of_text(lead.email);
    case FieldId::kFirstName:
      return FieldRef::of_text(lead.first_name);
    case FieldId::kLastName:
      return FieldRef::of_text(lead.last_name);
    case FieldId::kTitle:
      return FieldRef::of_text(lead.title);
    case FieldId::kCompany:
      return FieldRef::of_text(lead.company);
    case FieldId::kWebsite:
      return FieldRef::of_text(lead.website);
    case FieldId::kCountry:
      return FieldRef::of_text(lead.country);
    case FieldId::kState:
      return FieldRef::of_text(lead.state);
    case FieldId::kCity:
      return FieldRef::of_text(lead.city);
    case FieldId::kIndustry:
      return FieldRef::of_text(lead.industry);
    case FieldId::kEmployees:
      return lead.employees ? FieldRef::of_number(static_cast<double>(*lead.employees))
                            : FieldRef::missing();
    case FieldId::kAnnualRevenue:
      return lead.annual_revenue ? FieldRef::of_number(*lead.annual_revenue) : FieldRef::missing();
    case FieldId::kLeadSource:
      return FieldRef::of_text(lead.lead_source);
    case FieldId::kLanguage:
      return FieldRef::of_text(lead.language);
    case FieldId::kCustom: {
      if (custom_key == nullptr) {
        return FieldRef::missing();
      }
      const auto it = lead.custom.find(*custom_key);
      return it == lead.custom.end() ? FieldRef::missing() : FieldRef::of_text(it->second);
    }
    case FieldId::kEmailDomain:
      return FieldRef::of_text(ctx.facts.email_domain);
    case FieldId::kIsFreeMail:
      // Without an email domain there is nothing to be free-mail or not.
      return ctx.facts.email_domain.empty() ? FieldRef::missing()
                                            : FieldRef::of_bool(ctx.facts.is_free_mail);
    case FieldId::kCompanyNormalized:
      return FieldRef::of_text(ctx.facts.company_normalized);
    case FieldId::kWebsiteDomain:
      return FieldRef::of_text(ctx.facts.website_domain);
    case FieldId::kAccountMatched:
      return FieldRef::of_bool(ctx.enrichment.account.has_value());
    case FieldId::kAccountOwnerId:
      return ctx.enrichment.account ? FieldRef::of_text(ctx.enrichment.account->owner_id)
                                    : FieldRef::missing();
    case FieldId::kDuplicateFound:
      return FieldRef::of_bool(ctx.enrichment.duplicate.has_value());
    case FieldId::kTerritory:
      return routing ? FieldRef::of_text(routing->territory) : FieldRef::missing();
    case FieldId::kTier:
      return routing ? FieldRef::of_text(routing->tier) : FieldRef::missing();
    case FieldId::kSegment:
      return routing ? FieldRef::of_text(routing->segment) : FieldRef::missing();
    case FieldId::kScore:
      return routing ? FieldRef::of_number(routing->score) : FieldRef::missing();
    case FieldId::kFitScore:
      return routing ? FieldRef::of_number(routing->fit_score) : FieldRef::missing();
    case FieldId::kIntentScore:
      return routing ? FieldRef::of_number(routing->intent_score) : FieldRef::missing();
    case FieldId::kModelProbability:
      return routing && routing->model_probability
                 ? FieldRef::of_number(*routing->model_probability)
                 : FieldRef::missing();
    case FieldId::kUnresolved:
    case FieldId::kUnknown:
      return FieldRef::missing();
  }
  return FieldRef::missing();
}

FieldRef read_field(const FieldContext& ctx, const FieldCondition& condition) {
  if (condition.id != FieldId::kUnresolved) {
    return read_field(ctx, condition.id, &condition.custom_key);
  }
  // Conditions built by hand (not by parse_policy) take the slow path.
  FieldCondition resolved;
  resolved.field = condition.field;
  resolve_field(resolved);
  return read_field(ctx, resolved.id, &resolved.custom_key);
}

inline bool text_equal(std::string_view a, std::string_view b, bool case_sensitive) {
  return case_sensitive ? a == b : iequals(a, b);
}

bool text_starts_with(std::string_view text, std::string_view prefix, bool case_sensitive) {
  return text.size() >= prefix.size() &&
         text_equal(text.substr(0, prefix.size()), prefix, case_sensitive);
}

bool text_contains(std::string_view text, std::string_view needle, bool case_sensitive) {
  if (needle.size() > text.size()) {
    return false;
  }
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    if (text_equal(text.substr(i, needle.size()), needle, case_sensitive)) {
      return true;
    }
  }
  return false;
}

std::optional<bool> parse_bool(std::string_view s) {
  s = trim(s);
  if (text_equal(s, "true", false) || text_equal(s, "yes", false) || s == "1") {
    return true;
  }
  if (text_equal(s, "false", false) || text_equal(s, "no", false) || s == "0") {
    return false;
  }
  return std::nullopt;
}

std::optional<double> as_number(const FieldRef& ref) {
  switch (ref.kind) {
    case FieldRef::Kind::kNumber:
      return ref.number;
    case FieldRef::Kind::kText:
      return parse_number(ref.text);
    case FieldRef::Kind::kBool:
    case FieldRef::Kind::kMissing:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<double> as_number(const Value& value) {
  if (const auto* d = std::get_if<double>(&value)) {
    return *d;
  }
  if (const auto* s = std::get_if<std::string>(&value)) {
    return parse_number(*s);
  }
  return std::nullopt;
}

bool equals(const FieldRef& ref, const Value& literal, bool case_sensitive) {
  switch (ref.kind) {
    case FieldRef::Kind::kText:
      if (const auto* s = std::get_if<std::string>(&literal)) {
        return text_equal(ref.text, *s, case_sensitive);
      }
      if (const auto* d = std::get_if<double>(&literal)) {
        const auto n = parse_number(ref.text);
        return n && *n == *d;
      }
      {
        const auto b = parse_bool(ref.text);
        return b && *b == std::get<bool>(literal);
      }
    case FieldRef::Kind::kNumber: {
      const auto n = as_number(literal);
      return n && *n == ref.number;
    }
    case FieldRef::Kind::kBool:
      if (const auto* b = std::get_if<bool>(&literal)) {
        return *b == ref.boolean;
      }
      if (const auto* s = std::get_if<std::string>(&literal)) {
        const auto b = parse_bool(*s);
        return b && *b == ref.boolean;
      }
      return false;
    case FieldRef::Kind::kMissing:
      return false;
  }
  return false;
}

bool equals_any(const FieldRef& ref, const FieldCondition& c) {
  // Text against string literals is by far the common case (country in
  // [...]); keep its loop free of the general dispatch.
  if (ref.kind == FieldRef::Kind::kText) {
    for (const auto& v : c.values) {
      if (const auto* s = std::get_if<std::string>(&v)) {
        if (text_equal(ref.text, *s, c.case_sensitive)) {
          return true;
        }
      } else if (equals(ref, v, c.case_sensitive)) {
        return true;
      }
    }
    return false;
  }
  for (const auto& v : c.values) {
    if (equals(ref, v, c.case_sensitive)) {
      return true;
    }
  }
  return false;
}

template <typename Compare>
bool compare_number(const FieldRef& ref, const FieldCondition& c, Compare cmp) {
  if (c.values.empty()) {
    return false;
  }
  const auto lhs = as_number(ref);
  const auto rhs = as_number(c.values.front());
  return lhs && rhs && cmp(*lhs, *rhs);
}

const std::string* text_literal(const FieldCondition& c) {
  return c.values.empty() ? nullptr : std::get_if<std::string>(&c.values.front());
}

bool regex_matches(std::string_view text, const FieldCondition& c) {
  if (c.pattern) {
    return std::regex_search(text.begin(), text.end(), *c.pattern);
  }
  const std::string* source = text_literal(c);
  if (source == nullptr) {
    return false;
  }
  // Hand-built conditions without a compiled pattern: compile here; a bad
  // pattern simply does not match (parse_policy rejects bad patterns up front).
  const auto pattern = compile_pattern(*source, c.case_sensitive);
  return pattern && std::regex_search(text.begin(), text.end(), **pattern);
}

bool evaluate_field(const FieldCondition& c, const FieldContext& ctx) {
  const FieldRef ref = read_field(ctx, c);
  if (c.op == Op::kExists) {
    const bool want = c.values.empty() || !std::holds_alternative<bool>(c.values.front()) ||
                      std::get<bool>(c.values.front());
    return (ref.kind != FieldRef::Kind::kMissing) == want;
  }
  // Every other operator is false on a missing field, including ne and
  // not_in: "not known" is not "different". Use {"not": ...} to include them.
  if (ref.kind == FieldRef::Kind::kMissing) {
    return false;
  }
  switch (c.op) {
    case Op::kEq:
      return !c.values.empty() && equals(ref, c.values.front(), c.case_sensitive);
    case Op::kNe:
      return !c.values.empty() && !equals(ref, c.values.front(), c.case_sensitive);
    case Op::kIn:
      return equals_any(ref, c);
    case Op::kNotIn:
      return !equals_any(ref, c);
    case Op::kGt:
      return compare_number(ref, c, [](double a, double b) { return a > b; });
    case Op::kGte:
      return compare_number(ref, c, [](double a, double b) { return a >= b; });
    case Op::kLt:
      return compare_number(ref, c, [](double a, double b) { return a < b; });
    case Op::kLte:
      return compare_number(ref, c, [](double a, double b) { return a <= b; });
    case Op::kBetween: {
      if (c.values.size() != 2) {
        return false;
      }
      const auto v = as_number(ref);
      const auto lo = as_number(c.values[0]);
      const auto hi = as_number(c.values[1]);
      return v && lo && hi && *lo <= *v && *v <= *hi;
    }
    case Op::kContains: {
      const std::string* s = text_literal(c);
      return ref.kind == FieldRef::Kind::kText && s &&
             text_contains(ref.text, *s, c.case_sensitive);
    }
    case Op::kStartsWith: {
      const std::string* s = text_literal(c);
      return ref.kind == FieldRef::Kind::kText && s &&
             text_starts_with(ref.text, *s, c.case_sensitive);
    }
    case Op::kRegex:
      return ref.kind == FieldRef::Kind::kText && regex_matches(ref.text, c);
    case Op::kExists:
      break;  // handled above
  }
  return false;
}

}  // namespace

FieldId field_id(std::string_view field) {
  if (field.starts_with(kCustomPrefix)) {
    return field.size() > kCustomPrefix.size() ? FieldId::kCustom : FieldId::kUnknown;
  }
  for (const auto& f : kFields) {
    if (f.name == field) {
      return f.id;
    }
  }
  return FieldId::kUnknown;
}

std::vector<std::string_view> field_names() {
  std::vector<std::string_view> out;
  out.reserve(kFields.size());
  for (const auto& f : kFields) {
    out.push_back(f.name);
  }
  return out;
}

FieldType field_type(FieldId id) {
  const FieldName* f = find_field(id);
  return f ? f->type : FieldType::kText;
}

FieldScope field_scope(std::string_view field) {
  const FieldId id = field_id(field);
  if (id == FieldId::kCustom) {
    return FieldScope::kLead;
  }
  const FieldName* f = find_field(id);
  return f ? f->scope : FieldScope::kUnknown;
}

void resolve_field(FieldCondition& condition) {
  condition.id = field_id(condition.field);
  if (condition.id == FieldId::kCustom) {
    condition.custom_key = condition.field.substr(kCustomPrefix.size());
  } else {
    condition.custom_key.clear();
  }
}

std::optional<FieldValue> field_value(const FieldContext& ctx, std::string_view field) {
  FieldCondition resolved;
  resolved.field = std::string(field);
  resolve_field(resolved);
  const FieldRef ref = read_field(ctx, resolved.id, &resolved.custom_key);
  // Built in place: GCC 12 with the sanitizers warns (falsely) about
  // "maybe uninitialized" strings when a variant temporary is moved in.
  std::optional<FieldValue> out;
  switch (ref.kind) {
    case FieldRef::Kind::kBool:
      out.emplace(std::in_place_type<bool>, ref.boolean);
      break;
    case FieldRef::Kind::kNumber:
      out.emplace(std::in_place_type<double>, ref.number);
      break;
    case FieldRef::Kind::kText:
      out.emplace(std::in_place_type<std::string>, ref.text);
      break;
    case FieldRef::Kind::kMissing:
      break;
  }
  return out;
}

bool evaluate(const Condition& condition, const FieldContext& ctx) {
  switch (condition.kind) {
    case Condition::Kind::kAlways:
      return true;
    case Condition::Kind::kAll:
      for (const auto& child : condition.children) {
        if (!evaluate(child, ctx)) {
          return false;
        }
      }
      return true;
    case Condition::Kind::kAny:
      for (const auto& child : condition.children) {
        if (evaluate(child, ctx)) {
          return true;
        }
      }
      return false;
    case Condition::Kind::kNot:
      return condition.children.size() == 1 && !evaluate(condition.children.front(), ctx);
    case Condition::Kind::kField:
      return evaluate_field(condition.field, ctx);
  }
  return false;
}

}  // namespace leadrouter::core
