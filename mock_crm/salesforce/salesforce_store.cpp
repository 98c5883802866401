#include "mock_crm/salesforce/salesforce_store.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "mock_crm/salesforce/salesforce_id.hpp"

namespace leadrouter::mock_crm::salesforce {
namespace {

bool has(const SObjectRecord& r, const std::string& field) {
  return !std::holds_alternative<std::monostate>(r.get(field));
}

std::string text_of(const SObjectRecord& r, const std::string& field) {
  const auto* s = std::get_if<std::string>(&r.get(field));
  return s != nullptr ? *s : std::string();
}

bool is_id_key(std::string_view key) {
  return key == "Id" || key == "id" || key == "ID";
}

}  // namespace

void SalesforceStore::clear() {
  schema_ = SObjectSchema();
  records_.clear();
  next_counter_ = 1;
}

void SalesforceStore::restore(Snapshot s) {
  records_ = std::move(s.records);
  next_counter_ = s.next_counter;
}

const SObjectRecord* SalesforceStore::find(const SObjectDef& object, const std::string& id) const {
  auto type = records_.find(object.name);
  if (type == records_.end()) {
    return nullptr;
  }
  auto it = type->second.find(id);
  return it == type->second.end() ? nullptr : &it->second;
}

std::vector<const SObjectRecord*> SalesforceStore::records(const SObjectDef& object,
                                                           bool include_deleted) const {
  std::vector<const SObjectRecord*> out;
  auto type = records_.find(object.name);
  if (type == records_.end()) {
    return out;
  }
  for (const auto& [id, record] : type->second) {
    if (include_deleted || !record.deleted) {
      out.push_back(&record);
    }
  }
  return out;
}

const SObjectRecord* SalesforceStore::find_user_by_username(std::string_view username) const {
  auto type = records_.find("User");
  if (type == records_.end()) {
    return nullptr;
  }
  for (const auto& [id, record] : type->second) {
    if (!record.deleted && text_of(record, "Username") == username) {
      return &record;
    }
  }
  return nullptr;
}

std::string SalesforceStore::next_id(const SObjectDef& object) {
  while (true) {
    std::string id = make_id(object.key_prefix, next_counter_++);
    if (find(object, id) == nullptr) {
      return id;
    }
  }
}

std::optional<SfError> SalesforceStore::apply_fields(const SObjectDef& object,
                                                     const rapidjson::Value& body,
                                                     SObjectRecord& record, bool creating) const {
  if (!body.IsObject()) {
    return SfError{
        "JSON_PARSER_ERROR",
        fmt::format("Json Deserialization failed: expected an object for {}", object.name),
        {}};
  }
  std::vector<std::string> read_only;
  for (const auto& member : body.GetObject()) {
    std::string key(member.name.GetString(), member.name.GetStringLength());
    if (key == "attributes") {
      continue;
    }
    if (is_id_key(key)) {
      if (creating) {
        return SfError{
            "INVALID_FIELD", "The Id field should not be specified in the sobject data.", {}};
      }
      std::optional<std::string> given =
          member.value.IsString() ? normalize_id(member.value.GetString()) : std::nullopt;
      if (given != record.id()) {
        return SfError{
            "INVALID_FIELD", "The Id field should not be specified in the sobject data.", {}};
      }
      continue;
    }
    const FieldDef* field = object.field(key);
    if (field == nullptr) {
      return SfError{"INVALID_FIELD",
                     fmt::format("No such column '{}' on sobject of type {}", key, object.name),
                     {key}};
    }
    if (creating ? !field->createable : !field->updateable) {
      read_only.push_back(field->name);
      continue;
    }
    auto value = value_from_json(object, *field, member.value);
    if (!value) {
      return value.error();
    }
    if (field->type == FieldType::kReference && std::holds_alternative<std::string>(*value)) {
      const std::string& raw = std::get<std::string>(*value);
      auto id = normalize_id(raw);
      if (!id) {
        return SfError{"MALFORMED_ID",
                       fmt::format("{}: id value of incorrect type: {}", field->label, raw),
                       {field->name}};
      }
      *value = *id;
    }
    record.fields[field->name] = std::move(*value);
  }
  if (!read_only.empty()) {
    std::string list;
    for (const auto& f : read_only) {
      list += (list.empty() ? "" : ", ") + f;
    }
    return SfError{
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        fmt::format("Unable to create/update fields: {}. Please check the security settings "
                    "of this field and verify that it is read/write for your profile or "
                    "permission set.",
                    list),
        read_only};
  }
  return std::nullopt;
}

void SalesforceStore::apply_defaults(const SObjectDef& object, SObjectRecord& record,
                                     const std::string& acting_user) const {
  auto set_default = [&](const std::string& field, SfValue value) {
    if (object.field(field) != nullptr && !has(record, field)) {
      record.fields[field] = std::move(value);
    }
  };
  set_default("OwnerId", acting_user);
  if (object.name == "Lead") {
    // The stock org's default LeadStatus value.
    set_default("Status", std::string("Open - Not Contacted"));
    set_default("IsConverted", false);
  } else if (object.name == "Task") {
    set_default("Status", std::string("Not Started"));
    set_default("Priority", std::string("Normal"));
  } else if (object.name == "User") {
    set_default("IsActive", true);
    set_default("UserType", std::string("Standard"));
  }
}

void SalesforceStore::derive_fields(const SObjectDef& object, SObjectRecord& record) {
  if (object.name == "Lead" || object.name == "User" || object.name == "Contact") {
    std::string first = text_of(record, "FirstName");
    std::string last = text_of(record, "LastName");
    std::string name = first.empty() ? last : (last.empty() ? first : first + " " + last);
    record.fields["Name"] = name.empty() ? SfValue{} : SfValue{name};
  } else if (object.name == "Task") {
    record.fields["IsClosed"] = text_of(record, "Status") == "Completed";
    record.fields["IsHighPriority"] = text_of(record, "Priority") == "High";
  } else if (object.name == "Opportunity") {
    std::string stage = text_of(record, "StageName");
    record.fields["IsClosed"] = stage == "Closed Won" || stage == "Closed Lost";
    record.fields["IsWon"] = stage == "Closed Won";
  }
}

std::optional<SfError> SalesforceStore::check_record(const SObjectDef& object,
                                                     const SObjectRecord& record,
                                                     const std::set<std::string>* changed) const {
  std::vector<std::string> missing;
  for (const auto& f : object.fields) {
    if (f.required && !has(record, f.name)) {
      missing.push_back(f.name);
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& f : missing) {
      list += (list.empty() ? "" : ", ") + f;
    }
    return SfError{"REQUIRED_FIELD_MISSING", fmt::format("Required fields are missing: [{}]", list),
                   missing};
  }
  for (const auto& f : object.fields) {
    if (f.type != FieldType::kReference || !f.createable || !has(record, f.name) ||
        (changed != nullptr && !changed->contains(f.name))) {
      continue;
    }
    const std::string& id = std::get<std::string>(record.get(f.name));
    const SObjectDef* target = schema_.object_for_id(id);
    bool allowed = target != nullptr && std::find(f.reference_to.begin(), f.reference_to.end(),
                                                  target->name) != f.reference_to.end();
    const SObjectRecord* referenced = allowed ? find(*target, id) : nullptr;
    if (referenced == nullptr || referenced->deleted) {
      return SfError{"INVALID_CROSS_REFERENCE_KEY",
                     fmt::format("{}: invalid cross reference id", f.label),
                     {f.name}};
    }
    if (f.name == "OwnerId" && referenced->get("IsActive") == SfValue{false}) {
      return SfError{"INACTIVE_OWNER_OR_USER",
                     fmt::format("operation performed with inactive user [{}] as owner of [{}]", id,
                                 object.name),
                     {f.name}};
    }
  }
  if (object.name == "Task" && text_of(record, "WhoId").starts_with("00Q") &&
      has(record, "WhatId")) {
    return SfError{"FIELD_INTEGRITY_EXCEPTION",
                   "Related To ID: id value of type Lead is not allowed when Related To is set; a "
                   "task whose Name is a Lead cannot be related to another record",
                   {"WhatId"}};
  }
  return std::nullopt;
}

std::expected<std::string, SfError> SalesforceStore::create(const SObjectDef& object,
                                                            const rapidjson::Value& body,
                                                            const std::string& acting_user,
                                                            DateTime now) {
  SObjectRecord record;
  record.type = object.name;
  if (auto e = apply_fields(object, body, record, true)) {
    return std::unexpected(*e);
  }
  apply_defaults(object, record, acting_user);
  derive_fields(object, record);
  if (auto e = check_record(object, record)) {
    return std::unexpected(*e);
  }
  std::string id = next_id(object);
  record.fields["Id"] = id;
  record.fields["IsDeleted"] = false;
  record.fields["CreatedDate"] = now;
  record.fields["LastModifiedDate"] = now;
  record.fields["SystemModstamp"] = now;
  record.fields["CreatedById"] = acting_user;
  record.fields["LastModifiedById"] = acting_user;
  records_[object.name][id] = std::move(record);
  return id;
}

std::optional<SfError> SalesforceStore::update(const SObjectDef& object, const std::string& id,
                                               const rapidjson::Value& body,
                                               const std::string& acting_user, DateTime now) {
  auto type = records_.find(object.name);
  auto it = type == records_.end() ? decltype(type->second.end()){} : type->second.find(id);
  if (type == records_.end() || it == type->second.end()) {
    return SfError{"NOT_FOUND", "The requested resource does not exist", {}};
  }
  if (it->second.deleted) {
    return SfError{"ENTITY_IS_DELETED", "entity is deleted", {}};
  }
  if (it->second.get("IsConverted") == SfValue{true}) {
    return SfError{"CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", {}};
  }
  SObjectRecord updated = it->second;
  if (auto e = apply_fields(object, body, updated, false)) {
    return e;
  }
  derive_fields(object, updated);
  std::set<std::string> changed;
  if (body.IsObject()) {
    for (const auto& member : body.GetObject()) {
      if (const FieldDef* f = object.field(member.name.GetString())) {
        changed.insert(f->name);
      }
    }
  }
  if (auto e = check_record(object, updated, &changed)) {
    return e;
  }
  updated.fields["LastModifiedDate"] = now;
  updated.fields["SystemModstamp"] = now;
  updated.fields["LastModifiedById"] = acting_user;
  it->second = std::move(updated);
  return std::nullopt;
}

std::optional<SfError> SalesforceStore::remove(const SObjectDef& object, const std::string& id,
                                               DateTime now) {
  auto type = records_.find(object.name);
  if (type == records_.end() || type->second.find(id) == type->second.end()) {
    return SfError{"NOT_FOUND", "The requested resource does not exist", {}};
  }
  SObjectRecord& record = type->second[id];
  if (record.deleted) {
    return SfError{"ENTITY_IS_DELETED", "entity is deleted", {}};
  }
  // Deleted rows stay for queryAll, as in the Recycle Bin.
  record.deleted = true;
  record.fields["IsDeleted"] = true;
  record.fields["SystemModstamp"] = now;
  return std::nullopt;
}

void SalesforceStore::insert_seed(const SObjectDef& object, const rapidjson::Value& json,
                                  const std::string& path, const std::string& default_owner,
                                  DateTime now, const std::set<std::string>& ignored,
                                  std::vector<std::string>& errors) {
  if (!json.IsObject()) {
    errors.push_back(path + ": expected an object");
    return;
  }
  SObjectRecord record;
  record.type = object.name;
  std::string id;
  bool ok = true;
  for (const auto& member : json.GetObject()) {
    std::string key(member.name.GetString(), member.name.GetStringLength());
    if (ignored.contains(key) || key == "attributes") {
      continue;
    }
    if (is_id_key(key)) {
      auto normalized =
          member.value.IsString() ? normalize_id(member.value.GetString()) : std::nullopt;
      if (!normalized || !normalized->starts_with(object.key_prefix)) {
        errors.push_back(fmt::format("{}/{}: not a valid {} Id (15 or 18 characters starting {})",
                                     path, key, object.name, object.key_prefix));
        ok = false;
      } else if (find(object, *normalized) != nullptr) {
        errors.push_back(fmt::format("{}/{}: duplicate Id {}", path, key, *normalized));
        ok = false;
      } else {
        id = *normalized;
      }
      continue;
    }
    const FieldDef* field = object.field(key);
    if (field == nullptr) {
      errors.push_back(fmt::format("{}/{}: no such field on {}", path, key, object.name));
      ok = false;
      continue;
    }
    auto value = value_from_json(object, *field, member.value);
    if (!value) {
      errors.push_back(fmt::format("{}/{}: {}", path, key, value.error().message));
      ok = false;
      continue;
    }
    if (field->type == FieldType::kReference && std::holds_alternative<std::string>(*value)) {
      auto ref = normalize_id(std::get<std::string>(*value));
      if (!ref) {
        errors.push_back(fmt::format("{}/{}: not a valid Id", path, key));
        ok = false;
        continue;
      }
      *value = *ref;
    }
    record.fields[field->name] = std::move(*value);
  }
  if (!ok) {
    return;
  }
  apply_defaults(object, record, default_owner);
  derive_fields(object, record);
  for (const auto& f : object.fields) {
    if (f.required && !has(record, f.name)) {
      errors.push_back(fmt::format("{}: required field {} is missing", path, f.name));
      ok = false;
    }
  }
  if (!ok) {
    return;
  }
  if (id.empty()) {
    id = next_id(object);
  }
  record.fields["Id"] = id;
  // A state file written by write_state carries deleted rows too.
  record.deleted = record.get("IsDeleted") == SfValue{true};
  record.fields["IsDeleted"] = record.deleted;
  auto default_field = [&](const std::string& field, SfValue v) {
    if (!has(record, field)) {
      record.fields[field] = std::move(v);
    }
  };
  default_field("CreatedDate", now);
  default_field("LastModifiedDate", record.get("CreatedDate"));
  default_field("SystemModstamp", record.get("LastModifiedDate"));
  if (!default_owner.empty()) {
    default_field("CreatedById", default_owner);
    default_field("LastModifiedById", record.get("CreatedById"));
  }
  records_[object.name][id] = std::move(record);
}

}  // namespace leadrouter::mock_crm::salesforce
