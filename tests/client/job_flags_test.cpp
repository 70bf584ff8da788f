#include "client/job_flags.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace jobsched::client {
namespace {

namespace json = boost::json;

TEST(JobBodyFromFlags, BuildsTheCreateRequestWithItsTask) {
  JobFlags flags;
  flags.name = "ping";
  flags.every = "15m";
  flags.paused = true;
  flags.max_attempts = 3;
  flags.http_url = "https://example.com/hook";
  flags.http_headers = {"Authorization: Bearer x", "X-Team:ops"};

  auto body = JobBodyFromFlags(flags);

  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(*body, json::parse(R"({"name":"ping","every":"15m","is_active":false,"retry":{"max_attempts":3},)"
                               R"("task":{"type":"http","url":"https://example.com/hook",)"
                               R"("headers":{"Authorization":"Bearer x","X-Team":"ops"}}})"));
}

TEST(JobBodyFromFlags, TakesEachKindOfTask) {
  JobFlags email;
  email.email_to = {"a@example.com"};
  JobFlags compute;
  compute.compute = "prime_count";
  compute.compute_n = 1000;
  JobFlags shell;
  shell.shell_command = {"echo", "hi"};

  EXPECT_EQ(JobBodyFromFlags(email)->at("task"), json::parse(R"({"type":"email","to":["a@example.com"]})"));
  EXPECT_EQ(JobBodyFromFlags(compute)->at("task"),
            json::parse(R"({"type":"compute","function":"prime_count","n":1000})"));
  EXPECT_EQ(JobBodyFromFlags(shell)->at("task"), json::parse(R"({"type":"shell","command":["echo","hi"]})"));
}

TEST(JobBodyFromFlags, RefusesTwoTasksABadHeaderAndATaskThatIsNoObject) {
  JobFlags two;
  two.noop = true;
  two.http_url = "https://x";
  JobFlags header;
  header.http_url = "https://x";
  header.http_headers = {"no colon"};
  JobFlags task;
  task.task_json = "[1]";

  EXPECT_EQ(JobBodyFromFlags(two).error().field, "--task");
  EXPECT_EQ(JobBodyFromFlags(header).error().field, "--http-header");
  EXPECT_EQ(JobBodyFromFlags(task).error().field, "--task");
}

TEST(JobBodyFromFlags, TakesLabelsAsKeyEqualsValueAndRefusesOneWithoutEquals) {
  JobFlags flags;
  flags.name = "ledger";
  flags.labels = {"team=payments", "canary=", "app.example.com/tier=web=1"};

  auto body = JobBodyFromFlags(flags);

  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(body->at("labels"), json::parse(R"({"team":"payments","canary":"","app.example.com/tier":"web=1"})"));
  flags.labels = {"team"};
  EXPECT_EQ(JobBodyFromFlags(flags).error().field, "--label");
}

}  // namespace
}  // namespace jobsched::client
