#include "store/migrations.hpp"

#include <gtest/gtest.h>

namespace jobsched::store {
namespace {

// `jobsched migrate` reports one schema version whatever the store: a change
// to the schema is written for both (an empty step where one needs nothing).
TEST(Migrations, SqliteAndPostgresHaveTheSameVersionsWithTheSameNames) {
  const auto sqlite = SqliteMigrations();
  const auto postgres = PostgresMigrations();

  ASSERT_EQ(sqlite.size(), postgres.size());
  for (std::size_t i = 0; i < sqlite.size(); ++i) {
    EXPECT_EQ(sqlite[i].version, postgres[i].version);
    EXPECT_EQ(sqlite[i].name, postgres[i].name);
  }
  EXPECT_EQ(LatestVersion(sqlite), LatestVersion(postgres));
}

}  // namespace
}  // namespace jobsched::store
