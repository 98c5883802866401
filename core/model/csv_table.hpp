// A CSV file of historical leads held in memory, column by column, with the
// type of each column inferred (numeric, date or categorical) or overridden.
// Parsing follows RFC 4180 (quoted fields, doubled quotes, CRLF or LF) and
// detects the delimiter (',' or ';') from the header line.
//
//   auto table = CsvTable::parse(text, {.type_overrides = {{"pdays", ColumnType::kNumeric}}});
//   if (!table) { fmt::print(stderr, "{}\n", table.error().message); }
//   double age = table->number(row, *table->column_index("age"));
#pragma once

#include <cstddef>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/text.hpp"

namespace leadrouter::model {

enum class ColumnType {
  kNumeric,      // every non-empty cell is a number
  kDate,         // every non-empty cell is an ISO 8601 date or date-time
  kCategorical,  // anything else
};

const char* to_string(ColumnType type);
std::optional<ColumnType> column_type_from_string(std::string_view text);

class CsvTable {
 public:
  struct Options {
    char delimiter = '\0';  // '\0': detect ',' or ';' from the header line
    // Forces a column's type. Forcing kNumeric or kDate makes every cell that
    // does not parse an error naming its line and column.
    std::map<std::string, ColumnType> type_overrides;
  };

  // `source_name` prefixes error messages ("bank.csv:17: ...").
  static std::expected<CsvTable, Error> parse(std::string_view text, const Options& options,
                                              std::string_view source_name = "csv");

  std::size_t rows() const { return rows_; }
  std::size_t columns() const { return names_.size(); }
  const std::vector<std::string>& column_names() const { return names_; }
  std::optional<std::size_t> column_index(std::string_view name) const;
  ColumnType type(std::size_t column) const { return types_[column]; }

  // The cell as written, unquoted; "" when empty.
  const std::string& text(std::size_t row, std::size_t column) const { return cells_[column][row]; }
  // NaN when the cell is empty. Only meaningful for kNumeric columns.
  double number(std::size_t row, std::size_t column) const { return numbers_[column][row]; }
  // Seconds since the epoch; NaN when empty. Only meaningful for kDate columns.
  double seconds(std::size_t row, std::size_t column) const { return numbers_[column][row]; }

  // Appends a categorical column (e.g. a label joined from another file).
  // `cells` must hold rows() values and `name` must be new.
  std::expected<void, Error> add_column(std::string name, std::vector<std::string> cells);

  // The physical line (1-based, header is line 1) on which a data row starts,
  // for error messages.
  std::size_t line_of(std::size_t row) const { return lines_[row]; }
  const std::string& source_name() const { return source_name_; }

 private:
  std::string source_name_;
  std::vector<std::string> names_;
  std::vector<ColumnType> types_;
  std::vector<std::vector<std::string>> cells_;  // [column][row]
  std::vector<std::vector<double>> numbers_;     // [column][row]; empty for categorical
  std::vector<std::size_t> lines_;
  std::size_t rows_ = 0;
};

// Cells are parsed like field values, so a table and a lead agree on numbers.
using leadrouter::parse_number;

}  // namespace leadrouter::model
