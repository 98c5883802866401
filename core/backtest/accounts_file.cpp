#include "core/backtest/accounts_file.hpp"

#include <fmt/format.h>

#include <set>
#include <string>

#include "core/model/csv_table.hpp"
#include "core/text.hpp"

namespace leadrouter::backtest {

std::expected<std::vector<HistoricalAccount>, ValidationErrors> accounts_from_csv(
    std::string_view text, std::string_view source_name) {
  auto table = model::CsvTable::parse(text, {}, source_name);
  if (!table) {
    return std::unexpected(ValidationErrors{{std::string(source_name), table.error().message}});
  }
  const auto id = table->column_index("id");
  const auto name = table->column_index("name");
  const auto owner = table->column_index("owner_id");
  if (!id || !name || !owner) {
    return std::unexpected(ValidationErrors{{fmt::format("{}:1", source_name),
                                             "the header needs the columns 'id', 'name' and "
                                             "'owner_id' (optional: domain, website, size, "
                                             "last_activity_at, created_at)"}});
  }
  const auto domain = table->column_index("domain");
  const auto website = table->column_index("website");
  const auto size = table->column_index("size");
  const auto last_activity = table->column_index("last_activity_at");
  const auto created = table->column_index("created_at");

  std::vector<HistoricalAccount> accounts;
  ValidationErrors errors;
  std::set<std::string, std::less<>> ids;
  for (std::size_t row = 0; row < table->rows(); ++row) {
    const std::string at = fmt::format("{}:{}", source_name, table->line_of(row));
    const auto cell = [&](std::optional<std::size_t> column) -> std::string {
      return column ? std::string(trim(table->text(row, *column))) : std::string();
    };
    const auto time_cell = [&](std::optional<std::size_t> column,
                               std::string_view column_name) -> std::optional<Timestamp> {
      const std::string value = cell(column);
      if (value.empty()) {
        return std::nullopt;
      }
      auto parsed = parse_iso8601(value);
      if (!parsed) {
        errors.push_back({fmt::format("{}: column '{}'", at, column_name),
                          fmt::format("'{}' is not an ISO 8601 time", value)});
      }
      return parsed;
    };
    HistoricalAccount h;
    h.account.id = cell(id);
    h.account.name = cell(name);
    h.account.owner_id = cell(owner);
    h.account.domain = cell(domain);
    h.account.website = cell(website);
    if (h.account.id.empty()) {
      errors.push_back({at + ": column 'id'", "empty account id"});
    } else if (!ids.insert(h.account.id).second) {
      errors.push_back(
          {at + ": column 'id'", fmt::format("account '{}' appears twice", h.account.id)});
    }
    if (h.account.name.empty() && h.account.domain.empty() && h.account.website.empty()) {
      errors.push_back({at, "an account needs a name, a domain or a website to match by"});
    }
    if (const std::string value = cell(size); !value.empty()) {
      const auto number = parse_number(value);
      if (!number || *number < 0) {
        errors.push_back(
            {at + ": column 'size'", fmt::format("'{}' is not a number of 0 or more", value)});
      } else {
        h.account.size = *number;
      }
    }
    h.account.last_activity_at = time_cell(last_activity, "last_activity_at");
    h.created_at = time_cell(created, "created_at");
    accounts.push_back(std::move(h));
  }
  if (!errors.empty()) {
    return std::unexpected(std::move(errors));
  }
  return accounts;
}

}  // namespace leadrouter::backtest
