#include "mock_crm/salesforce/sobject_schema.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace leadrouter::mock_crm::salesforce {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

constexpr std::array<std::pair<FieldType, const char*>, 15> kTypeNames{{
    {FieldType::kId, "id"},
    {FieldType::kReference, "reference"},
    {FieldType::kString, "string"},
    {FieldType::kPicklist, "picklist"},
    {FieldType::kEmail, "email"},
    {FieldType::kPhone, "phone"},
    {FieldType::kUrl, "url"},
    {FieldType::kTextarea, "textarea"},
    {FieldType::kBoolean, "boolean"},
    {FieldType::kInt, "int"},
    {FieldType::kDouble, "double"},
    {FieldType::kCurrency, "currency"},
    {FieldType::kPercent, "percent"},
    {FieldType::kDate, "date"},
    {FieldType::kDateTime, "datetime"},
}};

FieldDef text(std::string name, std::string label, int length,
              FieldType type = FieldType::kString) {
  FieldDef f;
  f.name = std::move(name);
  f.label = std::move(label);
  f.type = type;
  f.length = length;
  return f;
}

FieldDef typed(std::string name, std::string label, FieldType type) {
  FieldDef f;
  f.name = std::move(name);
  f.label = std::move(label);
  f.type = type;
  return f;
}

FieldDef required(FieldDef f) {
  f.required = true;
  f.nillable = false;
  return f;
}

FieldDef read_only(FieldDef f) {
  f.createable = false;
  f.updateable = false;
  return f;
}

FieldDef reference(std::string name, std::string label, std::vector<std::string> to) {
  FieldDef f = typed(std::move(name), std::move(label), FieldType::kReference);
  f.length = 18;
  f.reference_to = std::move(to);
  return f;
}

// Fields every object has; Salesforce maintains them, clients cannot set them.
void add_system_fields(SObjectDef& def) {
  FieldDef id = read_only(typed("Id", def.label + " ID", FieldType::kId));
  id.length = 18;
  id.nillable = false;
  def.fields.insert(def.fields.begin(), id);
  FieldDef is_deleted = read_only(typed("IsDeleted", "Deleted", FieldType::kBoolean));
  is_deleted.nillable = false;
  def.fields.push_back(is_deleted);
  def.fields.push_back(read_only(typed("CreatedDate", "Created Date", FieldType::kDateTime)));
  def.fields.push_back(read_only(reference("CreatedById", "Created By ID", {"User"})));
  def.fields.push_back(
      read_only(typed("LastModifiedDate", "Last Modified Date", FieldType::kDateTime)));
  def.fields.push_back(read_only(reference("LastModifiedById", "Last Modified By ID", {"User"})));
  def.fields.push_back(read_only(typed("SystemModstamp", "System Modstamp", FieldType::kDateTime)));
  for (auto& f : def.fields) {
    if (f.name == "CreatedDate" || f.name == "LastModifiedDate" || f.name == "SystemModstamp" ||
        f.name == "CreatedById" || f.name == "LastModifiedById") {
      f.nillable = false;
    }
  }
}

FieldDef owner() {
  FieldDef f = reference("OwnerId", "Owner ID", {"User"});
  f.nillable = false;
  return f;
}

SObjectDef lead() {
  SObjectDef d{"Lead", "Lead", "Leads", "00Q", {}};
  d.fields = {
      owner(),
      text("FirstName", "First Name", 40),
      required(text("LastName", "Last Name", 80)),
      read_only(text("Name", "Full Name", 121)),
      required(text("Company", "Company", 255)),
      text("Title", "Title", 128),
      text("Email", "Email", 80, FieldType::kEmail),
      text("Phone", "Phone", 40, FieldType::kPhone),
      text("Website", "Website", 255, FieldType::kUrl),
      text("Industry", "Industry", 255, FieldType::kPicklist),
      typed("NumberOfEmployees", "Employees", FieldType::kInt),
      typed("AnnualRevenue", "Annual Revenue", FieldType::kCurrency),
      text("Street", "Street", 255, FieldType::kTextarea),
      text("City", "City", 40),
      text("State", "State/Province", 80),
      text("PostalCode", "Zip/Postal Code", 20),
      text("Country", "Country", 80),
      text("LeadSource", "Lead Source", 255, FieldType::kPicklist),
      required(text("Status", "Status", 255, FieldType::kPicklist)),
      text("Rating", "Rating", 255, FieldType::kPicklist),
      text("Description", "Description", 32000, FieldType::kTextarea),
      read_only(typed("IsConverted", "Converted", FieldType::kBoolean)),
      read_only(typed("ConvertedDate", "Converted Date", FieldType::kDate)),
      read_only(reference("ConvertedAccountId", "Converted Account ID", {"Account"})),
      read_only(reference("ConvertedOpportunityId", "Converted Opportunity ID", {"Opportunity"})),
  };
  return d;
}

SObjectDef account() {
  SObjectDef d{"Account", "Account", "Accounts", "001", {}};
  d.fields = {
      owner(),
      required(text("Name", "Account Name", 255)),
      text("Type", "Account Type", 255, FieldType::kPicklist),
      reference("ParentId", "Parent Account ID", {"Account"}),
      text("Website", "Website", 255, FieldType::kUrl),
      text("Phone", "Account Phone", 40, FieldType::kPhone),
      text("Industry", "Industry", 255, FieldType::kPicklist),
      typed("NumberOfEmployees", "Employees", FieldType::kInt),
      typed("AnnualRevenue", "Annual Revenue", FieldType::kCurrency),
      text("BillingCity", "Billing City", 40),
      text("BillingState", "Billing State/Province", 80),
      text("BillingCountry", "Billing Country", 80),
      text("Description", "Account Description", 32000, FieldType::kTextarea),
      // Salesforce maintains it from activities; a seed may set it.
      read_only(typed("LastActivityDate", "Last Activity", FieldType::kDate)),
  };
  return d;
}

SObjectDef contact() {
  SObjectDef d{"Contact", "Contact", "Contacts", "003", {}};
  d.fields = {
      owner(),
      reference("AccountId", "Account ID", {"Account"}),
      text("Salutation", "Salutation", 40, FieldType::kPicklist),
      text("FirstName", "First Name", 40),
      required(text("LastName", "Last Name", 80)),
      read_only(text("Name", "Full Name", 121)),
      text("Title", "Title", 128),
      text("Department", "Department", 80),
      text("Email", "Email", 80, FieldType::kEmail),
      text("Phone", "Business Phone", 40, FieldType::kPhone),
      text("MobilePhone", "Mobile Phone", 40, FieldType::kPhone),
      text("MailingCity", "Mailing City", 40),
      text("MailingState", "Mailing State/Province", 80),
      text("MailingCountry", "Mailing Country", 80),
      text("LeadSource", "Lead Source", 255, FieldType::kPicklist),
      text("Description", "Contact Description", 32000, FieldType::kTextarea),
      read_only(typed("LastActivityDate", "Last Activity", FieldType::kDate)),
  };
  return d;
}

SObjectDef user() {
  SObjectDef d{"User", "User", "Users", "005", {}};
  d.fields = {
      required(text("Username", "Username", 80)),
      text("FirstName", "First Name", 40),
      required(text("LastName", "Last Name", 80)),
      read_only(text("Name", "Full Name", 121)),
      required(text("Email", "Email", 128, FieldType::kEmail)),
      text("Alias", "Alias", 8),
      text("Title", "Title", 80),
      text("Department", "Department", 80),
      typed("IsActive", "Active", FieldType::kBoolean),
      text("UserType", "User Type", 255, FieldType::kPicklist),
      text("ProfileId", "Profile ID", 18),
      text("UserRoleId", "Role ID", 18),
      reference("ManagerId", "Manager ID", {"User"}),
      text("TimeZoneSidKey", "Time Zone", 255, FieldType::kPicklist),
      text("LanguageLocaleKey", "Language", 255, FieldType::kPicklist),
  };
  // A User's type is fixed at creation.
  for (auto& f : d.fields) {
    if (f.name == "UserType") {
      f.updateable = false;
    }
  }
  return d;
}

SObjectDef task() {
  SObjectDef d{"Task", "Task", "Tasks", "00T", {}};
  d.fields = {
      owner(),
      reference("WhoId", "Name ID", {"Contact", "Lead"}),
      reference("WhatId", "Related To ID", {"Account", "Opportunity"}),
      text("Subject", "Subject", 255),
      typed("ActivityDate", "Due Date Only", FieldType::kDate),
      required(text("Status", "Status", 255, FieldType::kPicklist)),
      required(text("Priority", "Priority", 255, FieldType::kPicklist)),
      text("Description", "Description", 32000, FieldType::kTextarea),
      text("Type", "Type", 255, FieldType::kPicklist),
      read_only(typed("IsClosed", "Closed", FieldType::kBoolean)),
      read_only(typed("IsHighPriority", "High Priority", FieldType::kBoolean)),
  };
  return d;
}

SObjectDef opportunity() {
  SObjectDef d{"Opportunity", "Opportunity", "Opportunities", "006", {}};
  d.fields = {
      owner(),
      required(text("Name", "Name", 120)),
      reference("AccountId", "Account ID", {"Account"}),
      required(text("StageName", "Stage", 255, FieldType::kPicklist)),
      required(typed("CloseDate", "Close Date", FieldType::kDate)),
      typed("Amount", "Amount", FieldType::kCurrency),
      typed("Probability", "Probability (%)", FieldType::kPercent),
      text("LeadSource", "Lead Source", 255, FieldType::kPicklist),
      text("Type", "Opportunity Type", 255, FieldType::kPicklist),
      read_only(typed("IsClosed", "Closed", FieldType::kBoolean)),
      read_only(typed("IsWon", "Won", FieldType::kBoolean)),
  };
  return d;
}

}  // namespace

const char* to_string(FieldType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) {
      return name;
    }
  }
  return "string";
}

std::optional<FieldType> field_type_from_string(std::string_view name) {
  for (const auto& [t, n] : kTypeNames) {
    if (iequals(n, name)) {
      return t;
    }
  }
  return std::nullopt;
}

bool is_text(FieldType type) {
  switch (type) {
    case FieldType::kId:
    case FieldType::kReference:
    case FieldType::kString:
    case FieldType::kPicklist:
    case FieldType::kEmail:
    case FieldType::kPhone:
    case FieldType::kUrl:
    case FieldType::kTextarea:
      return true;
    default:
      return false;
  }
}

bool is_numeric(FieldType type) {
  return type == FieldType::kInt || type == FieldType::kDouble || type == FieldType::kCurrency ||
         type == FieldType::kPercent;
}

const FieldDef* SObjectDef::field(std::string_view field_name) const {
  for (const auto& f : fields) {
    if (iequals(f.name, field_name)) {
      return &f;
    }
  }
  return nullptr;
}

SObjectSchema::SObjectSchema() {
  objects_ = {lead(), account(), contact(), user(), task(), opportunity()};
  for (auto& def : objects_) {
    add_system_fields(def);
  }
}

const SObjectDef* SObjectSchema::object(std::string_view name) const {
  for (const auto& def : objects_) {
    if (iequals(def.name, name)) {
      return &def;
    }
  }
  return nullptr;
}

const SObjectDef* SObjectSchema::object_for_id(std::string_view id) const {
  for (const auto& def : objects_) {
    if (id.substr(0, 3) == def.key_prefix) {
      return &def;
    }
  }
  return nullptr;
}

std::optional<std::string> SObjectSchema::add_custom_field(std::string_view object_name,
                                                           FieldDef def) {
  auto it = std::find_if(objects_.begin(), objects_.end(),
                         [&](const SObjectDef& d) { return iequals(d.name, object_name); });
  if (it == objects_.end()) {
    return "unknown sObject type '" + std::string(object_name) + "'";
  }
  if (def.name.size() < 4 || !def.name.ends_with("__c") ||
      !std::all_of(def.name.begin(), def.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
      })) {
    return "custom field name '" + def.name + "' must be letters, digits and _ ending in __c";
  }
  if (it->field(def.name) != nullptr) {
    return "field '" + def.name + "' already exists on " + it->name;
  }
  def.custom = true;
  if (def.label.empty()) {
    def.label = def.name.substr(0, def.name.size() - 3);
  }
  if (is_text(def.type) && def.length == 0) {
    def.length = def.type == FieldType::kTextarea ? 32768 : 255;
  }
  it->fields.push_back(std::move(def));
  return std::nullopt;
}

}  // namespace leadrouter::mock_crm::salesforce
