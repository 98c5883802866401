// The state database's schema and its migrations. The version lives in the
// meta table (key 'schema_version'); each migration moves it up by one, and
// all pending migrations run in one transaction at open, so a database is
// never left half-migrated.
#pragma once

#include <sqlite3.h>

#include <expected>
#include <string>

#include "core/error.hpp"

namespace leadrouter::sidecar {

// The newest schema this build knows.
inline constexpr int kSchemaVersion = 3;

// 0 for a database no leadrouter has initialized yet.
std::expected<int, Error> read_schema_version(sqlite3* db);

// Brings a writable database up to kSchemaVersion. A database from a newer
// leadrouter is refused (kInvalidInput) and left untouched. `path` is only
// used in messages.
std::expected<void, Error> migrate_schema(sqlite3* db, const std::string& path);

// For opens that must not migrate: the schema must already be exactly
// kSchemaVersion.
std::expected<void, Error> check_schema(sqlite3* db, const std::string& path);

}  // namespace leadrouter::sidecar
