#include "core/model/csv_table.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <limits>
#include <set>

#include "core/text.hpp"
#include "core/time.hpp"

namespace leadrouter::model {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMaxReportedProblems = 5;

struct Record {
  std::vector<std::string> fields;
  std::size_t line = 0;
};

// Splits the text into records. Quoted fields may hold delimiters, quotes
// (doubled) and line breaks, so lines are counted while scanning rather than
// by splitting on '\n' first.
class RecordReader {
 public:
  RecordReader(std::string_view text, char delimiter, std::string_view source)
      : text_(text), delimiter_(delimiter), source_(source) {}

  // nullopt at the end of input.
  std::expected<std::optional<Record>, Error> next() {
    // Entirely empty lines carry no record; skip them instead of reporting a
    // one-field ragged row, which is what editors leave at the end of files.
    while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
      if (text_[pos_] == '\n') {
        ++line_;
      }
      ++pos_;
    }
    if (pos_ >= text_.size()) {
      return std::optional<Record>{};
    }
    Record record;
    record.line = line_;
    std::string field;
    while (true) {
      if (pos_ < text_.size() && text_[pos_] == '"') {
        const std::size_t quote_line = line_;
        ++pos_;
        bool closed = false;
        while (pos_ < text_.size()) {
          const char c = text_[pos_++];
          if (c == '"') {
            if (pos_ < text_.size() && text_[pos_] == '"') {
              field.push_back('"');
              ++pos_;
              continue;
            }
            closed = true;
            break;
          }
          if (c == '\n') {
            ++line_;
          }
          field.push_back(c);
        }
        if (!closed) {
          return std::unexpected(
              Error::invalid_input(fmt::format("{}:{}: quoted field {} is never closed", source_,
                                               quote_line, record.fields.size() + 1)));
        }
        if (pos_ < text_.size() && text_[pos_] != delimiter_ && text_[pos_] != '\n' &&
            text_[pos_] != '\r') {
          return std::unexpected(
              Error::invalid_input(fmt::format("{}:{}: field {} has text after its closing quote",
                                               source_, line_, record.fields.size() + 1)));
        }
      } else {
        while (pos_ < text_.size() && text_[pos_] != delimiter_ && text_[pos_] != '\n' &&
               text_[pos_] != '\r') {
          field.push_back(text_[pos_++]);
        }
      }
      record.fields.push_back(std::move(field));
      field.clear();
      if (pos_ >= text_.size()) {
        break;
      }
      const char c = text_[pos_++];
      if (c == delimiter_) {
        continue;
      }
      if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') {
        ++pos_;
      }
      ++line_;
      break;
    }
    return std::optional<Record>{std::move(record)};
  }

 private:
  std::string_view text_;
  char delimiter_;
  std::string_view source_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

char detect_delimiter(std::string_view text) {
  std::size_t commas = 0;
  std::size_t semicolons = 0;
  bool quoted = false;
  for (const char c : text) {
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && (c == '\n' || c == '\r')) {
      break;
    } else if (!quoted && c == ',') {
      ++commas;
    } else if (!quoted && c == ';') {
      ++semicolons;
    }
  }
  return semicolons > commas ? ';' : ',';
}

std::optional<double> parse_date_seconds(std::string_view text) {
  const auto t = parse_iso8601(trim(text));
  if (!t) {
    return std::nullopt;
  }
  return static_cast<double>(t->time_since_epoch().count());
}

ColumnType infer_type(const std::vector<std::string>& cells) {
  bool any = false;
  bool numeric = true;
  bool date = true;
  for (const auto& cell : cells) {
    if (trim(cell).empty()) {
      continue;
    }
    any = true;
    if (numeric && !parse_number(cell)) {
      numeric = false;
    }
    if (date && !parse_date_seconds(cell)) {
      date = false;
    }
    if (!numeric && !date) {
      break;
    }
  }
  if (!any) {
    return ColumnType::kCategorical;
  }
  if (numeric) {
    return ColumnType::kNumeric;
  }
  return date ? ColumnType::kDate : ColumnType::kCategorical;
}

}  // namespace

const char* to_string(ColumnType type) {
  switch (type) {
    case ColumnType::kNumeric:
      return "numeric";
    case ColumnType::kDate:
      return "date";
    case ColumnType::kCategorical:
      return "categorical";
  }
  return "unknown";
}

std::optional<ColumnType> column_type_from_string(std::string_view text) {
  if (text == "numeric") {
    return ColumnType::kNumeric;
  }
  if (text == "date") {
    return ColumnType::kDate;
  }
  if (text == "categorical") {
    return ColumnType::kCategorical;
  }
  return std::nullopt;
}

std::optional<std::size_t> CsvTable::column_index(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) {
      return i;
    }
  }
  return std::nullopt;
}

std::expected<void, Error> CsvTable::add_column(std::string name, std::vector<std::string> cells) {
  if (column_index(name)) {
    return std::unexpected(
        Error::invalid_input(fmt::format("{}: column '{}' already exists", source_name_, name)));
  }
  if (cells.size() != rows_) {
    return std::unexpected(Error::internal(
        fmt::format("CsvTable::add_column: {} cells for a table of {} rows", cells.size(), rows_)));
  }
  names_.push_back(std::move(name));
  types_.push_back(ColumnType::kCategorical);
  cells_.push_back(std::move(cells));
  numbers_.emplace_back();
  return {};
}

std::expected<CsvTable, Error> CsvTable::parse(std::string_view text, const Options& options,
                                               std::string_view source_name) {
  if (text.starts_with("\xEF\xBB\xBF")) {
    text.remove_prefix(3);
  }
  const char delimiter = options.delimiter != '\0' ? options.delimiter : detect_delimiter(text);
  RecordReader reader(text, delimiter, source_name);

  auto header = reader.next();
  if (!header) {
    return std::unexpected(header.error());
  }
  if (!*header) {
    return std::unexpected(
        Error::invalid_input(fmt::format("{}: the file is empty (no header row)", source_name)));
  }

  CsvTable table;
  table.source_name_ = std::string(source_name);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < (*header)->fields.size(); ++i) {
    std::string name(trim((*header)->fields[i]));
    if (name.empty()) {
      return std::unexpected(Error::invalid_input(
          fmt::format("{}:1: column {} of the header has no name", source_name, i + 1)));
    }
    if (!seen.insert(name).second) {
      return std::unexpected(Error::invalid_input(
          fmt::format("{}:1: column '{}' appears twice in the header", source_name, name)));
    }
    table.names_.push_back(std::move(name));
  }
  const std::size_t width = table.names_.size();
  table.cells_.resize(width);

  while (true) {
    auto record = reader.next();
    if (!record) {
      return std::unexpected(record.error());
    }
    if (!*record) {
      break;
    }
    auto& fields = (*record)->fields;
    if (fields.size() != width) {
      return std::unexpected(Error::invalid_input(
          fmt::format("{}:{}: row has {} fields but the header has {} columns (delimiter '{}')",
                      source_name, (*record)->line, fields.size(), width, delimiter)));
    }
    for (std::size_t c = 0; c < width; ++c) {
      table.cells_[c].push_back(std::move(fields[c]));
    }
    table.lines_.push_back((*record)->line);
  }
  table.rows_ = table.lines_.size();
  if (table.rows_ == 0) {
    return std::unexpected(Error::invalid_input(
        fmt::format("{}: the file has a header but no data rows", source_name)));
  }

  for (const auto& [name, type] : options.type_overrides) {
    if (!table.column_index(name)) {
      return std::unexpected(Error::invalid_input(fmt::format(
          "{}: type override names column '{}', which is not in the header", source_name, name)));
    }
  }

  table.types_.resize(width);
  table.numbers_.resize(width);
  std::vector<std::string> problems;
  std::size_t problem_count = 0;
  for (std::size_t c = 0; c < width; ++c) {
    const auto forced = options.type_overrides.find(table.names_[c]);
    const ColumnType type =
        forced != options.type_overrides.end() ? forced->second : infer_type(table.cells_[c]);
    table.types_[c] = type;
    if (type == ColumnType::kCategorical) {
      continue;
    }
    auto& numbers = table.numbers_[c];
    numbers.resize(table.rows_, kNaN);
    for (std::size_t r = 0; r < table.rows_; ++r) {
      const std::string& cell = table.cells_[c][r];
      if (trim(cell).empty()) {
        continue;
      }
      const auto value =
          type == ColumnType::kNumeric ? parse_number(cell) : parse_date_seconds(cell);
      if (value) {
        numbers[r] = *value;
        continue;
      }
      if (++problem_count <= kMaxReportedProblems) {
        problems.push_back(fmt::format("{}:{}: column '{}' is {} but holds '{}'", source_name,
                                       table.lines_[r], table.names_[c], to_string(type), cell));
      }
    }
  }
  if (problem_count > 0) {
    std::string message = fmt::format("{}", fmt::join(problems, "\n"));
    if (problem_count > problems.size()) {
      message +=
          fmt::format("\n... and {} more cells that do not parse", problem_count - problems.size());
    }
    return std::unexpected(Error::invalid_input(std::move(message)));
  }
  return table;
}

}  // namespace leadrouter::model
