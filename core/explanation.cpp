#include "core/explanation.hpp"

#include <date/date.h>
#include <fmt/compile.h>
#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "core/decision_json.hpp"

namespace leadrouter::core {
namespace {

// Enough names for a reader to see the pattern without drowning the task body.
constexpr int kMaxExcludedNamed = 3;

long rounded(double v) {
  return std::lround(v);
}

// Same text as format_iso8601, without the iostream machinery that
// date::format brings along (it dominated the explanation's cost).
void append_iso8601(std::string& out, Timestamp t) {
  const auto day = std::chrono::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> time{t - day};
  fmt::format_to(std::back_inserter(out), FMT_COMPILE("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z"),
                 static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                 static_cast<unsigned>(ymd.day()), time.hours().count(), time.minutes().count(),
                 time.seconds().count());
}

}  // namespace

const char* strategy_label(Strategy strategy) {
  switch (strategy) {
    case Strategy::kRoundRobin:
      return "round-robin";
    case Strategy::kWeightedRoundRobin:
      return "weighted round-robin";
    case Strategy::kLeastLoaded:
      return "least loaded";
    case Strategy::kBestMatch:
      return "best match";
  }
  return "strategy";
}

std::string explain(const Decision& d) {
  std::string out;
  out.reserve(256);
  auto it = std::back_inserter(out);
  if (d.assignee_kind == AssigneeKind::kRep) {
    fmt::format_to(it, FMT_COMPILE("Routed to {}"),
                   d.assignee_name.empty() ? d.assignee_id : d.assignee_name);
  } else {
    fmt::format_to(it, FMT_COMPILE("Sent to {} '{}'"), to_string(d.assignee_kind), d.assignee_id);
  }
  // " (pool emea, best match, route r1)": how the assignee was reached.
  const std::size_t before_via = out.size();
  const auto next_part = [&] { out += out.size() == before_via ? " (" : ", "; };
  if (!d.pool.empty()) {
    next_part();
    out += "pool ";
    out += d.pool;
    if (d.strategy) {
      out += ", ";
      out += strategy_label(*d.strategy);
    }
  } else if (d.assignee_kind == AssigneeKind::kRep && d.enrichment.account &&
             d.enrichment.account->owner_id == d.assignee_id) {
    next_part();
    out += "owner of account ";
    out += d.enrichment.account->account_name;
  } else if (d.assignee_kind == AssigneeKind::kRep && d.enrichment.duplicate &&
             d.enrichment.duplicate->owner_id == d.assignee_id) {
    next_part();
    out += "owner of the duplicate record";
  }
  if (!d.route.empty()) {
    next_part();
    if (d.route == "final_fallback") {
      out += "final fallback";
    } else if (d.route.starts_with("tier:")) {
      out += d.route;
    } else {
      out += d.used_fallback ? "fallback of route " : "route ";
      out += d.route;
    }
  }
  if (out.size() != before_via) {
    out += ')';
  }
  fmt::format_to(it, FMT_COMPILE(": fit {}, intent {}"), rounded(d.scores.fit),
                 rounded(d.scores.intent));
  if (d.scores.model) {
    fmt::format_to(it, FMT_COMPILE(", model {}%"), rounded(100 * d.scores.model->probability));
  } else if (!d.scores.model_error.empty()) {
    out += ", model unavailable";
  }
  if (!d.tier.empty()) {
    fmt::format_to(it, FMT_COMPILE(", tier {}"), d.tier);
  }
  if (d.sla_deadline) {
    if (d.sla_seconds % 60 != 0) {
      fmt::format_to(it, FMT_COMPILE(", SLA {} s (due "), d.sla_seconds);
    } else {
      fmt::format_to(it, FMT_COMPILE(", SLA {} min (due "), d.sla_minutes);
    }
    append_iso8601(out, *d.sla_deadline);
    out += ')';
  }
  out += '.';

  // The match behind an account-owner or duplicate route, so the rep can
  // check it ("Acme Corp by email domain acme.com, confidence 0.95").
  if (d.enrichment.duplicate) {
    const DuplicateMatch& dup = *d.enrichment.duplicate;
    fmt::format_to(it, FMT_COMPILE(" Possible duplicate of {} {} ({})"),
                   dup.object_type.empty() ? "record" : dup.object_type, dup.record_id, dup.reason);
    if (dup.owner_id.empty()) {
      out += ", which has no owner yet.";
    } else {
      fmt::format_to(it, FMT_COMPILE(", owned by {}."), dup.owner_id);
    }
  }
  if (d.enrichment.account) {
    const AccountMatch& account = *d.enrichment.account;
    fmt::format_to(it, FMT_COMPILE(" Matched account {} by {}, confidence {:.2f}."),
                   account.account_name.empty() ? account.account_id : account.account_name,
                   account.reason, account.confidence);
  }

  for (std::size_t i = 0; i + 1 < d.trail.size(); ++i) {
    fmt::format_to(it, FMT_COMPILE(" {}: {}."), d.trail[i].route, d.trail[i].outcome);
  }

  int named = 0;
  int more = 0;
  for (const Candidate& c : d.candidates) {
    if (c.eligible()) {
      continue;
    }
    if (named == kMaxExcludedNamed) {
      ++more;
      continue;
    }
    fmt::format_to(it, FMT_COMPILE(" {} excluded: "), c.rep_name.empty() ? c.rep_id : c.rep_name);
    for (std::size_t i = 0; i < c.exclusions.size(); ++i) {
      fmt::format_to(it, FMT_COMPILE("{}{}"), i == 0 ? "" : ", ", c.exclusions[i].detail);
    }
    out += '.';
    ++named;
  }
  if (more > 0) {
    fmt::format_to(it, FMT_COMPILE(" {} more excluded."), more);
  }
  return out;
}

}  // namespace leadrouter::core
