#include "mock_crm/hubspot/hubspot_records.hpp"

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
        "createdate", "hs_lastmodifieddate", "hs_object_id"},
       {"createdate", "hs_lastmodifieddate", "hs_object_id"},
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

}  // namespace leadrouter::mock_crm::hubspot
