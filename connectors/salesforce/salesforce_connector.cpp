#include "connectors/salesforce/salesforce_connector.hpp"

#include <date/date.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "connectors/json_fields.hpp"
#include "connectors/salesforce/soql.hpp"
#include "connectors/url.hpp"
#include "core/text.hpp"

namespace leadrouter::connectors::salesforce {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

Error invalid_response(std::string_view what, std::string_view why) {
  return Error{ErrorKind::kInvalidResponse, fmt::format("{}: {}", what, why)};
}

std::string salesforce_priority(std::string_view p) {
  if (p == "high") {
    return "High";
  }
  if (p == "low") {
    return "Low";
  }
  return "Normal";
}

// The first error of a collection result: {"statusCode","message","fields"}.
std::string record_error(const rapidjson::Value& result) {
  const auto* errors = json_member(result, "errors");
  if (errors && errors->IsArray() && !errors->Empty()) {
    const auto& e = (*errors)[0];
    auto code = json_text(e, "statusCode");
    if (code.empty()) {
      code = json_text(e, "errorCode");
    }
    return code + ": " + json_text(e, "message");
  }
  return "failed without an error message";
}

bool has_records(const rapidjson::Document& page) {
  const auto* r = json_member(page, "records");
  return r && r->IsArray();
}

// query() has checked has_records() on every page it returns.
rapidjson::Value::ConstArray records_of(const rapidjson::Document& page) {
  static const rapidjson::Value kEmpty(rapidjson::kArrayType);
  const auto* r = json_member(page, "records");
  return r && r->IsArray() ? r->GetArray() : kEmpty.GetArray();
}

// The change feed's keyset page: records after (SystemModstamp, Id) in that
// order. SystemModstamp also moves on system changes, which is what a sync
// wants (reference B.4).
std::string keyset_soql(std::string_view object, const std::set<std::string>& fields,
                        const LeadCursor& cursor, int page_size) {
  const auto at = soql_datetime(cursor.modified_at);
  std::string where = "SystemModstamp > " + at;
  if (!cursor.last_id.empty()) {
    where = fmt::format("({} OR (SystemModstamp = {} AND Id > {}))", where, at,
                        soql_string(cursor.last_id));
  }
  return fmt::format("SELECT {} FROM {} WHERE {} ORDER BY SystemModstamp ASC, Id ASC LIMIT {}",
                     fmt::join(fields, ", "), object, where, page_size);
}

template <typename Item>
struct FeedSlice {
  std::vector<Item> items;
  LeadCursor next;
  bool more = false;
};

// Orders a keyset page, cuts it to page_size and sets the next cursor.
template <typename Item, typename Key>
FeedSlice<Item> finish_feed_page(std::vector<Item> items, const LeadCursor& cursor, int page_size,
                                 Key key) {
  std::ranges::sort(items, [&](const Item& a, const Item& b) {
    const auto ka = key(a);
    const auto kb = key(b);
    if (ka.modified_at != kb.modified_at) {
      return ka.modified_at < kb.modified_at;
    }
    return ka.last_id < kb.last_id;
  });
  if (static_cast<int>(items.size()) > page_size) {
    items.resize(static_cast<std::size_t>(page_size));
  }
  FeedSlice<Item> slice;
  slice.next = items.empty() ? cursor : key(items.back());
  slice.more = static_cast<int>(items.size()) == page_size;
  slice.items = std::move(items);
  return slice;
}

// Salesforce has no domain field: Website stays as entered and domain empty.
CrmAccount to_account(const rapidjson::Value& record) {
  auto values = json_scalars(record);
  CrmAccount account;
  account.id = values["Id"];
  account.name = values["Name"];
  account.website = values["Website"];
  account.owner_id = values["OwnerId"];
  const double employees = parse_number(values["NumberOfEmployees"]).value_or(0);
  account.size =
      employees > 0 ? employees : std::max(0.0, parse_number(values["AnnualRevenue"]).value_or(0));
  account.last_activity_at = parse_crm_time(values["LastActivityDate"]);
  if (auto modified = parse_crm_time(values["SystemModstamp"])) {
    account.modified_at = *modified;
  }
  return account;
}

const std::set<std::string> kAccountFields{"Id",
                                           "Name",
                                           "Website",
                                           "OwnerId",
                                           "NumberOfEmployees",
                                           "AnnualRevenue",
                                           "LastActivityDate",
                                           "LastModifiedDate",
                                           "SystemModstamp"};

}  // namespace

SalesforceConnector::SalesforceConnector(SalesforceConnectorOptions options, ApiSession session)
    : options_(std::move(options)), session_(std::move(session)) {}

std::string SalesforceConnector::task_marker(std::string_view decision_id) {
  return fmt::format("[leadrouter decision {}]", decision_id);
}

std::string SalesforceConnector::data_path(std::string_view rest) const {
  return fmt::format("/services/data/{}{}", options_.api_version, rest);
}

std::expected<std::vector<rapidjson::Document>, Error> SalesforceConnector::query(
    const std::string& soql, std::size_t max_records, std::string_view what) {
  std::vector<rapidjson::Document> pages;
  std::string path = data_path("/query?q=" + percent_encode(soql));
  std::size_t count = 0;
  for (int i = 0; i < 10'000; ++i) {
    auto doc = session_.call_json("GET", path, "", Idempotency::kIdempotent, what);
    if (!doc) {
      return std::unexpected(doc.error());
    }
    if (!has_records(*doc)) {
      return std::unexpected(invalid_response(what, "query response has no records array"));
    }
    count += records_of(*doc).Size();
    const bool done = json_text(*doc, "done") != "false";
    std::string next = json_text(*doc, "nextRecordsUrl");
    pages.push_back(std::move(*doc));
    if (done || next.empty() || (max_records != 0 && count >= max_records)) {
      return pages;
    }
    if (!next.starts_with("/services/data/")) {
      return std::unexpected(invalid_response(what, "nextRecordsUrl is not an API path"));
    }
    path = std::move(next);
  }
  return std::unexpected(invalid_response(what, "more than 10000 result pages"));
}

std::expected<LeadPage, Error> SalesforceConnector::fetch_changed_leads(const LeadCursor& cursor,
                                                                        int page_size) {
  page_size = std::clamp(page_size, 1, 2000);
  static constexpr std::string_view kWhat = "query changed Salesforce leads";
  auto pages = query(keyset_soql("Lead", lead_fields(), cursor, page_size), 0, kWhat);
  if (!pages) {
    return std::unexpected(pages.error());
  }
  std::vector<ChangedLead> leads;
  for (const auto& doc : *pages) {
    for (const auto& record : records_of(doc)) {
      auto changed = to_changed_lead(record, kWhat);
      if (!changed) {
        return std::unexpected(changed.error());
      }
      leads.push_back(std::move(*changed));
    }
  }
  auto slice = finish_feed_page(std::move(leads), cursor, page_size, [](const ChangedLead& l) {
    return LeadCursor{l.modified_at, l.lead.id};
  });
  return LeadPage{std::move(slice.items), std::move(slice.next), slice.more};
}

std::set<std::string> SalesforceConnector::lead_fields() const {
  std::set<std::string> fields{"Id", "OwnerId", "SystemModstamp"};
  for (const auto& p : options_.mapping.crm_properties()) {
    fields.insert(p);
  }
  return fields;
}

std::expected<ChangedLead, Error> SalesforceConnector::to_changed_lead(
    const rapidjson::Value& record, std::string_view what) const {
  auto values = json_scalars(record);
  ChangedLead changed;
  changed.lead = options_.mapping.to_lead(values);
  changed.lead.id = values["Id"];
  changed.lead.source_system = "salesforce";
  changed.lead.object_type = "lead";
  changed.owner_id = values["OwnerId"];
  const auto modified = parse_crm_time(values["SystemModstamp"]);
  if (changed.lead.id.empty() || !modified) {
    return std::unexpected(invalid_response(what, "a record lacks Id or SystemModstamp"));
  }
  changed.modified_at = *modified;
  return changed;
}

std::expected<ChangedLead, Error> SalesforceConnector::fetch_lead(const std::string& record_id) {
  const std::string what = fmt::format("read Salesforce lead {}", record_id);
  if (record_id.empty()) {
    return std::unexpected(Error::invalid_input(what + ": empty record id"));
  }
  const auto path =
      data_path(fmt::format("/sobjects/Lead/{}?fields={}", percent_encode(record_id),
                            percent_encode(fmt::format("{}", fmt::join(lead_fields(), ",")))));
  auto doc = session_.call_json("GET", path, "", Idempotency::kIdempotent, what);
  if (!doc) {
    auto error = doc.error();
    // 404 covers NOT_FOUND and ENTITY_IS_DELETED alike.
    if (error.http_status == 404) {
      error.kind = ErrorKind::kNotFound;
    }
    return std::unexpected(std::move(error));
  }
  if (!doc->IsObject()) {
    return std::unexpected(invalid_response(what, "the response is not a record"));
  }
  return to_changed_lead(*doc, what);
}

std::expected<std::vector<core::Rep>, Error> SalesforceConnector::list_reps() {
  auto pages = query(
      "SELECT Id, Name, Email, IsActive, ManagerId FROM User WHERE IsActive = true AND "
      "UserType = 'Standard' ORDER BY Id ASC",
      0, "list Salesforce users");
  if (!pages) {
    return std::unexpected(pages.error());
  }
  std::vector<core::Rep> reps;
  for (const auto& doc : *pages) {
    for (const auto& u : records_of(doc)) {
      core::Rep rep;
      rep.id = json_text(u, "Id");
      rep.name = json_text(u, "Name");
      rep.email = json_text(u, "Email");
      rep.manager_id = json_text(u, "ManagerId");
      rep.active = json_text(u, "IsActive") != "false";
      if (rep.id.empty()) {
        return std::unexpected(invalid_response("list Salesforce users", "a user has no Id"));
      }
      reps.push_back(std::move(rep));
    }
  }
  return reps;
}

std::expected<std::vector<CrmAccount>, Error> SalesforceConnector::find_accounts(
    const AccountQuery& q) {
  std::vector<std::string> conditions;
  if (!q.names.empty()) {
    conditions.push_back("Name IN " + soql_string_list(q.names));
  }
  for (const auto& d : q.domains) {
    std::string pattern;
    for (char c : d) {
      // LIKE wildcards in a domain would widen the match.
      if (c != '%' && c != '_') {
        pattern += c;
      }
    }
    conditions.push_back("Website LIKE " + soql_string("%" + pattern + "%"));
  }
  if (conditions.empty()) {
    return std::vector<CrmAccount>{};
  }
  auto pages = query(fmt::format("SELECT {} FROM Account WHERE {} LIMIT 200",
                                 fmt::join(kAccountFields, ", "), fmt::join(conditions, " OR ")),
                     200, "search Salesforce accounts");
  if (!pages) {
    return std::unexpected(pages.error());
  }
  std::vector<CrmAccount> out;
  for (const auto& doc : *pages) {
    for (const auto& a : records_of(doc)) {
      out.push_back(to_account(a));
    }
  }
  return out;
}

void SalesforceConnector::update_leads(const std::vector<WriteBack>& batch,
                                       std::vector<WriteResult>& results) {
  auto fields_of = [&](const WriteBack& wb) {
    std::vector<std::pair<std::string, std::string>> f;
    if (!wb.owner_id.empty()) {
      f.emplace_back("OwnerId", wb.owner_id);
    }
    if (!wb.tier.empty() && !options_.tier_field.empty()) {
      f.emplace_back(options_.tier_field, wb.tier);
    }
    if (!wb.reason.empty() && !options_.reason_field.empty()) {
      f.emplace_back(options_.reason_field, wb.reason);
    }
    return f;
  };
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!fields_of(batch[i]).empty() || (batch[i].score && !options_.score_field.empty())) {
      pending.push_back(i);
    }
  }
  for (std::size_t start = 0; start < pending.size(); start += 200) {
    const std::vector<std::size_t> chunk(
        pending.begin() + static_cast<std::ptrdiff_t>(start),
        pending.begin() + static_cast<std::ptrdiff_t>(std::min(pending.size(), start + 200)));
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("allOrNone");
    w.Bool(false);
    w.Key("records");
    w.StartArray();
    for (auto i : chunk) {
      w.StartObject();
      w.Key("attributes");
      w.StartObject();
      w.Key("type");
      w.String("Lead");
      w.EndObject();
      w.Key("id");
      write_string(w, batch[i].record_id);
      for (const auto& [k, v] : fields_of(batch[i])) {
        write_string(w, k);
        write_string(w, v);
      }
      if (batch[i].score && !options_.score_field.empty()) {
        write_string(w, options_.score_field);
        w.Double(*batch[i].score);
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    auto doc = session_.call_json("PATCH", data_path("/composite/sobjects"), buf.GetString(),
                                  Idempotency::kIdempotent, "update Salesforce leads");
    if (!doc || !doc->IsArray() || doc->Size() != chunk.size()) {
      const Error e =
          doc ? invalid_response("update Salesforce leads", "expected one result per record")
              : doc.error();
      for (auto i : chunk) {
        results[i].error = e;
      }
      continue;
    }
    for (std::size_t k = 0; k < chunk.size(); ++k) {
      const auto& r = (*doc)[static_cast<rapidjson::SizeType>(k)];
      if (json_text(r, "success") != "true") {
        results[chunk[k]].error =
            Error{ErrorKind::kPermanent, fmt::format("update Salesforce lead {}: {}",
                                                     batch[chunk[k]].record_id, record_error(r))};
      }
    }
  }
}

void SalesforceConnector::ensure_tasks(const std::vector<WriteBack>& batch,
                                       std::vector<WriteResult>& results,
                                       std::vector<bool>& created) {
  std::vector<std::size_t> wanted;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].task && !results[i].error) {
      wanted.push_back(i);
    }
  }
  for (std::size_t start = 0; start < wanted.size(); start += 200) {
    const std::vector<std::size_t> chunk(
        wanted.begin() + static_cast<std::ptrdiff_t>(start),
        wanted.begin() + static_cast<std::ptrdiff_t>(std::min(wanted.size(), start + 200)));
    // Check first, then create the missing ones; a retry repeats the check,
    // so a create whose answer was lost is found rather than duplicated.
    auto done =
        session_.retry().run<bool>(Idempotency::kIdempotent, [&]() -> std::expected<bool, Error> {
          std::vector<std::string> who;
          for (auto i : chunk) {
            if (results[i].task_id.empty()) {
              who.push_back(batch[i].record_id);
            }
          }
          if (who.empty()) {
            return true;
          }
          auto pages =
              query(fmt::format("SELECT Id, WhoId, Description FROM Task WHERE WhoId IN {}",
                                soql_string_list(who)),
                    0, "look up Salesforce follow-up tasks");
          if (!pages) {
            return std::unexpected(pages.error());
          }
          for (const auto& doc : *pages) {
            for (const auto& t : records_of(doc)) {
              const auto description = json_text(t, "Description");
              const auto who_id = json_text(t, "WhoId");
              for (auto i : chunk) {
                if (results[i].task_id.empty() && who_id == batch[i].record_id &&
                    description.find(task_marker(batch[i].decision_id)) != std::string::npos) {
                  results[i].task_id = json_text(t, "Id");
                  results[i].task_already_existed = !created[i];
                }
              }
            }
          }
          std::vector<std::size_t> missing;
          for (auto i : chunk) {
            if (results[i].task_id.empty()) {
              missing.push_back(i);
            }
          }
          if (missing.empty()) {
            return true;
          }
          rapidjson::StringBuffer buf;
          Writer w(buf);
          w.StartObject();
          w.Key("allOrNone");
          w.Bool(false);
          w.Key("records");
          w.StartArray();
          for (auto i : missing) {
            const auto& task = *batch[i].task;
            w.StartObject();
            w.Key("attributes");
            w.StartObject();
            w.Key("type");
            w.String("Task");
            w.EndObject();
            w.Key("WhoId");
            write_string(w, batch[i].record_id);
            if (!task.owner_id.empty()) {
              w.Key("OwnerId");
              write_string(w, task.owner_id);
            }
            w.Key("Subject");
            write_string(w, task.subject);
            w.Key("ActivityDate");
            write_string(w, date::format("%F", std::chrono::floor<date::days>(task.due)));
            w.Key("Priority");
            write_string(w, salesforce_priority(task.priority));
            w.Key("Status");
            write_string(w, options_.task_status);
            w.Key("Description");
            write_string(w, task.body + "\n\n" + task_marker(batch[i].decision_id));
            w.EndObject();
          }
          w.EndArray();
          w.EndObject();
          auto doc = session_.call_json("POST", data_path("/composite/sobjects"), buf.GetString(),
                                        Idempotency::kUnguardedCreate,
                                        "create Salesforce follow-up tasks");
          if (!doc) {
            return std::unexpected(doc.error());
          }
          if (!doc->IsArray() || doc->Size() != missing.size()) {
            return std::unexpected(invalid_response("create Salesforce follow-up tasks",
                                                    "expected one result per task"));
          }
          for (std::size_t k = 0; k < missing.size(); ++k) {
            const auto& r = (*doc)[static_cast<rapidjson::SizeType>(k)];
            const auto i = missing[k];
            if (json_text(r, "success") == "true") {
              results[i].task_id = json_text(r, "id");
              created[i] = true;
            } else {
              results[i].error =
                  Error{ErrorKind::kPermanent, fmt::format("create Salesforce task for lead {}: {}",
                                                           batch[i].record_id, record_error(r))};
            }
          }
          return true;
        });
    if (!done) {
      for (auto i : chunk) {
        if (results[i].task_id.empty() && !results[i].error) {
          results[i].error = done.error();
        }
      }
    }
  }
}

void SalesforceConnector::notify(const std::vector<WriteBack>& batch,
                                 std::vector<WriteResult>& results,
                                 const std::vector<bool>& created) {
  if (options_.notification_type_id.empty()) {
    return;
  }
  // Only alongside a task created now: a replayed write-back alerts nobody twice.
  std::vector<std::size_t> targets;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].notification && !results[i].error && (!batch[i].task || created[i])) {
      targets.push_back(i);
    }
  }
  if (targets.empty()) {
    return;
  }
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("inputs");
  w.StartArray();
  for (auto i : targets) {
    const auto& n = *batch[i].notification;
    w.StartObject();
    w.Key("customNotifTypeId");
    write_string(w, options_.notification_type_id);
    w.Key("recipientIds");
    w.StartArray();
    write_string(w, n.recipient_id);
    w.EndArray();
    w.Key("title");
    write_string(w, n.title.substr(0, 250));
    w.Key("body");
    write_string(w, n.body.substr(0, 750));
    w.Key("targetId");
    write_string(w, batch[i].record_id);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  auto doc = session_.call_json("POST", data_path("/actions/standard/customNotificationAction"),
                                buf.GetString(), Idempotency::kUnguardedCreate,
                                "send Salesforce custom notifications");
  for (std::size_t k = 0; k < targets.size(); ++k) {
    auto& result = results[targets[k]];
    if (!doc) {
      result.error = doc.error();
    } else if (doc->IsArray() && k < doc->Size() &&
               json_text((*doc)[static_cast<rapidjson::SizeType>(k)], "isSuccess") == "true") {
      result.notified = true;
    } else {
      result.error = invalid_response("send Salesforce custom notification",
                                      "the action did not report success for this input");
    }
  }
}

std::vector<WriteResult> SalesforceConnector::apply(const std::vector<WriteBack>& batch) {
  std::vector<WriteResult> results(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    results[i].decision_id = batch[i].decision_id;
    results[i].record_id = batch[i].record_id;
  }
  std::vector<bool> created(batch.size(), false);
  update_leads(batch, results);
  ensure_tasks(batch, results, created);
  notify(batch, results, created);
  return results;
}

std::expected<std::vector<Outcome>, Error> SalesforceConnector::fetch_outcomes(Timestamp since) {
  auto pages = query(fmt::format("SELECT Id, IsConverted, ConvertedDate, Status, SystemModstamp "
                                 "FROM Lead WHERE SystemModstamp >= {} ORDER BY SystemModstamp ASC",
                                 soql_datetime(TimestampMs{since.time_since_epoch()})),
                     0, "fetch Salesforce outcomes");
  if (!pages) {
    return std::unexpected(pages.error());
  }
  std::vector<Outcome> out;
  for (const auto& doc : *pages) {
    for (const auto& l : records_of(doc)) {
      Outcome o;
      o.record_id = json_text(l, "Id");
      o.converted = json_text(l, "IsConverted") == "true";
      if (auto t = parse_crm_time(json_text(l, o.converted ? "ConvertedDate" : "SystemModstamp"))) {
        o.at = std::chrono::floor<std::chrono::seconds>(*t);
      }
      o.detail = o.converted ? "IsConverted" : "Status=" + json_text(l, "Status");
      out.push_back(std::move(o));
    }
  }
  return out;
}

std::expected<std::vector<WebhookEvent>, Error> SalesforceConnector::verify_webhook(
    const WebhookRequest& /*request*/, std::chrono::system_clock::time_point /*now*/) {
  return std::unexpected(
      Error{ErrorKind::kPermanent,
            "the Salesforce connector accepts no webhooks: lead changes are picked up by polling "
            "SystemModstamp (configure poll_interval_seconds)"});
}

std::expected<AccountPage, Error> SalesforceConnector::fetch_changed_accounts(
    const LeadCursor& cursor, int page_size) {
  page_size = std::clamp(page_size, 1, 2000);
  static constexpr std::string_view kWhat = "query changed Salesforce accounts";
  auto pages = query(keyset_soql("Account", kAccountFields, cursor, page_size), 0, kWhat);
  if (!pages) {
    return std::unexpected(pages.error());
  }
  std::vector<CrmAccount> accounts;
  for (const auto& doc : *pages) {
    for (const auto& record : records_of(doc)) {
      auto account = to_account(record);
      if (account.id.empty() || account.modified_at == TimestampMs{}) {
        return std::unexpected(invalid_response(kWhat, "a record lacks Id or SystemModstamp"));
      }
      accounts.push_back(std::move(account));
    }
  }
  auto slice = finish_feed_page(std::move(accounts), cursor, page_size, [](const CrmAccount& a) {
    return LeadCursor{a.modified_at, a.id};
  });
  return AccountPage{std::move(slice.items), std::move(slice.next), slice.more};
}

std::expected<std::vector<CrmPerson>, Error> SalesforceConnector::query_people(
    std::string_view object, const PeopleQuery& q) {
  const bool lead = object == "Lead";
  // SOQL's = ignores case on text fields, so values are sent as given.
  std::vector<std::string> matches;
  if (!q.email.empty()) {
    matches.push_back("Email = " + soql_string(q.email));
  }
  if (!q.first_name.empty() || !q.last_name.empty()) {
    auto equals = [](std::string_view field, const std::string& value) {
      return fmt::format("{} = {}", field, value.empty() ? "null" : soql_string(value));
    };
    matches.push_back(fmt::format("({} AND {})", equals("FirstName", q.first_name),
                                  equals("LastName", q.last_name)));
  }
  std::vector<std::string> where;
  if (lead) {
    // A converted lead lives on as a contact, which the contact query finds.
    where.emplace_back("IsConverted = false");
  }
  if (!q.exclude_record_id.empty()) {
    where.push_back("Id != " + soql_string(q.exclude_record_id));
  }
  where.push_back(fmt::format("({})", fmt::join(matches, " OR ")));
  const auto soql = fmt::format(
      "SELECT Id, OwnerId, Email, FirstName, LastName, {}, CreatedDate FROM {} WHERE {} "
      "ORDER BY CreatedDate ASC, Id ASC LIMIT {}",
      lead ? "Company" : "AccountId", object, fmt::join(where, " AND "), q.limit);
  auto pages = query(soql, static_cast<std::size_t>(q.limit),
                     lead ? "search Salesforce leads for duplicates"
                          : "search Salesforce contacts for duplicates");
  if (!pages) {
    return std::unexpected(pages.error());
  }
  std::vector<CrmPerson> out;
  for (const auto& doc : *pages) {
    for (const auto& r : records_of(doc)) {
      auto values = json_scalars(r);
      CrmPerson person;
      person.id = values["Id"];
      person.object_type = lead ? "lead" : "contact";
      person.owner_id = values["OwnerId"];
      person.email = values["Email"];
      person.first_name = values["FirstName"];
      person.last_name = values["LastName"];
      person.company = lead ? values["Company"] : std::string{};
      person.account_id = lead ? std::string{} : values["AccountId"];
      if (auto created = parse_crm_time(values["CreatedDate"])) {
        person.created_at = *created;
      }
      if (!person.id.empty() && person.id != q.exclude_record_id) {
        out.push_back(std::move(person));
      }
    }
  }
  return out;
}

std::expected<std::vector<CrmPerson>, Error> SalesforceConnector::find_people(
    const PeopleQuery& query) {
  if ((query.email.empty() && query.first_name.empty() && query.last_name.empty()) ||
      query.limit <= 0) {
    return std::vector<CrmPerson>{};
  }
  std::vector<CrmPerson> people;
  for (std::string_view object : {"Lead", "Contact"}) {
    auto found = query_people(object, query);
    if (!found) {
      return std::unexpected(found.error());
    }
    people.insert(people.end(), std::make_move_iterator(found->begin()),
                  std::make_move_iterator(found->end()));
  }
  std::ranges::stable_sort(people, [](const CrmPerson& a, const CrmPerson& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  if (people.size() > static_cast<std::size_t>(query.limit)) {
    people.resize(static_cast<std::size_t>(query.limit));
  }
  return people;
}

std::expected<std::optional<std::map<std::string, std::string>>, Error>
SalesforceConnector::find_task(const WorkCheck& check) {
  using Found = std::optional<std::map<std::string, std::string>>;
  // The reference lists no completion time on Task: LastModifiedDate dates it.
  static constexpr std::string_view kFields = "Id,Status,IsClosed,LastModifiedDate";
  if (!check.task_id.empty()) {
    const std::string what = fmt::format("read Salesforce task {}", check.task_id);
    auto doc = session_.call_json(
        "GET",
        data_path(fmt::format("/sobjects/Task/{}?fields={}", percent_encode(check.task_id),
                              percent_encode(kFields))),
        "", Idempotency::kIdempotent, what);
    if (!doc) {
      // 404 is NOT_FOUND or ENTITY_IS_DELETED: a deleted task was not completed.
      if (doc.error().http_status == 404) {
        return Found{};
      }
      return std::unexpected(doc.error());
    }
    if (!doc->IsObject()) {
      return std::unexpected(invalid_response(what, "the response is not a record"));
    }
    return Found{json_scalars(*doc)};
  }
  if (check.decision_id.empty()) {
    return Found{};
  }
  // Description is a long text area, which SOQL cannot filter on: the marker
  // is matched here, as apply() does.
  auto pages = query(fmt::format("SELECT Id, Status, IsClosed, LastModifiedDate, Description "
                                 "FROM Task WHERE WhoId = {} ORDER BY CreatedDate ASC",
                                 soql_string(check.record_id)),
                     0, "look up the Salesforce follow-up task");
  if (!pages) {
    return std::unexpected(pages.error());
  }
  const auto marker = task_marker(check.decision_id);
  for (const auto& doc : *pages) {
    for (const auto& t : records_of(doc)) {
      if (json_text(t, "Description").find(marker) != std::string::npos) {
        return Found{json_scalars(t)};
      }
    }
  }
  return Found{};
}

std::expected<WorkStatus, Error> SalesforceConnector::work_status(const WorkCheck& check) {
  // Leads are what the connector routes; a contact id (003) is read as a contact.
  const std::string_view object = check.record_id.starts_with("003") ? "Contact" : "Lead";
  const std::string what =
      fmt::format("check whether Salesforce {} {} was worked", object, check.record_id);
  if (check.record_id.empty()) {
    return std::unexpected(Error::invalid_input(what + ": empty record id"));
  }
  std::string fields = "Id,LastModifiedDate";
  if (!check.field.empty()) {
    fields += "," + check.field;
  }
  auto record = session_.call_json(
      "GET",
      data_path(fmt::format("/sobjects/{}/{}?fields={}", object, percent_encode(check.record_id),
                            percent_encode(fields))),
      "", Idempotency::kIdempotent, what);
  if (!record) {
    auto error = record.error();
    if (error.http_status == 404) {
      error.kind = ErrorKind::kNotFound;
    }
    return std::unexpected(std::move(error));
  }
  if (!record->IsObject()) {
    return std::unexpected(invalid_response(what, "the response is not a record"));
  }
  if (check.task_completed) {
    auto task = find_task(check);
    if (!task) {
      return std::unexpected(task.error());
    }
    if (*task) {
      auto& t = **task;
      // Task statuses are org-defined; IsClosed is what the chosen one implies.
      if (iequals(t["Status"], "Completed") || t["IsClosed"] == "true") {
        return WorkStatus{
            true, parse_crm_time(t["LastModifiedDate"]),
            fmt::format("task {} {}", t["Id"],
                        iequals(t["Status"], "Completed") ? std::string("completed")
                                                          : "closed (" + t["Status"] + ")")};
      }
    }
  }
  if (!check.field.empty()) {
    // Field names are case-insensitive in Salesforce; the response spells
    // them as the schema does.
    std::string value;
    auto values = json_scalars(*record);
    for (const auto& [name, v] : values) {
      if (iequals(name, check.field)) {
        value = v;
      }
    }
    const bool untouched = std::ranges::any_of(
        check.untouched_values, [&](const std::string& u) { return iequals(u, value); });
    if (!untouched) {
      return WorkStatus{true, parse_crm_time(values["LastModifiedDate"]),
                        fmt::format("{}={}", check.field, value)};
    }
  }
  return WorkStatus{};
}

}  // namespace leadrouter::connectors::salesforce
