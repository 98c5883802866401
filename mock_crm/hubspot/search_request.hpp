// HubSpot CRM search (POST /crm/v3/objects/{type}/search): the request parsed
// and validated as HubSpot does, filter evaluation (AND inside a group, OR
// across groups) and the result order.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "mock_crm/hubspot/hubspot_records.hpp"

namespace leadrouter::mock_crm::hubspot {

struct SearchLimits {
  int max_groups = 5;
  int max_filters_per_group = 6;
  int max_filters_total = 18;
  int max_limit = 200;
  std::size_t max_body_chars = 3000;
};

struct SearchFilter {
  std::string property;
  std::string op;  // EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, ...
  std::optional<std::string> value;
  std::optional<std::string> high_value;
  std::vector<std::string> values;
};

struct SearchRequest {
  std::vector<std::vector<SearchFilter>> groups;
  std::optional<std::string> sort_property;
  bool sort_ascending = true;
  std::optional<std::vector<std::string>> properties;  // nullopt: the type's defaults
  int limit = 10;
  std::int64_t after = 0;  // offset into the ordered results
  std::string query;
};

// Errors are HubSpot VALIDATION_ERROR messages.
std::expected<SearchRequest, std::string> parse_search_request(const rapidjson::Value& body,
                                                               const SearchLimits& limits);

bool filter_matches(const Record& record, const SearchFilter& filter);
bool search_matches(const Record& record, const SearchRequest& request, const ObjectType& type);

// Sorts by the request's sort (missing values last), else oldest-created
// first; ties break on the numeric id so paging never skips or repeats.
void sort_results(std::vector<const Record*>& records, const SearchRequest& request,
                  const ObjectType& type);

// -1, 0, 1: numerically when both are numbers or dates (epoch ms or ISO),
// else case-insensitively as text.
int compare_values(const std::string& a, const std::string& b);

}  // namespace leadrouter::mock_crm::hubspot
