// Reading validated documents (policy, roster) with RapidJSON: every problem
// is collected with a JSON-pointer path ("/routes/2/when/op") instead of
// stopping at the first one, and unknown keys are reported with the closest
// known key, so that a typo never silently drops a setting.
//
//   ValidationErrors errors;
//   auto doc = parse_json_document(text, errors);
//   JsonObjectReader r(*doc, "", errors);
//   auto name = r.string("name", Required::kYes);
//   r.reject_unknown_keys();  // after every key has been asked for
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace leadrouter::core {

// "/a" + "b" -> "/a/b", escaping '~' and '/' as RFC 6901 says.
std::string json_path(std::string_view base, std::string_view key);
std::string json_path(std::string_view base, std::size_t index);

// "a string", "a number", ... for messages.
const char* json_type_name(const rapidjson::Value& value);

// Parses `text`; on a syntax error records it with line and column and
// returns null.
std::unique_ptr<rapidjson::Document> parse_json_document(std::string_view text,
                                                         ValidationErrors& errors);

enum class Required { kNo, kYes };

// Reads the members of one JSON object. Each accessor remembers the key it was
// asked for, so reject_unknown_keys() knows every key the caller understands.
class JsonObjectReader {
 public:
  // Records "expected an object" when `value` is not one; accessors then
  // return nothing and record nothing.
  JsonObjectReader(const rapidjson::Value& value, std::string path, ValidationErrors& errors);

  bool is_object() const { return object_ != nullptr; }
  const std::string& path() const { return path_; }
  std::string path_of(std::string_view key) const { return json_path(path_, key); }
  void error(std::string path, std::string reason);
  void error_at(std::string_view key, std::string reason) {
    error(path_of(key), std::move(reason));
  }
  ValidationErrors& errors() { return errors_; }

  // The member, or null when absent (recording an error when required).
  const rapidjson::Value* find(std::string_view key, Required required = Required::kNo);
  bool has(std::string_view key);

  // Typed members: nullopt when absent or of the wrong type (the latter
  // recorded as an error).
  std::optional<std::string> string(std::string_view key, Required required = Required::kNo);
  std::optional<double> number(std::string_view key, Required required = Required::kNo);
  std::optional<int> integer(std::string_view key, Required required = Required::kNo);
  std::optional<bool> boolean(std::string_view key, Required required = Required::kNo);
  // An array of strings; wrong elements are recorded and skipped.
  std::vector<std::string> strings(std::string_view key, Required required = Required::kNo);

  // Records every member that no accessor asked for, and members given twice.
  void reject_unknown_keys();

 private:
  const rapidjson::Value* object_ = nullptr;
  std::string path_;
  ValidationErrors& errors_;
  std::vector<std::string> known_;
};

// Edit distance where swapping two neighbouring letters counts as one edit
// (optimal string alignment), and how many edits still look like a typo of a
// word of `given`'s length. Used for "did you mean ...?" hints.
std::size_t typo_distance(std::string_view a, std::string_view b);
std::size_t typo_tolerance(std::string_view given);

// Element readers for arrays and free-standing values.
std::optional<std::string> read_string(const rapidjson::Value& value, const std::string& path,
                                       ValidationErrors& errors);
std::optional<double> read_number(const rapidjson::Value& value, const std::string& path,
                                  ValidationErrors& errors);

}  // namespace leadrouter::core
