#include <fmt/core.h>

#include <algorithm>

#include "core/backtest/report.hpp"
#include "core/backtest/report_rows.hpp"
#include "core/backtest/summary.hpp"

namespace leadrouter::backtest {

namespace {

constexpr std::size_t kLabelWidth = 34;
constexpr std::size_t kMinValueWidth = 12;

// Wide enough for the longest cell of any table, so columns line up.
std::size_t value_width(const ReportTables& t) {
  std::size_t width = kMinValueWidth;
  for (const auto* rows : {&t.summary, &t.volume, &t.tiers, &t.routes, &t.scores}) {
    for (const auto& row : *rows) {
      for (const auto& cell : row.cells) {
        width = std::max(width, cell.size() + 2);
      }
    }
  }
  for (const auto& head : t.heads) {
    width = std::max(width, head.size() + 2);
  }
  return width;
}

void add_row(std::string& out, std::string_view label, const std::vector<std::string>& cells,
             std::size_t width) {
  out += fmt::format("  {:<{}}", label, kLabelWidth);
  for (const auto& cell : cells) {
    out += fmt::format("{:>{}}", cell, width);
  }
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  out += '\n';
}

void add_section(std::string& out, std::string_view title, const std::vector<std::string>& heads,
                 const std::vector<ReportRow>& rows, std::size_t width) {
  out += fmt::format("\n{}\n", title);
  add_row(out, "", heads, width);
  for (const auto& row : rows) {
    add_row(out, row.label, row.cells, width);
  }
}

}  // namespace

std::string format_report_text(const Replay& replay) {
  const ReportTables t = build_report_tables(replay);
  const std::size_t width = value_width(t);
  std::string out = t.heading + "\n";
  add_section(out, "Summary", t.heads, t.summary, width);
  add_section(out, "Leads per rep", t.heads, t.volume, width);
  add_section(out, "Leads per tier", t.heads, t.tiers, width);
  add_section(out, "Leads per route", t.heads, t.routes, width);
  add_section(out, "Combined score distribution", t.heads, t.scores, width);
  if (!t.notes.empty()) {
    out += "\n";
    for (const auto& note : t.notes) {
      out += fmt::format("{}\n", note);
    }
  }
  return out;
}

}  // namespace leadrouter::backtest
