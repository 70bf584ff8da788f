#include "store/postgres/pg_connection.hpp"

#include <charconv>
#include <utility>

#include <libpq-fe.h>

#include "store/postgres/pg_url.hpp"

namespace jobsched::store::postgres {
namespace {

void IgnoreNotice(void*, const char*) {}

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// An element of a text[] literal: always quoted, with " and \ escaped.
void AppendQuoted(std::string& out, std::string_view value) {
  out += '"';
  for (const char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

core::Error PgError(pg_conn* connection, const pg_result* result, std::string_view context) {
  std::string message = std::string(context) + ": ";
  const char* detail = result != nullptr ? PQresultErrorMessage(result) : nullptr;
  if (detail == nullptr || *detail == '\0') detail = connection != nullptr ? PQerrorMessage(connection) : "";
  message += detail;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();

  if (connection == nullptr || PQstatus(connection) != CONNECTION_OK) return core::Error::Unavailable(message);
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view sqlstate = state != nullptr ? state : "";
  // No SQLSTATE: libpq itself failed (the server went away mid-answer).
  if (sqlstate.empty()) return core::Error::Unavailable(message);
  if (StartsWith(sqlstate, "08") || StartsWith(sqlstate, "53") || StartsWith(sqlstate, "57P") || sqlstate == "40001" ||
      sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "25006") {
    // Connection trouble, a server shutting down or out of resources, a
    // transaction to try again, a lock not available, a read-only replica.
    return core::Error::Unavailable(message);
  }
  if (sqlstate == "57014") return core::Error{core::ErrorCode::kTimeout, message, {}};
  if (StartsWith(sqlstate, "23")) return core::Error::Conflict(message);
  return core::Error::Internal(message);
}

PgParams& PgParams::Add(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

PgParams& PgParams::Add(std::optional<std::int64_t> value) { return value ? Add(*value) : AddNull(); }

PgParams& PgParams::Add(std::string_view value) {
  values_.emplace_back(std::string(value));
  return *this;
}

PgParams& PgParams::Add(bool value) {
  values_.emplace_back(value ? "t" : "f");
  return *this;
}

PgParams& PgParams::AddNull() {
  values_.emplace_back(std::nullopt);
  return *this;
}

PgParams& PgParams::AddArray(const std::vector<std::optional<std::int64_t>>& values) {
  std::string literal = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    literal += values[i] ? std::to_string(*values[i]) : "NULL";
  }
  literal += '}';
  values_.emplace_back(std::move(literal));
  return *this;
}

PgParams& PgParams::AddArray(const std::vector<std::string>& values) {
  std::string literal = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    AppendQuoted(literal, values[i]);
  }
  literal += '}';
  values_.emplace_back(std::move(literal));
  return *this;
}

std::vector<const char*> PgParams::Pointers() const {
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (const auto& value : values_) pointers.push_back(value ? value->c_str() : nullptr);
  return pointers;
}

PgResult::PgResult(pg_result* result) : result_(result) {}

PgResult::PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

PgResult::~PgResult() { PQclear(result_); }

int PgResult::rows() const { return PQntuples(result_); }

std::int64_t PgResult::affected() const {
  const char* count = PQcmdTuples(result_);
  std::int64_t value = 0;
  if (count != nullptr) std::from_chars(count, count + std::char_traits<char>::length(count), value);
  return value;
}

bool PgResult::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string_view PgResult::Text(int row, int column) const {
  return {PQgetvalue(result_, row, column), static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

std::int64_t PgResult::Int(int row, int column) const {
  const std::string_view text = Text(row, column);
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::optional<std::int64_t> PgResult::OptionalInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

bool PgResult::Bool(int row, int column) const { return Text(row, column) == "t"; }

core::Result<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& url) {
  // Defaults first: with expand_dbname, what the URL itself says wins.
  const char* const keywords[] = {"connect_timeout",  "keepalives",       "keepalives_idle", "keepalives_interval",
                                  "keepalives_count", "application_name", "dbname",          nullptr};
  const char* const values[] = {"5", "1", "10", "5", "3", "jobsched", url.c_str(), nullptr};
  pg_conn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr) return core::Error::Unavailable("postgresql: out of memory");
  std::unique_ptr<PgConnection> connection(new PgConnection(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    // libpq may echo what it read from the URL, a password's end included.
    core::Error error = PgError(raw, nullptr, "cannot connect to postgresql");
    error.message = RedactPostgresSecrets(std::move(error.message), url);
    return error;
  }
  PQsetNoticeProcessor(raw, IgnoreNotice, nullptr);
  // A 2xx means committed: never let a server or database default of
  // synchronous_commit=off acknowledge a write before its WAL is flushed.
  // Stronger settings (remote_apply for a synchronous standby) are kept.
  auto setting = connection->Query("SELECT current_setting('synchronous_commit')");
  if (!setting) return setting.error();
  if (setting->Text(0, 0) == "off") {
    if (auto on = connection->Execute("SET synchronous_commit = on"); !on) return on.error();
  }
  return connection;
}

PgConnection::~PgConnection() { PQfinish(connection_); }

core::Result<void> PgConnection::Execute(std::string_view sql) {
  const std::string text(sql);
  pg_result* raw = PQexec(connection_, text.c_str());
  PgResult result(raw);
  const ExecStatusType status = PQresultStatus(raw);
  // A migration that is only a comment is an empty query: nothing to do.
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    return PgError(connection_, raw, "postgresql");
  }
  return core::Ok();
}

namespace {

// A statement's answer: its rows (or none, for a command), or its error.
core::Result<PgResult> Answer(pg_conn* connection, pg_result* raw) {
  PgResult result(raw);
  const ExecStatusType status = PQresultStatus(raw);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return PgError(connection, raw, "postgresql");
  return result;
}

}  // namespace

core::Result<PgResult> PgConnection::Query(const std::string& sql, const PgParams& params) {
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    const std::string name = "s" + std::to_string(prepared_.size());
    // Parameter types are inferred from the statement (casts say where it cannot tell).
    pg_result* raw = PQprepare(connection_, name.c_str(), sql.c_str(), 0, nullptr);
    PgResult prepared(raw);
    if (PQresultStatus(raw) != PGRES_COMMAND_OK) return PgError(connection_, raw, "postgresql prepare");
    found = prepared_.emplace(sql, name).first;
  }
  const std::vector<const char*> values = params.Pointers();
  pg_result* raw = PQexecPrepared(connection_, found->second.c_str(), static_cast<int>(values.size()), values.data(),
                                  nullptr, nullptr, /*resultFormat=*/0);
  return Answer(connection_, raw);
}

core::Result<PgResult> PgConnection::QueryPlannedEachTime(const std::string& sql, const PgParams& params) {
  // The unnamed statement: parsed and planned for these parameters, not kept.
  const std::vector<const char*> values = params.Pointers();
  pg_result* raw = PQexecParams(connection_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                nullptr, nullptr, /*resultFormat=*/0);
  return Answer(connection_, raw);
}

bool PgConnection::IsHealthy() const { return PQstatus(connection_) == CONNECTION_OK; }

int PgConnection::Socket() const { return PQsocket(connection_); }

core::Result<std::vector<PgNotification>> PgConnection::ReadNotifications() {
  if (PQconsumeInput(connection_) == 0 || PQstatus(connection_) != CONNECTION_OK) {
    return PgError(connection_, nullptr, "postgresql listen");
  }
  std::vector<PgNotification> notifications;
  while (PGnotify* notify = PQnotifies(connection_)) {
    notifications.push_back(PgNotification{notify->relname, notify->extra != nullptr ? notify->extra : ""});
    PQfreemem(notify);
  }
  return notifications;
}

std::string PgConnection::QuoteIdentifier(std::string_view name) const {
  char* quoted = PQescapeIdentifier(connection_, name.data(), name.size());
  if (quoted == nullptr) return "\"\"";
  std::string result(quoted);
  PQfreemem(quoted);
  return result;
}

std::string PgConnection::Describe() const {
  std::string host = PQhost(connection_) != nullptr ? PQhost(connection_) : "";
  return std::string(PQuser(connection_)) + "@" + host + ":" + PQport(connection_) + "/" + PQdb(connection_);
}

}  // namespace jobsched::store::postgres
