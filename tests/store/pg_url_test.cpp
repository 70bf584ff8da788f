#include "store/postgres/pg_url.hpp"

#include <string>

#include <gtest/gtest.h>

#include "store/postgres/pg_connection.hpp"

namespace jobsched::store::postgres {
namespace {

TEST(CheckPostgresUrl, AcceptsTheFormsLibpqReadsOneWay) {
  for (const char* url : {
           "postgresql://app@db.internal/jobs",
           "postgres://app:p%40ss%2Fw0rd@127.0.0.1:5432/jobs?sslmode=require&connect_timeout=3",
           "postgresql:///jobs?host=/var/run/postgresql",
           "postgresql://[::1]:5432/jobs",
           "postgresql://app@h1:5432,h2:5433/jobs?target_session_attrs=read-write",
           "postgresql://localhost",
       }) {
    EXPECT_TRUE(CheckPostgresUrl(url).ok()) << url << ": " << CheckPostgresUrl(url).error().message;
  }
}

// Issue #14: an unencoded '@' in the password put its end in a log line, as
// libpq's "could not translate host name" echoed what it took for the host.
TEST(CheckPostgresUrl, RefusesWhatLibpqWouldMisreadNamingTheProblemWithoutEchoingIt) {
  const std::pair<const char*, const char*> cases[] = {
      {"postgresql://app:se@cret-part@127.0.0.1/jobs", "more than one '@'"},
      {"postgresql://app:se/cret-part@127.0.0.1/jobs", "'@' after"},
      {"postgresql://app:se?cret-part@127.0.0.1/jobs", "'@' after"},
      {"postgresql://app:se#cret-part@127.0.0.1/jobs", "'@' after"},
      {"postgresql://app:secret-part@127.0.0.1:54x2/jobs", "port"},
      {"postgresql://app:secret-part@127.0.0.1/jobs?password=x%zzcret-part", "'%'"},
      {"postgresql://app:secret part@127.0.0.1/jobs", "space or control character"},
      {"postgresql://app:secret-part@[::1/jobs", "']'"},
  };
  for (const auto& [url, problem] : cases) {
    const auto checked = CheckPostgresUrl(url);
    ASSERT_FALSE(checked.ok()) << url;
    EXPECT_EQ(checked.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(checked.error().field, "db");
    EXPECT_NE(checked.error().message.find(problem), std::string::npos) << checked.error().message;
    EXPECT_EQ(checked.error().message.find("cret"), std::string::npos) << checked.error().message;
  }
}

TEST(RedactPostgresSecrets, RemovesThePasswordInEveryFormLibpqMayEcho) {
  const std::string url = "postgresql://app:se@cret%40part@127.0.0.1:5432/jobs?password=other-secret";

  const std::string redacted = RedactPostgresSecrets(
      "could not translate host name \"cret@part@127.0.0.1\" to address; also cret%40part, se@cret@part, "
      "other-secret; user app",
      url);

  for (const char* secret : {"cret", "other-secret", "se@"}) EXPECT_EQ(redacted.find(secret), std::string::npos);
  EXPECT_NE(redacted.find("REDACTED"), std::string::npos) << redacted;
  EXPECT_NE(redacted.find("user app"), std::string::npos) << redacted;
}

TEST(RedactPostgresSecrets, LeavesAMessageWithoutSecretsAlone) {
  EXPECT_EQ(RedactPostgresSecrets("connection refused", "postgresql://app@127.0.0.1/jobs"), "connection refused");
}

// The same, through libpq itself: a URL that got past the check (the store
// can be handed any URL) still leaves its password out of the error.
TEST(PgConnection, LeavesThePasswordOutOfAConnectionError) {
  const auto connection = PgConnection::Open("postgresql://app:se@cret-part@127.0.0.1:1/jobs");

  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.error().message.find("cret-part"), std::string::npos) << connection.error().message;
  EXPECT_NE(connection.error().message.find("cannot connect to postgresql"), std::string::npos);
}

}  // namespace
}  // namespace jobsched::store::postgres
