// A backtest's reports: a side-by-side table for the terminal, and a
// self-contained HTML page (inline CSS and SVG charts, no external resources)
// to share. Both compare every run of the replay with the first one.
#pragma once

#include <string>
#include <string_view>

#include "core/backtest/replay.hpp"
#include "core/text.hpp"

namespace leadrouter::backtest {

std::string format_report_text(const Replay& replay);
std::string format_report_html(const Replay& replay);

using leadrouter::html_escape;  // core/text.hpp

}  // namespace leadrouter::backtest
