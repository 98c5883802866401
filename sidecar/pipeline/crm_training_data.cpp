#include "sidecar/pipeline/crm_training_data.hpp"

#include <map>
#include <set>
#include <utility>

#include "core/lead_json.hpp"

namespace leadrouter::sidecar {

namespace {

// The CRM property an outcome was read from: "lifecyclestage=customer" ->
// "lifecyclestage", "IsConverted" -> "IsConverted".
std::string outcome_property(const std::string& detail) {
  return detail.substr(0, detail.find('='));
}

// Every outcome changed since `since`. A connector may cap one call (HubSpot's
// search stops at 10,000 results), so reading resumes from the latest outcome
// time until a call brings no record not seen before.
std::expected<std::map<std::string, connectors::Outcome>, Error> pull_outcomes(
    connectors::CrmConnector& connector, Timestamp since) {
  std::map<std::string, connectors::Outcome> by_record;
  for (;;) {
    auto batch = connector.fetch_outcomes(since);
    if (!batch) {
      return std::unexpected(batch.error());
    }
    bool new_record = false;
    Timestamp latest = since;
    for (connectors::Outcome& o : *batch) {
      if (o.at && *o.at > latest) {
        latest = *o.at;
      }
      auto [it, inserted] = by_record.try_emplace(o.record_id, o);
      new_record = new_record || inserted;
      if (!inserted) {
        // A conversion is final: a later clean-up does not undo it.
        const bool converted = it->second.converted || o.converted;
        it->second = std::move(o);
        it->second.converted = converted;
      }
    }
    if (!new_record || latest == since) {
      return by_record;
    }
    since = latest;
  }
}

}  // namespace

std::expected<CrmTrainingData, Error> pull_labelled_leads(connectors::CrmConnector& connector,
                                                          const connectors::FieldMapping& mapping,
                                                          Timestamp since, int page_size,
                                                          const FetchProgress& progress) {
  // The cursor means "done up to and including", so start just before `since`.
  connectors::LeadCursor cursor{connectors::TimestampMs{since.time_since_epoch()}, {}};
  if (cursor.modified_at > connectors::TimestampMs{}) {
    cursor.modified_at -= std::chrono::milliseconds{1};
  }
  std::vector<connectors::ChangedLead> leads;
  std::map<std::string, std::size_t> index;  // record id -> position in `leads`
  for (;;) {
    auto page = connector.fetch_changed_leads(cursor, page_size);
    if (!page) {
      return std::unexpected(page.error());
    }
    for (connectors::ChangedLead& changed : page->leads) {
      // A record edited while the pull runs comes back later; keep that copy.
      const auto [it, inserted] = index.try_emplace(changed.lead.id, leads.size());
      if (inserted) {
        leads.push_back(std::move(changed));
      } else {
        leads[it->second] = std::move(changed);
      }
    }
    if (progress) {
      progress(leads.size());
    }
    const bool stuck = page->next == cursor;
    cursor = page->next;
    if ((page->leads.empty() && !page->more) || stuck) {
      break;
    }
  }

  auto outcomes = pull_outcomes(connector, since);
  if (!outcomes) {
    return std::unexpected(outcomes.error());
  }
  std::set<std::string> properties;
  for (const auto& [record_id, outcome] : *outcomes) {
    if (!outcome.detail.empty()) {
      properties.insert(outcome_property(outcome.detail));
    }
  }
  std::set<std::string> leaking;
  for (const std::string& property : properties) {
    for (const auto& [key, value] : mapping.to_lead({{property, "x"}}).custom) {
      leaking.insert(key);
    }
  }

  CrmTrainingData data;
  data.outcome_fields.assign(leaking.begin(), leaking.end());
  data.leads.reserve(leads.size());
  for (connectors::ChangedLead& changed : leads) {
    for (const std::string& key : leaking) {
      changed.lead.custom.erase(key);
    }
    const auto outcome = outcomes->find(changed.lead.id);
    const bool converted = outcome != outcomes->end() && outcome->second.converted;
    data.positives += converted ? 1 : 0;
    // Engagement decays up to when the lead would have been routed: its
    // creation, or failing that its last change.
    const TimestampMs routed_at =
        changed.lead.created_at
            ? std::chrono::time_point_cast<std::chrono::milliseconds>(*changed.lead.created_at)
            : changed.modified_at;
    data.leads.push_back({.connector = connector.name(),
                          .lead_id = changed.lead.id,
                          .decided_at = routed_at,
                          .lead_json = core::lead_to_json(changed.lead),
                          .converted = converted});
  }
  return data;
}

}  // namespace leadrouter::sidecar
