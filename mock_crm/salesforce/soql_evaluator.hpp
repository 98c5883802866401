// Runs a parsed SOQL query over records: resolves names against the schema
// (INVALID_TYPE, INVALID_FIELD, INVALID_QUERY_FILTER_OPERATOR as Salesforce
// reports them), filters, orders, applies OFFSET and LIMIT. "Now" is given,
// so TODAY and LAST_N_DAYS:n are deterministic in tests.
//
//   auto eval = SoqlEvaluator::create(*SoqlParser::parse(text), schema, now);
//   if (eval) rows = eval->run(candidates);
#pragma once

#include <expected>
#include <vector>

#include "mock_crm/salesforce/salesforce_datetime.hpp"
#include "mock_crm/salesforce/salesforce_error.hpp"
#include "mock_crm/salesforce/sobject_record.hpp"
#include "mock_crm/salesforce/sobject_schema.hpp"
#include "mock_crm/salesforce/soql_query.hpp"

namespace leadrouter::mock_crm::salesforce {

class SoqlEvaluator {
 public:
  static std::expected<SoqlEvaluator, SfError> create(SoqlQuery query, const SObjectSchema& schema,
                                                      DateTime now);

  const SObjectDef& object() const { return *object_; }
  const std::vector<const FieldDef*>& fields() const { return fields_; }
  const SoqlQuery& query() const { return query_; }

  bool matches(const SObjectRecord& record) const;
  // Strict weak order of ORDER BY; records equal on every key keep their order.
  bool before(const SObjectRecord& a, const SObjectRecord& b) const;

  // Filter, order, then OFFSET and LIMIT.
  std::vector<const SObjectRecord*> run(const std::vector<const SObjectRecord*>& candidates) const;
  // How many candidates match, ignoring OFFSET and LIMIT (COUNT() applies LIMIT itself).
  std::size_t count(const std::vector<const SObjectRecord*>& candidates) const;

 private:
  SoqlEvaluator() = default;
  bool evaluate(const Condition& c, const SObjectRecord& record) const;
  bool compare(const Comparison& c, const SObjectRecord& record) const;

  SoqlQuery query_;
  const SObjectDef* object_ = nullptr;
  std::vector<const FieldDef*> fields_;
  DateTime now_{};
};

// SOQL LIKE: case-insensitive, % any run, _ one character, \% and \_ literal.
bool soql_like(std::string_view value, std::string_view pattern);

}  // namespace leadrouter::mock_crm::salesforce
