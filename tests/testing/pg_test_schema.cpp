#include "testing/pg_test_schema.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>

#include <libpq-fe.h>

namespace jobsched::testing {
namespace {

constexpr const char* kHowToGetOne =
    "no PostgreSQL for the tests: ctest starts one (fixture pg_server); to run a test binary by hand, "
    "start one with `tests/testing/pg_server.sh start /tmp/jobsched-pg` and set "
    "JOBSCHED_TEST_PG_DSN_FILE=/tmp/jobsched-pg/url";

// `url` with `parameter` added to its query string.
std::string WithParameter(const std::string& url, const std::string& parameter) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + parameter;
}

// Runs `sql` on `url`; returns the first value of the first row ("" if none).
core::Result<std::string> Run(const std::string& url, const std::string& sql) {
  PGconn* connection = PQconnectdb(url.c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    std::string message = std::string("cannot connect to the test PostgreSQL at ") + url + ": " +
                          PQerrorMessage(connection) + "(" + kHowToGetOne + ")";
    PQfinish(connection);
    return core::Error::Unavailable(message);
  }
  PGresult* result = PQexec(connection, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  core::Result<std::string> value = std::string();
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    value = core::Error::Internal(sql + ": " + PQresultErrorMessage(result));
  } else if (PQntuples(result) > 0 && PQnfields(result) > 0) {
    value = std::string(PQgetvalue(result, 0, 0));
  }
  PQclear(result);
  PQfinish(connection);
  return value;
}

}  // namespace

core::Result<std::string> TestServerUrl() {
  if (const char* url = std::getenv("JOBSCHED_TEST_PG_DSN"); url != nullptr && *url != '\0') return std::string(url);
  if (const char* file = std::getenv("JOBSCHED_TEST_PG_DSN_FILE"); file != nullptr && *file != '\0') {
    std::ifstream in(file);
    std::string url;
    if (!std::getline(in, url) || url.empty()) {
      return core::Error::Unavailable(std::string("JOBSCHED_TEST_PG_DSN_FILE=") + file +
                                      " holds no URL: did the pg_server fixture fail to start? (" + kHowToGetOne + ")");
    }
    return url;
  }
  return core::Error::Unavailable(kHowToGetOne);
}

namespace {

// A name no other test of this run uses.
std::string UniqueName() {
  static std::atomic<int> counter{0};
  std::random_device random;
  return "test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(random() % 1'000'000);
}

// `url` connecting to `database` instead of the one it names.
std::string WithDatabase(const std::string& url, const std::string& database) {
  const std::size_t query = url.find('?');
  const std::size_t slash = url.rfind('/', query);
  if (slash == std::string::npos) return url;
  return url.substr(0, slash + 1) + database + (query == std::string::npos ? "" : url.substr(query));
}

}  // namespace

core::Result<std::unique_ptr<PgTestSchema>> PgTestSchema::Create() {
  auto server = TestServerUrl();
  if (!server) return server.error();
  const std::string name = UniqueName();
  if (auto created = Run(*server, "CREATE SCHEMA " + name); !created) return created.error();
  return std::unique_ptr<PgTestSchema>(new PgTestSchema(*server, name, false));
}

core::Result<std::unique_ptr<PgTestSchema>> PgTestSchema::CreateInADatabaseOfItsOwn() {
  auto server = TestServerUrl();
  if (!server) return server.error();
  const std::string name = UniqueName();
  if (auto created = Run(*server, "CREATE DATABASE " + name); !created) return created.error();
  if (auto created = Run(WithDatabase(*server, name), "CREATE SCHEMA " + name); !created) {
    (void)Run(*server, "DROP DATABASE " + name + " WITH (FORCE)");
    return created.error();
  }
  return std::unique_ptr<PgTestSchema>(new PgTestSchema(*server, name, true));
}

PgTestSchema::PgTestSchema(std::string server_url, std::string name, bool own_database)
    : server_url_(std::move(server_url)),
      name_(std::move(name)),
      own_database_(own_database),
      url_(WithParameter(own_database_ ? WithDatabase(server_url_, name_) : server_url_,
                         "options=-csearch_path%3D" + name_ + "&application_name=" + name_)) {}

PgTestSchema::~PgTestSchema() {
  if (own_database_) {
    (void)Run(server_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } else {
    (void)Run(server_url_, "DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
  }
}

std::string PgTestSchema::UrlAs(const std::string& role) const {
  // postgresql://user@host... -> postgresql://role@host...
  const std::size_t scheme_end = url_.find("://");
  const std::size_t at = url_.find('@');
  if (scheme_end == std::string::npos || at == std::string::npos) return url_;
  return url_.substr(0, scheme_end + 3) + role + url_.substr(at);
}

core::Result<void> PgTestSchema::Execute(const std::string& sql) const {
  auto ran = Run(url_, sql);
  if (!ran) return ran.error();
  return core::Ok();
}

core::Result<std::string> PgTestSchema::QueryValue(const std::string& sql) const { return Run(url_, sql); }

}  // namespace jobsched::testing
