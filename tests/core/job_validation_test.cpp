#include "core/job_validation.hpp"

#include <gtest/gtest.h>

#include "testing/time_literals.hpp"

namespace jobsched::core {
namespace {

using jobsched::testing::At;

JobRequest Request(std::optional<std::string> name, std::optional<std::string> interval,
                   std::optional<std::string> every = std::nullopt) {
  JobRequest request;
  request.name = std::move(name);
  request.interval = std::move(interval);
  request.every = std::move(every);
  return request;
}

TEST(ValidateNewJob, AcceptsTheOriginalServicesRequest) {
  const TimePoint now = At("2026-11-27T09:47:00Z");

  auto job = ValidateNewJob(Request("Number Crunching", "weekly"), now);

  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->name, "Number Crunching");
  EXPECT_EQ(job->schedule.named_interval(), NamedInterval::kWeekly);
  EXPECT_TRUE(job->is_active);
  EXPECT_EQ(job->next_run, At("2026-11-30T10:00:00Z"));
  EXPECT_EQ(job->last_run, std::nullopt);
  EXPECT_EQ(job->created_at, now);
  EXPECT_EQ(job->version, 1);
}

TEST(ValidateNewJob, HourlyForTodayEndsAtTheNextUtcMidnight) {
  auto job = ValidateNewJob(Request("Today", "hourly_for_today"), At("2026-11-27T22:10:00Z"));

  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->schedule.end_at(), At("2026-11-28T00:00:00Z"));
  EXPECT_EQ(job->next_run, At("2026-11-27T23:00:00Z"));
  EXPECT_EQ(job->schedule.NextAfter(*job->next_run), std::nullopt);
}

TEST(ValidateNewJob, EveryDurationSchedulesOnePeriodAhead) {
  auto job = ValidateNewJob(Request("Poll", std::nullopt, "1h30m"), At("2026-11-27T09:00:00Z"));

  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->next_run, At("2026-11-27T10:30:00Z"));
}

TEST(ValidateNewJob, InactiveJobHasNoNextRun) {
  JobRequest request = Request("Paused", "daily");
  request.is_active = false;

  auto job = ValidateNewJob(request, At("2026-11-27T09:00:00Z"));

  ASSERT_TRUE(job.ok());
  EXPECT_FALSE(job->is_active);
  EXPECT_EQ(job->next_run, std::nullopt);
}

TEST(ValidateNewJob, PutsAJobWithoutANamespaceInDefault) {
  auto job = ValidateNewJob(Request("Job", "daily"), At("2026-11-27T09:00:00Z"));

  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->namespace_name, "default");
}

TEST(ValidateNewJob, KeepsTheNamespaceGiven) {
  JobRequest request = Request("Job", "daily");
  request.namespace_name = "team-a";

  auto job = ValidateNewJob(request, At("2026-11-27T09:00:00Z"));

  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->namespace_name, "team-a");
}

struct RejectCase {
  const char* why;
  JobRequest request;
  const char* field;
};

void PrintTo(const RejectCase& reject, std::ostream* out) { *out << reject.why; }

class ValidateNewJobRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(ValidateNewJobRejects, NamingTheFieldAtFault) {
  const RejectCase& c = GetParam();

  auto job = ValidateNewJob(c.request, At("2026-11-27T09:00:00Z"));

  ASSERT_FALSE(job.ok()) << c.why;
  EXPECT_EQ(job.error().code, ErrorCode::kInvalidArgument) << c.why;
  EXPECT_EQ(job.error().field, c.field) << c.why;
  EXPECT_FALSE(job.error().message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, ValidateNewJobRejects,
    ::testing::Values(RejectCase{"missing name", Request(std::nullopt, "weekly"), "name"},
                      RejectCase{"empty name", Request("", "weekly"), "name"},
                      RejectCase{"blank name", Request("   ", "weekly"), "name"},
                      RejectCase{"name too long", Request(std::string(256, 'x'), "weekly"), "name"},
                      RejectCase{"control character", Request("a\nb", "weekly"), "name"},
                      RejectCase{"invalid UTF-8", Request("\xff\xfe", "weekly"), "name"},
                      RejectCase{"overlong UTF-8", Request("\xc0\xaf", "weekly"), "name"},
                      RejectCase{"C1 control (CSI)",
                                 Request("a\xc2\x9b"
                                         "b",
                                         "weekly"),
                                 "name"},
                      RejectCase{"DEL", Request("a\x7f", "weekly"), "name"},
                      RejectCase{"only no-break spaces", Request("\xc2\xa0\xc2\xa0", "weekly"), "name"},
                      RejectCase{"cron and every",
                                 [] {
                                   auto r = Request("Job", std::nullopt, "1h");
                                   r.cron = "* * * * *";
                                   return r;
                                 }(),
                                 "cron"},
                      RejectCase{"bad cron",
                                 [] {
                                   auto r = Request("Job", std::nullopt);
                                   r.cron = "61 * * * *";
                                   return r;
                                 }(),
                                 "cron"},
                      RejectCase{"unknown zone",
                                 [] {
                                   auto r = Request("Job", std::nullopt);
                                   r.cron = "0 9 * * *";
                                   r.timezone = "Europe/Atlantis";
                                   return r;
                                 }(),
                                 "timezone"},
                      RejectCase{"zone without cron",
                                 [] {
                                   auto r = Request("Job", "daily");
                                   r.timezone = "Europe/Berlin";
                                   return r;
                                 }(),
                                 "timezone"},
                      RejectCase{"at in the past",
                                 [] {
                                   auto r = Request("Job", std::nullopt);
                                   r.at = "2026-11-27T08:00:00Z";
                                   return r;
                                 }(),
                                 "at"},
                      RejectCase{"bad at",
                                 [] {
                                   auto r = Request("Job", std::nullopt);
                                   r.at = "tomorrow";
                                   return r;
                                 }(),
                                 "at"},
                      RejectCase{"window on at",
                                 [] {
                                   auto r = Request("Job", std::nullopt);
                                   r.at = "2026-12-01T00:00:00Z";
                                   r.start_at = "2026-11-30T00:00:00Z";
                                   return r;
                                 }(),
                                 "start_at"},
                      RejectCase{"end before start",
                                 [] {
                                   auto r = Request("Job", "daily");
                                   r.start_at = "2026-12-02T00:00:00Z";
                                   r.end_at = "2026-12-01T00:00:00Z";
                                   return r;
                                 }(),
                                 "end_at"},
                      RejectCase{"zero timeout",
                                 [] {
                                   auto r = Request("Job", "daily");
                                   r.timeout = "0s";
                                   return r;
                                 }(),
                                 "timeout"},
                      RejectCase{"timeout over a day",
                                 [] {
                                   auto r = Request("Job", "daily");
                                   r.timeout = "25h";
                                   return r;
                                 }(),
                                 "timeout"},
                      RejectCase{"no schedule", Request("Job", std::nullopt), "interval"},
                      RejectCase{"unknown interval", Request("Job", "fortnightly"), "interval"},
                      RejectCase{"two schedules", Request("Job", "weekly", "1h"), "every"},
                      RejectCase{"bad duration", Request("Job", std::nullopt, "soon"), "every"},
                      RejectCase{"empty namespace",
                                 [] {
                                   auto r = Request("Job", "daily");
                                   r.namespace_name = "";
                                   return r;
                                 }(),
                                 "namespace"},
                      RejectCase{"upper-case namespace",
                                 [] {
                                   auto r = Request("Job", "daily");
                                   r.namespace_name = "Team";
                                   return r;
                                 }(),
                                 "namespace"},
                      RejectCase{"namespace with a slash",
                                 [] {
                                   auto r = Request("Job", "daily");
                                   r.namespace_name = "a/b";
                                   return r;
                                 }(),
                                 "namespace"}));

TEST(ValidateNewJob, CronWithTimeZoneSchedulesItsNextLocalTime) {
  JobRequest request = Request("Standup", std::nullopt);
  request.cron = "0 10 * * MON";
  request.timezone = "Europe/Berlin";

  auto job = ValidateNewJob(request, At("2026-11-27T09:00:00Z"));

  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->next_run, At("2026-11-30T09:00:00Z"));
}

TEST(ValidateNewJob, OneShotIsDueAtItsInstant) {
  JobRequest request = Request("Once", std::nullopt);
  request.at = "2026-11-28T09:00:00Z";

  auto job = ValidateNewJob(request, At("2026-11-27T09:00:00Z"));

  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->next_run, At("2026-11-28T09:00:00Z"));
}

TEST(ValidateNewJob, WindowDelaysTheFirstRun) {
  JobRequest request = Request("Later", "daily");
  request.start_at = "2026-12-24T00:00:00Z";

  auto job = ValidateNewJob(request, At("2026-11-27T09:00:00Z"));

  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->next_run, At("2026-12-24T10:00:00Z"));
}

TEST(ValidateNewJob, RefusesTheRedactedPlaceholderForASecret) {
  HttpTask hook;
  hook.url = "https://example.com/hook";
  hook.headers = {{"Authorization", "REDACTED"}};
  JobRequest request = Request("copied", "daily");
  request.task = hook;

  auto job = ValidateNewJob(request, At("2026-11-27T09:00:00Z"));

  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().field, "task.headers.Authorization");
  EXPECT_NE(job.error().message.find("a new job has no stored value"), std::string::npos) << job.error().message;
}

TEST(ValidateJobName, CountsCharactersNotBytes) {
  std::string name;
  for (int i = 0; i < 255; ++i) name += "\xc3\xa9";  // "é", two bytes each

  EXPECT_TRUE(ValidateJobName(name).ok());
  EXPECT_FALSE(ValidateJobName(name + "\xc3\xa9").ok());
}

}  // namespace
}  // namespace jobsched::core
