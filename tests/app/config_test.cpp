#include "app/config.hpp"

#include <gtest/gtest.h>

namespace jobsched::app {
namespace {

TEST(Roles, AnyNonEmptySubsetInAnyOrder) {
  const Roles all = ParseRoles("api,scheduler,executor").value();
  EXPECT_TRUE(all.api && all.scheduler && all.executor);
  const Roles workers = ParseRoles("executor,scheduler").value();
  EXPECT_FALSE(workers.api);
  EXPECT_TRUE(workers.scheduler && workers.executor);
  const Roles api = ParseRoles("api").value();
  EXPECT_TRUE(api.api && !api.scheduler && !api.executor);
}

TEST(Roles, UnknownOrEmptyRolesAreRefusedNamingThem) {
  for (const char* text : {"", "api,", "api,,executor", "web", "API", "api, executor"}) {
    auto roles = ParseRoles(text);
    ASSERT_FALSE(roles.ok()) << text;
    EXPECT_EQ(roles.error().field, "roles");
  }
  EXPECT_NE(ParseRoles("api,web").error().message.find("'web'"), std::string::npos);
}

TEST(DatabaseUrl, SqliteNamesAFile) {
  for (const char* url : {"sqlite:./data/jobs.db", "sqlite://./data/jobs.db"}) {
    auto parsed = ParseDatabaseUrl(url);

    ASSERT_TRUE(parsed.ok()) << url;
    EXPECT_EQ(parsed->kind, DatabaseUrl::Kind::kSqlite);
    EXPECT_EQ(parsed->location, "./data/jobs.db");
  }
  EXPECT_EQ(ParseDatabaseUrl("sqlite:///var/lib/jobs.db")->location, "/var/lib/jobs.db");
}

TEST(DatabaseUrl, PostgresqlUrlsAreHandedToLibpqAsGiven) {
  for (const char* url : {"postgresql://app:pw@db:5432/jobs?sslmode=require", "postgres://app@db/jobs"}) {
    auto parsed = ParseDatabaseUrl(url);

    ASSERT_TRUE(parsed.ok()) << url;
    EXPECT_EQ(parsed->kind, DatabaseUrl::Kind::kPostgres);
    EXPECT_EQ(parsed->location, url);
  }
}

TEST(DatabaseUrl, OtherSchemesAreRefusedWithoutShowingAPassword) {
  auto parsed = ParseDatabaseUrl("mysql://app:hunter2@db/jobs");

  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(parsed.error().field, "db");
  EXPECT_EQ(parsed.error().message.find("hunter2"), std::string::npos) << parsed.error().message;
}

TEST(DatabaseUrl, EmptyLocationsAreRefused) {
  EXPECT_FALSE(ParseDatabaseUrl("sqlite:").ok());
  EXPECT_FALSE(ParseDatabaseUrl("postgresql://").ok());
}

TEST(IsLoopbackHost, OnlyThisMachineCanReachLoopbackAddresses) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host :
       {"0.0.0.0", "::", "192.0.2.10", "10.0.0.1", "2001:db8::1", "::ffff:127.0.0.1", "example.com", ""}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

}  // namespace
}  // namespace jobsched::app
