// The imitated org's records (Lead, Account, Contact, User, Task, Opportunity) and the
// rules Salesforce applies when they are written: field-level validation,
// required fields, defaults (Status, Priority, OwnerId, IsConverted), derived
// fields (Name, IsClosed, IsWon), lookups that must point at live records,
// and the system fields CreatedDate, LastModifiedDate, SystemModstamp,
// CreatedById and LastModifiedById.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mock_crm/salesforce/salesforce_datetime.hpp"
#include "mock_crm/salesforce/salesforce_error.hpp"
#include "mock_crm/salesforce/sobject_record.hpp"
#include "mock_crm/salesforce/sobject_schema.hpp"

namespace leadrouter::mock_crm::salesforce {

class SalesforceStore {
 public:
  // Everything but the schema: what a rollback restores.
  struct Snapshot {
    std::map<std::string, std::map<std::string, SObjectRecord>> records;
    std::uint64_t next_counter = 1;
  };

  SObjectSchema& schema() { return schema_; }
  const SObjectSchema& schema() const { return schema_; }

  // Drops every record and custom field.
  void clear();

  Snapshot snapshot() const { return {records_, next_counter_}; }
  void restore(Snapshot s);

  // Including deleted records; `id` must be the 18-character form.
  const SObjectRecord* find(const SObjectDef& object, const std::string& id) const;
  std::vector<const SObjectRecord*> records(const SObjectDef& object, bool include_deleted) const;
  const SObjectRecord* find_user_by_username(std::string_view username) const;

  // A REST create body → the new Id, or why not.
  std::expected<std::string, SfError> create(const SObjectDef& object, const rapidjson::Value& body,
                                             const std::string& acting_user, DateTime now);
  std::optional<SfError> update(const SObjectDef& object, const std::string& id,
                                const rapidjson::Value& body, const std::string& acting_user,
                                DateTime now);
  // Deletion moves SystemModstamp, which then dates the deletion.
  std::optional<SfError> remove(const SObjectDef& object, const std::string& id, DateTime now);

  // A seed record: system fields and read-only fields such as IsConverted may
  // be given; `ignored` names keys that are not fields (a user's password).
  // Problems are appended to `errors` prefixed with `path`.
  void insert_seed(const SObjectDef& object, const rapidjson::Value& json, const std::string& path,
                   const std::string& default_owner, DateTime now,
                   const std::set<std::string>& ignored, std::vector<std::string>& errors);

 private:
  std::optional<SfError> apply_fields(const SObjectDef& object, const rapidjson::Value& body,
                                      SObjectRecord& record, bool creating) const;
  // Lookups are checked only for `changed` fields when given, so an update
  // does not fail on an owner deactivated since the record was written.
  std::optional<SfError> check_record(const SObjectDef& object, const SObjectRecord& record,
                                      const std::set<std::string>* changed = nullptr) const;
  void apply_defaults(const SObjectDef& object, SObjectRecord& record,
                      const std::string& acting_user) const;
  static void derive_fields(const SObjectDef& object, SObjectRecord& record);
  std::string next_id(const SObjectDef& object);

  SObjectSchema schema_;
  std::map<std::string, std::map<std::string, SObjectRecord>> records_;  // type → Id → record
  std::uint64_t next_counter_ = 1;
};

}  // namespace leadrouter::mock_crm::salesforce
