// The rows both reports show, built once so the terminal table and the HTML
// page always agree: one cell per run, then the change from the first run to
// the second when there are two.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/backtest/replay.hpp"
#include "core/backtest/summary.hpp"

namespace leadrouter::backtest {

struct ReportRow {
  std::string label;
  std::vector<std::string> cells;
};

struct ReportTables {
  std::string heading;             // "Backtest of 1000 leads, ... to ..."
  std::vector<std::string> heads;  // run labels (+ "change")
  std::vector<PolicySummary> summaries;
  // Every rep any run knows, in first-seen roster order, with counts per run.
  std::vector<std::string> rep_ids;
  std::vector<std::string> rep_names;
  std::vector<std::vector<std::int64_t>> rep_volume;  // [rep][run]
  std::vector<ReportRow> summary;
  std::vector<ReportRow> volume;
  std::vector<ReportRow> tiers;
  std::vector<ReportRow> routes;
  std::vector<ReportRow> scores;
  std::vector<std::string> notes;  // how to read the figures
};

ReportTables build_report_tables(const Replay& replay);

// "[0,10)" ... "[90,100]"
std::string score_bin_label(std::size_t bin);

}  // namespace leadrouter::backtest
