// What conditions (fit rules, territories, routes) look at: a field of the
// lead, a derived fact, or — for routes — a routing fact such as the tier.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/lead.hpp"
#include "core/lead_facts.hpp"
#include "core/policy.hpp"

namespace leadrouter::core {

using FieldValue = std::variant<bool, double, std::string>;

// Facts known only once scoring is done; visible to route conditions.
struct RoutingFacts {
  std::string_view territory;
  std::string_view tier;
  std::string_view segment;
  double score = 0;
  double fit_score = 0;
  double intent_score = 0;
  std::optional<double> model_probability;
};

struct FieldContext {
  const Lead& lead;
  const LeadFacts& facts;
  const Enrichment& enrichment;
  const RoutingFacts* routing = nullptr;  // null while scoring fit / territory
};

enum class FieldScope { kUnknown, kLead, kRouting };

// Whether `field` is a name conditions may use, and where it is available.
FieldScope field_scope(std::string_view field);

// What kind of value a field holds; decides which operators make sense.
enum class FieldType { kText, kNumber, kBool };

// The id for a field name (FieldId::kUnknown when it is not one), and its type.
FieldId field_id(std::string_view field);
FieldType field_type(FieldId id);

// Every fixed field name (custom.<key> aside), for suggestions in messages.
std::vector<std::string_view> field_names();

// Fills condition.id and condition.custom_key from condition.field, so that
// evaluate() need not compare names. parse_policy calls it for every condition.
void resolve_field(FieldCondition& condition);

// nullopt: the field is empty / not set on this lead.
std::optional<FieldValue> field_value(const FieldContext& ctx, std::string_view field);

bool evaluate(const Condition& condition, const FieldContext& ctx);

}  // namespace leadrouter::core
