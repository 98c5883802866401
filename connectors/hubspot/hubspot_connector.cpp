#include "connectors/hubspot/hubspot_connector.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>

#include "connectors/json_fields.hpp"
#include "connectors/url.hpp"
#include "core/text.hpp"

namespace leadrouter::connectors::hubspot {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string epoch_ms(TimestampMs t) {
  return std::to_string(t.time_since_epoch().count());
}

std::string to_lower(std::string s) {
  std::ranges::transform(s, s.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string hubspot_priority(std::string_view p) {
  if (p == "high" || p == "HIGH") {
    return "HIGH";
  }
  if (p == "low" || p == "LOW") {
    return "LOW";
  }
  return "MEDIUM";
}

Error invalid_response(std::string_view what, std::string_view why) {
  return Error{ErrorKind::kInvalidResponse, fmt::format("{}: {}", what, why)};
}

template <typename Item>
struct FeedSlice {
  std::vector<Item> items;
  LeadCursor next;
  bool more = false;
};

// One page of a change feed (contacts or companies) in (modified, id) order.
// `search(filters, sort)` runs one search of at most page_size records;
// `key(item)` gives an item's (modified_at, id).
template <typename Filter, typename Item, typename Search, typename Key>
std::expected<FeedSlice<Item>, Error> walk_change_feed(const LeadCursor& cursor, int page_size,
                                                       const std::string& modified, Search search,
                                                       Key key) {
  auto by_time_then_id = [&](const Item& a, const Item& b) {
    const auto ka = key(a);
    const auto kb = key(b);
    if (ka.modified_at != kb.modified_at) {
      return ka.modified_at < kb.modified_at;
    }
    return compare_record_ids(ka.last_id, kb.last_id) < 0;
  };
  // The rest of a group of records sharing one timestamp, in id order. Search
  // allows one sort only, so a group is walked by id inside an equality filter.
  auto walk_group = [&](TimestampMs at,
                        const std::string& after_id) -> std::expected<FeedSlice<Item>, Error> {
    std::vector<Filter> filters{{modified, "EQ", epoch_ms(at), {}}};
    if (!after_id.empty()) {
      filters.push_back({"hs_object_id", "GT", after_id, {}});
    }
    auto items = search(filters, "hs_object_id");
    if (!items) {
      return std::unexpected(items.error());
    }
    std::ranges::sort(*items, by_time_then_id);
    FeedSlice<Item> page;
    const bool full = static_cast<int>(items->size()) == page_size;
    page.next =
        LeadCursor{at, full && !items->empty() ? key(items->back()).last_id : std::string{}};
    page.items = std::move(*items);
    page.more = true;  // records after this timestamp may follow
    return page;
  };

  if (!cursor.last_id.empty()) {
    auto page = walk_group(cursor.modified_at, cursor.last_id);
    if (!page || !page->items.empty()) {
      return page;
    }
  }
  // Every call starts a fresh search from the cursor, so the 10,000-result
  // cap of one search is never reached: the window moves forward instead.
  auto items = search({{modified, "GT", epoch_ms(cursor.modified_at), {}}}, modified);
  if (!items) {
    return std::unexpected(items.error());
  }
  std::ranges::sort(*items, by_time_then_id);
  FeedSlice<Item> page;
  if (items->empty()) {
    page.next = LeadCursor{cursor.modified_at, {}};
    return page;
  }
  if (static_cast<int>(items->size()) < page_size) {
    page.next = LeadCursor{key(items->back()).modified_at, {}};
    page.items = std::move(*items);
    return page;
  }
  // A full page may cut the group at its last timestamp: return only the
  // complete groups before it, or walk that group by id when it fills the page.
  const auto last = key(items->back()).modified_at;
  std::erase_if(*items, [&](const Item& i) { return key(i).modified_at == last; });
  if (items->empty()) {
    return walk_group(last, "");
  }
  page.next = LeadCursor{key(items->back()).modified_at, {}};
  page.items = std::move(*items);
  page.more = true;
  return page;
}

}  // namespace

HubSpotConnector::HubSpotConnector(HubSpotConnectorOptions options, ApiSession session)
    : options_(std::move(options)),
      session_(std::move(session)),
      webhooks_(options_.webhook_client_secret) {}

std::string HubSpotConnector::task_marker(std::string_view decision_id) {
  // One search token (letters, digits, '_'), so CONTAINS_TOKEN finds it.
  std::string marker = "leadrouter_decision_";
  for (char c : decision_id) {
    marker += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  return marker;
}

std::expected<rapidjson::Document, Error> HubSpotConnector::search(
    std::string_view object, const std::vector<std::vector<Filter>>& groups,
    std::string_view sort_property, const std::vector<std::string>& properties, int limit,
    std::string_view after, std::string_view what) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("filterGroups");
  w.StartArray();
  for (const auto& group : groups) {
    w.StartObject();
    w.Key("filters");
    w.StartArray();
    for (const auto& f : group) {
      w.StartObject();
      w.Key("propertyName");
      write_string(w, f.property);
      w.Key("operator");
      write_string(w, f.op);
      if (!f.values.empty()) {
        w.Key("values");
        w.StartArray();
        for (const auto& v : f.values) {
          write_string(w, v);
        }
        w.EndArray();
      } else if (!f.value.empty()) {
        w.Key("value");
        write_string(w, f.value);
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  if (!sort_property.empty()) {
    w.Key("sorts");
    w.StartArray();
    w.StartObject();
    w.Key("propertyName");
    write_string(w, sort_property);
    w.Key("direction");
    w.String("ASCENDING");
    w.EndObject();
    w.EndArray();
  }
  w.Key("properties");
  w.StartArray();
  for (const auto& p : properties) {
    write_string(w, p);
  }
  w.EndArray();
  w.Key("limit");
  w.Int(limit);
  if (!after.empty()) {
    w.Key("after");
    write_string(w, after);
  }
  w.EndObject();
  auto doc = session_.call_json("POST", fmt::format("{}/{}/search", options_.objects_path, object),
                                buf.GetString(), Idempotency::kIdempotent, what);
  if (doc && (!doc->IsObject() || !json_member(*doc, "results") ||
              !json_member(*doc, "results")->IsArray())) {
    return std::unexpected(invalid_response(what, "search response has no results array"));
  }
  return doc;
}

std::expected<std::vector<ChangedLead>, Error> HubSpotConnector::search_leads(
    const std::vector<Filter>& filters, std::string_view sort_property, int limit) {
  auto doc = search("contacts", {filters}, sort_property, lead_properties(), limit, "",
                    "search changed HubSpot contacts");
  if (!doc) {
    return std::unexpected(doc.error());
  }
  std::vector<ChangedLead> out;
  for (const auto& record : (*doc)["results"].GetArray()) {
    auto changed = to_changed_lead(record, "search changed HubSpot contacts");
    if (!changed) {
      return std::unexpected(changed.error());
    }
    out.push_back(std::move(*changed));
  }
  return out;
}

std::vector<std::string> HubSpotConnector::lead_properties() const {
  auto properties = options_.mapping.crm_properties();
  for (const auto& p :
       {options_.modified_property, options_.owner_property, std::string("hs_object_id")}) {
    if (std::ranges::find(properties, p) == properties.end()) {
      properties.push_back(p);
    }
  }
  return properties;
}

std::expected<ChangedLead, Error> HubSpotConnector::to_changed_lead(const rapidjson::Value& record,
                                                                    std::string_view what) const {
  const std::string id = json_text(record, "id");
  const auto* props = json_member(record, "properties");
  if (id.empty() || !props) {
    return std::unexpected(invalid_response(what, "a contact lacks id or properties"));
  }
  auto values = json_scalars(*props);
  ChangedLead changed;
  changed.lead = options_.mapping.to_lead(values);
  changed.lead.id = id;
  changed.lead.source_system = "hubspot";
  changed.lead.object_type = "contact";
  changed.owner_id = values[options_.owner_property];
  auto modified = parse_crm_time(values[options_.modified_property]);
  if (!modified) {
    modified = parse_crm_time(json_text(record, "updatedAt"));
  }
  if (!modified) {
    return std::unexpected(invalid_response(
        what, fmt::format("contact {} has no parseable {}", id, options_.modified_property)));
  }
  changed.modified_at = *modified;
  return changed;
}

std::expected<ChangedLead, Error> HubSpotConnector::fetch_lead(const std::string& record_id) {
  const std::string what = fmt::format("read HubSpot contact {}", record_id);
  if (record_id.empty()) {
    return std::unexpected(Error::invalid_input(what + ": empty record id"));
  }
  std::string path = fmt::format("{}/contacts/{}?archived=false", options_.objects_path,
                                 percent_encode(record_id));
  for (const auto& p : lead_properties()) {
    path += "&properties=" + percent_encode(p);
  }
  auto doc = session_.call_json("GET", path, "", Idempotency::kIdempotent, what);
  if (!doc) {
    auto error = doc.error();
    if (error.http_status == 404) {
      error.kind = ErrorKind::kNotFound;
    }
    return std::unexpected(std::move(error));
  }
  return to_changed_lead(*doc, what);
}

std::expected<LeadPage, Error> HubSpotConnector::fetch_changed_leads(const LeadCursor& cursor,
                                                                     int page_size) {
  page_size = std::clamp(page_size, 1, 200);
  auto slice = walk_change_feed<Filter, ChangedLead>(
      cursor, page_size, options_.modified_property,
      [&](const std::vector<Filter>& filters, std::string_view sort) {
        return search_leads(filters, sort, page_size);
      },
      [](const ChangedLead& l) {
        return LeadCursor{l.modified_at, l.lead.id};
      });
  if (!slice) {
    return std::unexpected(slice.error());
  }
  return LeadPage{std::move(slice->items), std::move(slice->next), slice->more};
}

std::expected<std::vector<core::Rep>, Error> HubSpotConnector::list_reps() {
  std::vector<core::Rep> reps;
  std::string after;
  for (int pages = 0; pages < 1000; ++pages) {
    std::string path = options_.owners_path + "?limit=100&archived=false";
    if (!after.empty()) {
      path += "&after=" + percent_encode(after);
    }
    auto doc = session_.call_json("GET", path, "", Idempotency::kIdempotent, "list HubSpot owners");
    if (!doc) {
      return std::unexpected(doc.error());
    }
    const auto* results = json_member(*doc, "results");
    if (!results || !results->IsArray()) {
      return std::unexpected(invalid_response("list HubSpot owners", "no results array"));
    }
    for (const auto& o : results->GetArray()) {
      if (json_text(o, "type") == "QUEUE") {
        continue;
      }
      core::Rep rep;
      rep.id = json_text(o, "id");
      if (rep.id.empty()) {
        return std::unexpected(invalid_response("list HubSpot owners", "an owner has no id"));
      }
      rep.email = json_text(o, "email");
      rep.name = json_text(o, "firstName");
      const auto last_name = json_text(o, "lastName");
      if (!last_name.empty()) {
        rep.name += rep.name.empty() ? last_name : " " + last_name;
      }
      if (rep.name.empty()) {
        rep.name = rep.email;
      }
      rep.active = json_text(o, "archived") != "true";
      if (const auto* teams = json_member(o, "teams"); teams && teams->IsArray()) {
        for (const auto& t : teams->GetArray()) {
          if (auto team = json_text(t, "name"); !team.empty()) {
            rep.teams.push_back(team);
          }
        }
      }
      if (rep.active) {
        reps.push_back(std::move(rep));
      }
    }
    const auto* paging = json_member(*doc, "paging");
    const auto* next = paging ? json_member(*paging, "next") : nullptr;
    after = next ? json_text(*next, "after") : "";
    if (after.empty()) {
      return reps;
    }
  }
  return std::unexpected(invalid_response("list HubSpot owners", "more than 1000 pages"));
}

std::expected<std::vector<CrmAccount>, Error> HubSpotConnector::find_accounts(
    const AccountQuery& query) {
  // Search allows 5 filter groups: one for all domains (IN), the rest for names.
  std::vector<std::vector<std::vector<Filter>>> requests;
  std::vector<std::vector<Filter>> groups;
  if (!query.domains.empty()) {
    std::vector<std::string> domains;
    for (const auto& d : query.domains) {
      domains.push_back(to_lower(d));
    }
    groups.push_back({{"domain", "IN", "", domains}});
  }
  for (const auto& name : query.names) {
    if (groups.size() == 5) {
      requests.push_back(std::move(groups));
      groups.clear();
    }
    groups.push_back({{"name", "EQ", name, {}}});
  }
  if (!groups.empty()) {
    requests.push_back(std::move(groups));
  }
  std::vector<CrmAccount> out;
  std::set<std::string> seen;
  for (const auto& request : requests) {
    auto doc =
        search("companies", request, "", account_properties(), 100, "", "search HubSpot companies");
    if (!doc) {
      return std::unexpected(doc.error());
    }
    for (const auto& c : (*doc)["results"].GetArray()) {
      CrmAccount account = to_account(c);
      if (!account.id.empty() && seen.insert(account.id).second) {
        out.push_back(std::move(account));
      }
    }
  }
  return out;
}

void HubSpotConnector::update_records(const std::vector<WriteBack>& batch,
                                      std::vector<WriteResult>& results) {
  auto properties_of = [&](const WriteBack& wb) {
    std::vector<std::pair<std::string, std::string>> props;
    if (!wb.owner_id.empty()) {
      props.emplace_back(options_.owner_property, wb.owner_id);
    }
    if (wb.score && !options_.score_property.empty()) {
      props.emplace_back(options_.score_property, fmt::format("{:.1f}", *wb.score));
    }
    if (!wb.tier.empty() && !options_.tier_property.empty()) {
      props.emplace_back(options_.tier_property, wb.tier);
    }
    if (!wb.reason.empty() && !options_.reason_property.empty()) {
      props.emplace_back(options_.reason_property, wb.reason);
    }
    return props;
  };
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!properties_of(batch[i]).empty()) {
      pending.push_back(i);
    }
  }
  const std::string path = options_.objects_path + "/contacts/batch/update";
  for (std::size_t start = 0; start < pending.size(); start += 100) {
    const std::vector<std::size_t> chunk(
        pending.begin() + static_cast<std::ptrdiff_t>(start),
        pending.begin() + static_cast<std::ptrdiff_t>(std::min(pending.size(), start + 100)));
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("inputs");
    w.StartArray();
    for (auto i : chunk) {
      w.StartObject();
      w.Key("id");
      write_string(w, batch[i].record_id);
      w.Key("properties");
      w.StartObject();
      for (const auto& [k, v] : properties_of(batch[i])) {
        write_string(w, k);
        write_string(w, v);
      }
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    auto resp = session_.call("POST", path, buf.GetString(), Idempotency::kIdempotent,
                              "update HubSpot contacts");
    if (!resp) {
      for (auto i : chunk) {
        results[i].error = resp.error();
      }
      continue;
    }
    rapidjson::Document doc;
    doc.Parse(resp->body.data(), resp->body.size());
    std::set<std::string> ok_ids;
    std::map<std::string, std::string> failed;  // id -> message
    if (!doc.HasParseError()) {
      if (const auto* r = json_member(doc, "results"); r && r->IsArray()) {
        for (const auto& rec : r->GetArray()) {
          ok_ids.insert(json_text(rec, "id"));
        }
      }
      if (const auto* errs = json_member(doc, "errors"); errs && errs->IsArray()) {
        for (const auto& e : errs->GetArray()) {
          const std::string message = json_text(e, "message");
          std::vector<std::string> ids;
          // The reference shows per-input errors naming the record under
          // context.id; "ids" is accepted too, as some endpoints use it.
          if (const auto* ctx = json_member(e, "context")) {
            for (const char* key : {"id", "ids"}) {
              if (const auto* idv = json_member(*ctx, key); idv && idv->IsArray()) {
                for (const auto& id : idv->GetArray()) {
                  ids.push_back(json_scalar_text(id));
                }
              }
            }
          }
          if (auto id = json_text(e, "id"); !id.empty()) {
            ids.push_back(id);
          }
          for (const auto& id : ids) {
            failed[id] = message;
          }
        }
      }
    }
    for (auto i : chunk) {
      const auto& id = batch[i].record_id;
      if (auto f = failed.find(id); f != failed.end()) {
        results[i].error =
            Error{ErrorKind::kPermanent,
                  fmt::format("update HubSpot contact {}: {}", id, f->second), resp->status};
      } else if (!ok_ids.contains(id)) {
        results[i].error = Error{ErrorKind::kInvalidResponse,
                                 fmt::format("update HubSpot contact {}: not confirmed by the "
                                             "batch response (HTTP {})",
                                             id, resp->status),
                                 resp->status};
      }
    }
  }
}

void HubSpotConnector::ensure_task(const WriteBack& wb, WriteResult& result) {
  const auto& task = *wb.task;
  const std::string marker = task_marker(wb.decision_id);
  // Check first, then create; a retry repeats the check, so a create whose
  // answer was lost is found instead of duplicated.
  auto outcome = session_.retry().run<std::string>(
      Idempotency::kIdempotent, [&]() -> std::expected<std::string, Error> {
        auto found = search("tasks",
                            {{{"associations.contact", "EQ", wb.record_id, {}},
                              {"hs_task_body", "CONTAINS_TOKEN", marker, {}}}},
                            "", {"hs_task_body"}, 1, "", "look up the HubSpot follow-up task");
        if (!found) {
          return std::unexpected(found.error());
        }
        if (!(*found)["results"].Empty()) {
          result.task_already_existed = true;
          return json_text((*found)["results"][0], "id");
        }
        rapidjson::StringBuffer buf;
        Writer w(buf);
        w.StartObject();
        w.Key("properties");
        w.StartObject();
        w.Key("hs_timestamp");
        write_string(w, format_time_ms(TimestampMs{task.due.time_since_epoch()}));
        w.Key("hs_task_subject");
        write_string(w, task.subject);
        w.Key("hs_task_body");
        write_string(w, task.body + "\n\n" + marker);
        w.Key("hs_task_status");
        w.String("NOT_STARTED");
        w.Key("hs_task_priority");
        write_string(w, hubspot_priority(task.priority));
        w.Key("hs_task_type");
        w.String("TODO");
        if (!task.owner_id.empty()) {
          w.Key("hubspot_owner_id");
          write_string(w, task.owner_id);
        }
        w.EndObject();
        w.Key("associations");
        w.StartArray();
        w.StartObject();
        w.Key("to");
        w.StartObject();
        w.Key("id");
        write_string(w, wb.record_id);
        w.EndObject();
        w.Key("types");
        w.StartArray();
        w.StartObject();
        w.Key("associationCategory");
        w.String("HUBSPOT_DEFINED");
        w.Key("associationTypeId");
        w.Int(options_.task_to_contact_association);
        w.EndObject();
        w.EndArray();
        w.EndObject();
        w.EndArray();
        w.EndObject();
        auto created =
            session_.call_json("POST", options_.objects_path + "/tasks", buf.GetString(),
                               Idempotency::kUnguardedCreate, "create the HubSpot follow-up task");
        if (!created) {
          return std::unexpected(created.error());
        }
        const auto id = json_text(*created, "id");
        if (id.empty()) {
          return std::unexpected(
              invalid_response("create the HubSpot follow-up task", "the response has no id"));
        }
        return id;
      });
  if (!outcome) {
    result.error = outcome.error();
    return;
  }
  result.task_id = *outcome;
}

std::vector<WriteResult> HubSpotConnector::apply(const std::vector<WriteBack>& batch) {
  std::vector<WriteResult> results(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    results[i].decision_id = batch[i].decision_id;
    results[i].record_id = batch[i].record_id;
  }
  update_records(batch, results);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (results[i].error || !batch[i].task) {
      continue;
    }
    ensure_task(batch[i], results[i]);
    // HubSpot has no notification API for apps: the task assigned to the
    // owner is what notifies them.
    results[i].notified = batch[i].notification && !results[i].task_id.empty();
  }
  return results;
}

std::expected<std::vector<Outcome>, Error> HubSpotConnector::fetch_outcomes(Timestamp since) {
  std::vector<Outcome> out;
  std::string after;
  const auto since_ms = epoch_ms(TimestampMs{since.time_since_epoch()});
  for (;;) {
    auto doc = search("contacts", {{{options_.modified_property, "GTE", since_ms, {}}}},
                      options_.modified_property, {"lifecyclestage", options_.modified_property},
                      200, after, "fetch HubSpot outcomes");
    if (!doc) {
      return std::unexpected(doc.error());
    }
    for (const auto& c : (*doc)["results"].GetArray()) {
      const auto* props = json_member(c, "properties");
      const std::string stage = props ? json_text(*props, "lifecyclestage") : "";
      Outcome o;
      o.record_id = json_text(c, "id");
      o.converted =
          std::ranges::find(options_.converted_stages, stage) != options_.converted_stages.end();
      if (props) {
        if (auto t = parse_crm_time(json_text(*props, options_.modified_property.c_str()))) {
          o.at = std::chrono::floor<std::chrono::seconds>(*t);
        }
      }
      o.detail = "lifecyclestage=" + stage;
      out.push_back(std::move(o));
    }
    const auto* paging = json_member(*doc, "paging");
    const auto* next = paging ? json_member(*paging, "next") : nullptr;
    after = next ? json_text(*next, "after") : "";
    // One search pages at most 10,000 results; callers narrow `since` to see more.
    if (after.empty() || out.size() >= 9800) {
      return out;
    }
  }
}

std::expected<std::vector<WebhookEvent>, Error> HubSpotConnector::verify_webhook(
    const WebhookRequest& request, std::chrono::system_clock::time_point now) {
  return webhooks_.verify(request, now);
}

std::vector<std::string> HubSpotConnector::account_properties() const {
  std::vector<std::string> properties{"name",          "domain",
                                      "website",       "numberofemployees",
                                      "annualrevenue", "notes_last_updated",
                                      "hs_object_id",  options_.company_modified_property};
  if (std::ranges::find(properties, options_.owner_property) == properties.end()) {
    properties.push_back(options_.owner_property);
  }
  return properties;
}

CrmAccount HubSpotConnector::to_account(const rapidjson::Value& record) const {
  CrmAccount account;
  account.id = json_text(record, "id");
  const auto* props = json_member(record, "properties");
  if (!props) {
    return account;
  }
  auto values = json_scalars(*props);
  account.name = values["name"];
  account.domain = values["domain"];
  account.website = values["website"];
  account.owner_id = values[options_.owner_property];
  const double employees = parse_number(values["numberofemployees"]).value_or(0);
  account.size =
      employees > 0 ? employees : std::max(0.0, parse_number(values["annualrevenue"]).value_or(0));
  // notes_last_updated is HubSpot's "Last Activity Date" of the company.
  account.last_activity_at = parse_crm_time(values["notes_last_updated"]);
  auto modified = parse_crm_time(values[options_.company_modified_property]);
  if (!modified) {
    modified = parse_crm_time(json_text(record, "updatedAt"));
  }
  if (modified) {
    account.modified_at = *modified;
  }
  return account;
}

std::expected<std::vector<CrmAccount>, Error> HubSpotConnector::search_accounts(
    const std::vector<Filter>& filters, std::string_view sort_property, int limit) {
  static constexpr std::string_view kWhat = "search changed HubSpot companies";
  auto doc = search("companies", {filters}, sort_property, account_properties(), limit, "", kWhat);
  if (!doc) {
    return std::unexpected(doc.error());
  }
  std::vector<CrmAccount> out;
  for (const auto& record : (*doc)["results"].GetArray()) {
    auto account = to_account(record);
    if (account.id.empty() || account.modified_at == TimestampMs{}) {
      return std::unexpected(invalid_response(
          kWhat,
          fmt::format("a company lacks id or a parseable {}", options_.company_modified_property)));
    }
    out.push_back(std::move(account));
  }
  return out;
}

std::expected<AccountPage, Error> HubSpotConnector::fetch_changed_accounts(const LeadCursor& cursor,
                                                                           int page_size) {
  page_size = std::clamp(page_size, 1, 200);
  auto slice = walk_change_feed<Filter, CrmAccount>(
      cursor, page_size, options_.company_modified_property,
      [&](const std::vector<Filter>& filters, std::string_view sort) {
        return search_accounts(filters, sort, page_size);
      },
      [](const CrmAccount& a) {
        return LeadCursor{a.modified_at, a.id};
      });
  if (!slice) {
    return std::unexpected(slice.error());
  }
  return AccountPage{std::move(slice->items), std::move(slice->next), slice->more};
}

std::expected<std::vector<CrmPerson>, Error> HubSpotConnector::find_people(
    const PeopleQuery& query) {
  static constexpr std::string_view kWhat = "search HubSpot contacts for duplicates";
  // Filter values are case-insensitive for string properties, so the email
  // and names are sent as given.
  std::vector<Filter> not_self;
  if (!query.exclude_record_id.empty()) {
    not_self.push_back({"hs_object_id", "NEQ", query.exclude_record_id, {}});
  }
  std::vector<std::vector<Filter>> groups;
  if (!query.email.empty()) {
    groups.push_back({{"email", "EQ", query.email, {}}});
  }
  if (!query.first_name.empty() || !query.last_name.empty()) {
    std::vector<Filter> by_name;
    for (const auto& [property, value] :
         {std::pair{"firstname", &query.first_name}, std::pair{"lastname", &query.last_name}}) {
      // An empty name matches a contact without one, as the comparison says.
      by_name.push_back(value->empty() ? Filter{property, "NOT_HAS_PROPERTY", "", {}}
                                       : Filter{property, "EQ", *value, {}});
    }
    groups.push_back(std::move(by_name));
  }
  if (groups.empty() || query.limit <= 0) {
    return std::vector<CrmPerson>{};
  }
  for (auto& group : groups) {
    group.insert(group.end(), not_self.begin(), not_self.end());
  }
  std::vector<std::string> properties{"email",       "firstname",           "lastname",
                                      "company",     "associatedcompanyid", "createdate",
                                      "hs_object_id"};
  if (std::ranges::find(properties, options_.owner_property) == properties.end()) {
    properties.push_back(options_.owner_property);
  }
  auto doc =
      search("contacts", groups, "createdate", properties, std::min(query.limit, 200), "", kWhat);
  if (!doc) {
    return std::unexpected(doc.error());
  }
  std::vector<CrmPerson> out;
  for (const auto& record : (*doc)["results"].GetArray()) {
    const auto* props = json_member(record, "properties");
    CrmPerson person;
    person.id = json_text(record, "id");
    if (person.id.empty() || !props) {
      return std::unexpected(invalid_response(kWhat, "a contact lacks id or properties"));
    }
    if (person.id == query.exclude_record_id) {
      continue;
    }
    auto values = json_scalars(*props);
    person.object_type = "contact";
    person.owner_id = values[options_.owner_property];
    person.email = values["email"];
    person.first_name = values["firstname"];
    person.last_name = values["lastname"];
    person.company = values["company"];
    person.account_id = values["associatedcompanyid"];
    auto created = parse_crm_time(values["createdate"]);
    if (!created) {
      created = parse_crm_time(json_text(record, "createdAt"));
    }
    if (created) {
      person.created_at = *created;
    }
    out.push_back(std::move(person));
  }
  std::ranges::stable_sort(out, [](const CrmPerson& a, const CrmPerson& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at
                                        : compare_record_ids(a.id, b.id) < 0;
  });
  return out;
}

std::expected<std::optional<rapidjson::Document>, Error> HubSpotConnector::find_task(
    const WorkCheck& check) {
  static const std::vector<std::string> kTaskProperties{"hs_task_status", "hs_task_completion_date",
                                                        "hs_lastmodifieddate", "hs_task_body"};
  if (!check.task_id.empty()) {
    const std::string what = fmt::format("read HubSpot task {}", check.task_id);
    std::string path = fmt::format("{}/tasks/{}?archived=false", options_.objects_path,
                                   percent_encode(check.task_id));
    for (const auto& p : kTaskProperties) {
      path += "&properties=" + percent_encode(p);
    }
    auto doc = session_.call_json("GET", path, "", Idempotency::kIdempotent, what);
    if (!doc) {
      if (doc.error().http_status == 404) {
        return std::optional<rapidjson::Document>{};
      }
      return std::unexpected(doc.error());
    }
    return std::optional<rapidjson::Document>{std::move(*doc)};
  }
  if (check.decision_id.empty()) {
    return std::optional<rapidjson::Document>{};
  }
  auto found = search("tasks",
                      {{{"associations.contact", "EQ", check.record_id, {}},
                        {"hs_task_body", "CONTAINS_TOKEN", task_marker(check.decision_id), {}}}},
                      "", kTaskProperties, 1, "", "look up the HubSpot follow-up task");
  if (!found) {
    return std::unexpected(found.error());
  }
  auto& results = (*found)["results"];
  if (results.Empty()) {
    return std::optional<rapidjson::Document>{};
  }
  rapidjson::Document task;
  task.CopyFrom(results[0], task.GetAllocator());
  return std::optional<rapidjson::Document>{std::move(task)};
}

std::expected<WorkStatus, Error> HubSpotConnector::work_status(const WorkCheck& check) {
  const std::string what =
      fmt::format("check whether HubSpot contact {} was worked", check.record_id);
  if (check.record_id.empty()) {
    return std::unexpected(Error::invalid_input(what + ": empty record id"));
  }
  // The contact is read first: a deleted lead is the caller's to handle.
  std::string path =
      fmt::format("{}/contacts/{}?archived=false&properties={}", options_.objects_path,
                  percent_encode(check.record_id), percent_encode(options_.modified_property));
  if (!check.field.empty()) {
    path += "&properties=" + percent_encode(check.field);
  }
  auto contact = session_.call_json("GET", path, "", Idempotency::kIdempotent, what);
  if (!contact) {
    auto error = contact.error();
    if (error.http_status == 404) {
      error.kind = ErrorKind::kNotFound;
    }
    return std::unexpected(std::move(error));
  }
  if (check.task_completed) {
    auto task = find_task(check);
    if (!task) {
      return std::unexpected(task.error());
    }
    if (*task) {
      const auto* props = json_member(**task, "properties");
      auto values = props ? json_scalars(*props) : std::map<std::string, std::string>{};
      if (values["hs_task_status"] == "COMPLETED") {
        WorkStatus status{true, parse_crm_time(values["hs_task_completion_date"]),
                          fmt::format("task {} completed", json_text(**task, "id"))};
        if (!status.worked_at) {
          status.worked_at = parse_crm_time(values["hs_lastmodifieddate"]);
        }
        return status;
      }
    }
  }
  if (!check.field.empty()) {
    const auto* props = json_member(*contact, "properties");
    auto values = props ? json_scalars(*props) : std::map<std::string, std::string>{};
    const std::string value = values[check.field];
    const bool untouched = std::ranges::any_of(
        check.untouched_values, [&](const std::string& u) { return iequals(u, value); });
    if (!untouched) {
      auto modified = parse_crm_time(values[options_.modified_property]);
      if (!modified) {
        modified = parse_crm_time(json_text(*contact, "updatedAt"));
      }
      return WorkStatus{true, modified, fmt::format("{}={}", check.field, value)};
    }
  }
  return WorkStatus{};
}

}  // namespace leadrouter::connectors::hubspot
