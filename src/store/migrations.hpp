#pragma once

#include <span>
#include <string_view>

namespace jobsched::store {

// One schema change, applied once, in version order, inside a transaction.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The SQLite migrations embedded at build time from migrations/sqlite/*.sql.
std::span<const Migration> SqliteMigrations();

// The PostgreSQL migrations embedded from migrations/postgres/*.sql: the same
// versions as SQLite's, each with the same meaning.
std::span<const Migration> PostgresMigrations();

// The highest version in `migrations`; 0 for none.
int LatestVersion(std::span<const Migration> migrations);

}  // namespace jobsched::store
