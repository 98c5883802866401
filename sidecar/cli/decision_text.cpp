#include "sidecar/cli/decision_text.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string_view>

#include "core/decision_json.hpp"

namespace leadrouter::cli {

namespace {

// Number of code points; table cells are mostly names, where that is close
// enough to the display width.
std::size_t display_width(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

// Cuts at a code-point boundary so a long UTF-8 name never ends in half a character.
std::string fit_cell(std::string_view s, std::size_t width) {
  if (display_width(s) <= width) {
    return std::string(s) + std::string(width - display_width(s), ' ');
  }
  std::string out;
  std::size_t points = 0;
  for (const char c : s) {
    const bool starts_point = (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    if (starts_point && points == width - 1) {
      break;
    }
    points += starts_point ? 1 : 0;
    out += c;
  }
  return out + "~";
}

std::string score_text(double v) {
  return fmt::format("{:.1f}", v);
}

std::string route_label(const core::Decision& d) {
  std::string out = d.route.empty() ? std::string("-") : d.route;
  if (d.used_fallback) {
    out += " (fallback)";
  }
  return out;
}

std::string destination_text(const core::Destination& d) {
  if (d.target.empty()) {
    return core::to_string(d.kind);
  }
  return fmt::format("{} '{}'", core::to_string(d.kind), d.target);
}

}  // namespace

std::string assignee_label(const core::Decision& d) {
  switch (d.assignee_kind) {
    case core::AssigneeKind::kRep:
      return d.assignee_name.empty() ? d.assignee_id : d.assignee_name;
    case core::AssigneeKind::kQueue:
      return "queue " + d.assignee_id;
    case core::AssigneeKind::kWorkflow:
      return "workflow " + d.assignee_id;
  }
  return d.assignee_id;
}

std::string format_decision_table(const std::vector<core::Lead>& leads,
                                  const std::vector<core::Decision>& decisions) {
  struct Row {
    std::string cells[7];
    std::string explanation;
  };
  static constexpr std::string_view kHeaders[7] = {"LEAD", "COMPANY",     "CC",   "SCORE",
                                                   "TIER", "ASSIGNED TO", "ROUTE"};
  static constexpr std::size_t kMaxWidth[7] = {16, 28, 4, 5, 8, 30, 32};
  std::vector<Row> rows;
  rows.reserve(decisions.size());
  std::size_t width[7];
  for (std::size_t c = 0; c < 7; ++c) {
    width[c] = kHeaders[c].size();
  }
  for (std::size_t i = 0; i < decisions.size() && i < leads.size(); ++i) {
    const auto& d = decisions[i];
    const auto& lead = leads[i];
    Row row{{lead.id, lead.company.empty() ? std::string("-") : lead.company,
             lead.country.empty() ? std::string("-") : lead.country, score_text(d.scores.combined),
             d.tier.empty() ? std::string("-") : d.tier, assignee_label(d), route_label(d)},
            d.explanation};
    for (std::size_t c = 0; c < 7; ++c) {
      width[c] = std::min(std::max(width[c], display_width(row.cells[c])), kMaxWidth[c]);
    }
    rows.push_back(std::move(row));
  }

  std::string out;
  const auto append_row = [&](const auto& cells) {
    std::string line;
    for (std::size_t c = 0; c < 7; ++c) {
      // The last column is not padded: no trailing blanks.
      line += c == 6 ? std::string(cells[c]) : fit_cell(cells[c], width[c]) + "  ";
    }
    out += line + "\n";
  };
  append_row(kHeaders);
  for (const auto& row : rows) {
    append_row(row.cells);
    if (!row.explanation.empty()) {
      out += "    " + row.explanation + "\n";
    }
  }

  // Counted per assignee; listed by count (highest first), then name, so the
  // summary is the same on every run.
  std::map<std::string, int> per_assignee;
  std::map<std::string, int> per_tier;
  for (const auto& d : decisions) {
    ++per_assignee[assignee_label(d)];
    ++per_tier[d.tier.empty() ? std::string("-") : d.tier];
  }
  std::vector<std::pair<std::string, int>> sorted(per_assignee.begin(), per_assignee.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::size_t name_width = 0;
  for (const auto& [name, count] : sorted) {
    name_width = std::max(name_width, display_width(name));
  }
  out += fmt::format("\nSummary: {} lead{} routed\n", decisions.size(),
                     decisions.size() == 1 ? "" : "s");
  for (const auto& [name, count] : sorted) {
    out += fmt::format("  {}  {:>4}\n", fit_cell(name, name_width), count);
  }
  std::string tiers = "  by tier:";
  for (const auto& [tier, count] : per_tier) {
    tiers += fmt::format(" {} {}", tier, count);
  }
  out += tiers + "\n";
  return out;
}

std::string format_decision_report(const core::Lead& lead, const core::Decision& d) {
  std::string out;
  const auto line = [&out](std::string text) { out += std::move(text) + "\n"; };

  std::string who = fmt::format("{} {}", lead.first_name, lead.last_name);
  if (who == " ") {
    who = lead.email.empty() ? std::string("(no name)") : lead.email;
  }
  line(fmt::format("Lead {}: {}{}", lead.id, who,
                   lead.company.empty() ? std::string() : ", " + lead.company));
  line(fmt::format("  country {}, industry {}, employees {}, source {}, language {}",
                   lead.country.empty() ? "-" : lead.country,
                   lead.industry.empty() ? "-" : lead.industry,
                   lead.employees ? std::to_string(*lead.employees) : std::string("-"),
                   lead.lead_source.empty() ? "-" : lead.lead_source,
                   lead.language.empty() ? "-" : lead.language));
  line(fmt::format("  email domain {} ({}), website domain {}, company '{}'",
                   d.facts.email_domain.empty() ? "-" : d.facts.email_domain,
                   d.facts.is_free_mail ? "free mail" : "corporate",
                   d.facts.website_domain.empty() ? "-" : d.facts.website_domain,
                   d.facts.company_normalized));
  line(fmt::format("Decided at {} by policy '{}' v{}", format_iso8601(d.decided_at), d.policy_name,
                   d.policy_version));

  line("");
  line(fmt::format("Score {:.1f}", d.scores.combined));
  line(fmt::format("  fit {:.1f}{}", d.scores.fit,
                   d.scores.fit_hits.empty() ? " (the policy's base; no rule matched)"
                                             : " (the policy's base plus these rules, 0-100)"));
  for (const auto& hit : d.scores.fit_hits) {
    line(fmt::format("    {:+7.1f}  {}", hit.points, hit.rule));
  }
  line(fmt::format("  intent {:.1f}", d.scores.intent));
  for (const auto& part : d.scores.intent_parts) {
    line(fmt::format("    {:+7.1f}  {} ({} event{})", part.points, part.signal, part.events,
                     part.events == 1 ? "" : "s"));
  }
  if (d.scores.model) {
    const auto& m = *d.scores.model;
    line(fmt::format("  model probability {:.3f} (model {})", m.probability, m.model_version));
    for (const auto& f : m.top_positive) {
      line(fmt::format("    {:+7.3f}  {} = {}", f.contribution, f.feature, f.value));
    }
    for (const auto& f : m.top_negative) {
      line(fmt::format("    {:+7.3f}  {} = {}", f.contribution, f.feature, f.value));
    }
  } else if (!d.scores.model_error.empty()) {
    line(fmt::format("  model: not used ({})", d.scores.model_error));
  } else {
    line("  model: none configured");
  }

  line("");
  line(fmt::format("Tier       {} (task priority {})", d.tier.empty() ? "-" : d.tier,
                   d.task_priority.empty() ? "-" : d.task_priority));
  line(fmt::format("Territory  {}", d.territory.empty() ? "(none matched)" : d.territory));
  line(fmt::format("Segment    {}", d.segment.empty() ? "-" : d.segment));
  if (d.enrichment.account) {
    line(fmt::format("Account    {} (owner {}): {}", d.enrichment.account->account_name,
                     d.enrichment.account->owner_id, d.enrichment.account->reason));
  }
  if (d.enrichment.duplicate) {
    line(fmt::format("Duplicate  {} (owner {}): {}", d.enrichment.duplicate->record_id,
                     d.enrichment.duplicate->owner_id, d.enrichment.duplicate->reason));
  }

  line("");
  line("Route trail");
  int step_no = 0;
  for (const auto& step : d.trail) {
    line(fmt::format("  {}. {} -> {}: {}", ++step_no, step.route,
                     destination_text(step.destination), step.outcome));
  }
  if (d.trail.empty()) {
    line("  (no route was tried)");
  }

  line("");
  if (d.candidates.empty()) {
    line("Candidates: none (the lead did not go to a pool)");
  }
  // Candidates come grouped by the pool they were considered in.
  const std::string* current_pool = nullptr;
  for (const auto& c : d.candidates) {
    if (current_pool == nullptr || *current_pool != c.pool) {
      current_pool = &c.pool;
      std::string heading = c.pool.empty() ? std::string("Candidates (owner)")
                                           : fmt::format("Candidates in pool '{}'", c.pool);
      if (!c.pool.empty() && c.pool == d.pool && d.strategy) {
        heading += fmt::format(", strategy {}", core::to_string(*d.strategy));
      }
      line(heading);
    }
    const bool chosen = d.assignee_kind == core::AssigneeKind::kRep && c.rep_id == d.assignee_id;
    const std::string mark = chosen ? "*" : (c.eligible() ? "-" : "x");
    std::string text = fmt::format("  {} {} ({})", mark, c.rep_name, c.rep_id);
    if (c.eligible()) {
      text += fmt::format(": score {:.3f}", c.strategy_score);
      if (!c.note.empty()) {
        text += "; " + c.note;
      }
    } else {
      text += ": excluded";
      for (const auto& x : c.exclusions) {
        text += fmt::format("; {}{}", core::to_string(x.reason),
                            x.detail.empty() ? std::string() : " (" + x.detail + ")");
      }
    }
    line(text);
  }

  line("");
  line(fmt::format("Assigned to {} via route '{}'{}", assignee_label(d),
                   d.route.empty() ? "-" : d.route, d.used_fallback ? " (fallback)" : ""));
  if (d.sla_deadline) {
    // sla_seconds is 0 when a decision knows only sla_minutes.
    const std::int64_t sla_s = d.sla_seconds > 0 ? d.sla_seconds : std::int64_t{d.sla_minutes} * 60;
    line(fmt::format(
        "SLA deadline {} ({}{})", format_iso8601(*d.sla_deadline),
        sla_s % 60 != 0 ? fmt::format("{} s", sla_s) : fmt::format("{} min", sla_s / 60),
        *d.sla_deadline - d.decided_at > std::chrono::seconds(sla_s) ? " of working time" : ""));
  } else {
    line("SLA deadline none");
  }
  if (!d.explanation.empty()) {
    line("");
    line(d.explanation);
  }
  return out;
}

}  // namespace leadrouter::cli
