#include "mock_crm/hubspot/search_request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "mock_crm/time_format.hpp"

namespace leadrouter::mock_crm::hubspot {
namespace {

const std::vector<std::string> kOperators = {"EQ",
                                             "NEQ",
                                             "LT",
                                             "LTE",
                                             "GT",
                                             "GTE",
                                             "BETWEEN",
                                             "IN",
                                             "NOT_IN",
                                             "HAS_PROPERTY",
                                             "NOT_HAS_PROPERTY",
                                             "CONTAINS_TOKEN",
                                             "NOT_CONTAINS_TOKEN"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<double> as_number(const std::string& s) {
  if (s.empty()) {
    return std::nullopt;
  }
  if (auto ms = parse_ms_or_iso(s)) {
    return static_cast<double>(*ms);
  }
  double v = 0;
  const char* begin = s.data();
  if (*begin == '+') {
    ++begin;
  }
  auto r = std::from_chars(begin, s.data() + s.size(), v);
  if (r.ec == std::errc{} && r.ptr == s.data() + s.size()) {
    return v;
  }
  return std::nullopt;
}

// Filter values may be JSON strings, numbers or booleans; HubSpot treats them as strings.
std::optional<std::string> scalar_text(const rapidjson::Value& v) {
  if (v.IsDouble()) {
    return std::to_string(v.GetDouble());
  }
  return exact_scalar_text(v);
}

const std::string* property_value(const Record& r, const std::string& name) {
  auto it = r.properties.find(name);
  if (it == r.properties.end() || it->second.empty()) {
    return nullptr;
  }
  return &it->second;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative '*' matching, case-insensitive (callers pass lowercase).
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

// HubSpot tokenizes text on whitespace and punctuation; a token filter
// matches one token, or with '*' wildcards a token or the whole value.
bool contains_token(const std::string& value, const std::string& token) {
  std::string v = lower(value);
  std::string pattern = lower(token);
  if (pattern.find('*') != std::string::npos && glob_match(pattern, v)) {
    return true;
  }
  std::vector<std::string> tokens;
  std::string current;
  for (char c : v) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_') {
      current.push_back(c);
    } else if (!current.empty()) {
      tokens.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) {
    tokens.push_back(current);
  }
  // Whitespace-separated words count as tokens too, so "ada@x.com" matches itself.
  std::string word;
  for (char c : v + " ") {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      if (!word.empty()) {
        tokens.push_back(word);
      }
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  return std::any_of(tokens.begin(), tokens.end(),
                     [&](const std::string& tk) { return glob_match(pattern, tk); });
}

bool association_matches(const Record& r, const std::string& property, const std::string& id) {
  // "associations.contact" -> the record's "contacts" associations.
  std::string type = property.substr(std::string("associations.").size());
  std::string plural = type == "company" ? "companies" : type + "s";
  auto it = r.associations.find(plural);
  if (it == r.associations.end()) {
    return false;
  }
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](std::uint64_t a) { return std::to_string(a) == id; });
}

}  // namespace

int compare_values(const std::string& a, const std::string& b) {
  auto na = as_number(a);
  auto nb = as_number(b);
  if (na && nb) {
    return *na < *nb ? -1 : (*na > *nb ? 1 : 0);
  }
  std::string la = lower(a);
  std::string lb = lower(b);
  return la < lb ? -1 : (la > lb ? 1 : 0);
}

std::expected<SearchRequest, std::string> parse_search_request(const rapidjson::Value& body,
                                                               const SearchLimits& limits) {
  if (!body.IsObject()) {
    return std::unexpected("Invalid input JSON: the search request must be a JSON object");
  }
  SearchRequest req;
  int total_filters = 0;
  if (auto it = body.FindMember("filterGroups"); it != body.MemberEnd()) {
    if (!it->value.IsArray()) {
      return std::unexpected("filterGroups: expected an array");
    }
    if (static_cast<int>(it->value.Size()) > limits.max_groups) {
      return std::unexpected("Too many filter groups (" + std::to_string(it->value.Size()) +
                             "). The maximum number of filter groups is " +
                             std::to_string(limits.max_groups) + ".");
    }
    for (rapidjson::SizeType g = 0; g < it->value.Size(); ++g) {
      const auto& group = it->value[g];
      std::string where = "filterGroups[" + std::to_string(g) + "]";
      auto filters = group.IsObject() ? group.FindMember("filters") : group.MemberEnd();
      if (!group.IsObject() || filters == group.MemberEnd() || !filters->value.IsArray()) {
        return std::unexpected(where + ": expected an object with a \"filters\" array");
      }
      if (static_cast<int>(filters->value.Size()) > limits.max_filters_per_group) {
        return std::unexpected(where + ": too many filters (" +
                               std::to_string(filters->value.Size()) +
                               "). The maximum number of filters per group is " +
                               std::to_string(limits.max_filters_per_group) + ".");
      }
      std::vector<SearchFilter> parsed;
      for (rapidjson::SizeType f = 0; f < filters->value.Size(); ++f) {
        const auto& jf = filters->value[f];
        std::string fwhere = where + ".filters[" + std::to_string(f) + "]";
        if (!jf.IsObject()) {
          return std::unexpected(fwhere + ": expected an object");
        }
        SearchFilter sf;
        auto pn = jf.FindMember("propertyName");
        if (pn == jf.MemberEnd() || !pn->value.IsString() || pn->value.GetStringLength() == 0) {
          return std::unexpected(fwhere + ".propertyName: required string");
        }
        sf.property = pn->value.GetString();
        auto op = jf.FindMember("operator");
        if (op == jf.MemberEnd() || !op->value.IsString()) {
          return std::unexpected(fwhere + ".operator: required string");
        }
        sf.op = op->value.GetString();
        if (std::find(kOperators.begin(), kOperators.end(), sf.op) == kOperators.end()) {
          return std::unexpected(fwhere + ".operator: unknown operator '" + sf.op + "'");
        }
        if (auto v = jf.FindMember("value"); v != jf.MemberEnd() && !v->value.IsNull()) {
          sf.value = scalar_text(v->value);
          if (!sf.value) {
            return std::unexpected(fwhere + ".value: expected a string");
          }
        }
        if (auto v = jf.FindMember("highValue"); v != jf.MemberEnd() && !v->value.IsNull()) {
          sf.high_value = scalar_text(v->value);
          if (!sf.high_value) {
            return std::unexpected(fwhere + ".highValue: expected a string");
          }
        }
        if (auto v = jf.FindMember("values"); v != jf.MemberEnd()) {
          if (!v->value.IsArray()) {
            return std::unexpected(fwhere + ".values: expected an array of strings");
          }
          for (const auto& item : v->value.GetArray()) {
            auto text = scalar_text(item);
            if (!text) {
              return std::unexpected(fwhere + ".values: expected an array of strings");
            }
            sf.values.push_back(*text);
          }
        }
        bool needs_value = sf.op != "HAS_PROPERTY" && sf.op != "NOT_HAS_PROPERTY" &&
                           sf.op != "IN" && sf.op != "NOT_IN";
        if (needs_value && !sf.value) {
          return std::unexpected(fwhere + ": operator " + sf.op + " requires a value");
        }
        if (sf.op == "BETWEEN" && !sf.high_value) {
          return std::unexpected(fwhere + ": operator BETWEEN requires highValue");
        }
        if ((sf.op == "IN" || sf.op == "NOT_IN") && sf.values.empty()) {
          return std::unexpected(fwhere + ": operator " + sf.op + " requires values");
        }
        parsed.push_back(std::move(sf));
        ++total_filters;
      }
      req.groups.push_back(std::move(parsed));
    }
    if (total_filters > limits.max_filters_total) {
      return std::unexpected("Too many filters (" + std::to_string(total_filters) +
                             "). The maximum number of filters across all groups is " +
                             std::to_string(limits.max_filters_total) + ".");
    }
  }
  if (auto it = body.FindMember("sorts"); it != body.MemberEnd()) {
    if (!it->value.IsArray()) {
      return std::unexpected("sorts: expected an array");
    }
    if (it->value.Size() > 1) {
      return std::unexpected("sorts: only one sort is supported per search");
    }
    if (it->value.Size() == 1) {
      const auto& s = it->value[0];
      if (s.IsString()) {
        // The spec's string form: "propertyName" or "-propertyName" for descending.
        std::string text = s.GetString();
        req.sort_ascending = !text.starts_with('-');
        req.sort_property = req.sort_ascending ? text : text.substr(1);
      } else if (s.IsObject()) {
        auto pn = s.FindMember("propertyName");
        if (pn == s.MemberEnd() || !pn->value.IsString()) {
          return std::unexpected("sorts[0].propertyName: required string");
        }
        req.sort_property = pn->value.GetString();
        if (auto d = s.FindMember("direction"); d != s.MemberEnd()) {
          std::string dir = d->value.IsString() ? d->value.GetString() : "";
          if (dir != "ASCENDING" && dir != "DESCENDING") {
            return std::unexpected("sorts[0].direction: expected ASCENDING or DESCENDING");
          }
          req.sort_ascending = dir == "ASCENDING";
        }
      } else {
        return std::unexpected("sorts[0]: expected an object");
      }
    }
  }
  if (auto it = body.FindMember("properties"); it != body.MemberEnd()) {
    if (!it->value.IsArray()) {
      return std::unexpected("properties: expected an array of property names");
    }
    std::vector<std::string> props;
    for (const auto& p : it->value.GetArray()) {
      if (!p.IsString()) {
        return std::unexpected("properties: expected an array of property names");
      }
      props.emplace_back(p.GetString());
    }
    if (!props.empty()) {
      req.properties = std::move(props);
    }
  }
  if (auto it = body.FindMember("limit"); it != body.MemberEnd()) {
    if (!it->value.IsInt() || it->value.GetInt() < 1) {
      return std::unexpected("limit: expected a positive integer");
    }
    if (it->value.GetInt() > limits.max_limit) {
      return std::unexpected("limit: must be at most " + std::to_string(limits.max_limit));
    }
    req.limit = it->value.GetInt();
  }
  if (auto it = body.FindMember("after"); it != body.MemberEnd() && !it->value.IsNull()) {
    auto text = scalar_text(it->value);
    std::int64_t after = -1;
    if (text && !text->empty()) {
      auto r = std::from_chars(text->data(), text->data() + text->size(), after);
      if (r.ec != std::errc{} || r.ptr != text->data() + text->size()) {
        after = -1;
      }
    } else if (text) {
      after = 0;
    }
    if (after < 0) {
      return std::unexpected("after: expected a non-negative integer offset");
    }
    req.after = after;
  }
  if (auto it = body.FindMember("query"); it != body.MemberEnd()) {
    if (!it->value.IsString()) {
      return std::unexpected("query: expected a string");
    }
    req.query = it->value.GetString();
  }
  return req;
}

bool filter_matches(const Record& record, const SearchFilter& f) {
  if (f.property.starts_with("associations.")) {
    bool hit = f.value && association_matches(record, f.property, *f.value);
    if (f.op == "EQ") {
      return hit;
    }
    if (f.op == "NEQ") {
      return !hit;
    }
    if (f.op == "IN" || f.op == "NOT_IN") {
      bool any = std::any_of(f.values.begin(), f.values.end(), [&](const std::string& v) {
        return association_matches(record, f.property, v);
      });
      return f.op == "IN" ? any : !any;
    }
    return false;
  }
  const std::string* v = property_value(record, f.property);
  const std::string& op = f.op;
  if (op == "HAS_PROPERTY") {
    return v != nullptr;
  }
  if (op == "NOT_HAS_PROPERTY") {
    return v == nullptr;
  }
  if (op == "NEQ") {
    return v == nullptr || compare_values(*v, *f.value) != 0;
  }
  if (op == "NOT_IN") {
    return v == nullptr || std::none_of(f.values.begin(), f.values.end(),
                                        [&](const auto& x) { return compare_values(*v, x) == 0; });
  }
  if (op == "NOT_CONTAINS_TOKEN") {
    return v == nullptr || !contains_token(*v, *f.value);
  }
  if (v == nullptr) {
    return false;
  }
  if (op == "EQ") {
    return compare_values(*v, *f.value) == 0;
  }
  if (op == "LT") {
    return compare_values(*v, *f.value) < 0;
  }
  if (op == "LTE") {
    return compare_values(*v, *f.value) <= 0;
  }
  if (op == "GT") {
    return compare_values(*v, *f.value) > 0;
  }
  if (op == "GTE") {
    return compare_values(*v, *f.value) >= 0;
  }
  if (op == "BETWEEN") {
    return compare_values(*v, *f.value) >= 0 && compare_values(*v, *f.high_value) <= 0;
  }
  if (op == "IN") {
    return std::any_of(f.values.begin(), f.values.end(),
                       [&](const auto& x) { return compare_values(*v, x) == 0; });
  }
  if (op == "CONTAINS_TOKEN") {
    return contains_token(*v, *f.value);
  }
  return false;
}

bool search_matches(const Record& record, const SearchRequest& request, const ObjectType& type) {
  if (record.archived) {
    return false;
  }
  if (!request.query.empty()) {
    bool hit = std::any_of(type.text_properties.begin(), type.text_properties.end(),
                           [&](const std::string& p) {
                             const std::string* v = property_value(record, p);
                             if (v == nullptr) {
                               return false;
                             }
                             // Free text matches a prefix of a token or of the whole value.
                             return contains_token(*v, request.query + "*") ||
                                    lower(*v).find(lower(request.query)) != std::string::npos;
                           });
    if (!hit) {
      return false;
    }
  }
  if (request.groups.empty()) {
    return true;
  }
  return std::any_of(request.groups.begin(), request.groups.end(), [&](const auto& group) {
    return std::all_of(group.begin(), group.end(),
                       [&](const SearchFilter& f) { return filter_matches(record, f); });
  });
}

void sort_results(std::vector<const Record*>& records, const SearchRequest& request,
                  const ObjectType& type) {
  const std::string& prop = request.sort_property ? *request.sort_property : type.created_property;
  bool asc = request.sort_property ? request.sort_ascending : true;
  std::stable_sort(records.begin(), records.end(), [&](const Record* a, const Record* b) {
    const std::string* va = property_value(*a, prop);
    const std::string* vb = property_value(*b, prop);
    if ((va == nullptr) != (vb == nullptr)) {
      return va != nullptr;  // records without the property come last either way
    }
    if (va != nullptr) {
      int c = compare_values(*va, *vb);
      if (c != 0) {
        return asc ? c < 0 : c > 0;
      }
    }
    return a->id < b->id;
  });
}

}  // namespace leadrouter::mock_crm::hubspot
