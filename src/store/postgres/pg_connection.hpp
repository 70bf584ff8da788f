#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

// libpq's handles, declared here so that libpq-fe.h stays inside the .cpp files.
struct pg_conn;
struct pg_result;

namespace jobsched::store::postgres {

// The parameters of one statement, all sent as text ($1 is the first added).
// A null is sent as SQL NULL; PostgreSQL casts the text to the column's type.
class PgParams {
 public:
  PgParams& Add(std::int64_t value);
  PgParams& Add(std::optional<std::int64_t> value);
  PgParams& Add(std::string_view value);
  PgParams& Add(const char* value) { return Add(std::string_view(value)); }
  PgParams& Add(bool value);
  PgParams& AddNull();
  // A bigint[] ('{1,2,NULL}') or text[] (each element quoted) literal.
  PgParams& AddArray(const std::vector<std::optional<std::int64_t>>& values);
  PgParams& AddArray(const std::vector<std::string>& values);

  std::size_t size() const { return values_.size(); }
  // Pointers into the values, as libpq wants them; valid while this lives unchanged.
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

// The answer to one statement. Columns and rows are numbered from 0; values
// arrive as text and are parsed here.
class PgResult {
 public:
  explicit PgResult(pg_result* result);
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();

  int rows() const;
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;
  bool IsNull(int row, int column) const;
  std::string_view Text(int row, int column) const;
  // 0 for NULL or a value that is not an integer (never the case for a bigint column).
  std::int64_t Int(int row, int column) const;
  std::optional<std::int64_t> OptionalInt(int row, int column) const;
  bool Bool(int row, int column) const;

 private:
  pg_result* result_;
};

// A NOTIFY received on a connection that LISTENs.
struct PgNotification {
  std::string channel;
  std::string payload;
};

// One connection to PostgreSQL, used by one thread at a time. Statements run
// through Query() are prepared on first use and reused (by their SQL text).
class PgConnection {
 public:
  // Connects to `url` (postgresql://user@host:port/db?param=value or a
  // key=value string). Unless the URL says otherwise, gives up after 5 s and
  // probes an idle TCP connection with keepalives, so a vanished server is
  // noticed. Fails with kUnavailable.
  static core::Result<std::unique_ptr<PgConnection>> Open(const std::string& url);

  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // Runs one or more statements without parameters (migrations, BEGIN, ...).
  core::Result<void> Execute(std::string_view sql);
  // Runs a statement with parameters ($1, $2, ...), prepared once per connection.
  core::Result<PgResult> Query(const std::string& sql, const PgParams& params = {});
  // The same, but planned at each call for its parameters and the tables as
  // they are then, never with a cached generic plan: for a statement whose
  // best plan changes as a table grows (see PgFinishBatcher).
  core::Result<PgResult> QueryPlannedEachTime(const std::string& sql, const PgParams& params);

  // False once the connection to the server is lost: throw it away.
  bool IsHealthy() const;

  // For a connection that LISTENs: the socket to wait on (poll for input),
  // then ReadNotifications() to take what arrived without blocking. Fails
  // with kUnavailable when the connection is lost.
  int Socket() const;
  core::Result<std::vector<PgNotification>> ReadNotifications();
  // `name` quoted as an SQL identifier (for LISTEN, which takes no parameters).
  std::string QuoteIdentifier(std::string_view name) const;
  // "user@host:port/database", for logs (never a password).
  std::string Describe() const;

 private:
  explicit PgConnection(pg_conn* connection) : connection_(connection) {}

  pg_conn* connection_;
  std::map<std::string, std::string, std::less<>> prepared_;  // SQL text -> statement name
};

// Turns a failed statement (or a failed connection, with `result` null) into
// a core::Error: a lost connection or a server that is shutting down, out of
// connections or in recovery is kUnavailable; a unique or foreign-key
// violation kConflict; a deadlock or serialization failure kUnavailable (try
// again); anything else kInternal.
core::Error PgError(pg_conn* connection, const pg_result* result, std::string_view context);

}  // namespace jobsched::store::postgres
