#include "core/job_pause.hpp"

#include <gtest/gtest.h>

#include "core/job_patch.hpp"
#include "core/job_validation.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::core {
namespace {

using jobsched::testing::At;

// An hourly job created at 09:00, due at 10:00.
Job Hourly() {
  JobRequest request;
  request.name = "report";
  request.interval = "hourly";
  auto job = ValidateNewJob(request, At("2026-12-07T09:00:00Z"));
  EXPECT_TRUE(job.ok());
  job->id = 7;
  return *job;
}

PauseRequest Pause(std::optional<std::string> reason, std::optional<std::string> until) {
  return PauseRequest{.reason = std::move(reason), .until = std::move(until)};
}

TEST(PauseJob, RecordsTheReasonTheEndAndWhenItBegan) {
  auto paused = PauseJob(Hourly(), Pause("db migration", "2026-12-07T12:00:00Z"), At("2026-12-07T09:30:00Z"));

  ASSERT_TRUE(paused.ok()) << paused.error().message;
  ASSERT_TRUE(paused->has_value());
  const Job& job = **paused;
  EXPECT_FALSE(job.is_active);
  EXPECT_EQ(job.next_run, std::nullopt);
  EXPECT_EQ(job.paused_reason, "db migration");
  EXPECT_EQ(job.paused_at, At("2026-12-07T09:30:00Z"));
  EXPECT_EQ(job.paused_until, At("2026-12-07T12:00:00Z"));
  EXPECT_EQ(job.version, Hourly().version + 1);
  EXPECT_EQ(job.updated_at, At("2026-12-07T09:30:00Z"));
}

TEST(PauseJob, ADurationCountsFromNow) {
  auto paused = PauseJob(Hourly(), Pause(std::nullopt, "2h30m"), At("2026-12-07T09:30:00Z"));

  ASSERT_TRUE(paused.ok()) << paused.error().message;
  EXPECT_EQ((*paused)->paused_until, At("2026-12-07T12:00:00Z"));
  EXPECT_EQ((*paused)->paused_reason, std::nullopt);
}

TEST(PauseJob, RefusesAnEndThatIsNotInTheFutureOrTooFarAhead) {
  const TimePoint now = At("2026-12-07T09:30:00Z");
  for (const char* until :
       {"2026-12-07T09:30:00Z", "2026-12-07T09:00:00Z", "2028-01-01T00:00:00Z", "367d", "soon", "", "-2h"}) {
    auto paused = PauseJob(Hourly(), Pause(std::nullopt, until), now);
    ASSERT_FALSE(paused.ok()) << until;
    EXPECT_EQ(paused.error().code, ErrorCode::kInvalidArgument) << until;
    EXPECT_EQ(paused.error().field, "until") << until;
  }
  EXPECT_TRUE(PauseJob(Hourly(), Pause(std::nullopt, "366d"), now).ok());
  EXPECT_TRUE(PauseJob(Hourly(), Pause(std::nullopt, "1ms"), now).ok());
}

TEST(PauseJob, RefusesAReasonTooLongOrWithControlCharacters) {
  const TimePoint now = At("2026-12-07T09:30:00Z");
  EXPECT_TRUE(PauseJob(Hourly(), Pause(std::string(500, 'x'), std::nullopt), now).ok());
  // 500 characters of two bytes each: counted in characters, not bytes.
  std::string accented;
  for (int i = 0; i < 500; ++i) accented += "\xC3\xA9";
  EXPECT_TRUE(PauseJob(Hourly(), Pause(accented, std::nullopt), now).ok());
  for (const std::string& reason : {std::string(501, 'x'), std::string("line\nbreak"), std::string("bell\x07")}) {
    auto paused = PauseJob(Hourly(), Pause(reason, std::nullopt), now);
    ASSERT_FALSE(paused.ok()) << reason;
    EXPECT_EQ(paused.error().field, "reason");
  }
}

TEST(PauseJob, ABlankReasonIsNoReason) {
  auto paused = PauseJob(Hourly(), Pause("   ", std::nullopt), At("2026-12-07T09:30:00Z"));
  ASSERT_TRUE(paused.ok());
  EXPECT_EQ((*paused)->paused_reason, std::nullopt);
}

TEST(PauseJob, PausingAPausedJobReplacesReasonAndEndButKeepsWhenItBegan) {
  auto first = PauseJob(Hourly(), Pause("deploy", "1h"), At("2026-12-07T09:30:00Z"));
  ASSERT_TRUE(first.ok());

  auto second = PauseJob(**first, Pause("deploy, take two", "3h"), At("2026-12-07T10:00:00Z"));
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ((*second)->paused_reason, "deploy, take two");
  EXPECT_EQ((*second)->paused_until, At("2026-12-07T13:00:00Z"));
  EXPECT_EQ((*second)->paused_at, At("2026-12-07T09:30:00Z"));
  EXPECT_EQ((*second)->version, (*first)->version + 1);

  // A plain pause leaves it paused until resumed: no reason, no end.
  auto plain = PauseJob(**second, Pause(std::nullopt, std::nullopt), At("2026-12-07T10:05:00Z"));
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE(plain->has_value());
  EXPECT_EQ((*plain)->paused_reason, std::nullopt);
  EXPECT_EQ((*plain)->paused_until, std::nullopt);
}

TEST(PauseJob, PausingAgainExactlySoChangesNothing) {
  auto first = PauseJob(Hourly(), Pause("deploy", "2026-12-07T12:00:00Z"), At("2026-12-07T09:30:00Z"));
  ASSERT_TRUE(first.ok());
  auto again = PauseJob(**first, Pause("deploy", "2026-12-07T12:00:00Z"), At("2026-12-07T09:31:00Z"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
}

TEST(ResumeAtPauseEnd, ResumesAsAResumeAtTheEndWouldSoNothingInsideThePauseRuns) {
  auto paused = PauseJob(Hourly(), Pause("deploy", "2026-12-07T12:30:00Z"), At("2026-12-07T09:30:00Z"));
  ASSERT_TRUE(paused.ok());

  // The scheduler gets to it a little late: 10:00, 11:00 and 12:00 fell inside the pause.
  const Job job = ResumeAtPauseEnd(**paused, At("2026-12-07T12:30:02Z"));

  EXPECT_TRUE(job.is_active);
  EXPECT_EQ(job.next_run, At("2026-12-07T13:00:00Z"));
  EXPECT_EQ(job.paused_reason, std::nullopt);
  EXPECT_EQ(job.paused_at, std::nullopt);
  EXPECT_EQ(job.paused_until, std::nullopt);
  EXPECT_EQ(job.version, (*paused)->version + 1);
  EXPECT_EQ(job.updated_at, At("2026-12-07T12:30:02Z"));
}

TEST(ResumeAtPauseEnd, AnOccurrenceAfterTheEndButBeforeALateResumeIsStillDue) {
  auto paused = PauseJob(Hourly(), Pause(std::nullopt, "2026-12-07T12:30:00Z"), At("2026-12-07T09:30:00Z"));
  ASSERT_TRUE(paused.ok());

  // The service was down from 12:00 to 14:10: 13:00 and 14:00 came after the
  // pause; the firing's misfire policy decides about them, as for any job.
  const Job job = ResumeAtPauseEnd(**paused, At("2026-12-07T14:10:00Z"));
  EXPECT_EQ(job.next_run, At("2026-12-07T13:00:00Z"));
}

TEST(ApplyJobPatch, ResumingByPatchClearsThePauseAndPausingByPatchRecordsWhen) {
  auto paused = PauseJob(Hourly(), Pause("deploy", "2h"), At("2026-12-07T09:30:00Z"));
  ASSERT_TRUE(paused.ok());
  JobPatch resume;
  resume.set.is_active = true;

  auto resumed = ApplyJobPatch(**paused, resume, At("2026-12-07T10:15:00Z"));
  ASSERT_TRUE(resumed.ok());
  EXPECT_TRUE(resumed->is_active);
  EXPECT_EQ(resumed->paused_reason, std::nullopt);
  EXPECT_EQ(resumed->paused_until, std::nullopt);
  EXPECT_EQ(resumed->paused_at, std::nullopt);
  EXPECT_EQ(resumed->next_run, At("2026-12-07T11:00:00Z"));

  JobPatch pause;
  pause.set.is_active = false;
  auto repaused = ApplyJobPatch(*resumed, pause, At("2026-12-07T10:20:00Z"));
  ASSERT_TRUE(repaused.ok());
  EXPECT_EQ(repaused->paused_at, At("2026-12-07T10:20:00Z"));
  EXPECT_EQ(repaused->paused_until, std::nullopt);
}

TEST(ApplyJobPatch, AnEditOfAPausedJobKeepsItsPause) {
  auto paused = PauseJob(Hourly(), Pause("deploy", "2h"), At("2026-12-07T09:30:00Z"));
  ASSERT_TRUE(paused.ok());
  JobPatch rename;
  rename.set.name = "nightly report";

  auto renamed = ApplyJobPatch(**paused, rename, At("2026-12-07T10:00:00Z"));
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->paused_reason, "deploy");
  EXPECT_EQ(renamed->paused_until, At("2026-12-07T11:30:00Z"));
}

}  // namespace
}  // namespace jobsched::core
