#include "core/json_reader.hpp"

#include <fmt/format.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace leadrouter::core {
namespace {

std::string_view member_name(const rapidjson::Value& name) {
  return {name.GetString(), name.GetStringLength()};
}

}  // namespace

std::size_t typo_distance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic-programming table suffice for transpositions.
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    previous[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::size_t typo_tolerance(std::string_view given) {
  return given.size() <= 3 ? 1 : std::max<std::size_t>(2, given.size() / 4);
}

std::string json_path(std::string_view base, std::string_view key) {
  std::string out(base);
  out += '/';
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string json_path(std::string_view base, std::size_t index) {
  return fmt::format("{}/{}", base, index);
}

const char* json_type_name(const rapidjson::Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "a boolean";
    case rapidjson::kObjectType:
      return "an object";
    case rapidjson::kArrayType:
      return "an array";
    case rapidjson::kStringType:
      return "a string";
    case rapidjson::kNumberType:
      return "a number";
  }
  return "an unknown value";
}

std::unique_ptr<rapidjson::Document> parse_json_document(std::string_view text,
                                                         ValidationErrors& errors) {
  auto doc = std::make_unique<rapidjson::Document>();
  // Iterative parsing: nesting depth in the input cannot exhaust the stack.
  doc->Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseIterativeFlag>(text.data(),
                                                                                  text.size());
  if (!doc->HasParseError()) {
    return doc;
  }
  const std::size_t offset = std::min(doc->GetErrorOffset(), text.size());
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  errors.push_back(
      {fmt::format("line {}, column {}", line, column),
       fmt::format("invalid JSON: {}", rapidjson::GetParseError_En(doc->GetParseError()))});
  return nullptr;
}

JsonObjectReader::JsonObjectReader(const rapidjson::Value& value, std::string path,
                                   ValidationErrors& errors)
    : path_(std::move(path)), errors_(errors) {
  if (value.IsObject()) {
    object_ = &value;
  } else {
    error(path_, fmt::format("expected an object, got {}", json_type_name(value)));
  }
}

void JsonObjectReader::error(std::string path, std::string reason) {
  errors_.push_back({std::move(path), std::move(reason)});
}

const rapidjson::Value* JsonObjectReader::find(std::string_view key, Required required) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
    known_.emplace_back(key);
  }
  if (object_ == nullptr) {
    return nullptr;
  }
  for (auto it = object_->MemberBegin(); it != object_->MemberEnd(); ++it) {
    if (member_name(it->name) == key) {
      return &it->value;
    }
  }
  if (required == Required::kYes) {
    error(path_, fmt::format("missing required key '{}'", key));
  }
  return nullptr;
}

bool JsonObjectReader::has(std::string_view key) {
  return find(key) != nullptr;
}

std::optional<std::string> JsonObjectReader::string(std::string_view key, Required required) {
  const rapidjson::Value* v = find(key, required);
  if (v == nullptr) {
    return std::nullopt;
  }
  return read_string(*v, path_of(key), errors_);
}

std::optional<double> JsonObjectReader::number(std::string_view key, Required required) {
  const rapidjson::Value* v = find(key, required);
  if (v == nullptr) {
    return std::nullopt;
  }
  return read_number(*v, path_of(key), errors_);
}

std::optional<int> JsonObjectReader::integer(std::string_view key, Required required) {
  const rapidjson::Value* v = find(key, required);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (v->IsInt()) {
    return v->GetInt();
  }
  if (v->IsNumber()) {
    const double d = v->GetDouble();
    if (std::trunc(d) == d && std::fabs(d) <= std::numeric_limits<int>::max()) {
      return static_cast<int>(d);
    }
    error_at(key, fmt::format("expected a whole number, got {}", d));
    return std::nullopt;
  }
  error_at(key, fmt::format("expected a whole number, got {}", json_type_name(*v)));
  return std::nullopt;
}

std::optional<bool> JsonObjectReader::boolean(std::string_view key, Required required) {
  const rapidjson::Value* v = find(key, required);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->IsBool()) {
    error_at(key, fmt::format("expected a boolean (true or false), got {}", json_type_name(*v)));
    return std::nullopt;
  }
  return v->GetBool();
}

std::vector<std::string> JsonObjectReader::strings(std::string_view key, Required required) {
  std::vector<std::string> out;
  const rapidjson::Value* v = find(key, required);
  if (v == nullptr) {
    return out;
  }
  const std::string path = path_of(key);
  if (!v->IsArray()) {
    error(path, fmt::format("expected an array of strings, got {}", json_type_name(*v)));
    return out;
  }
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    if (auto s = read_string((*v)[i], json_path(path, i), errors_)) {
      out.push_back(std::move(*s));
    }
  }
  return out;
}

void JsonObjectReader::reject_unknown_keys() {
  if (object_ == nullptr) {
    return;
  }
  std::vector<std::string_view> seen;
  for (auto it = object_->MemberBegin(); it != object_->MemberEnd(); ++it) {
    const std::string_view name = member_name(it->name);
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      error(path_of(name), fmt::format("key '{}' is given more than once", name));
      continue;
    }
    seen.push_back(name);
    if (std::find(known_.begin(), known_.end(), name) != known_.end()) {
      continue;
    }
    const std::string* closest = nullptr;
    std::size_t best = std::numeric_limits<std::size_t>::max();
    for (const auto& k : known_) {
      const std::size_t d = typo_distance(name, k);
      if (d < best) {
        best = d;
        closest = &k;
      }
    }
    // A suggestion only when it is plausibly the same word mistyped.
    if (closest != nullptr && best <= typo_tolerance(name)) {
      error(path_of(name), fmt::format("unknown key '{}' (did you mean '{}'?)", name, *closest));
    } else {
      std::string expected;
      for (const auto& k : known_) {
        expected += expected.empty() ? "" : ", ";
        expected += k;
      }
      error(path_of(name), fmt::format("unknown key '{}' (expected one of: {})", name, expected));
    }
  }
}

std::optional<std::string> read_string(const rapidjson::Value& value, const std::string& path,
                                       ValidationErrors& errors) {
  if (!value.IsString()) {
    errors.push_back({path, fmt::format("expected a string, got {}", json_type_name(value))});
    return std::nullopt;
  }
  return std::string(value.GetString(), value.GetStringLength());
}

std::optional<double> read_number(const rapidjson::Value& value, const std::string& path,
                                  ValidationErrors& errors) {
  if (!value.IsNumber()) {
    errors.push_back({path, fmt::format("expected a number, got {}", json_type_name(value))});
    return std::nullopt;
  }
  return value.GetDouble();
}

}  // namespace leadrouter::core
