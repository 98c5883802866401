#include <fmt/core.h>

#include <algorithm>

#include "core/backtest/report.hpp"
#include "core/backtest/report_rows.hpp"

namespace leadrouter::backtest {

namespace {

// One colour per run; more runs than colours reuse them.
constexpr const char* kColours[] = {"#8a94a6", "#2f6fde", "#e0803a", "#3a9e6e"};

const char* colour(std::size_t run) {
  return kColours[run % std::size(kColours)];
}

constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:980px;color:#1d2330;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #dde1e8;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0}
th,td{padding:.25rem .75rem;border-bottom:1px solid #eceff3;text-align:right}
th:first-child,td:first-child{text-align:left}
thead th{background:#f4f6f9}
.legend span{display:inline-block;margin-right:1.2rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
.note{color:#5a6375;font-size:.9rem;white-space:pre-line}
svg text{font-size:11px;fill:#1d2330}
)";

void add_table(std::string& out, const std::vector<std::string>& heads,
               const std::vector<ReportRow>& rows) {
  out += "<table>\n<thead><tr><th></th>";
  for (const auto& h : heads) {
    out += fmt::format("<th>{}</th>", html_escape(h));
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    out += fmt::format("<tr><td>{}</td>", html_escape(row.label));
    for (const auto& cell : row.cells) {
      out += fmt::format("<td>{}</td>", html_escape(cell));
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
}

void add_legend(std::string& out, const ReportTables& t) {
  out += "<p class=\"legend\">";
  for (std::size_t r = 0; r < t.summaries.size(); ++r) {
    out += fmt::format("<span><span class=\"swatch\" style=\"background:{}\"></span>{}</span>",
                       colour(r), html_escape(t.summaries[r].label));
  }
  out += "</p>\n";
}

// Horizontal bars: one group per label, one bar per run.
void add_bar_chart(std::string& out, std::string_view title, const std::vector<std::string>& labels,
                   const std::vector<std::vector<std::int64_t>>& values) {
  const std::size_t runs = values.empty() ? 0 : values.front().size();
  std::int64_t max_value = 1;
  for (const auto& group : values) {
    for (const auto v : group) {
      max_value = std::max(max_value, v);
    }
  }
  constexpr int kLabelWidth = 230;
  constexpr int kBarArea = 600;
  constexpr int kBarHeight = 12;
  const int group_height = static_cast<int>(runs) * kBarHeight + 8;
  const int height = static_cast<int>(labels.size()) * group_height + 10;
  out += fmt::format(
      "<svg role=\"img\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\"><title>{}</title>\n",
      kLabelWidth + kBarArea + 60, height, kLabelWidth + kBarArea + 60, height, html_escape(title));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const int y0 = static_cast<int>(i) * group_height + 5;
    out += fmt::format("<text x=\"0\" y=\"{}\">{}</text>\n", y0 + group_height / 2 + 2,
                       html_escape(labels[i]));
    for (std::size_t r = 0; r < runs; ++r) {
      const std::int64_t v = values[i][r];
      const int width =
          static_cast<int>(static_cast<double>(v) * kBarArea / static_cast<double>(max_value));
      const int y = y0 + static_cast<int>(r) * kBarHeight;
      out += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"></rect>"
          "<text x=\"{}\" y=\"{}\">{}</text>\n",
          kLabelWidth, y, std::max(width, 1), kBarHeight - 2, colour(r), kLabelWidth + width + 4,
          y + kBarHeight - 3, v);
    }
  }
  out += "</svg>\n";
}

}  // namespace

std::string format_report_html(const Replay& replay) {
  const ReportTables t = build_report_tables(replay);
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
                     html_escape(t.heading), kStyle);
  out += fmt::format("<h1>{}</h1>\n", html_escape(t.heading));
  add_legend(out, t);

  out += "<h2>Before and after</h2>\n";
  add_table(out, t.heads, t.summary);

  out += "<h2>Leads per rep</h2>\n";
  std::vector<std::string> rep_labels;
  for (std::size_t i = 0; i < t.rep_ids.size(); ++i) {
    rep_labels.push_back(t.rep_names[i].empty() ? t.rep_ids[i] : t.rep_names[i]);
  }
  add_bar_chart(out, "Leads per rep", rep_labels, t.rep_volume);
  add_table(out, t.heads, t.volume);

  out += "<h2>Combined score distribution</h2>\n";
  std::vector<std::string> bins;
  std::vector<std::vector<std::int64_t>> bin_counts;
  for (std::size_t bin = 0; bin < 10; ++bin) {
    bins.push_back(score_bin_label(bin));
    std::vector<std::int64_t> counts;
    for (const auto& s : t.summaries) {
      counts.push_back(s.scores[bin]);
    }
    bin_counts.push_back(std::move(counts));
  }
  add_bar_chart(out, "Combined score distribution", bins, bin_counts);

  out += "<h2>Leads per tier</h2>\n";
  add_table(out, t.heads, t.tiers);
  out += "<h2>Leads per route</h2>\n";
  add_table(out, t.heads, t.routes);

  for (const auto& note : t.notes) {
    out += fmt::format("<p class=\"note\">{}</p>\n", html_escape(note));
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace leadrouter::backtest
