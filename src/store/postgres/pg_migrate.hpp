#pragma once

#include "core/result.hpp"
#include "store/postgres/pg_connection.hpp"

namespace jobsched::store::postgres {

// Applies the pending PostgresMigrations() to the schema `db` works in (the
// first of its search_path), each in its own transaction, recorded in
// schema_migrations, and returns the version reached. Several nodes starting
// at once take turns: the whole run holds an advisory lock.
core::Result<int> ApplyMigrations(PgConnection& db);

}  // namespace jobsched::store::postgres
