#include "core/backtest/history.hpp"

#include <fmt/core.h>
#include <rapidjson/document.h>

#include <cmath>
#include <optional>
#include <utility>

#include "core/lead_json.hpp"
#include "core/model/csv_table.hpp"
#include "core/text.hpp"
#include "core/time.hpp"

namespace leadrouter::backtest {

namespace {

// Calls `fn(line_number, line)` for every non-blank line.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (trim(line).empty()) {
      continue;
    }
    fn(line_no, line);
  }
}

std::string where(std::string_view source, std::size_t line) {
  return fmt::format("{}:{}", source, line);
}

// Ids must be unique (outcomes join on them) and every lead needs the moment
// it arrived; both problems name the line.
class LeadChecker {
 public:
  explicit LeadChecker(ValidationErrors& errors) : errors_(errors) {}

  bool accept(const core::Lead& lead, const std::string& at, std::string_view id_field,
              std::string_view created_field) {
    const bool unique = unique_id(lead.id, at, id_field);
    return dated(lead, at, created_field) && unique;
  }

  bool unique_id(const std::string& id, const std::string& at, std::string_view id_field) {
    const auto [it, inserted] = first_.emplace(id, at);
    if (!inserted) {
      errors_.push_back({fmt::format("{}: {}", at, id_field),
                         fmt::format("duplicate lead id '{}' (first at {})", id, it->second)});
    }
    return inserted;
  }

  bool dated(const core::Lead& lead, const std::string& at, std::string_view created_field) {
    if (!lead.created_at) {
      errors_.push_back({fmt::format("{}: {}", at, created_field),
                         "created_at is missing: a backtest decides each lead at the moment it "
                         "was created"});
      return false;
    }
    return true;
  }

 private:
  ValidationErrors& errors_;
  std::map<std::string, std::string> first_;
};

std::optional<bool> parse_converted(std::string_view text) {
  const std::string v = ascii_lower(trim(text));
  if (v == "true" || v == "1" || v == "yes") {
    return true;
  }
  if (v == "false" || v == "0" || v == "no") {
    return false;
  }
  return std::nullopt;
}

// Sets the lead field named `column` from `cell`; an error message when the
// cell does not fit the field.
std::optional<std::string> set_field(core::Lead& lead, const std::string& column,
                                     std::string_view cell) {
  const std::string value(trim(cell));
  const std::pair<const char*, std::string core::Lead::*> strings[] = {
      {"id", &core::Lead::id},
      {"source_system", &core::Lead::source_system},
      {"object_type", &core::Lead::object_type},
      {"email", &core::Lead::email},
      {"first_name", &core::Lead::first_name},
      {"last_name", &core::Lead::last_name},
      {"title", &core::Lead::title},
      {"company", &core::Lead::company},
      {"website", &core::Lead::website},
      {"country", &core::Lead::country},
      {"state", &core::Lead::state},
      {"city", &core::Lead::city},
      {"industry", &core::Lead::industry},
      {"lead_source", &core::Lead::lead_source},
      {"language", &core::Lead::language},
  };
  for (const auto& [name, member] : strings) {
    if (column == name) {
      lead.*member = value;
      return std::nullopt;
    }
  }
  if (value.empty()) {
    return std::nullopt;
  }
  if (column == "employees") {
    const auto n = parse_number(value);
    if (!n || *n < 0 || std::floor(*n) != *n || *n > 1e15) {
      return fmt::format("'{}' is not a whole number of employees", value);
    }
    lead.employees = static_cast<std::int64_t>(*n);
    return std::nullopt;
  }
  if (column == "annual_revenue") {
    const auto n = parse_number(value);
    if (!n || !std::isfinite(*n)) {
      return fmt::format("'{}' is not a number", value);
    }
    lead.annual_revenue = *n;
    return std::nullopt;
  }
  if (column == "created_at") {
    const auto t = parse_iso8601(value);
    if (!t) {
      return fmt::format("'{}' is not an ISO 8601 time such as 2026-03-08T09:30:00Z", value);
    }
    lead.created_at = *t;
    return std::nullopt;
  }
  const std::string key = column.starts_with("custom.") ? column.substr(7) : column;
  lead.custom[key] = value;
  return std::nullopt;
}

}  // namespace

bool is_csv_path(std::string_view path) {
  return path.size() >= 4 && ascii_lower(path.substr(path.size() - 4)) == ".csv";
}

std::expected<std::vector<core::Lead>, ValidationErrors> leads_from_jsonl(
    std::string_view text, std::string_view source_name) {
  std::vector<core::Lead> leads;
  ValidationErrors errors;
  LeadChecker checker(errors);
  for_each_line(text, [&](std::size_t line_no, std::string_view line) {
    const std::string at = where(source_name, line_no);
    auto lead = core::lead_from_json(line);
    if (!lead) {
      for (auto& e : lead.error()) {
        errors.push_back({e.path.empty() ? at : at + ": " + e.path, std::move(e.reason)});
      }
      return;
    }
    if (checker.accept(*lead, at, "/id", "/created_at")) {
      leads.push_back(std::move(*lead));
    }
  });
  if (errors.empty() && leads.empty()) {
    errors.push_back({std::string(source_name), "no leads (expected one JSON object per line)"});
  }
  if (!errors.empty()) {
    return std::unexpected(std::move(errors));
  }
  return leads;
}

std::expected<std::vector<core::Lead>, ValidationErrors> leads_from_csv(
    std::string_view text, std::string_view source_name) {
  // Every column is read as text: the fields decide how their cells parse.
  auto table = model::CsvTable::parse(text, {}, source_name);
  if (!table) {
    return std::unexpected(ValidationErrors{{std::string(source_name), table.error().message}});
  }
  const auto id_column = table->column_index("id");
  const auto created_column = table->column_index("created_at");
  ValidationErrors errors;
  if (!id_column) {
    errors.push_back({where(source_name, 1), "the header has no 'id' column"});
  }
  if (!created_column) {
    errors.push_back({where(source_name, 1),
                      "the header has no 'created_at' column: a backtest decides each lead at the "
                      "moment it was created"});
  }
  if (!errors.empty()) {
    return std::unexpected(std::move(errors));
  }
  std::vector<core::Lead> leads;
  LeadChecker checker(errors);
  for (std::size_t row = 0; row < table->rows(); ++row) {
    const std::string at = where(source_name, table->line_of(row));
    core::Lead lead;
    lead.source_system = "file";
    bool ok = true;
    for (std::size_t c = 0; c < table->columns(); ++c) {
      const std::string& column = table->column_names()[c];
      if (auto problem = set_field(lead, column, table->text(row, c))) {
        errors.push_back({fmt::format("{}: column '{}'", at, column), std::move(*problem)});
        ok = false;
      }
    }
    if (lead.id.empty()) {
      errors.push_back({at + ": column 'id'", "the lead has no id"});
      continue;
    }
    // A row with a bad cell still claims its id, so a later duplicate is named.
    if (!ok) {
      checker.unique_id(lead.id, at, "column 'id'");
      continue;
    }
    if (checker.accept(lead, at, "column 'id'", "column 'created_at'")) {
      leads.push_back(std::move(lead));
    }
  }
  if (!errors.empty()) {
    return std::unexpected(std::move(errors));
  }
  return leads;
}

std::expected<Outcomes, ValidationErrors> outcomes_from_csv(std::string_view text,
                                                            std::string_view source_name) {
  auto table = model::CsvTable::parse(text, {}, source_name);
  if (!table) {
    return std::unexpected(ValidationErrors{{std::string(source_name), table.error().message}});
  }
  const auto id_column = table->column_index("lead_id");
  const auto converted_column = table->column_index("converted");
  if (!id_column || !converted_column) {
    return std::unexpected(ValidationErrors{
        {where(source_name, 1), "the header needs the columns 'lead_id' and 'converted'"}});
  }
  Outcomes outcomes;
  ValidationErrors errors;
  for (std::size_t row = 0; row < table->rows(); ++row) {
    const std::string at = where(source_name, table->line_of(row));
    const std::string id(trim(table->text(row, *id_column)));
    const auto converted = parse_converted(table->text(row, *converted_column));
    if (id.empty()) {
      errors.push_back({at + ": column 'lead_id'", "empty lead id"});
    } else if (!converted) {
      errors.push_back(
          {at + ": column 'converted'",
           fmt::format("'{}' is not true, false, 1 or 0", table->text(row, *converted_column))});
    } else if (!outcomes.emplace(id, *converted).second) {
      errors.push_back({at + ": column 'lead_id'", fmt::format("lead '{}' appears twice", id)});
    }
  }
  if (!errors.empty()) {
    return std::unexpected(std::move(errors));
  }
  return outcomes;
}

std::expected<Outcomes, ValidationErrors> outcomes_from_jsonl(std::string_view text,
                                                              std::string_view source_name) {
  Outcomes outcomes;
  ValidationErrors errors;
  for_each_line(text, [&](std::size_t line_no, std::string_view line) {
    const std::string at = where(source_name, line_no);
    rapidjson::Document doc;
    doc.Parse(line.data(), line.size());
    if (doc.HasParseError() || !doc.IsObject()) {
      errors.push_back({at, "not a JSON object"});
      return;
    }
    const auto id = doc.FindMember("lead_id");
    if (id == doc.MemberEnd() || !id->value.IsString() || id->value.GetStringLength() == 0) {
      errors.push_back({at + ": /lead_id", "missing or not a non-empty string"});
      return;
    }
    const auto c = doc.FindMember("converted");
    std::optional<bool> converted;
    if (c != doc.MemberEnd()) {
      if (c->value.IsBool()) {
        converted = c->value.GetBool();
      } else if (c->value.IsInt() && (c->value.GetInt() == 0 || c->value.GetInt() == 1)) {
        converted = c->value.GetInt() == 1;
      } else if (c->value.IsString()) {
        converted = parse_converted(c->value.GetString());
      }
    }
    if (!converted) {
      errors.push_back({at + ": /converted", "missing or not true, false, 1 or 0"});
      return;
    }
    if (!outcomes.emplace(id->value.GetString(), *converted).second) {
      errors.push_back(
          {at + ": /lead_id", fmt::format("lead '{}' appears twice", id->value.GetString())});
    }
  });
  if (!errors.empty()) {
    return std::unexpected(std::move(errors));
  }
  return outcomes;
}

}  // namespace leadrouter::backtest
