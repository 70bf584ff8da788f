#include "core/job_patch.hpp"

#include <gtest/gtest.h>

#include "testing/time_literals.hpp"

namespace jobsched::core {
namespace {

using jobsched::testing::At;

Job Existing() {
  JobRequest request;
  request.name = "report";
  request.interval = "daily";
  auto job = ValidateNewJob(request, At("2026-11-27T09:00:00Z"));
  EXPECT_TRUE(job.ok());
  job->id = 7;
  return *job;
}

TEST(ApplyJobPatch, ChangesOnlyWhatThePatchNamesAndBumpsTheVersion) {
  JobPatch patch;
  patch.set.name = "daily report";

  auto job = ApplyJobPatch(Existing(), patch, At("2026-11-27T09:30:00Z"));

  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->name, "daily report");
  EXPECT_EQ(job->schedule, Existing().schedule);
  EXPECT_EQ(job->next_run, Existing().next_run);
  EXPECT_EQ(job->version, 2);
  EXPECT_EQ(job->updated_at, At("2026-11-27T09:30:00Z"));
  EXPECT_EQ(job->created_at, Existing().created_at);
}

TEST(ApplyJobPatch, RefusesToMoveAJobToAnotherNamespace) {
  JobPatch patch;
  patch.set.namespace_name = "team-b";

  auto job = ApplyJobPatch(Existing(), patch, At("2026-11-27T09:30:00Z"));

  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(job.error().field, "namespace");
}

TEST(ApplyJobPatch, AcceptsTheJobsOwnNamespaceEchoedBackAsNoChange) {
  JobPatch patch;
  patch.set.namespace_name = "default";

  auto job = ApplyJobPatch(Existing(), patch, At("2026-11-27T09:30:00Z"));

  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->namespace_name, "default");
  EXPECT_EQ(job->version, 1);
}

TEST(ApplyJobPatch, EmptyPatchChangesNothingNotEvenTheVersion) {
  auto job = ApplyJobPatch(Existing(), JobPatch{}, At("2026-11-27T09:30:00Z"));

  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->version, 1);
  EXPECT_EQ(job->updated_at, Existing().updated_at);
}

TEST(ApplyJobPatch, NewScheduleReplacesTheOldAndRecomputesNextRun) {
  JobPatch patch;
  patch.set.cron = "0 9 * * MON";
  patch.set.timezone = "Europe/Berlin";

  auto job = ApplyJobPatch(Existing(), patch, At("2026-11-27T09:30:00Z"));

  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->schedule.kind(), ScheduleKind::kCron);
  EXPECT_EQ(job->schedule.named_interval(), std::nullopt);
  EXPECT_EQ(job->next_run, At("2026-11-30T08:00:00Z"));
}

TEST(ApplyJobPatch, PauseClearsNextRunAndResumeCountsFromNow) {
  JobPatch pause;
  pause.set.is_active = false;
  JobPatch resume;
  resume.set.is_active = true;

  auto paused = ApplyJobPatch(Existing(), pause, At("2026-11-27T09:30:00Z"));
  ASSERT_TRUE(paused.ok());
  // Resumed three days later: the missed days are neither run nor owed.
  auto resumed = ApplyJobPatch(*paused, resume, At("2026-11-30T11:00:00Z"));

  EXPECT_FALSE(paused->is_active);
  EXPECT_EQ(paused->next_run, std::nullopt);
  ASSERT_TRUE(resumed.ok());
  EXPECT_TRUE(resumed->is_active);
  EXPECT_EQ(resumed->next_run, At("2026-12-01T10:00:00Z"));
  EXPECT_EQ(resumed->version, 3);
}

TEST(ApplyJobPatch, ClearingTheTaskAndWindowRemovesThem) {
  Job current = Existing();
  current.task = Task{NoopTask{}};
  current.schedule = current.schedule.WithWindow(At("2026-12-01T00:00:00Z"), std::nullopt);
  JobPatch patch;
  patch.cleared = {"task", "start_at"};

  auto job = ApplyJobPatch(current, patch, At("2026-11-27T09:30:00Z"));

  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->task, std::nullopt);
  EXPECT_EQ(job->schedule.start_at(), std::nullopt);
  EXPECT_EQ(job->next_run, At("2026-11-27T10:00:00Z"));
}

TEST(ApplyJobPatch, ValidatesLikeCreate) {
  struct Case {
    const char* why;
    JobPatch patch;
    const char* field;
  };
  auto with = [](auto set) {
    JobPatch patch;
    set(patch.set);
    return patch;
  };
  const Case cases[] = {
      {"empty name", with([](JobRequest& r) { r.name = ""; }), "name"},
      {"two schedules", with([](JobRequest& r) {
         r.every = "1h";
         r.cron = "* * * * *";
       }),
       "cron"},
      {"bad interval", with([](JobRequest& r) { r.interval = "fortnightly"; }), "interval"},
      {"timezone on an interval job", with([](JobRequest& r) { r.timezone = "Europe/Berlin"; }), "timezone"},
      {"bad timeout", with([](JobRequest& r) { r.timeout = "forever"; }), "timeout"},
  };
  for (const Case& c : cases) {
    auto job = ApplyJobPatch(Existing(), c.patch, At("2026-11-27T09:30:00Z"));

    ASSERT_FALSE(job.ok()) << c.why;
    EXPECT_EQ(job.error().field, c.field) << c.why;
  }
}

HttpTask HookWithSecrets() {
  HttpTask hook;
  hook.url = "https://example.com/hook";
  hook.headers = {{"Authorization", "Bearer stored"}, {"X-Api-Key", "stored-key"}, {"X-Trace", "t"}};
  hook.secret_headers = {"X-Api-Key"};
  hook.signing_secret = "stored-signing-secret";
  return hook;
}

Job ExistingWithSecrets() {
  Job job = Existing();
  job.task = HookWithSecrets();
  return job;
}

TEST(ApplyJobPatch, TheRedactedPlaceholderKeepsTheStoredSecrets) {
  HttpTask sent = HookWithSecrets();
  sent.url = "https://example.com/new-hook";
  sent.headers = {{"authorization", "REDACTED"}, {"X-Api-Key", "REDACTED"}, {"X-Trace", "t2"}};
  sent.signing_secret = "REDACTED";
  JobPatch patch;
  patch.set.task = sent;

  auto job = ApplyJobPatch(ExistingWithSecrets(), patch, At("2026-11-27T09:30:00Z"));

  ASSERT_TRUE(job.ok()) << job.error().message;
  const auto& http = std::get<HttpTask>(*job->task);
  EXPECT_EQ(http.url, "https://example.com/new-hook");
  const std::vector<std::pair<std::string, std::string>> expected{
      {"authorization", "Bearer stored"}, {"X-Api-Key", "stored-key"}, {"X-Trace", "t2"}};
  EXPECT_EQ(http.headers, expected);
  EXPECT_EQ(http.signing_secret, "stored-signing-secret");
}

// Issue #14: a write key moved a job's URL to a host of its choosing while
// sending the placeholders, and the next run sent it the stored secrets.
TEST(ApplyJobPatch, ThePlaceholderDoesNotCarryASecretToAnotherOrigin) {
  for (const char* url : {"https://attacker.example/hook", "http://example.com/hook", "https://example.com:8443/hook",
                          "https://example.com.attacker.example/hook", "https://sub.example.com/hook"}) {
    for (const char* field : {"task.headers.Authorization", "task.headers.X-Api-Key", "task.signing_secret"}) {
      HttpTask sent = HookWithSecrets();
      sent.url = url;
      if (std::string_view(field) == "task.signing_secret") {
        sent.signing_secret = "REDACTED";
      } else {
        for (auto& [name, value] : sent.headers) {
          if ("task.headers." + name == field) value = "REDACTED";
        }
      }
      JobPatch patch;
      patch.set.task = sent;

      auto job = ApplyJobPatch(ExistingWithSecrets(), patch, At("2026-11-27T09:30:00Z"));

      ASSERT_FALSE(job.ok()) << url << " " << field;
      EXPECT_EQ(job.error().code, ErrorCode::kInvalidArgument);
      EXPECT_EQ(job.error().field, field) << url;
      EXPECT_NE(job.error().message.find("origin"), std::string::npos) << job.error().message;
      EXPECT_EQ(job.error().message.find("Bearer stored"), std::string::npos);
    }
  }
}

TEST(ApplyJobPatch, ThePlaceholderKeepsTheSecretsWhileTheOriginStaysTheSame) {
  for (const char* url : {"https://example.com/other?x=1", "https://Example.COM/hook", "https://example.com:443/hook",
                          "https://example.com#frag"}) {
    HttpTask sent = HookWithSecrets();
    sent.url = url;
    sent.headers = {{"Authorization", "REDACTED"}, {"X-Api-Key", "REDACTED"}};
    sent.signing_secret = "REDACTED";
    JobPatch patch;
    patch.set.task = sent;

    auto job = ApplyJobPatch(ExistingWithSecrets(), patch, At("2026-11-27T09:30:00Z"));

    ASSERT_TRUE(job.ok()) << url << ": " << job.error().message;
    EXPECT_EQ(std::get<HttpTask>(*job->task).headers[0].second, "Bearer stored") << url;
    EXPECT_EQ(std::get<HttpTask>(*job->task).signing_secret, "stored-signing-secret") << url;
  }
}

TEST(ApplyJobPatch, AnotherOriginTakesSecretsSentAgainOrNone) {
  HttpTask resent = HookWithSecrets();
  resent.url = "https://elsewhere.example/hook";
  HttpTask dropped;
  dropped.url = "https://elsewhere.example/hook";
  dropped.headers = {{"X-Trace", "t"}};
  JobPatch resend;
  resend.set.task = resent;
  JobPatch drop;
  drop.set.task = dropped;

  auto with_secrets = ApplyJobPatch(ExistingWithSecrets(), resend, At("2026-11-27T09:30:00Z"));
  auto without = ApplyJobPatch(ExistingWithSecrets(), drop, At("2026-11-27T09:30:00Z"));

  ASSERT_TRUE(with_secrets.ok()) << with_secrets.error().message;
  EXPECT_EQ(std::get<HttpTask>(*with_secrets->task).headers[0].second, "Bearer stored");
  ASSERT_TRUE(without.ok()) << without.error().message;
  EXPECT_FALSE(std::get<HttpTask>(*without->task).signing_secret.has_value());
}

TEST(ApplyJobPatch, ANewValueReplacesAStoredSecret) {
  HttpTask sent = HookWithSecrets();
  sent.headers[0].second = "Bearer new";
  sent.signing_secret = "new-signing-secret-value";
  JobPatch patch;
  patch.set.task = sent;

  auto job = ApplyJobPatch(ExistingWithSecrets(), patch, At("2026-11-27T09:30:00Z"));

  ASSERT_TRUE(job.ok()) << job.error().message;
  EXPECT_EQ(std::get<HttpTask>(*job->task).headers[0].second, "Bearer new");
  EXPECT_EQ(std::get<HttpTask>(*job->task).signing_secret, "new-signing-secret-value");
}

TEST(ApplyJobPatch, ThePlaceholderIsRefusedWhereNothingIsStored) {
  HttpTask new_header = HookWithSecrets();
  new_header.headers.emplace_back("X-Other", "REDACTED");
  new_header.secret_headers.push_back("X-Other");
  HttpTask no_stored_secret = HookWithSecrets();
  no_stored_secret.signing_secret = "REDACTED";
  Job without_signing = ExistingWithSecrets();
  std::get<HttpTask>(*without_signing.task).signing_secret.reset();
  JobPatch add_header;
  add_header.set.task = new_header;
  JobPatch add_signing;
  add_signing.set.task = no_stored_secret;

  auto header = ApplyJobPatch(ExistingWithSecrets(), add_header, At("2026-11-27T09:30:00Z"));
  auto signing = ApplyJobPatch(without_signing, add_signing, At("2026-11-27T09:30:00Z"));
  auto no_task = ApplyJobPatch(Existing(), add_signing, At("2026-11-27T09:30:00Z"));

  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().field, "task.headers.X-Other");
  ASSERT_FALSE(signing.ok());
  EXPECT_EQ(signing.error().field, "task.signing_secret");
  ASSERT_FALSE(no_task.ok());
  EXPECT_EQ(no_task.error().field, "task.signing_secret");
}

TEST(ApplyJobPatch, TheRedactedPlaceholderKeepsAStoredShellSecretAndIsRefusedWithoutOne) {
  ShellTask stored;
  stored.command = {"pg_dump"};
  stored.env = {{"PGHOST", "db"}, {"PGPASSWORD", "stored-pw"}};
  stored.secret_env = {"PGPASSWORD"};
  Job existing = Existing();
  existing.task = stored;
  ShellTask sent = stored;
  sent.env = {{"PGHOST", "db2"}, {"PGPASSWORD", "REDACTED"}};
  ShellTask new_secret = sent;
  new_secret.env.emplace_back("TOKEN", "REDACTED");
  new_secret.secret_env.push_back("TOKEN");
  JobPatch keep;
  keep.set.task = sent;
  JobPatch add;
  add.set.task = new_secret;

  auto kept = ApplyJobPatch(existing, keep, At("2026-11-27T09:30:00Z"));
  auto refused = ApplyJobPatch(existing, add, At("2026-11-27T09:30:00Z"));

  ASSERT_TRUE(kept.ok()) << kept.error().message;
  const std::vector<std::pair<std::string, std::string>> expected{{"PGHOST", "db2"}, {"PGPASSWORD", "stored-pw"}};
  EXPECT_EQ(std::get<ShellTask>(*kept->task).env, expected);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "task.env.TOKEN");
}

TEST(ApplyJobPatch, ThePlaceholderIsLiteralInAHeaderThatIsNoSecret) {
  HttpTask sent = HookWithSecrets();
  sent.headers[2].second = "REDACTED";
  JobPatch patch;
  patch.set.task = sent;

  auto job = ApplyJobPatch(ExistingWithSecrets(), patch, At("2026-11-27T09:30:00Z"));

  ASSERT_TRUE(job.ok()) << job.error().message;
  EXPECT_EQ(std::get<HttpTask>(*job->task).headers[2].second, "REDACTED");
}

}  // namespace
}  // namespace jobsched::core
