// DecisionEngine's network-phase enrichment of new leads (account match and
// duplicate), kept apart from the routing and commit in decision_engine.cpp.
#include <algorithm>
#include <mutex>

#include "sidecar/pipeline/decision_engine.hpp"

namespace leadrouter::sidecar {

void DecisionEngine::set_enricher(std::shared_ptr<const LeadEnricher> enricher) {
  std::lock_guard lock(mutex_);
  enricher_ = std::move(enricher);
}

std::expected<std::map<std::string, core::Enrichment, std::less<>>, Error>
DecisionEngine::enrich_new_leads(
    connectors::CrmConnector& crm, const core::FreeMailDomains& free_mail,
    const std::vector<std::pair<const core::Lead*, std::string>>& leads_and_owners,
    bool only_undecided) {
  std::shared_ptr<const LeadEnricher> enricher;
  {
    std::lock_guard lock(mutex_);
    enricher = enricher_;
  }
  std::map<std::string, core::Enrichment, std::less<>> out;
  if (!enricher) {
    return out;
  }
  for (const auto& [lead, owner] : leads_and_owners) {
    if (out.contains(lead->id)) {
      continue;
    }
    if (only_undecided) {
      if (lead->id.empty()) {
        continue;
      }
      // Leads the routing phase will not route need no CRM call.
      const bool foreign_owner =
          !owner.empty() && std::ranges::find(ingest_.unassigned_owner_ids, owner) ==
                                ingest_.unassigned_owner_ids.end();
      if (!ingest_.route_owned_leads && foreign_owner) {
        continue;
      }
      auto existing = store_.decision_for_lead(crm.name(), lead->id);
      if (!existing) {
        return std::unexpected(existing.error());
      }
      if (*existing) {
        continue;
      }
    }
    auto enrichment = enricher->enrich(crm, *lead, free_mail);
    if (!enrichment) {
      return std::unexpected(enrichment.error());
    }
    out.emplace(lead->id, std::move(*enrichment));
  }
  return out;
}

}  // namespace leadrouter::sidecar
