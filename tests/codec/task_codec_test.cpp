#include "codec/task_codec.hpp"

#include <gtest/gtest.h>

namespace jobsched::codec {
namespace {

TEST(DecodeTask, ReadsEveryTaskType) {
  auto noop = DecodeTask(R"({"type":"noop"})");
  auto http =
      DecodeTask(R"({"type":"http","url":"https://example.com/hook","method":"PUT","headers":{"X-A":"b"},"body":"hi",)"
                 R"("timeout":"10s","expect_status":204})");
  auto email = DecodeTask(R"({"type":"email","to":["a@example.com"],"cc":"c@example.com","subject":"S","body":"B"})");
  auto compute = DecodeTask(R"({"type":"compute","function":"factorial_sum","n":1000})");

  ASSERT_TRUE(noop.ok() && http.ok() && email.ok() && compute.ok());
  EXPECT_EQ(*noop, core::Task{core::NoopTask{}});
  const auto& h = std::get<core::HttpTask>(*http);
  EXPECT_EQ(h.method, "PUT");
  EXPECT_EQ(h.url, "https://example.com/hook");
  EXPECT_EQ(h.headers.at(0).first, "X-A");
  EXPECT_EQ(h.body, "hi");
  EXPECT_EQ(h.timeout, core::Milliseconds{10'000});
  EXPECT_EQ(h.expect_status, 204);
  const auto& e = std::get<core::EmailTask>(*email);
  EXPECT_EQ(e.to, std::vector<std::string>{"a@example.com"});
  EXPECT_EQ(e.cc, std::vector<std::string>{"c@example.com"});
  EXPECT_EQ(*compute, core::Task{(core::ComputeTask{core::ComputeKind::kFactorialSum, 1000})});
}

TEST(DecodeTask, SendsJsonBodiesAsJson) {
  auto task = DecodeTask(R"({"type":"http","url":"http://h/x","body":{"a":[1,2]}})");

  ASSERT_TRUE(task.ok());
  const auto& http = std::get<core::HttpTask>(*task);
  EXPECT_EQ(http.body, R"({"a":[1,2]})");
  ASSERT_EQ(http.headers.size(), 1u);
  EXPECT_EQ(http.headers[0].second, "application/json");
}

TEST(EncodeTask, RoundTripsThroughDecode) {
  const core::Task tasks[] = {
      core::NoopTask{},
      core::HttpTask{"POST",
                     "http://127.0.0.1:8080/x",
                     {{"A", "1"}, {"B", "2"}},
                     "body",
                     core::Milliseconds{1500},
                     200,
                     {},
                     std::nullopt},
      core::HttpTask{"GET",
                     "https://example.com/x",
                     {{"Authorization", "Bearer t"}, {"X-Key", "k"}},
                     "",
                     std::nullopt,
                     std::nullopt,
                     {"X-Key"},
                     "a signing secret of 32 bytes...."},
      core::EmailTask{
          {"a@example.com", "b@example.com"}, {"c@example.com"}, "Hi \xc3\xa9", "Body\nline", "me@example.com"},
      core::ComputeTask{core::ComputeKind::kMonteCarloPi, 1'000'000},
      core::ShellTask{{"backup", "--all", "a b"}, {{"MODE", "full"}}, "/srv/data", {}},
      core::ShellTask{{"/usr/bin/true"}, {}, std::nullopt, {}},
      core::ShellTask{{"pg_dump"}, {{"PGHOST", "db"}, {"PGPASSWORD", "pw"}}, std::nullopt, {"PGPASSWORD"}},
  };
  for (const core::Task& task : tasks) {
    auto decoded = DecodeTask(EncodeTask(task));

    ASSERT_TRUE(decoded.ok()) << EncodeTask(task);
    EXPECT_EQ(*decoded, task) << EncodeTask(task);
  }
}

TEST(DecodeTask, ReadsAShellTask) {
  auto task = DecodeTask(R"({"type":"shell","command":["pg_dump","-f","/tmp/x y"],"env":{"PGHOST":"db"},)"
                         R"("working_dir":"/var/backups"})");

  ASSERT_TRUE(task.ok()) << task.error().message;
  const auto& shell = std::get<core::ShellTask>(*task);
  EXPECT_EQ(shell.command, (std::vector<std::string>{"pg_dump", "-f", "/tmp/x y"}));
  EXPECT_EQ(shell.env, (std::vector<std::pair<std::string, std::string>>{{"PGHOST", "db"}}));
  EXPECT_EQ(shell.working_dir, "/var/backups");
}

TEST(DecodeTask, ReadsSecretHeadersAndTheSigningSecret) {
  auto task = DecodeTask(R"({"type":"http","url":"http://h/x","headers":{"X-Api-Key":"k"},)"
                         R"("secret_headers":["x-api-key"],"signing_secret":"0123456789abcdef"})");

  ASSERT_TRUE(task.ok()) << task.error().message;
  const auto& http = std::get<core::HttpTask>(*task);
  EXPECT_EQ(http.secret_headers, std::vector<std::string>{"x-api-key"});
  EXPECT_EQ(http.signing_secret, "0123456789abcdef");
}

TEST(EncodeTaskForApi, ShowsEverySecretAsRedacted) {
  core::HttpTask http;
  http.url = "https://example.com/hook";
  http.headers = {{"authorization", "Bearer t0ken"},
                  {"X-Api-Key", "k3y"},
                  {"X-Trace", "visible"},
                  {"Proxy-Authorization", "Basic cHJveHk="}};
  http.secret_headers = {"x-api-key"};
  http.signing_secret = "s1gning-secret-of-some-length";

  const std::string shown = EncodeTaskForApi(http);
  const std::string stored = EncodeTask(http);

  EXPECT_NE(shown.find(R"("authorization":"REDACTED")"), std::string::npos) << shown;
  EXPECT_NE(shown.find(R"("X-Api-Key":"REDACTED")"), std::string::npos) << shown;
  EXPECT_NE(shown.find(R"("Proxy-Authorization":"REDACTED")"), std::string::npos) << shown;
  EXPECT_NE(shown.find(R"("X-Trace":"visible")"), std::string::npos) << shown;
  EXPECT_NE(shown.find(R"("signing_secret":"REDACTED")"), std::string::npos) << shown;
  EXPECT_NE(shown.find(R"("secret_headers":["x-api-key"])"), std::string::npos) << shown;
  for (const char* secret : {"t0ken", "k3y", "cHJveHk", "s1gning"}) {
    EXPECT_EQ(shown.find(secret), std::string::npos) << secret;
    EXPECT_NE(stored.find(secret), std::string::npos) << secret;
  }
}

TEST(EncodeTaskForApi, ShowsSecretShellVariablesAsRedacted) {
  core::ShellTask shell;
  shell.command = {"pg_dump"};
  shell.env = {{"PGHOST", "db.internal"}, {"PGPASSWORD", "s3cret"}};
  shell.secret_env = {"PGPASSWORD"};

  const std::string shown = EncodeTaskForApi(shell);
  const std::string stored = EncodeTask(shell);

  EXPECT_NE(shown.find(R"("PGPASSWORD":"REDACTED")"), std::string::npos) << shown;
  EXPECT_NE(shown.find(R"("PGHOST":"db.internal")"), std::string::npos) << shown;
  EXPECT_NE(shown.find(R"("secret_env":["PGPASSWORD"])"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("s3cret"), std::string::npos);
  EXPECT_NE(stored.find(R"("PGPASSWORD":"s3cret")"), std::string::npos) << stored;
}

TEST(EncodeTaskForApi, LeavesTasksWithoutSecretsAsEncodeTaskDoes) {
  core::HttpTask http;
  http.url = "https://example.com/hook";
  http.headers = {{"X-Trace", "visible"}};

  EXPECT_EQ(EncodeTaskForApi(http), EncodeTask(http));
  EXPECT_EQ(EncodeTask(http).find("secret"), std::string::npos);
}

struct BadTask {
  const char* json;
  const char* field;
};

void PrintTo(const BadTask& bad, std::ostream* out) { *out << bad.json; }

class DecodeTaskRejects : public ::testing::TestWithParam<BadTask> {};

TEST_P(DecodeTaskRejects, NamingTheFieldPath) {
  auto task = DecodeTask(GetParam().json);

  ASSERT_FALSE(task.ok()) << GetParam().json;
  EXPECT_EQ(task.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(task.error().field, GetParam().field) << GetParam().json;
}

INSTANTIATE_TEST_SUITE_P(
    BadTasks, DecodeTaskRejects,
    ::testing::Values(
        BadTask{R"("http")", "task"}, BadTask{R"({})", "task.type"}, BadTask{R"({"type":"ftp"})", "task.type"},
        BadTask{R"({"type":5})", "task.type"}, BadTask{R"({"type":"noop","x":1})", "task.x"},
        BadTask{R"({"type":"http"})", "task.url"}, BadTask{R"({"type":"http","url":"ftp://h/x"})", "task.url"},
        BadTask{R"({"type":"http","url":"http:///x"})", "task.url"},
        BadTask{R"({"type":"http","url":"http://h/x","method":"BREW"})", "task.method"},
        BadTask{R"({"type":"http","url":"http://h/x","headers":{"X":"a\r\nB: c"}})", "task.headers.X"},
        BadTask{R"({"type":"http","url":"http://h/x","headers":{"A B":"c"}})", "task.headers.A B"},
        BadTask{R"({"type":"http","url":"http://h/x","timeout":"soon"})", "task.timeout"},
        BadTask{R"({"type":"http","url":"http://h/x","expect_status":42})", "task.expect_status"},
        BadTask{R"({"type":"http","url":"http://h/x","retries":3})", "task.retries"},
        BadTask{R"({"type":"http","url":"http://h/x","secret_headers":"X-A"})", "task.secret_headers"},
        BadTask{R"({"type":"http","url":"http://h/x","secret_headers":[1]})", "task.secret_headers[0]"},
        BadTask{R"({"type":"http","url":"http://h/x","headers":{"X-A":"a"},"secret_headers":["X-A","X-B"]})",
                "task.secret_headers[1]"},
        BadTask{R"({"type":"http","url":"http://h/x","signing_secret":"short"})", "task.signing_secret"},
        BadTask{R"({"type":"http","url":"http://h/x","signing_secret":42})", "task.signing_secret"},
        BadTask{R"({"type":"email","subject":"s"})", "task.to"},
        BadTask{R"({"type":"email","to":["ok@example.com","nope"]})", "task.to[1]"},
        BadTask{R"({"type":"email","to":["a@example.com"],"cc":[5]})", "task.cc[0]"},
        BadTask{R"({"type":"email","to":["a@example.com"],"subject":"a\nBcc: x@y.z"})", "task.subject"},
        BadTask{R"({"type":"email","to":["a@example.com"],"from":"x"})", "task.from"},
        BadTask{R"({"type":"compute","n":5})", "task.function"},
        BadTask{R"({"type":"compute","function":"fib","n":5})", "task.function"},
        BadTask{R"({"type":"compute","function":"prime_count"})", "task.n"},
        BadTask{R"({"type":"compute","function":"prime_count","n":0})", "task.n"},
        BadTask{R"({"type":"compute","function":"factorial_sum","n":20001})", "task.n"},
        BadTask{R"({"type":"compute","function":"factorial_sum","n":1.5})", "task.n"},
        BadTask{R"({"type":"shell"})", "task.command"},
        BadTask{R"({"type":"shell","command":"backup --all"})", "task.command"},
        BadTask{R"({"type":"shell","command":[]})", "task.command"},
        BadTask{R"({"type":"shell","command":[""]})", "task.command"},
        BadTask{R"({"type":"shell","command":["a",1]})", "task.command[1]"},
        BadTask{R"({"type":"shell","command":["a","b\u0000c"]})", "task.command[1]"},
        BadTask{R"({"type":"shell","command":["a"],"env":{"1X":"y"}})", "task.env.1X"},
        BadTask{R"({"type":"shell","command":["a"],"env":{"A=B":"y"}})", "task.env.A=B"},
        BadTask{R"({"type":"shell","command":["a"],"env":{"X":5}})", "task.env.X"},
        BadTask{R"({"type":"shell","command":["a"],"working_dir":"relative/dir"})", "task.working_dir"},
        BadTask{R"({"type":"shell","command":["a"],"secret_env":"X"})", "task.secret_env"},
        BadTask{R"({"type":"shell","command":["a"],"env":{"X":"1"},"secret_env":["X","Y"]})", "task.secret_env[1]"},
        BadTask{R"({"type":"shell","command":["a"],"shell":true})", "task.shell"}));

}  // namespace
}  // namespace jobsched::codec
