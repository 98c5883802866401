#include "core/backtest/assignments_out.hpp"

#include <fmt/core.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/time.hpp"

namespace leadrouter::backtest {

namespace {

// RFC 4180: quote a field holding a delimiter, a quote or a line break.
std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    return std::string(text);
  }
  std::string out = "\"";
  for (const char c : text) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  out += '"';
  return out;
}

std::string score_text(double score) {
  return fmt::format("{:.1f}", score);
}

}  // namespace

std::string assignments_csv(const Replay& replay) {
  const bool compare = replay.runs.size() >= 2;
  const PolicyRun& subject = replay.runs.at(compare ? 1 : 0);
  std::string out = compare ? "lead_id,created_at,baseline_rep,new_rep,changed,tier,score,route,"
                              "account_id,duplicate_of\n"
                            : "lead_id,created_at,rep,tier,score,route,account_id,duplicate_of\n";
  for (std::size_t i = 0; i < replay.leads.size(); ++i) {
    const Assignment& a = subject.assignments[i];
    out += csv_field(replay.leads[i].id);
    out += ',';
    out += format_iso8601(replay.leads[i].created_at);
    out += ',';
    if (compare) {
      const Assignment& base = replay.runs[0].assignments[i];
      out += csv_field(assignee_label(base));
      out += ',';
      out += csv_field(assignee_label(a));
      out += ',';
      out += same_assignee(base, a) ? "false" : "true";
    } else {
      out += csv_field(assignee_label(a));
    }
    out += fmt::format(",{},{},{},{},{}\n", csv_field(a.tier), score_text(a.score),
                       csv_field(a.route), csv_field(a.account_id), csv_field(a.duplicate_of));
  }
  return out;
}

std::string assignments_jsonl(const Replay& replay) {
  const bool compare = replay.runs.size() >= 2;
  const PolicyRun& subject = replay.runs.at(compare ? 1 : 0);
  std::string out;
  for (std::size_t i = 0; i < replay.leads.size(); ++i) {
    const Assignment& a = subject.assignments[i];
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    const auto str = [&w](std::string_view s) {
      w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    };
    w.StartObject();
    w.Key("lead_id");
    str(replay.leads[i].id);
    w.Key("created_at");
    str(format_iso8601(replay.leads[i].created_at));
    if (compare) {
      const Assignment& base = replay.runs[0].assignments[i];
      w.Key("baseline_rep");
      str(assignee_label(base));
      w.Key("new_rep");
      str(assignee_label(a));
      w.Key("changed");
      w.Bool(!same_assignee(base, a));
    } else {
      w.Key("rep");
      str(assignee_label(a));
    }
    w.Key("tier");
    str(a.tier);
    w.Key("score");
    // One decimal, as in the CSV, so both files agree and diff cleanly.
    w.RawValue(score_text(a.score).c_str(), score_text(a.score).size(), rapidjson::kNumberType);
    w.Key("route");
    str(a.route);
    w.Key("account_id");
    str(a.account_id);
    w.Key("duplicate_of");
    str(a.duplicate_of);
    w.EndObject();
    out += buffer.GetString();
    out += '\n';
  }
  return out;
}

}  // namespace leadrouter::backtest
