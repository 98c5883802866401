// HubspotApi's seed loading and state dump. The state is written in the seed's
// own shape (plus token and delivery details) so --state-file can reload it.
#include <algorithm>

#include "mock_crm/hubspot/hubspot_api.hpp"
#include "mock_crm/time_format.hpp"

namespace leadrouter::mock_crm::hubspot {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

namespace {

std::optional<std::string> scalar_string(const rapidjson::Value& v) {
  if (v.IsString()) {
    return std::string(v.GetString(), v.GetStringLength());
  }
  if (v.IsInt64()) {
    return std::to_string(v.GetInt64());
  }
  if (v.IsUint64()) {
    return std::to_string(v.GetUint64());
  }
  if (v.IsBool()) {
    return v.GetBool() ? "true" : "false";
  }
  return std::nullopt;
}

std::optional<std::uint64_t> numeric_id(const rapidjson::Value& v) {
  auto s = scalar_string(v);
  if (!s || s->empty() || s->find_first_not_of("0123456789") != std::string::npos ||
      s->size() > 18) {
    return std::nullopt;
  }
  return std::stoull(*s);
}

// Reads an optional integer member into out; records an error naming the path.
template <class T>
void read_int(const rapidjson::Value& obj, const char* key, T& out, const std::string& where,
              std::vector<std::string>& errors, std::int64_t min_value = 0) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) {
    return;
  }
  if (!it->value.IsInt64() || it->value.GetInt64() < min_value) {
    errors.push_back(where + "/" + key + ": expected an integer >= " + std::to_string(min_value));
    return;
  }
  out = static_cast<T>(it->value.GetInt64());
}

std::vector<std::string> read_string_list(const rapidjson::Value& obj, const char* key,
                                          const std::string& where,
                                          std::vector<std::string>& errors) {
  std::vector<std::string> out;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) {
    return out;
  }
  if (!it->value.IsArray()) {
    errors.push_back(where + "/" + key + ": expected an array of strings");
    return out;
  }
  for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
    if (!it->value[i].IsString()) {
      errors.push_back(where + "/" + key + "/" + std::to_string(i) + ": expected a string");
      continue;
    }
    out.emplace_back(it->value[i].GetString());
  }
  return out;
}

std::string read_string(const rapidjson::Value& obj, const char* key, const std::string& where,
                        std::vector<std::string>& errors, bool required) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) {
    if (required) {
      errors.push_back(where + "/" + key + ": required");
    }
    return {};
  }
  if (!it->value.IsString()) {
    errors.push_back(where + "/" + key + ": expected a string");
    return {};
  }
  return it->value.GetString();
}

std::int64_t read_time(const rapidjson::Value& obj, const char* key, const std::string& where,
                       std::vector<std::string>& errors, std::int64_t fallback) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) {
    return fallback;
  }
  auto ms = it->value.IsString() ? parse_ms_or_iso(it->value.GetString()) : std::nullopt;
  if (!ms) {
    errors.push_back(where + "/" + key + ": expected an ISO 8601 date-time or epoch ms string");
    return fallback;
  }
  return *ms;
}

}  // namespace

std::vector<std::string> HubspotApi::load_records(const ObjectType& type,
                                                  const rapidjson::Value& list,
                                                  const std::string& where) {
  std::vector<std::string> errors;
  if (!list.IsArray()) {
    errors.push_back(where + ": expected an array of records");
    return errors;
  }
  auto& table = records_[type.name];
  std::int64_t now = to_epoch_ms(std::chrono::system_clock::now());
  std::vector<std::pair<std::uint64_t, const rapidjson::Value*>> pending_assocs;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    const auto& item = list[i];
    std::string at = where + "/" + std::to_string(i);
    if (!item.IsObject()) {
      errors.push_back(at + ": expected an object with \"properties\"");
      continue;
    }
    Record r;
    if (auto id = item.FindMember("id"); id != item.MemberEnd()) {
      auto n = numeric_id(id->value);
      if (!n || *n == 0) {
        errors.push_back(at + "/id: expected a numeric string id such as \"100451\"");
        continue;
      }
      r.id = *n;
    } else {
      r.id = next_id_[type.name]++;
    }
    if (table.contains(r.id)) {
      errors.push_back(at + "/id: duplicate id " + std::to_string(r.id));
      continue;
    }
    auto props = item.FindMember("properties");
    if (props == item.MemberEnd() || !props->value.IsObject()) {
      errors.push_back(at + "/properties: required object of string values");
      continue;
    }
    for (auto p = props->value.MemberBegin(); p != props->value.MemberEnd(); ++p) {
      std::string name = p->name.GetString();
      if (p->value.IsNull()) {
        continue;
      }
      auto value = scalar_string(p->value);
      if (!value) {
        errors.push_back(at + "/properties/" + name + ": expected a string");
        continue;
      }
      if (!type.properties.contains(name)) {
        custom_properties_[type.name].insert(name);
      }
      if (!value->empty()) {
        r.properties[name] = *value;
      }
    }
    auto created_prop = r.properties.find(type.created_property);
    auto modified_prop = r.properties.find(type.modified_property);
    std::int64_t created_default = now;
    if (created_prop != r.properties.end()) {
      auto ms = parse_ms_or_iso(created_prop->second);
      if (!ms) {
        errors.push_back(at + "/properties/" + type.created_property +
                         ": expected an ISO 8601 date-time");
      } else {
        created_default = *ms;
      }
    }
    r.created_ms = read_time(item, "createdAt", at, errors, created_default);
    std::int64_t modified_default = r.created_ms;
    if (modified_prop != r.properties.end()) {
      auto ms = parse_ms_or_iso(modified_prop->second);
      if (!ms) {
        errors.push_back(at + "/properties/" + type.modified_property +
                         ": expected an ISO 8601 date-time");
      } else {
        modified_default = *ms;
      }
    }
    r.updated_ms = read_time(item, "updatedAt", at, errors, modified_default);
    r.properties[type.created_property] = format_iso_ms(r.created_ms);
    r.properties[type.modified_property] = format_iso_ms(r.updated_ms);
    if (type.name == "contacts") {
      r.properties["hs_lastmodifieddate"] = format_iso_ms(r.updated_ms);
    }
    r.properties["hs_object_id"] = std::to_string(r.id);
    if (auto a = item.FindMember("archived"); a != item.MemberEnd()) {
      if (!a->value.IsBool()) {
        errors.push_back(at + "/archived: expected true or false");
      } else {
        r.archived = a->value.GetBool();
      }
    }
    if (auto a = item.FindMember("associations"); a != item.MemberEnd()) {
      pending_assocs.emplace_back(r.id, &a->value);
    }
    next_id_[type.name] = std::max(next_id_[type.name], r.id + 1);
    table[r.id] = std::move(r);
  }
  // Associations are resolved by the caller once every type is loaded.
  for (const auto& [id, value] : pending_assocs) {
    std::string at = where + "/" + std::to_string(id) + "/associations";
    if (!value->IsObject()) {
      errors.push_back(at + ": expected an object such as {\"companies\": [\"5001\"]}");
      continue;
    }
    for (auto m = value->MemberBegin(); m != value->MemberEnd(); ++m) {
      std::string target = m->name.GetString();
      if (find_object_type(target) == nullptr || !m->value.IsArray()) {
        errors.push_back(at + "/" + target +
                         ": expected an array of ids of contacts, companies or tasks");
        continue;
      }
      for (const auto& v : m->value.GetArray()) {
        auto n = numeric_id(v.IsObject() && v.HasMember("id") ? v["id"] : v);
        if (!n) {
          errors.push_back(at + "/" + target + ": expected numeric string ids");
          continue;
        }
        auto& mine = table[id].associations[target];
        if (std::find(mine.begin(), mine.end(), *n) == mine.end()) {
          mine.push_back(*n);
        }
      }
    }
  }
  return errors;
}

std::vector<std::string> HubspotApi::load_seed(const rapidjson::Value& section,
                                               const rapidjson::Value* limits) {
  std::vector<std::string> errors;
  settings_ = {};
  portal_id_ = 62515;
  developer_api_key_.clear();
  private_app_tokens_.clear();
  apps_.clear();
  owners_.clear();
  records_.clear();
  next_id_.clear();
  custom_properties_.clear();
  webhooks_.clear();
  next_event_id_ = 1;
  dispatcher_.reset();
  for (const auto& t : object_types()) {
    records_[t.name];
    custom_properties_[t.name];
    next_id_[t.name] = t.name == "contacts" ? 100001 : (t.name == "companies" ? 5001 : 9001);
  }

  if (limits != nullptr) {
    if (auto hs = limits->FindMember("hubspot"); hs != limits->MemberEnd()) {
      const std::string at = "seed/limits/hubspot";
      if (!hs->value.IsObject()) {
        errors.push_back(at + ": expected an object");
      } else {
        const auto& l = hs->value;
        read_int(l, "private_app_ten_secondly_max", settings_.rate.private_app_ten_secondly_max, at,
                 errors, 1);
        read_int(l, "private_app_daily_max", settings_.rate.private_app_daily_max, at, errors, 1);
        read_int(l, "oauth_ten_secondly_max", settings_.rate.oauth_ten_secondly_max, at, errors, 1);
        read_int(l, "search_per_second", settings_.rate.search_per_second, at, errors, 1);
        read_int(l, "search_result_cap", settings_.search_result_cap, at, errors, 1);
        read_int(l, "max_batch_inputs", settings_.max_batch_inputs, at, errors, 1);
        read_int(l, "max_search_limit", settings_.search.max_limit, at, errors, 1);
        read_int(l, "max_filter_groups", settings_.search.max_groups, at, errors, 1);
        read_int(l, "max_filters_per_group", settings_.search.max_filters_per_group, at, errors, 1);
        read_int(l, "max_filters_total", settings_.search.max_filters_total, at, errors, 1);
        read_int(l, "max_search_body_chars", settings_.search.max_body_chars, at, errors, 1);
        read_int(l, "max_list_limit", settings_.max_list_limit, at, errors, 1);
        read_int(l, "access_token_ttl_seconds", settings_.access_token_ttl_seconds, at, errors, 1);
      }
    }
  }
  limiter_.configure(settings_.rate);

  if (section.IsNull() || (section.IsObject() && section.MemberCount() == 0)) {
    oauth_.reset(apps_, portal_id_, settings_.access_token_ttl_seconds);
    return errors;
  }
  if (!section.IsObject()) {
    errors.push_back(": expected an object");
    return errors;
  }
  static const std::set<std::string> kKnown = {
      "portal_id", "developer_api_key", "private_app_tokens", "oauth_apps", "owners", "contacts",
      "companies", "tasks", "webhooks",
      // written by write_state; ignored on load
      "oauth", "webhook_deliveries", "webhook_pending_batches"};
  for (auto m = section.MemberBegin(); m != section.MemberEnd(); ++m) {
    if (!kKnown.contains(m->name.GetString())) {
      errors.push_back(std::string("/") + m->name.GetString() + ": unknown key");
    }
  }
  read_int(section, "portal_id", portal_id_, "", errors, 1);
  developer_api_key_ = read_string(section, "developer_api_key", "", errors, false);
  private_app_tokens_ = read_string_list(section, "private_app_tokens", "", errors);

  if (auto apps = section.FindMember("oauth_apps"); apps != section.MemberEnd()) {
    if (!apps->value.IsArray()) {
      errors.push_back("/oauth_apps: expected an array");
    } else {
      for (rapidjson::SizeType i = 0; i < apps->value.Size(); ++i) {
        const auto& a = apps->value[i];
        std::string at = "/oauth_apps/" + std::to_string(i);
        if (!a.IsObject()) {
          errors.push_back(at + ": expected an object");
          continue;
        }
        OAuthApp app;
        read_int(a, "app_id", app.app_id, at, errors, 1);
        read_int(a, "user_id", app.user_id, at, errors, 0);
        app.client_id = read_string(a, "client_id", at, errors, true);
        app.client_secret = read_string(a, "client_secret", at, errors, true);
        app.redirect_uris = read_string_list(a, "redirect_uris", at, errors);
        app.scopes = read_string_list(a, "scopes", at, errors);
        apps_.push_back(std::move(app));
      }
    }
  }
  oauth_.reset(apps_, portal_id_, settings_.access_token_ttl_seconds);

  if (auto owners = section.FindMember("owners"); owners != section.MemberEnd()) {
    if (!owners->value.IsArray()) {
      errors.push_back("/owners: expected an array");
    } else {
      std::int64_t now = to_epoch_ms(std::chrono::system_clock::now());
      for (rapidjson::SizeType i = 0; i < owners->value.Size(); ++i) {
        const auto& o = owners->value[i];
        std::string at = "/owners/" + std::to_string(i);
        if (!o.IsObject()) {
          errors.push_back(at + ": expected an object");
          continue;
        }
        Owner owner;
        auto id = o.HasMember("id") ? numeric_id(o["id"]) : std::nullopt;
        if (!id) {
          errors.push_back(at + "/id: required numeric string id");
          continue;
        }
        owner.id = std::to_string(*id);
        owner.email = read_string(o, "email", at, errors, false);
        owner.first_name = read_string(o, "firstName", at, errors, false);
        owner.last_name = read_string(o, "lastName", at, errors, false);
        read_int(o, "userId", owner.user_id, at, errors, 0);
        owner.type = o.HasMember("type") ? read_string(o, "type", at, errors, false) : "PERSON";
        if (owner.type != "PERSON" && owner.type != "QUEUE") {
          errors.push_back(at + "/type: expected PERSON or QUEUE");
        }
        owner.created_ms = read_time(o, "createdAt", at, errors, now);
        owner.updated_ms = read_time(o, "updatedAt", at, errors, owner.created_ms);
        if (auto a = o.FindMember("archived"); a != o.MemberEnd()) {
          if (!a->value.IsBool()) {
            errors.push_back(at + "/archived: expected true or false");
          } else {
            owner.archived = a->value.GetBool();
          }
        }
        if (auto teams = o.FindMember("teams"); teams != o.MemberEnd()) {
          if (!teams->value.IsArray()) {
            errors.push_back(at + "/teams: expected an array");
          } else {
            for (rapidjson::SizeType t = 0; t < teams->value.Size(); ++t) {
              const auto& team = teams->value[t];
              std::string tat = at + "/teams/" + std::to_string(t);
              if (!team.IsObject()) {
                errors.push_back(tat + ": expected an object");
                continue;
              }
              OwnerTeam ot;
              ot.id = read_string(team, "id", tat, errors, true);
              ot.name = read_string(team, "name", tat, errors, false);
              ot.primary = team.HasMember("primary") && team["primary"].IsBool() &&
                           team["primary"].GetBool();
              owner.teams.push_back(std::move(ot));
            }
          }
        }
        if (std::any_of(owners_.begin(), owners_.end(),
                        [&](const Owner& x) { return x.id == owner.id; })) {
          errors.push_back(at + "/id: duplicate owner id " + owner.id);
          continue;
        }
        owners_.push_back(std::move(owner));
      }
    }
  }

  for (const auto& t : object_types()) {
    if (auto list = section.FindMember(t.name.c_str()); list != section.MemberEnd()) {
      for (auto& e : load_records(t, list->value, "/" + t.name)) {
        errors.push_back(std::move(e));
      }
    }
  }
  // Make associations two-way and check that their targets exist.
  for (const auto& t : object_types()) {
    for (auto& [id, rec] : records_[t.name]) {
      for (auto& [target, ids] : rec.associations) {
        for (auto tid : ids) {
          auto it = records_[target].find(tid);
          if (it == records_[target].end()) {
            errors.push_back("/" + t.name + " id " + std::to_string(id) + "/associations/" +
                             target + ": no " + target + " record with id " + std::to_string(tid));
            continue;
          }
          auto& back = it->second.associations[t.name];
          if (std::find(back.begin(), back.end(), id) == back.end()) {
            back.push_back(id);
          }
        }
      }
      if (auto owner = rec.properties.find("hubspot_owner_id"); owner != rec.properties.end()) {
        if (std::none_of(owners_.begin(), owners_.end(),
                         [&](const Owner& o) { return o.id == owner->second; })) {
          errors.push_back("/" + t.name + " id " + std::to_string(id) +
                           "/properties/hubspot_owner_id: no owner with id " + owner->second);
        }
      }
    }
  }

  if (auto hooks = section.FindMember("webhooks"); hooks != section.MemberEnd()) {
    const rapidjson::Value& v = hooks->value;
    std::vector<const rapidjson::Value*> targets;
    if (v.IsArray()) {
      for (const auto& t : v.GetArray()) {
        targets.push_back(&t);
      }
    } else if (v.IsObject()) {
      targets.push_back(&v);
    } else {
      errors.push_back("/webhooks: expected an array of webhook targets");
    }
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const auto& t = *targets[i];
      std::string at = "/webhooks/" + std::to_string(i);
      if (!t.IsObject()) {
        errors.push_back(at + ": expected an object");
        continue;
      }
      WebhookTarget target;
      read_int(t, "app_id", target.app_id, at, errors, 0);
      target.target_url = read_string(t, "target_url", at, errors, true);
      if (!target.target_url.empty() && !target.target_url.starts_with("http://") &&
          !target.target_url.starts_with("{self}")) {
        errors.push_back(at + "/target_url: expected an http:// URL or one starting with {self}");
      }
      target.client_secret = read_string(t, "client_secret", at, errors, true);
      read_int(t, "batch_window_ms", target.policy.batch_window_ms, at, errors, 0);
      read_int(t, "max_attempts", target.policy.max_attempts, at, errors, 1);
      if (auto b = t.FindMember("retry_backoff_ms"); b != t.MemberEnd()) {
        target.policy.retry_backoff_ms.clear();
        if (!b->value.IsArray()) {
          errors.push_back(at + "/retry_backoff_ms: expected an array of milliseconds");
        } else {
          for (const auto& ms : b->value.GetArray()) {
            if (!ms.IsInt64() || ms.GetInt64() < 0) {
              errors.push_back(at + "/retry_backoff_ms: expected non-negative integers");
              break;
            }
            target.policy.retry_backoff_ms.push_back(ms.GetInt64());
          }
        }
      }
      if (auto subs = t.FindMember("subscriptions"); subs != t.MemberEnd()) {
        if (!subs->value.IsArray()) {
          errors.push_back(at + "/subscriptions: expected an array");
        } else {
          for (rapidjson::SizeType s = 0; s < subs->value.Size(); ++s) {
            const auto& sub = subs->value[s];
            std::string sat = at + "/subscriptions/" + std::to_string(s);
            if (!sub.IsObject()) {
              errors.push_back(sat + ": expected an object");
              continue;
            }
            WebhookSubscription ws;
            ws.id = static_cast<std::int64_t>(s) + 1;
            read_int(sub, "id", ws.id, sat, errors, 1);
            ws.event_type = read_string(sub, "eventType", sat, errors, true);
            if (ws.event_type != "contact.creation" && ws.event_type != "contact.propertyChange") {
              errors.push_back(sat +
                               "/eventType: expected contact.creation or contact.propertyChange");
            }
            ws.property_name = read_string(sub, "propertyName", sat, errors,
                                           ws.event_type == "contact.propertyChange");
            if (auto a = sub.FindMember("active"); a != sub.MemberEnd() && a->value.IsBool()) {
              ws.active = a->value.GetBool();
            }
            target.subscriptions.push_back(std::move(ws));
          }
        }
      }
      webhooks_.push_back(std::move(target));
    }
  }
  return errors;
}

void HubspotApi::write_state(JsonWriter& w) const {
  auto strings = [&w](const std::vector<std::string>& v) {
    w.StartArray();
    for (const auto& s : v) {
      w.String(s.c_str());
    }
    w.EndArray();
  };
  w.StartObject();
  w.Key("portal_id");
  w.Int64(portal_id_);
  if (!developer_api_key_.empty()) {
    w.Key("developer_api_key");
    w.String(developer_api_key_.c_str());
  }
  w.Key("private_app_tokens");
  strings(private_app_tokens_);
  w.Key("oauth_apps");
  w.StartArray();
  for (const auto& a : apps_) {
    w.StartObject();
    w.Key("app_id");
    w.Int64(a.app_id);
    w.Key("client_id");
    w.String(a.client_id.c_str());
    w.Key("client_secret");
    w.String(a.client_secret.c_str());
    w.Key("redirect_uris");
    strings(a.redirect_uris);
    w.Key("scopes");
    strings(a.scopes);
    w.Key("user_id");
    w.Int64(a.user_id);
    w.EndObject();
  }
  w.EndArray();
  w.Key("owners");
  w.StartArray();
  for (const auto& o : owners_) {
    write_owner(w, o, OwnerJson::kState);
  }
  w.EndArray();
  for (const auto& t : object_types()) {
    w.Key(t.name.c_str());
    w.StartArray();
    for (const auto& [id, r] : records_.at(t.name)) {
      w.StartObject();
      w.Key("id");
      w.String(std::to_string(id).c_str());
      w.Key("properties");
      w.StartObject();
      for (const auto& [k, v] : r.properties) {
        w.Key(k.c_str());
        w.String(v.c_str());
      }
      w.EndObject();
      w.Key("createdAt");
      w.String(format_iso_ms(r.created_ms).c_str());
      w.Key("updatedAt");
      w.String(format_iso_ms(r.updated_ms).c_str());
      w.Key("archived");
      w.Bool(r.archived);
      if (!r.associations.empty()) {
        w.Key("associations");
        w.StartObject();
        for (const auto& [target, ids] : r.associations) {
          w.Key(target.c_str());
          w.StartArray();
          for (auto a : ids) {
            w.String(std::to_string(a).c_str());
          }
          w.EndArray();
        }
        w.EndObject();
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("webhooks");
  w.StartArray();
  for (const auto& t : webhooks_) {
    w.StartObject();
    w.Key("app_id");
    w.Int64(t.app_id);
    w.Key("target_url");
    w.String(t.target_url.c_str());
    w.Key("client_secret");
    w.String(t.client_secret.c_str());
    w.Key("batch_window_ms");
    w.Int64(t.policy.batch_window_ms);
    w.Key("max_attempts");
    w.Int(t.policy.max_attempts);
    w.Key("retry_backoff_ms");
    w.StartArray();
    for (auto ms : t.policy.retry_backoff_ms) {
      w.Int64(ms);
    }
    w.EndArray();
    w.Key("subscriptions");
    w.StartArray();
    for (const auto& s : t.subscriptions) {
      w.StartObject();
      w.Key("id");
      w.Int64(s.id);
      w.Key("eventType");
      w.String(s.event_type.c_str());
      if (!s.property_name.empty()) {
        w.Key("propertyName");
        w.String(s.property_name.c_str());
      }
      w.Key("active");
      w.Bool(s.active);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("oauth");
  oauth_.write_state(w);
  dispatcher_.write_log_members(w);
  w.EndObject();
}

}  // namespace leadrouter::mock_crm::hubspot
