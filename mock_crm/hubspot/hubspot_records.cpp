#include "mock_crm/hubspot/hubspot_records.hpp"

#include "mock_crm/time_format.hpp"

namespace leadrouter::mock_crm::hubspot {

const std::vector<ObjectType>& object_types() {
  static const std::vector<ObjectType> types = {
      {"contacts",
       "contact",
       "createdate",
       "lastmodifieddate",
       {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"},
       {"email",
        "firstname",
        "lastname",
        "phone",
        "mobilephone",
        "fax",
        "company",
        "jobtitle",
        "website",
        "address",
        "city",
        "state",
        "zip",
        "country",
        "industry",
        "numemployees",
        "annualrevenue",
        "lifecyclestage",
        "hs_lead_status",
        "hubspot_owner_id",
        "hs_analytics_source",
        "hs_additional_emails",
        "hs_marketable_until_renewal",
        "hs_language",
        "hs_timezone",
        "notes_last_contacted",
        "associatedcompanyid",
        "createdate",
        "lastmodifieddate",
        "hs_object_id",
        "hs_lastmodifieddate"},
       {"createdate", "lastmodifieddate", "hs_object_id", "hs_lastmodifieddate"},
       {"firstname", "lastname", "email", "phone", "hs_additional_emails", "fax", "mobilephone",
        "company", "hs_marketable_until_renewal"},
       "crm.objects.contacts.read",
       "crm.objects.contacts.write",
       "email"},
      {"companies",
       "company",
       "createdate",
       "hs_lastmodifieddate",
       {"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"},
       {"name", "domain", "website", "industry", "phone", "city", "state", "country",
        "numberofemployees", "annualrevenue", "hubspot_owner_id", "lifecyclestage", "description",
        "notes_last_updated", "createdate", "hs_lastmodifieddate", "hs_object_id"},
       // notes_last_updated (Last Activity Date) is calculated by HubSpot from
       // engagements: a seed may set it, the API cannot.
       {"createdate", "hs_lastmodifieddate", "hs_object_id", "notes_last_updated"},
       {"name", "domain", "website", "phone"},
       "crm.objects.companies.read",
       "crm.objects.companies.write",
       ""},
      {"tasks",
       "task",
       "hs_createdate",
       "hs_lastmodifieddate",
       {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
       {"hs_timestamp", "hs_task_subject", "hs_task_body", "hs_task_status", "hs_task_priority",
        "hs_task_type", "hs_task_reminders", "hubspot_owner_id", "hs_createdate",
        "hs_lastmodifieddate", "hs_object_id"},
       {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
       {"hs_task_subject", "hs_task_body"},
       // Tasks use the contacts scopes (reference A.2.1).
       "crm.objects.contacts.read",
       "crm.objects.contacts.write",
       ""},
  };
  return types;
}

const ObjectType* find_object_type(std::string_view name) {
  for (const auto& t : object_types()) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

namespace {

struct AssociationKind {
  std::string_view from;
  int type_id;
  std::string_view to;
  bool is_default;
};

// HUBSPOT_DEFINED ids (reference A.7.4); 203, 279/280 are unconfirmed there.
constexpr AssociationKind kAssociationKinds[] = {
    {"tasks", 204, "contacts", true},     {"contacts", 203, "tasks", true},
    {"contacts", 279, "companies", true}, {"contacts", 1, "companies", false},
    {"companies", 280, "contacts", true}, {"companies", 2, "contacts", false},
    {"tasks", 192, "companies", true},    {"companies", 191, "tasks", true},
};

}  // namespace

std::string association_target(std::string_view from_type, int type_id) {
  for (const auto& k : kAssociationKinds) {
    if (k.from == from_type && k.type_id == type_id) {
      return std::string(k.to);
    }
  }
  return {};
}

int default_association_type_id(std::string_view from_type, std::string_view to_type) {
  for (const auto& k : kAssociationKinds) {
    if (k.from == from_type && k.to == to_type && k.is_default) {
      return k.type_id;
    }
  }
  return 0;
}

void write_owner(rapidjson::Writer<rapidjson::StringBuffer>& w, const Owner& o, OwnerJson shape) {
  w.StartObject();
  w.Key("id");
  w.String(o.id.c_str());
  if (shape == OwnerJson::kState || !o.email.empty()) {
    w.Key("email");
    w.String(o.email.c_str());
  }
  w.Key("firstName");
  w.String(o.first_name.c_str());
  w.Key("lastName");
  w.String(o.last_name.c_str());
  if (o.user_id != 0) {
    w.Key("userId");
    w.Int64(o.user_id);
    if (shape == OwnerJson::kApi) {
      w.Key("userIdIncludingInactive");
      w.Int64(o.user_id);
    }
  }
  w.Key("type");
  w.String(o.type.c_str());
  w.Key("createdAt");
  w.String(format_iso_ms(o.created_ms).c_str());
  w.Key("updatedAt");
  w.String(format_iso_ms(o.updated_ms).c_str());
  w.Key("archived");
  w.Bool(o.archived);
  w.Key("teams");
  w.StartArray();
  for (const auto& t : o.teams) {
    w.StartObject();
    w.Key("id");
    w.String(t.id.c_str());
    w.Key("name");
    w.String(t.name.c_str());
    w.Key("primary");
    w.Bool(t.primary);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

std::optional<std::string> exact_scalar_text(const rapidjson::Value& v) {
  if (v.IsString()) {
    return std::string(v.GetString(), v.GetStringLength());
  }
  if (v.IsBool()) {
    return v.GetBool() ? "true" : "false";
  }
  if (v.IsInt64()) {
    return std::to_string(v.GetInt64());
  }
  if (v.IsUint64()) {
    return std::to_string(v.GetUint64());
  }
  return std::nullopt;
}

}  // namespace leadrouter::mock_crm::hubspot
