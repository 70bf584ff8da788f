#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"

namespace jobsched::testing {

// The throwaway PostgreSQL server of this test run (tests/testing/pg_server.sh;
// ctest starts one for every test that needs it), named by JOBSCHED_TEST_PG_DSN
// (its URL) or JOBSCHED_TEST_PG_DSN_FILE (a file holding the URL). Fails with
// a message saying how to get one when neither is set: a missing server is a
// failure, never a silent skip.
core::Result<std::string> TestServerUrl();

// A fresh, empty schema on the test server, dropped with everything in it
// when this goes out of scope. url() connects with it as the search_path, so
// a store opened on it creates its tables there: tests running in parallel
// never see each other's jobs.
class PgTestSchema {
 public:
  static core::Result<std::unique_ptr<PgTestSchema>> Create();
  // The same schema, in a fresh database of its own, dropped with it. For a
  // test that must not see the other tests' catalog changes: creating or
  // dropping a schema anywhere in a database makes every session of that
  // database plan its cached statements again.
  static core::Result<std::unique_ptr<PgTestSchema>> CreateInADatabaseOfItsOwn();

  PgTestSchema(const PgTestSchema&) = delete;
  PgTestSchema& operator=(const PgTestSchema&) = delete;
  ~PgTestSchema();

  const std::string& name() const { return name_; }
  // The server's URL with this schema as search_path, and name() as
  // application_name: a test can find (and kill) its store's connections.
  const std::string& url() const { return url_; }
  // url(), but logging in as `role` (a role the test created).
  std::string UrlAs(const std::string& role) const;

  // Runs `sql` as the server's superuser, in this schema: for tests that
  // reach around the store (kill its connections, count rows).
  core::Result<void> Execute(const std::string& sql) const;
  // The first column of the first row `sql` returns, as text.
  core::Result<std::string> QueryValue(const std::string& sql) const;

 private:
  PgTestSchema(std::string server_url, std::string name, bool own_database);

  std::string server_url_;
  std::string name_;
  bool own_database_;
  std::string url_;
};

}  // namespace jobsched::testing
