#include "sidecar/pipeline/decision_engine.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "core/decision_json.hpp"
#include "core/lead_json.hpp"
#include "sidecar/logging/log.hpp"
#include "sidecar/store/roster_state_json.hpp"

namespace leadrouter::sidecar {

struct DecisionEngine::ConnectorState {
  connectors::CrmConnector* connector = nullptr;
  RoutingSetup setup;
  bool write_back = true;
  std::unique_ptr<core::Router> router;
  // None until the first roster refresh: the configured reps route alone.
  std::optional<std::vector<core::Rep>> crm_users;
  core::Roster roster;
};

namespace {

using std::chrono::system_clock;

constexpr std::string_view kKindInitial = "initial";
constexpr std::string_view kKindOwnerChanged = "owner_changed";

TimestampMs to_ms(system_clock::time_point t) {
  return std::chrono::floor<std::chrono::milliseconds>(t);
}

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::ranges::find(ids, id) != ids.end();
}

std::vector<core::Rep> roster_reps(std::string_view connector,
                                   const DecisionEngine::ConnectorState& state) {
  if (!state.crm_users) {
    return state.setup.reps;
  }
  MergedReps merged = merge_reps(*state.crm_users, state.setup.reps);
  if (!merged.unknown_ids.empty()) {
    std::string ids;
    for (const std::string& id : merged.unknown_ids) {
      ids += ids.empty() ? id : "," + id;
    }
    log::warn("reps_not_in_crm", {{"connector", connector}, {"rep_ids", ids}});
  }
  return std::move(merged.reps);
}

std::expected<void, Error> check_setup(const RoutingSetup& setup) {
  if (!setup.policy || !setup.free_mail) {
    return std::unexpected(
        Error::invalid_input("routing setup without a policy or free-mail list"));
  }
  return {};
}

// The audit record of an owner change seen in the CRM: who had the lead by
// our decision, who has it now, and that the first one's load was released.
std::string owner_change_json(std::string_view lead_id, std::string_view previous,
                              std::string_view current, TimestampMs modified_at) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("kind");
  w.String(kKindOwnerChanged.data(), static_cast<rapidjson::SizeType>(kKindOwnerChanged.size()));
  w.Key("lead_id");
  w.String(lead_id.data(), static_cast<rapidjson::SizeType>(lead_id.size()));
  w.Key("previous_owner_id");
  w.String(previous.data(), static_cast<rapidjson::SizeType>(previous.size()));
  w.Key("owner_id");
  w.String(current.data(), static_cast<rapidjson::SizeType>(current.size()));
  const std::string modified = connectors::format_time_ms(modified_at);
  w.Key("crm_modified_at");
  w.String(modified.c_str(), static_cast<rapidjson::SizeType>(modified.size()));
  w.Key("released_load");
  w.Bool(true);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

// The track-record key a stored decision was made in; empty when the
// document has none (decisions to a queue or workflow still carry one).
std::string segment_of(const std::string& decision_json) {
  rapidjson::Document doc;
  doc.Parse(decision_json.c_str(), decision_json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return {};
  }
  const auto it = doc.FindMember("segment");
  if (it == doc.MemberEnd() || !it->value.IsString()) {
    return {};
  }
  return {it->value.GetString(), it->value.GetStringLength()};
}

// One change to the roster copy, kept so the copy can be rebuilt with only
// what the store actually committed.
struct RosterOp {
  std::string decision_id;
  std::optional<core::Decision> decision;  // set: commit it
  std::string released_rep;                // else: release this rep
};

struct Decided {
  core::Decision decision;
  std::string decision_id;
  std::string email;
  std::chrono::steady_clock::time_point received_at;
};

struct Resolved {
  connectors::ChangedLead lead;
  const IngestItem* item = nullptr;
};

}  // namespace

DecisionEngine::DecisionEngine(StateStore& store, MetricsRegistry& metrics, Mode mode,
                               IngestConfig ingest, SystemClock clock)
    : store_(store),
      metrics_(metrics),
      mode_(mode),
      ingest_(std::move(ingest)),
      clock_(std::move(clock)) {}

DecisionEngine::~DecisionEngine() = default;

std::expected<void, Error> DecisionEngine::add_connector(connectors::CrmConnector& connector,
                                                         RoutingSetup setup, bool write_back) {
  if (auto ok = check_setup(setup); !ok) {
    return ok;
  }
  const std::string name = connector.name();
  auto stored = store_.roster_state(name);
  if (!stored) {
    return std::unexpected(stored.error());
  }
  core::RosterSnapshot snapshot;
  if (*stored) {
    auto parsed = roster_state_from_json(**stored);
    if (!parsed) {
      return std::unexpected(Error::internal(fmt::format(
          "stored roster state of '{}' is unreadable: {}", name, parsed.error().message)));
    }
    snapshot = std::move(*parsed);
  }
  auto state = std::make_unique<ConnectorState>();
  state->connector = &connector;
  state->write_back = write_back;
  state->router = std::make_unique<core::Router>(setup.policy, setup.free_mail, setup.model);
  state->setup = std::move(setup);
  state->roster = core::Roster(roster_reps(name, *state), std::move(snapshot));

  std::lock_guard lock(mutex_);
  if (connectors_.contains(name)) {
    return std::unexpected(Error::invalid_input(fmt::format("connector '{}' added twice", name)));
  }
  connectors_.emplace(name, std::move(state));
  return {};
}

std::expected<void, Error> DecisionEngine::replace_routing(std::string_view connector,
                                                           RoutingSetup setup) {
  if (auto ok = check_setup(setup); !ok) {
    return ok;
  }
  auto router = std::make_unique<core::Router>(setup.policy, setup.free_mail, setup.model);
  std::lock_guard lock(mutex_);
  auto it = connectors_.find(connector);
  if (it == connectors_.end()) {
    return std::unexpected(Error::not_found(fmt::format("no connector '{}'", connector)));
  }
  ConnectorState& state = *it->second;
  state.router = std::move(router);
  state.setup = std::move(setup);
  state.roster.set_reps(roster_reps(connector, state));
  return {};
}

void DecisionEngine::update_crm_users(std::string_view connector, std::vector<core::Rep> users) {
  std::lock_guard lock(mutex_);
  auto it = connectors_.find(connector);
  if (it == connectors_.end()) {
    log::warn("users_for_unknown_connector", {{"connector", connector}});
    return;
  }
  ConnectorState& state = *it->second;
  state.crm_users = std::move(users);
  state.roster.set_reps(roster_reps(connector, state));
}

std::expected<BatchResult, Error> DecisionEngine::process(std::vector<IngestItem> items) {
  // Connectors in order of first appearance, each with its items in order.
  std::vector<std::pair<std::string, std::vector<IngestItem>>> groups;
  for (IngestItem& item : items) {
    auto group = std::ranges::find(groups, item.connector,
                                   &std::pair<std::string, std::vector<IngestItem>>::first);
    if (group == groups.end()) {
      groups.emplace_back(item.connector, std::vector<IngestItem>{});
      group = std::prev(groups.end());
    }
    group->second.push_back(std::move(item));
  }

  BatchResult total;
  for (auto& [name, group] : groups) {
    ConnectorState* state = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (auto it = connectors_.find(name); it != connectors_.end()) {
        state = it->second.get();
      }
    }
    if (state == nullptr) {
      log::error("ingest_for_unknown_connector", {{"connector", name}, {"items", group.size()}});
      total.failed += static_cast<int>(group.size());
      continue;
    }

    // Network and store reads first, without the engine lock: a slow CRM
    // must not hold up previews or reloads.
    BatchResult part;
    std::vector<Resolved> leads;
    std::vector<std::string> event_ids;
    std::optional<std::string> cursor;
    std::map<std::string, std::size_t> fetched;  // record id -> index in leads
    for (const IngestItem& item : group) {
      if (item.cursor_after) {
        cursor = item.cursor_after;
      }
      if (item.lead) {
        leads.push_back({*item.lead, &item});
        continue;
      }
      if (!item.webhook_event_id.empty()) {
        if (contains(event_ids, item.webhook_event_id)) {
          ++part.skipped;
          continue;
        }
        auto seen = store_.webhook_event_seen(name, item.webhook_event_id);
        if (!seen) {
          return std::unexpected(seen.error());
        }
        if (*seen) {
          ++part.skipped;
          continue;
        }
      }
      if (auto again = fetched.find(item.record_id); again != fetched.end()) {
        // Several events about one record in a batch: one read is enough.
        leads.push_back({leads[again->second].lead, &item});
        if (!item.webhook_event_id.empty()) {
          event_ids.push_back(item.webhook_event_id);
        }
        continue;
      }
      auto lead = state->connector->fetch_lead(item.record_id);
      if (!lead) {
        if (lead.error().kind == ErrorKind::kNotFound) {
          ++part.skipped;
          if (!item.webhook_event_id.empty()) {
            event_ids.push_back(item.webhook_event_id);
          }
        } else {
          ++part.failed;
          log::warn(
              "webhook_fetch_failed",
              {{"connector", name}, {"record", item.record_id}, {"error", lead.error().message}});
        }
        continue;
      }
      fetched.emplace(item.record_id, leads.size());
      leads.push_back({std::move(*lead), &item});
      if (!item.webhook_event_id.empty()) {
        event_ids.push_back(item.webhook_event_id);
      }
    }

    std::vector<std::pair<const core::Lead*, std::string>> to_enrich;
    for (const Resolved& r : leads) {
      to_enrich.emplace_back(&r.lead.lead, r.lead.owner_id);
    }
    std::shared_ptr<const core::FreeMailDomains> free_mail;
    {
      std::lock_guard lock(mutex_);
      free_mail = state->setup.free_mail;
    }
    auto enrichments = enrich_new_leads(*state->connector, *free_mail, to_enrich, true);
    if (!enrichments) {
      return std::unexpected(enrichments.error());
    }

    std::vector<Decided> decided;
    bool wrote_outbox = false;
    {
      std::lock_guard lock(mutex_);
      const auto now = clock_();
      const TimestampMs now_ms = to_ms(now);
      const bool writes = mode_ == Mode::kLive && state->write_back;
      core::Roster copy = state->roster;
      std::vector<RosterOp> ops;
      std::set<std::string, std::less<>> in_batch;
      std::vector<BatchDecision> batch_decisions;
      const LeadEnricher* enricher = enricher_.get();
      Commit commit;
      commit.connector = name;

      for (const Resolved& r : leads) {
        const core::Lead& lead = r.lead.lead;
        const std::string& owner = r.lead.owner_id;
        if (lead.id.empty()) {
          ++part.failed;
          log::warn("lead_without_id", {{"connector", name}, {"source", r.item->source}});
          continue;
        }
        if (!in_batch.insert(lead.id).second) {
          ++part.duplicates;
          continue;
        }
        auto existing = store_.decision_for_lead(name, lead.id);
        if (!existing) {
          return std::unexpected(existing.error());
        }
        const bool foreign_owner = !owner.empty() && !contains(ingest_.unassigned_owner_ids, owner);
        if (*existing) {
          ++part.duplicates;
          // In shadow mode or without write-back the CRM's owner was never
          // ours to begin with, so a difference says nothing about our load.
          if (!writes || !foreign_owner) {
            continue;
          }
          auto latest =
              store_.decisions(DecisionQuery{.connector = name, .lead_id = lead.id, .limit = 1});
          if (!latest) {
            return std::unexpected(latest.error());
          }
          if (latest->empty()) {
            continue;
          }
          const DecisionRow& last = latest->front();
          // Our latest decision (initial or an SLA step) gave the lead to
          // last.assignee_id; a rep chosen by the CRM instead is a change.
          if (last.kind == kKindOwnerChanged || last.assignee_kind != "rep" ||
              last.assignee_id == owner) {
            continue;
          }
          // Only a change made after our write landed counts: before that
          // the CRM still shows the owner the lead arrived with, and a page
          // fetched before the write may be processed after it.
          auto written = store_.outbox(
              OutboxQuery{.connector = name, .decision_id = last.decision_id, .limit = 1});
          if (!written) {
            return std::unexpected(written.error());
          }
          if (written->empty() || written->front().state != OutboxState::kDone ||
              r.lead.modified_at <= written->front().updated_at) {
            continue;
          }
          copy.release(last.assignee_id);
          DecisionRow row;
          row.decision_id = make_decision_id(name, lead.id, 1) +
                            fmt::format(":{}:{}", kKindOwnerChanged, last.seq);
          row.connector = name;
          row.lead_id = lead.id;
          row.kind = std::string(kKindOwnerChanged);
          row.source = r.item->source;
          row.mode = to_string(mode_);
          row.decided_at = now_ms;
          row.assignee_kind = "rep";
          row.assignee_id = owner;
          row.route = last.route;
          row.tier = last.tier;
          row.score = last.score;
          row.policy_name = last.policy_name;
          row.policy_version = last.policy_version;
          row.model_version = last.model_version;
          row.lead_created_at = last.lead_created_at;
          row.decision_json =
              owner_change_json(lead.id, last.assignee_id, owner, r.lead.modified_at);
          row.lead_json = core::lead_to_json(lead);
          ops.push_back({row.decision_id, std::nullopt, last.assignee_id});
          log::info("owner_changed_in_crm", {{"connector", name},
                                             {"lead", lead.id},
                                             {"previous_owner", last.assignee_id},
                                             {"owner", owner}});
          commit.decisions.push_back(std::move(row));
          // The CRM's owner is not ours to chase: the SLA watch ends.
          auto watch = store_.sla_watch(name, lead.id);
          if (!watch) {
            return std::unexpected(watch.error());
          }
          if (*watch && (*watch)->state == SlaState::kOpen) {
            (*watch)->state = SlaState::kCancelled;
            (*watch)->closed_at = now_ms;
            (*watch)->evidence = fmt::format("owner changed in the CRM to {}", owner);
            commit.sla_watches.push_back(std::move(**watch));
          }
          continue;
        }
        if (!ingest_.route_owned_leads && foreign_owner) {
          ++part.skipped;
          continue;
        }

        core::Enrichment enrichment;
        if (auto e = enrichments->find(lead.id); e != enrichments->end()) {
          enrichment = e->second;
        }
        if (enricher != nullptr) {
          enricher->resolve_in_batch(lead, batch_decisions, enrichment);
        }
        core::Decision decision = state->router->route(
            lead, enrichment, copy, std::chrono::floor<std::chrono::seconds>(now));
        batch_decisions.push_back({&lead, decision.assignee_kind == core::AssigneeKind::kRep
                                              ? decision.assignee_id
                                              : ""});
        copy.commit(decision);
        const std::string decision_id = make_decision_id(name, lead.id, 1);

        DecisionRow row;
        row.decision_id = decision_id;
        row.connector = name;
        row.lead_id = lead.id;
        row.kind = std::string(kKindInitial);
        row.source = r.item->source;
        row.mode = to_string(mode_);
        row.decided_at = now_ms;
        row.assignee_kind = core::to_string(decision.assignee_kind);
        row.assignee_id = decision.assignee_id;
        row.route = decision.route;
        row.tier = decision.tier;
        // The stored column is what the API and CLI print: the decision JSON's
        // six decimals, not the binary fraction (31.499999999999998).
        row.score = std::round(decision.scores.combined * 1e6) / 1e6;
        row.policy_name = decision.policy_name;
        row.policy_version = decision.policy_version;
        if (decision.scores.model) {
          row.model_version = decision.scores.model->model_version;
        }
        if (lead.created_at) {
          row.lead_created_at =
              std::chrono::time_point_cast<std::chrono::milliseconds>(*lead.created_at);
        }
        row.decision_json = core::decision_to_json(decision);
        row.lead_json = core::lead_to_json(lead);
        commit.decisions.push_back(std::move(row));

        if (writes) {
          if (auto write = write_back_for(decision, lead, decision_id, lead.id)) {
            OutboxRow out;
            out.decision_id = decision_id;
            out.connector = name;
            out.record_id = lead.id;
            out.write = std::move(*write);
            out.created_at = now_ms;
            out.updated_at = now_ms;
            out.next_attempt_at = now_ms;
            commit.outbox.push_back(std::move(out));
          }
          if (auto watch =
                  open_sla_watch(name, decision_id, decision, state->router->policy(), copy)) {
            commit.sla_watches.push_back(std::move(*watch));
          }
        }
        ops.push_back({decision_id, decision, {}});
        decided.push_back({std::move(decision), decision_id, lead.email, r.item->received_at});
      }

      commit.cursor = cursor;
      commit.webhook_event_ids = event_ids;
      if (!ops.empty()) {
        commit.roster_state = roster_state_to_json(copy.snapshot());
      }
      if (!commit.decisions.empty() || commit.cursor || !commit.webhook_event_ids.empty()) {
        auto result = store_.commit(commit);
        if (!result) {
          log::error("commit_failed", {{"connector", name},
                                       {"decisions", commit.decisions.size()},
                                       {"error", result.error().message}});
          return std::unexpected(result.error());
        }
        if (!result->skipped_duplicates.empty()) {
          // Another path decided some of these leads first (the store is the
          // arbiter): the roster moves only by what was actually stored.
          const auto& skipped = result->skipped_duplicates;
          copy = state->roster;
          for (const RosterOp& op : ops) {
            if (contains(skipped, op.decision_id)) {
              continue;
            }
            if (op.decision) {
              copy.commit(*op.decision);
            } else {
              copy.release(op.released_rep);
            }
          }
          std::erase_if(decided,
                        [&](const Decided& d) { return contains(skipped, d.decision_id); });
          const int n = static_cast<int>(skipped.size());
          part.duplicates += n;
        }
        wrote_outbox = !result->outbox_ids.empty();
        state->roster = std::move(copy);
      }
    }

    const auto steady_now = std::chrono::steady_clock::now();
    const std::string mode = to_string(mode_);
    for (const IngestItem& item : group) {
      metrics_
          .counter("leadrouter_leads_ingested_total", "Leads received by the pipeline",
                   {{"connector", name}, {"source", item.source}})
          .inc();
    }
    if (part.duplicates > 0) {
      metrics_
          .counter("leadrouter_leads_duplicate_total",
                   "Leads received again after they were decided", {{"connector", name}})
          .inc(part.duplicates);
    }
    auto& latency = metrics_.histogram("leadrouter_decision_latency_seconds",
                                       "From ingest to the stored decision",
                                       latency_buckets_seconds(), {{"connector", name}});
    for (const Decided& d : decided) {
      const core::Decision& decision = d.decision;
      metrics_
          .counter("leadrouter_leads_decided_total", "Leads decided",
                   {{"connector", name}, {"route", decision.route}, {"mode", mode}})
          .inc();
      record_enrichment_metrics(metrics_, name, decision.enrichment);
      double latency_ms = 0;
      if (d.received_at != std::chrono::steady_clock::time_point{}) {
        const std::chrono::duration<double> seconds = steady_now - d.received_at;
        latency.observe(seconds.count());
        latency_ms = seconds.count() * 1000.0;
      }
      log::info("lead_decided", {{"connector", name},
                                 {"lead", decision.lead_id},
                                 {"email", log::mask_email(d.email)},
                                 {"decision_id", d.decision_id},
                                 {"assignee_kind", core::to_string(decision.assignee_kind)},
                                 {"assignee", decision.assignee_id},
                                 {"route", decision.route},
                                 {"tier", decision.tier},
                                 {"score", decision.scores.combined},
                                 {"mode", mode},
                                 {"latency_ms", latency_ms}});
    }
    part.decided = static_cast<int>(decided.size());

    total.decided += part.decided;
    total.duplicates += part.duplicates;
    total.skipped += part.skipped;
    total.failed += part.failed;

    if (wrote_outbox) {
      std::function<void(const std::string&)> callback;
      {
        std::lock_guard lock(mutex_);
        callback = committed_;
      }
      if (callback) {
        callback(name);
      }
    }
  }
  return total;
}

std::expected<OutcomeBatchResult, Error> DecisionEngine::record_outcomes(
    std::string_view connector, const std::vector<connectors::Outcome>& outcomes,
    std::optional<TimestampMs> since) {
  std::lock_guard lock(mutex_);
  auto it = connectors_.find(connector);
  if (it == connectors_.end()) {
    return std::unexpected(Error::not_found(fmt::format("no connector '{}'", connector)));
  }
  ConnectorState& state = *it->second;
  const TimestampMs now = to_ms(clock_());
  OutcomeBatchResult result;
  core::Roster copy = state.roster;
  bool roster_changed = false;
  OutcomeCommit commit;
  commit.connector = std::string(connector);
  commit.since = since;
  // A record listed twice in one batch counts by its last label.
  std::map<std::string, const connectors::Outcome*> latest;
  for (const connectors::Outcome& o : outcomes) {
    latest[o.record_id] = &o;
  }
  for (const auto& [record_id, o] : latest) {
    auto decision_id = store_.decision_for_lead(connector, record_id);
    if (!decision_id) {
      return std::unexpected(decision_id.error());
    }
    if (!*decision_id) {
      ++result.unknown;
      continue;
    }
    auto stored = store_.outcome(connector, record_id);
    if (!stored) {
      return std::unexpected(stored.error());
    }
    // A conversion is final: a lead that later leaves the customer stage
    // (a CRM clean-up) keeps its label and its track-record count.
    const bool converted = o->converted || (*stored && (*stored)->converted);
    if (*stored && (*stored)->converted == converted) {
      ++result.unchanged;
      continue;
    }
    OutcomeRow row;
    row.connector = std::string(connector);
    row.lead_id = record_id;
    row.decision_id = **decision_id;
    row.converted = converted;
    if (o->at) {
      row.outcome_at = std::chrono::time_point_cast<std::chrono::milliseconds>(*o->at);
    }
    row.detail = o->detail;
    row.updated_at = now;
    row.counted = *stored && (*stored)->counted;
    if (converted && !row.counted) {
      auto decision = store_.decision(**decision_id);
      if (!decision) {
        return std::unexpected(decision.error());
      }
      if (*decision && (*decision)->assignee_kind == "rep") {
        copy.record_outcome((*decision)->assignee_id, segment_of((*decision)->decision_json), true);
        roster_changed = true;
        ++result.conversions;
      }
      row.counted = true;
    }
    commit.outcomes.push_back(std::move(row));
    ++result.recorded;
  }
  if (roster_changed) {
    commit.roster_state = roster_state_to_json(copy.snapshot());
  }
  if (!commit.outcomes.empty() || commit.since) {
    if (auto stored = store_.commit_outcomes(commit); !stored) {
      log::error("outcome_commit_failed", {{"connector", connector},
                                           {"outcomes", commit.outcomes.size()},
                                           {"error", stored.error().message}});
      return std::unexpected(stored.error());
    }
  }
  if (roster_changed) {
    state.roster = std::move(copy);
  }
  return result;
}

std::expected<core::Decision, Error> DecisionEngine::preview(std::string_view connector,
                                                             const core::Lead& lead) {
  connectors::CrmConnector* crm = nullptr;
  std::shared_ptr<const core::FreeMailDomains> free_mail;
  {
    std::lock_guard lock(mutex_);
    if (auto it = connectors_.find(connector); it != connectors_.end()) {
      crm = it->second->connector;
      free_mail = it->second->setup.free_mail;
    }
  }
  if (crm == nullptr) {
    return std::unexpected(Error::not_found(fmt::format("no connector '{}'", connector)));
  }
  // Without the engine lock: the duplicate look-up asks the CRM.
  auto enrichments = enrich_new_leads(*crm, *free_mail, {{&lead, std::string()}}, false);
  if (!enrichments) {
    return std::unexpected(enrichments.error());
  }
  core::Enrichment enrichment;
  if (auto e = enrichments->find(lead.id); e != enrichments->end()) {
    enrichment = e->second;
  }
  std::lock_guard lock(mutex_);
  auto it = connectors_.find(connector);
  if (it == connectors_.end()) {
    return std::unexpected(Error::not_found(fmt::format("no connector '{}'", connector)));
  }
  const ConnectorState& state = *it->second;
  return state.router->route(lead, enrichment, state.roster,
                             std::chrono::floor<std::chrono::seconds>(clock_()));
}

void DecisionEngine::on_committed(std::function<void(const std::string& connector)> callback) {
  std::lock_guard lock(mutex_);
  committed_ = std::move(callback);
}

std::optional<DecisionEngine::SlaView> DecisionEngine::sla_view_locked(
    std::string_view connector) const {
  auto it = connectors_.find(connector);
  if (it == connectors_.end()) {
    return std::nullopt;
  }
  ConnectorState& state = *it->second;
  return SlaView{state.connector, state.router.get(), &state.roster, state.write_back};
}

std::vector<std::string> DecisionEngine::connectors() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, state] : connectors_) {
    names.push_back(name);
  }
  return names;
}

}  // namespace leadrouter::sidecar
