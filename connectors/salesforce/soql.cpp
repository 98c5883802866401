#include "connectors/salesforce/soql.hpp"

#include <date/date.h>

namespace leadrouter::connectors::salesforce {

std::string soql_string(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) >= 0x20) {
      out += c;
    }
  }
  out += '\'';
  return out;
}

std::string soql_string_list(const std::vector<std::string>& values) {
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += ", ";
    }
    out += soql_string(values[i]);
  }
  out += ')';
  return out;
}

std::string soql_datetime(TimestampMs t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  if (seconds == t) {
    return date::format("%FT%TZ", seconds);
  }
  return date::format("%FT%TZ", t);
}

}  // namespace leadrouter::connectors::salesforce
