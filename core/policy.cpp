#include "core/policy.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <utility>

#include "core/field_value.hpp"
#include "core/json_reader.hpp"
#include "core/lead_facts.hpp"
#include "core/regex_pattern.hpp"
#include "core/text.hpp"

namespace leadrouter::core {
namespace {

using JsonValue = rapidjson::Value;

// Indexed by Op.
constexpr std::array<std::string_view, 13> kOpNames{
    "eq",  "ne",      "in",       "not_in",      "gt",    "gte",   "lt",
    "lte", "between", "contains", "starts_with", "regex", "exists"};

constexpr std::array<std::string_view, 4> kStrategyNames{"round_robin", "weighted_round_robin",
                                                         "least_loaded", "best_match"};

std::string join(const auto& names) {
  std::string out;
  for (const auto& n : names) {
    out += out.empty() ? "" : ", ";
    out += n;
  }
  return out;
}

// " (did you mean 'country'?)" when a candidate is one or two typos away.
std::string suggestion(std::string_view given, const auto& candidates) {
  std::string_view best;
  std::size_t best_distance = typo_tolerance(given) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = typo_distance(given, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best.empty() ? std::string{} : fmt::format(" (did you mean '{}'?)", best);
}

const char* type_name(FieldType type) {
  switch (type) {
    case FieldType::kText:
      return "text";
    case FieldType::kNumber:
      return "a number";
    case FieldType::kBool:
      return "a boolean";
  }
  return "unknown";
}

constexpr int kMaxConditionDepth = 32;

// Where a condition is used decides which fields it may read.
enum class ConditionPlace { kLeadOnly, kRoute };

// "09:00" -> 540; "24:00" only when `allow_end_of_day`.
std::optional<int> parse_clock(std::string_view s, bool allow_end_of_day) {
  if (s.size() != 5 || s[2] != ':') {
    return std::nullopt;
  }
  for (const std::size_t i : {0u, 1u, 3u, 4u}) {
    if (s[i] < '0' || s[i] > '9') {
      return std::nullopt;
    }
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_end_of_day))) {
    return std::nullopt;
  }
  return h * 60 + m;
}

std::optional<int> parse_weekday(std::string_view s) {
  static constexpr std::array<std::string_view, 7> kShort{"sun", "mon", "tue", "wed",
                                                          "thu", "fri", "sat"};
  static constexpr std::array<std::string_view, 7> kLong{
      "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  const std::string l = ascii_lower(s);
  for (std::size_t i = 0; i < 7; ++i) {
    if (l == kShort[i] || l == kLong[i]) {
      return static_cast<int>(i);
    }
  }
  return std::nullopt;
}

struct NoCheck {
  void operator()(JsonObjectReader& /*reader*/, const auto& /*item*/) const {}
};

class PolicyParser {
 public:
  explicit PolicyParser(ValidationErrors& errors) : errors_(errors) {}

  void error(std::string path, std::string reason) {
    errors_.push_back({std::move(path), std::move(reason)});
  }

  // --- conditions -----------------------------------------------------------

  Condition condition(const JsonValue& v, const std::string& path, ConditionPlace place,
                      int depth = 0) {
    Condition out;
    // evaluate() recurses over the tree; a bound keeps a hostile file from
    // exhausting the stack.
    if (depth > kMaxConditionDepth) {
      error(path, fmt::format("conditions nest deeper than {} levels", kMaxConditionDepth));
      return out;
    }
    JsonObjectReader r(v, path, errors_);
    if (!r.is_object()) {
      return out;
    }
    const JsonValue* all = r.find("all");
    const JsonValue* any = r.find("any");
    const JsonValue* negated = r.find("not");
    const JsonValue* field = r.find("field");
    const int forms =
        (all != nullptr) + (any != nullptr) + (negated != nullptr) + (field != nullptr);
    if (forms != 1) {
      r.error(path, forms == 0 ? "a condition needs one of 'all', 'any', 'not' or 'field'"
                               : "a condition has exactly one of 'all', 'any', 'not' or 'field'");
    } else if (all != nullptr || any != nullptr) {
      const char* key = all != nullptr ? "all" : "any";
      out.kind = all != nullptr ? Condition::Kind::kAll : Condition::Kind::kAny;
      const JsonValue& list = all != nullptr ? *all : *any;
      const std::string list_path = r.path_of(key);
      if (!list.IsArray()) {
        error(list_path,
              fmt::format("expected an array of conditions, got {}", json_type_name(list)));
      } else {
        for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
          out.children.push_back(condition(list[i], json_path(list_path, i), place, depth + 1));
        }
      }
    } else if (negated != nullptr) {
      out.kind = Condition::Kind::kNot;
      out.children.push_back(condition(*negated, r.path_of("not"), place, depth + 1));
    } else {
      out.kind = Condition::Kind::kField;
      field_condition(r, out.field, place);
    }
    r.reject_unknown_keys();
    return out;
  }

  void field_condition(JsonObjectReader& r, FieldCondition& out, ConditionPlace place) {
    const auto name = r.string("field");
    const auto op_name = r.string("op", Required::kYes);
    const JsonValue* value = r.find("value");
    out.case_sensitive = r.boolean("case_sensitive").value_or(false);

    bool field_ok = false;
    if (name) {
      out.field = *name;
      resolve_field(out);
      const FieldScope scope = field_scope(out.field);
      if (scope == FieldScope::kUnknown) {
        r.error_at("field", fmt::format("unknown field '{}'{}", out.field,
                                        out.field.starts_with("custom.")
                                            ? std::string(" (custom fields are custom.<key>)")
                                            : suggestion(out.field, field_names())));
      } else if (scope == FieldScope::kRouting && place == ConditionPlace::kLeadOnly) {
        r.error_at("field",
                   fmt::format("field '{}' is only known when routing; it can be used in "
                               "route conditions, not in fit rules, territories or segments",
                               out.field));
      } else {
        field_ok = true;
      }
    }
    if (!op_name) {
      return;
    }
    const auto op_it = std::find(kOpNames.begin(), kOpNames.end(), *op_name);
    if (op_it == kOpNames.end()) {
      r.error_at("op", fmt::format("unknown operator '{}'{} (expected one of {})", *op_name,
                                   suggestion(*op_name, kOpNames), join(kOpNames)));
      return;
    }
    out.op = static_cast<Op>(op_it - kOpNames.begin());
    // Only a known field has a type to check the operator and values against.
    const FieldType type = field_type(out.id);
    operator_values(r, out, value, *op_name, field_ok ? &type : nullptr);
    // Tier and territory names are checked once all of them are known.
    if ((out.id == FieldId::kTier || out.id == FieldId::kTerritory) &&
        (out.op == Op::kEq || out.op == Op::kNe || out.op == Op::kIn || out.op == Op::kNotIn)) {
      const std::string value_path = r.path_of("value");
      const bool list = out.op == Op::kIn || out.op == Op::kNotIn;
      for (std::size_t i = 0; i < out.values.size(); ++i) {
        if (const auto* s = std::get_if<std::string>(&out.values[i])) {
          name_references_.push_back(
              {list ? json_path(value_path, i) : value_path, out.id, *s, out.case_sensitive});
        }
      }
    }
  }

  void operator_values(JsonObjectReader& r, FieldCondition& out, const JsonValue* value,
                       std::string_view op, const FieldType* type) {
    const std::string path = r.path_of("value");
    const bool text_op =
        out.op == Op::kContains || out.op == Op::kStartsWith || out.op == Op::kRegex;
    const bool order_op = out.op == Op::kGt || out.op == Op::kGte || out.op == Op::kLt ||
                          out.op == Op::kLte || out.op == Op::kBetween;
    if (type && text_op && *type != FieldType::kText) {
      r.error_at("op", fmt::format("operator '{}' needs a text field; '{}' is {}", op, out.field,
                                   type_name(*type)));
      return;
    }
    if (type && order_op && *type == FieldType::kBool) {
      r.error_at("op",
                 fmt::format("operator '{}' needs a number; '{}' is a boolean", op, out.field));
      return;
    }

    if (out.op == Op::kExists) {
      if (value != nullptr) {
        if (!value->IsBool()) {
          error(path, fmt::format("operator 'exists' takes true or false, got {}",
                                  json_type_name(*value)));
        } else {
          out.values.emplace_back(value->GetBool());
        }
      }
      return;
    }
    if (value == nullptr) {
      r.error(r.path(), fmt::format("operator '{}' needs a 'value'", op));
      return;
    }

    if (out.op == Op::kIn || out.op == Op::kNotIn || out.op == Op::kBetween) {
      if (!value->IsArray()) {
        error(path, out.op == Op::kBetween
                        ? fmt::format("operator 'between' needs an array of 2 numbers [low, high], "
                                      "got {}",
                                      json_type_name(*value))
                        : fmt::format("operator '{}' needs an array of values, got {}", op,
                                      json_type_name(*value)));
        return;
      }
      if (out.op == Op::kBetween && value->Size() != 2) {
        error(path, fmt::format("operator 'between' needs exactly 2 values [low, high], got {}",
                                value->Size()));
        return;
      }
      if (value->Size() == 0) {
        error(path, fmt::format("operator '{}' needs at least one value", op));
        return;
      }
      for (rapidjson::SizeType i = 0; i < value->Size(); ++i) {
        if (auto literal = scalar(out, (*value)[i], json_path(path, i), op, type)) {
          out.values.push_back(std::move(*literal));
        }
      }
      if (out.op == Op::kBetween && out.values.size() == 2 &&
          std::get<double>(out.values[0]) > std::get<double>(out.values[1])) {
        error(path, fmt::format("'between' needs low <= high, got [{}, {}]",
                                std::get<double>(out.values[0]), std::get<double>(out.values[1])));
      }
      return;
    }

    if (value->IsArray()) {
      error(path, fmt::format("operator '{}' takes one value, got an array{}", op,
                              out.op == Op::kEq   ? " (use 'in' for a list)"
                              : out.op == Op::kNe ? " (use 'not_in' for a list)"
                                                  : ""));
      return;
    }
    auto literal = scalar(out, *value, path, op, type);
    if (!literal) {
      return;
    }
    if (out.op == Op::kRegex) {
      auto pattern = compile_pattern(std::get<std::string>(*literal), out.case_sensitive);
      if (!pattern) {
        error(path, fmt::format("invalid regular expression '{}': {}",
                                std::get<std::string>(*literal), pattern.error()));
        return;
      }
      out.pattern = std::move(*pattern);
    }
    out.values.push_back(std::move(*literal));
  }

  // One literal of a condition, checked against what the operator and the
  // field's type accept.
  std::optional<Value> scalar(const FieldCondition& c, const JsonValue& v, const std::string& path,
                              std::string_view op, const FieldType* type) {
    if (c.op == Op::kContains || c.op == Op::kStartsWith || c.op == Op::kRegex) {
      if (!v.IsString()) {
        error(path, fmt::format("operator '{}' needs a string, got {}", op, json_type_name(v)));
        return std::nullopt;
      }
      if (v.GetStringLength() == 0) {
        error(path, fmt::format("operator '{}' needs a non-empty string", op));
        return std::nullopt;
      }
      return Value{std::string(v.GetString(), v.GetStringLength())};
    }
    if (c.op == Op::kGt || c.op == Op::kGte || c.op == Op::kLt || c.op == Op::kLte ||
        c.op == Op::kBetween) {
      if (!v.IsNumber()) {
        error(path, fmt::format("operator '{}' needs a number, got {}", op, json_type_name(v)));
        return std::nullopt;
      }
      return Value{v.GetDouble()};
    }
    // eq, ne, in, not_in: the literal has to be comparable with the field.
    if (v.IsString()) {
      if (type && *type != FieldType::kText) {
        error(path,
              fmt::format("'{}' is {}; expected {} value, got a string", c.field, type_name(*type),
                          *type == FieldType::kNumber ? "a number" : "a boolean"));
        return std::nullopt;
      }
      return Value{std::string(v.GetString(), v.GetStringLength())};
    }
    if (v.IsNumber()) {
      if (type && *type == FieldType::kBool) {
        error(path,
              fmt::format("'{}' is a boolean; expected true or false, got a number", c.field));
        return std::nullopt;
      }
      return Value{v.GetDouble()};
    }
    if (v.IsBool()) {
      // Custom fields are text that often holds "true"/"false"; fixed text
      // fields such as country never do.
      if (type && (*type == FieldType::kNumber ||
                   (*type == FieldType::kText && c.id != FieldId::kCustom))) {
        error(path, fmt::format("'{}' is {}; expected {}, got a boolean", c.field, type_name(*type),
                                *type == FieldType::kNumber ? "a number" : "a string"));
        return std::nullopt;
      }
      return Value{v.GetBool()};
    }
    error(path, fmt::format("expected a string, number or boolean, got {}", json_type_name(v)));
    return std::nullopt;
  }

  // --- destinations -----------------------------------------------------------

  std::optional<Destination> destination(const JsonValue& v, const std::string& path,
                                         bool terminal_only) {
    JsonObjectReader r(v, path, errors_);
    if (!r.is_object()) {
      return std::nullopt;
    }
    const JsonValue* pool = r.find("pool");
    const JsonValue* account_owner = r.find("account_owner");
    const JsonValue* duplicate_owner = r.find("duplicate_owner");
    const JsonValue* queue = r.find("queue");
    const JsonValue* workflow = r.find("workflow");
    r.reject_unknown_keys();
    const int forms = (pool != nullptr) + (account_owner != nullptr) +
                      (duplicate_owner != nullptr) + (queue != nullptr) + (workflow != nullptr);
    if (forms != 1) {
      r.error(path, fmt::format("a destination has exactly one of 'pool', 'account_owner', "
                                "'duplicate_owner', 'queue' or 'workflow'; found {}",
                                forms));
      return std::nullopt;
    }
    Destination out;
    if (account_owner != nullptr || duplicate_owner != nullptr) {
      const char* key = account_owner != nullptr ? "account_owner" : "duplicate_owner";
      const JsonValue& flag = account_owner != nullptr ? *account_owner : *duplicate_owner;
      if (!flag.IsBool() || !flag.GetBool()) {
        r.error_at(key, fmt::format("expected true, got {}",
                                    flag.IsBool() ? "false" : json_type_name(flag)));
        return std::nullopt;
      }
      out.kind = account_owner != nullptr ? DestinationKind::kAccountOwner
                                          : DestinationKind::kDuplicateOwner;
    } else {
      const char* key = pool != nullptr ? "pool" : queue != nullptr ? "queue" : "workflow";
      const JsonValue& target = pool != nullptr ? *pool : queue != nullptr ? *queue : *workflow;
      auto name = read_string(target, r.path_of(key), errors_);
      if (!name) {
        return std::nullopt;
      }
      if (name->empty()) {
        r.error_at(key, "must not be empty");
        return std::nullopt;
      }
      out.kind = pool != nullptr    ? DestinationKind::kPool
                 : queue != nullptr ? DestinationKind::kQueue
                                    : DestinationKind::kWorkflow;
      out.target = std::move(*name);
      if (out.kind == DestinationKind::kPool) {
        pool_references_.emplace_back(r.path_of("pool"), out.target);
      }
    }
    if (terminal_only && out.kind != DestinationKind::kQueue &&
        out.kind != DestinationKind::kWorkflow) {
      r.error(path, "must be a queue or a workflow, which can always take the lead");
      return std::nullopt;
    }
    return out;
  }

  // --- reps ---------------------------------------------------------------------

  std::vector<Rep> reps(const JsonValue& v, const std::string& path) {
    std::vector<Rep> out;
    if (!v.IsArray()) {
      error(path, fmt::format("expected an array of reps, got {}", json_type_name(v)));
      return out;
    }
    std::set<std::string, std::less<>> ids;
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      const std::string rep_path = json_path(path, i);
      if (auto r = rep(v[i], rep_path)) {
        if (!ids.insert(r->id).second) {
          error(json_path(rep_path, "id"), fmt::format("duplicate rep id '{}'", r->id));
        }
        out.push_back(std::move(*r));
      }
    }
    return out;
  }

  std::optional<Rep> rep(const JsonValue& v, const std::string& path) {
    JsonObjectReader r(v, path, errors_);
    if (!r.is_object()) {
      return std::nullopt;
    }
    Rep out;
    const std::size_t errors_before = errors_.size();
    r.string("description");
    out.id = r.string("id", Required::kYes).value_or("");
    if (r.has("id") && out.id.empty()) {
      r.error_at("id", "must not be empty");
    }
    out.name = r.string("name").value_or(out.id);
    out.email = r.string("email").value_or("");
    out.teams = r.strings("teams");
    out.territories = r.strings("territories");
    out.skills = r.strings("skills");
    out.languages = r.strings("languages");
    if (auto w = r.number("weight")) {
      if (!(*w > 0) || !std::isfinite(*w)) {
        r.error_at("weight", fmt::format("must be greater than 0, got {}", *w));
      }
      out.weight = *w;
    }
    if (const JsonValue* cap = r.find("capacity")) {
      out.capacity = capacity(*cap, r.path_of("capacity"));
    }
    if (const JsonValue* wh = r.find("working_hours")) {
      out.working_hours = working_hours(*wh, r.path_of("working_hours"));
    }
    if (const JsonValue* off = r.find("time_off")) {
      out.time_off = time_off(*off, r.path_of("time_off"));
    }
    out.active = r.boolean("active").value_or(true);
    out.manager_id = r.string("manager_id").value_or("");
    r.reject_unknown_keys();
    if (errors_.size() != errors_before) {
      return std::nullopt;
    }
    return out;
  }

  Capacity capacity(const JsonValue& v, const std::string& path) {
    Capacity out;
    JsonObjectReader r(v, path, errors_);
    auto read_cap = [&](std::string_view key) -> std::optional<int> {
      auto n = r.integer(key);
      if (n && *n < 0) {
        r.error_at(key, fmt::format("must be 0 or more, got {}", *n));
        return std::nullopt;
      }
      return n;
    };
    out.max_open = read_cap("max_open");
    out.max_per_day = read_cap("max_per_day");
    out.max_per_hour = read_cap("max_per_hour");
    r.reject_unknown_keys();
    return out;
  }

  std::optional<WorkingHours> working_hours(const JsonValue& v, const std::string& path) {
    JsonObjectReader r(v, path, errors_);
    if (!r.is_object()) {
      return std::nullopt;
    }
    WorkingHours out;
    if (auto tz = r.string("time_zone", Required::kYes)) {
      out.time_zone = *tz;
      try {
        date::locate_zone(out.time_zone);
      } catch (const std::exception&) {
        // date/tz.h reports an unknown zone by throwing; this is the edge
        // where that becomes a validation error.
        r.error_at("time_zone", fmt::format("unknown time zone '{}' (expected an IANA name such as "
                                            "'Europe/Berlin' or 'America/New_York')",
                                            out.time_zone));
      }
    }
    const JsonValue* windows = r.find("windows", Required::kYes);
    r.reject_unknown_keys();
    if (windows == nullptr) {
      return out;
    }
    const std::string windows_path = r.path_of("windows");
    if (!windows->IsArray()) {
      error(windows_path,
            fmt::format("expected an array of windows, got {}", json_type_name(*windows)));
      return out;
    }
    for (rapidjson::SizeType i = 0; i < windows->Size(); ++i) {
      window((*windows)[i], json_path(windows_path, i), out.windows);
    }
    return out;
  }

  void window(const JsonValue& v, const std::string& path, std::vector<WeeklyWindow>& out) {
    JsonObjectReader r(v, path, errors_);
    if (!r.is_object()) {
      return;
    }
    const auto days = r.strings("days", Required::kYes);
    const auto start_text = r.string("start", Required::kYes);
    const auto end_text = r.string("end", Required::kYes);
    r.reject_unknown_keys();
    // -1: missing or invalid (already reported).
    int start = -1;
    int end = -1;
    if (start_text) {
      start = parse_clock(*start_text, false).value_or(-1);
      if (start < 0) {
        r.error_at("start", fmt::format("expected a time \"HH:MM\" from 00:00 to 23:59, got '{}'",
                                        *start_text));
      }
    }
    if (end_text) {
      end = parse_clock(*end_text, true).value_or(-1);
      if (end < 0) {
        r.error_at("end", fmt::format("expected a time \"HH:MM\" from 00:01 to 24:00, got '{}'",
                                      *end_text));
      }
    }
    if (start >= 0 && end >= 0 && start >= end) {
      r.error_at("end", fmt::format("the window ends ({}) before or when it starts ({}); a window "
                                    "crossing midnight is written as two windows",
                                    *end_text, *start_text));
      start = -1;
    }
    if (r.has("days") && days.empty() && r.find("days")->IsArray()) {
      r.error_at("days", "needs at least one day");
    }
    std::vector<int> weekdays;
    for (std::size_t i = 0; i < days.size(); ++i) {
      if (auto d = parse_weekday(days[i])) {
        weekdays.push_back(*d);
      } else {
        error(json_path(r.path_of("days"), i),
              fmt::format("unknown day '{}' (expected mon, tue, wed, thu, fri, sat or sun)",
                          days[i]));
      }
    }
    if (start >= 0 && end >= 0) {
      for (const int d : weekdays) {
        out.push_back({d, start, end});
      }
    }
  }

  std::vector<TimeOff> time_off(const JsonValue& v, const std::string& path) {
    std::vector<TimeOff> out;
    if (!v.IsArray()) {
      error(path, fmt::format("expected an array of absences, got {}", json_type_name(v)));
      return out;
    }
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      JsonObjectReader r(v[i], json_path(path, i), errors_);
      if (!r.is_object()) {
        continue;
      }
      auto read_time = [&](std::string_view key) -> std::optional<Timestamp> {
        auto text = r.string(key, Required::kYes);
        if (!text) {
          return std::nullopt;
        }
        auto t = parse_iso8601(*text);
        if (!t) {
          r.error_at(key, fmt::format("expected an ISO 8601 time with offset such as "
                                      "\"2026-03-09T09:00:00Z\", got '{}'",
                                      *text));
        }
        return t;
      };
      const auto start = read_time("start");
      const auto end = read_time("end");
      std::string reason = r.string("reason").value_or("");
      r.reject_unknown_keys();
      if (start && end) {
        if (*end <= *start) {
          r.error_at("end", "time off must end after it starts");
          continue;
        }
        out.push_back({*start, *end, std::move(reason)});
      }
    }
    return out;
  }

  // --- policy sections ------------------------------------------------------

  FitConfig fit(const JsonValue& v, const std::string& path) {
    FitConfig out;
    JsonObjectReader r(v, path, errors_);
    out.base = r.number("base").value_or(0);
    if (const JsonValue* rules = r.find("rules")) {
      const std::string rules_path = r.path_of("rules");
      if (!rules->IsArray()) {
        error(rules_path,
              fmt::format("expected an array of rules, got {}", json_type_name(*rules)));
      } else {
        for (rapidjson::SizeType i = 0; i < rules->Size(); ++i) {
          const std::string rule_path = json_path(rules_path, i);
          JsonObjectReader rr((*rules)[i], rule_path, errors_);
          if (!rr.is_object()) {
            continue;
          }
          FitRule rule;
          rr.string("description");
          rule.name = rr.string("name").value_or(rule_path);
          if (const JsonValue* when = rr.find("when", Required::kYes)) {
            rule.when = condition(*when, rr.path_of("when"), ConditionPlace::kLeadOnly);
          }
          rule.points = rr.number("points", Required::kYes).value_or(0);
          rr.reject_unknown_keys();
          out.rules.push_back(std::move(rule));
        }
      }
    }
    r.reject_unknown_keys();
    return out;
  }

  IntentConfig intent(const JsonValue& v, const std::string& path) {
    IntentConfig out;
    JsonObjectReader r(v, path, errors_);
    if (const JsonValue* signals = r.find("signals")) {
      const std::string signals_path = r.path_of("signals");
      if (!signals->IsArray()) {
        error(signals_path,
              fmt::format("expected an array of signals, got {}", json_type_name(*signals)));
      } else {
        std::set<std::string, std::less<>> types;
        for (rapidjson::SizeType i = 0; i < signals->Size(); ++i) {
          JsonObjectReader sr((*signals)[i], json_path(signals_path, i), errors_);
          if (!sr.is_object()) {
            continue;
          }
          IntentSignal s;
          sr.string("description");
          s.type = sr.string("type", Required::kYes).value_or("");
          if (sr.has("type") && s.type.empty()) {
            sr.error_at("type", "must not be empty");
          } else if (!s.type.empty() && !types.insert(s.type).second) {
            sr.error_at("type", fmt::format("duplicate signal type '{}'", s.type));
          }
          s.weight = sr.number("weight", Required::kYes).value_or(0);
          if (auto h = sr.number("half_life_hours")) {
            if (!(*h > 0)) {
              sr.error_at("half_life_hours", fmt::format("must be greater than 0, got {}", *h));
            }
            s.half_life_hours = *h;
          }
          sr.reject_unknown_keys();
          out.signals.push_back(std::move(s));
        }
      }
    }
    if (auto f = r.number("full_scale")) {
      if (!(*f > 0)) {
        r.error_at("full_scale", fmt::format("must be greater than 0, got {}", *f));
      }
      out.full_scale = *f;
    }
    if (auto d = r.integer("lookback_days")) {
      if (*d < 0) {
        r.error_at("lookback_days", fmt::format("must be 0 or more, got {}", *d));
      }
      out.lookback_days = *d;
    }
    r.reject_unknown_keys();
    return out;
  }

  ScoreWeights weights(const JsonValue& v, const std::string& path) {
    ScoreWeights out;
    JsonObjectReader r(v, path, errors_);
    auto read = [&](std::string_view key, double fallback) {
      auto w = r.number(key);
      if (!w) {
        return fallback;
      }
      if (*w < 0) {
        r.error_at(key, fmt::format("must be 0 or more, got {}", *w));
      }
      return *w;
    };
    out.fit = read("fit", out.fit);
    out.intent = read("intent", out.intent);
    out.model = read("model", out.model);
    r.reject_unknown_keys();
    if (r.is_object() && out.fit <= 0 && out.intent <= 0 && out.model <= 0) {
      r.error(path, "at least one of fit, intent and model needs a weight above 0");
    }
    return out;
  }

  // "<base>_minutes" or "<base>_seconds", at most one, 0 or more: seconds.
  std::optional<std::int64_t> duration_seconds(JsonObjectReader& r, std::string_view base) {
    const std::string minutes_key = fmt::format("{}_minutes", base);
    const std::string seconds_key = fmt::format("{}_seconds", base);
    const auto minutes = r.integer(minutes_key);
    const auto seconds = r.integer(seconds_key);
    if (minutes && seconds) {
      r.error_at(seconds_key, fmt::format("give {} or {}, not both", minutes_key, seconds_key));
      return std::nullopt;
    }
    const auto& given = minutes ? minutes : seconds;
    if (!given) {
      return std::nullopt;
    }
    if (*given < 0) {
      r.error_at(minutes ? minutes_key : seconds_key,
                 fmt::format("must be 0 or more, got {}", *given));
      return std::nullopt;
    }
    return minutes ? std::int64_t{*minutes} * 60 : std::int64_t{*seconds};
  }

  std::vector<BreachStep> breach_steps(const JsonValue& v, const std::string& path) {
    std::vector<BreachStep> out;
    if (!v.IsArray()) {
      error(path, "expected an array of steps");
      return out;
    }
    bool escalated = false;
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      const std::string step_path = json_path(path, i);
      JsonObjectReader r(v[i], step_path, errors_);
      if (!r.is_object()) {
        continue;
      }
      BreachStep step;
      const auto action = r.string("action", Required::kYes);
      if (action == "remind") {
        step.action = BreachAction::kRemind;
      } else if (action == "reassign") {
        step.action = BreachAction::kReassign;
      } else if (action == "escalate") {
        step.action = BreachAction::kEscalate;
      } else if (action) {
        r.error_at("action",
                   fmt::format("expected remind, reassign or escalate, got '{}'", *action));
      }
      step.after_seconds = duration_seconds(r, "after").value_or(0);
      if (step.action == BreachAction::kEscalate) {
        if (escalated) {
          r.error_at("action", "only one escalate step is allowed");
        }
        escalated = true;
        const auto to = r.string("to");
        if (!to || *to == "manager") {
          step.to = EscalateTo::kManager;
        } else if (*to == "queue") {
          step.to = EscalateTo::kQueue;
        } else {
          r.error_at("to", fmt::format("expected manager or queue, got '{}'", *to));
        }
        if (auto queue = r.string("queue", Required::kYes)) {
          if (queue->empty()) {
            r.error_at("queue", "must not be empty");
          }
          step.queue = *queue;
        }
      } else {
        if (escalated && action) {
          r.error_at("action", "escalate ends the watch: it must be the last step");
        }
        // A misspelt action already has its error; "to"/"queue" are only
        // wrong on a step that is certainly not an escalation.
        const bool known = action == "remind" || action == "reassign";
        for (const char* key : {"to", "queue"}) {
          if (r.find(key) != nullptr && known) {
            r.error_at(key, fmt::format("only escalate steps take '{}'", key));
          }
        }
      }
      r.reject_unknown_keys();
      out.push_back(std::move(step));
    }
    return out;
  }

  std::vector<Tier> tiers(const JsonValue& v, const std::string& path) {
    std::optional<double> previous_min;
    std::string previous_name;
    auto out = named_list<Tier>(v, path, "tiers", "tier", [&](JsonObjectReader& r, Tier& t) {
      const auto min_score = r.number("min_score", Required::kYes);
      if (min_score) {
        t.min_score = *min_score;
        if (*min_score < 0 || *min_score > 100) {
          r.error_at("min_score", fmt::format("must be between 0 and 100, got {}", *min_score));
        } else if (previous_min && *min_score == *previous_min) {
          r.error_at("min_score", fmt::format("tier '{}' has the same min_score {} as tier '{}'",
                                              t.name, *min_score, previous_name));
        } else if (previous_min && *min_score > *previous_min) {
          r.error_at("min_score",
                     fmt::format("tiers must be listed from the highest min_score to the lowest; "
                                 "'{}' ({}) comes after '{}' ({})",
                                 t.name, *min_score, previous_name, *previous_min));
        }
        previous_min = *min_score;
        previous_name = t.name;
      }
      if (auto sla = duration_seconds(r, "sla")) {
        t.sla_seconds = *sla;
        t.sla_minutes = static_cast<int>((*sla + 59) / 60);
      }
      t.business_hours = r.boolean("business_hours").value_or(false);
      if (const JsonValue* steps = r.find("on_breach")) {
        t.on_breach = breach_steps(*steps, r.path_of("on_breach"));
        if (!t.on_breach.empty() && t.sla_duration_seconds() <= 0) {
          r.error_at("on_breach", "breach steps need an SLA: set sla_minutes or sla_seconds");
        }
      }
      if (auto p = r.string("task_priority")) {
        std::string upper = ascii_upper(*p);
        if (upper != "HIGH" && upper != "MEDIUM" && upper != "LOW") {
          r.error_at("task_priority", fmt::format("expected HIGH, MEDIUM or LOW, got '{}'", *p));
        }
        t.task_priority = upper;
      }
      if (const JsonValue* nurture = r.find("nurture")) {
        t.nurture = destination(*nurture, r.path_of("nurture"), true);
      }
    });
    std::stable_sort(out.begin(), out.end(),
                     [](const Tier& a, const Tier& b) { return a.min_score > b.min_score; });
    return out;
  }

  std::vector<Territory> territories(const JsonValue& v, const std::string& path) {
    return named_list<Territory>(
        v, path, "territories", "territory", [&](JsonObjectReader& r, Territory& t) {
          if (const JsonValue* when = r.find("when", Required::kYes)) {
            t.when = condition(*when, r.path_of("when"), ConditionPlace::kLeadOnly);
          }
        });
  }

  std::vector<Pool> pools(const JsonValue& v, const std::string& path) {
    auto read = [&](JsonObjectReader& r, Pool& p) {
      p.teams = r.strings("teams");
      p.reps = r.strings("reps");
      if (auto s = r.string("strategy")) {
        const auto it = std::find(kStrategyNames.begin(), kStrategyNames.end(), *s);
        if (it == kStrategyNames.end()) {
          r.error_at("strategy", fmt::format("unknown strategy '{}'{} (expected one of {})", *s,
                                             suggestion(*s, kStrategyNames), join(kStrategyNames)));
        } else {
          p.strategy = static_cast<Strategy>(it - kStrategyNames.begin());
        }
      }
    };
    auto check = [](JsonObjectReader& r, const Pool& p) {
      if (p.teams.empty() && p.reps.empty() && !r.has("teams") && !r.has("reps")) {
        r.error(r.path(), "a pool needs at least one of 'teams' or 'reps'");
      } else if (p.teams.empty() && p.reps.empty()) {
        r.error(r.path(), "a pool needs at least one team or rep");
      }
    };
    return named_list<Pool>(v, path, "pools", "pool", read, check);
  }

  std::vector<Route> routes(const JsonValue& v, const std::string& path) {
    return named_list<Route>(v, path, "routes", "route", [&](JsonObjectReader& r, Route& route) {
      if (const JsonValue* when = r.find("when")) {
        route.when = condition(*when, r.path_of("when"), ConditionPlace::kRoute);
      }
      if (const JsonValue* dest = r.find("destination", Required::kYes)) {
        if (auto d = destination(*dest, r.path_of("destination"), false)) {
          route.destination = std::move(*d);
        }
      }
      if (const JsonValue* fallbacks = r.find("fallbacks")) {
        const std::string fb_path = r.path_of("fallbacks");
        if (!fallbacks->IsArray()) {
          error(fb_path, fmt::format("expected an array of destinations, got {}",
                                     json_type_name(*fallbacks)));
        } else {
          for (rapidjson::SizeType j = 0; j < fallbacks->Size(); ++j) {
            if (auto d = destination((*fallbacks)[j], json_path(fb_path, j), false)) {
              route.fallbacks.push_back(std::move(*d));
            }
          }
        }
      }
      route.required_skills = r.strings("required_skills");
      route.match_territory = r.boolean("match_territory").value_or(false);
      route.match_language = r.boolean("match_language").value_or(false);
    });
  }

  std::vector<SegmentDimension> segments(const JsonValue& v, const std::string& path) {
    std::set<std::string, std::less<>> fields;
    auto read = [&](JsonObjectReader& r, SegmentDimension& s) {
      s.field = r.string("field", Required::kYes).value_or("");
      const FieldId id = field_id(s.field);
      const FieldScope scope = field_scope(s.field);
      if (r.has("field")) {
        if (scope == FieldScope::kUnknown) {
          r.error_at("field", fmt::format("unknown field '{}'{}", s.field,
                                          suggestion(s.field, field_names())));
        } else if (scope == FieldScope::kRouting) {
          r.error_at("field", fmt::format("field '{}' is only known when routing; segments use "
                                          "lead fields",
                                          s.field));
        } else if (!fields.insert(s.field).second) {
          r.error_at("field", fmt::format("segment field '{}' is listed twice", s.field));
        }
      }
      if (const JsonValue* bands = r.find("bands")) {
        const std::string bands_path = r.path_of("bands");
        if (!bands->IsArray()) {
          error(bands_path,
                fmt::format("expected an array of numbers, got {}", json_type_name(*bands)));
        } else {
          for (rapidjson::SizeType j = 0; j < bands->Size(); ++j) {
            if (auto b = read_number((*bands)[j], json_path(bands_path, j), errors_)) {
              if (!s.bands.empty() && *b <= s.bands.back()) {
                error(json_path(bands_path, j),
                      fmt::format("bands must be strictly ascending; {} follows {}", *b,
                                  s.bands.back()));
              }
              s.bands.push_back(*b);
            }
          }
        }
        if (scope == FieldScope::kLead && id != FieldId::kCustom &&
            field_type(id) != FieldType::kNumber) {
          error(bands_path, fmt::format("bands need a number field; '{}' is {}", s.field,
                                        type_name(field_type(id))));
        }
      }
    };
    return object_list<SegmentDimension>(v, path, "segment dimensions", read);
  }

  BestMatchConfig best_match(const JsonValue& v, const std::string& path) {
    BestMatchConfig out;
    JsonObjectReader r(v, path, errors_);
    for (const auto& [key, target] : {std::pair{"prior_strength", &out.prior_strength},
                                      std::pair{"load_penalty", &out.load_penalty}}) {
      if (auto n = r.number(key)) {
        if (*n < 0) {
          r.error_at(key, fmt::format("must be 0 or more, got {}", *n));
        }
        *target = *n;
      }
    }
    r.reject_unknown_keys();
    return out;
  }

  std::vector<std::string> free_mail_domains(JsonObjectReader& r) {
    std::vector<std::string> out;
    const auto domains = r.strings("free_mail_domains");
    for (std::size_t i = 0; i < domains.size(); ++i) {
      const std::string domain = ascii_lower(domains[i]);
      if (website_to_domain(domain) != domain || domain.find('/') != std::string::npos) {
        error(json_path(r.path_of("free_mail_domains"), i),
              fmt::format("'{}' is not a domain name such as 'gmail.com'", domains[i]));
        continue;
      }
      out.push_back(domain);
    }
    return out;
  }

  // A condition on a tier or territory that the policy does not define can
  // never match: almost always a typo.
  void check_name_references(const Policy& policy) {
    for (const auto& ref : name_references_) {
      std::vector<std::string_view> names;
      if (ref.field == FieldId::kTier) {
        for (const auto& t : policy.tiers) {
          names.push_back(t.name);
        }
      } else {
        for (const auto& t : policy.territories) {
          names.push_back(t.name);
        }
      }
      const bool known = std::any_of(names.begin(), names.end(), [&](std::string_view n) {
        return ref.case_sensitive ? n == ref.name : iequals(n, ref.name);
      });
      if (!known) {
        const char* what = ref.field == FieldId::kTier ? "tier" : "territory";
        error(ref.path, fmt::format("unknown {} '{}'{} (the policy defines {})", what, ref.name,
                                    suggestion(ref.name, names),
                                    names.empty() ? std::string("none") : join(names)));
      }
    }
  }

  void check_pool_references(const std::vector<Pool>& pools) {
    std::vector<std::string_view> names;
    for (const auto& p : pools) {
      names.push_back(p.name);
    }
    for (const auto& [path, name] : pool_references_) {
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        error(path, fmt::format("unknown pool '{}'{}", name, suggestion(name, names)));
      }
    }
  }

 private:
  // The lists in a policy are arrays of objects; `read` fills one element and
  // `check` runs after unknown keys are reported, for errors about the
  // element as a whole.
  template <class T, class Read, class Check = NoCheck>
  std::vector<T> object_list(const JsonValue& v, const std::string& path, std::string_view plural,
                             Read read, Check check = {}) {
    std::vector<T> out;
    if (!v.IsArray()) {
      error(path, fmt::format("expected an array of {}, got {}", plural, json_type_name(v)));
      return out;
    }
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      JsonObjectReader r(v[i], json_path(path, i), errors_);
      if (!r.is_object()) {
        continue;
      }
      T item;
      read(r, item);
      r.reject_unknown_keys();
      check(r, std::as_const(item));
      out.push_back(std::move(item));
    }
    return out;
  }

  // Tiers, territories, pools and routes also carry an optional description
  // and a name unique within their list.
  template <class T, class Read, class Check = NoCheck>
  std::vector<T> named_list(const JsonValue& v, const std::string& path, std::string_view plural,
                            std::string_view what, Read read, Check check = {}) {
    std::set<std::string, std::less<>> names;
    auto read_named = [&](JsonObjectReader& r, T& item) {
      r.string("description");
      item.name = r.string("name", Required::kYes).value_or("");
      check_name(r, item.name, names, what);
      read(r, item);
    };
    return object_list<T>(v, path, plural, read_named, check);
  }

  void check_name(JsonObjectReader& r, const std::string& name,
                  std::set<std::string, std::less<>>& seen, std::string_view what) {
    if (!r.has("name")) {
      return;
    }
    if (name.empty()) {
      r.error_at("name", "must not be empty");
    } else if (!seen.insert(name).second) {
      r.error_at("name", fmt::format("duplicate {} name '{}'", what, name));
    }
  }

  ValidationErrors& errors_;
  std::vector<std::pair<std::string, std::string>> pool_references_;  // (JSON path, pool name)
  struct NameReference {
    std::string path;
    FieldId field;  // kTier or kTerritory
    std::string name;
    bool case_sensitive;
  };
  std::vector<NameReference> name_references_;
};

}  // namespace

const char* to_string(BreachAction action) {
  switch (action) {
    case BreachAction::kRemind:
      return "remind";
    case BreachAction::kReassign:
      return "reassign";
    case BreachAction::kEscalate:
      return "escalate";
  }
  return "unknown";
}

const Pool* Policy::find_pool(std::string_view pool_name) const {
  for (const auto& p : pools) {
    if (p.name == pool_name) {
      return &p;
    }
  }
  return nullptr;
}

std::expected<Policy, ValidationErrors> parse_policy(std::string_view json_text) {
  ValidationErrors errors;
  const auto doc = parse_json_document(json_text, errors);
  if (!doc) {
    return std::unexpected(std::move(errors));
  }
  PolicyParser parser(errors);
  Policy policy;
  JsonObjectReader r(*doc, "", errors);
  if (!r.is_object()) {
    return std::unexpected(std::move(errors));
  }
  if (auto version = r.integer("version", Required::kYes)) {
    if (*version != 1) {
      r.error_at("version",
                 fmt::format("unsupported version {} (this leadrouter reads version 1)", *version));
    }
    policy.version = *version;
  }
  policy.name = r.string("name", Required::kYes).value_or("");
  if (r.has("name") && policy.name.empty()) {
    r.error_at("name", "must not be empty");
  }
  r.string("description");
  if (const JsonValue* v = r.find("fit")) {
    policy.fit = parser.fit(*v, r.path_of("fit"));
  }
  if (const JsonValue* v = r.find("intent")) {
    policy.intent = parser.intent(*v, r.path_of("intent"));
  }
  if (const JsonValue* v = r.find("weights")) {
    policy.weights = parser.weights(*v, r.path_of("weights"));
  }
  if (const JsonValue* v = r.find("tiers")) {
    policy.tiers = parser.tiers(*v, r.path_of("tiers"));
  }
  if (const JsonValue* v = r.find("territories")) {
    policy.territories = parser.territories(*v, r.path_of("territories"));
  }
  if (const JsonValue* v = r.find("pools")) {
    policy.pools = parser.pools(*v, r.path_of("pools"));
  }
  if (const JsonValue* v = r.find("routes")) {
    policy.routes = parser.routes(*v, r.path_of("routes"));
  }
  if (const JsonValue* v = r.find("final_fallback")) {
    if (auto d = parser.destination(*v, r.path_of("final_fallback"), true)) {
      policy.final_fallback = std::move(*d);
    }
  }
  if (const JsonValue* v = r.find("segments")) {
    policy.segments = parser.segments(*v, r.path_of("segments"));
  }
  if (const JsonValue* v = r.find("best_match")) {
    policy.best_match = parser.best_match(*v, r.path_of("best_match"));
  }
  policy.extra_free_mail_domains = parser.free_mail_domains(r);
  if (const JsonValue* v = r.find("reps")) {
    policy.reps = parser.reps(*v, r.path_of("reps"));
  }
  r.reject_unknown_keys();
  parser.check_pool_references(policy.pools);
  parser.check_name_references(policy);
  if (!errors.empty()) {
    return std::unexpected(std::move(errors));
  }
  return policy;
}

std::expected<std::vector<Rep>, ValidationErrors> parse_roster(std::string_view json_text) {
  ValidationErrors errors;
  const auto doc = parse_json_document(json_text, errors);
  if (!doc) {
    return std::unexpected(std::move(errors));
  }
  PolicyParser parser(errors);
  JsonObjectReader r(*doc, "", errors);
  std::vector<Rep> reps;
  r.string("description");
  if (const JsonValue* v = r.find("reps", Required::kYes)) {
    reps = parser.reps(*v, r.path_of("reps"));
  }
  r.reject_unknown_keys();
  if (!errors.empty()) {
    return std::unexpected(std::move(errors));
  }
  return reps;
}

}  // namespace leadrouter::core
