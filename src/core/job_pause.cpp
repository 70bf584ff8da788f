#include "core/job_pause.hpp"

#include <utility>

#include "core/duration.hpp"
#include "core/utf8.hpp"

namespace jobsched::core {
namespace {

bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

bool IsSpace(char32_t c) { return c == ' ' || c == 0xA0 || c == 0x3000 || (c >= 0x2000 && c <= 0x200B); }

// The reason as stored: nullopt for none (absent, empty or all blank).
Result<std::optional<std::string>> PauseReason(const std::optional<std::string>& reason) {
  if (!reason) return std::optional<std::string>();
  const auto code_points = DecodeUtf8(*reason);
  if (!code_points) return Error::InvalidArgument("reason", "reason: not valid UTF-8");
  if (code_points->size() > kMaxPauseReasonLength) {
    return Error::InvalidArgument("reason", "reason: at most " + std::to_string(kMaxPauseReasonLength) +
                                                " characters, got " + std::to_string(code_points->size()));
  }
  bool blank = true;
  for (const char32_t c : *code_points) {
    if (IsControl(c)) return Error::InvalidArgument("reason", "reason: must not contain control characters");
    if (!IsSpace(c)) blank = false;
  }
  if (blank) return std::optional<std::string>();
  return std::optional<std::string>(*reason);
}

// The instant `until` names: RFC 3339, or a duration from `now`.
Result<std::optional<TimePoint>> PauseUntil(const std::optional<std::string>& until, TimePoint now) {
  if (!until) return std::optional<TimePoint>();
  TimePoint end{};
  if (auto instant = ParseRfc3339(*until, "until")) {
    end = *instant;
  } else if (auto duration = ParseDuration(*until, "until")) {
    end = now + *duration;
  } else {
    return Error::InvalidArgument("until",
                                  "until: must be an RFC 3339 instant such as 2026-01-01T09:00:00Z or a "
                                  "duration such as 2h or 1d30m");
  }
  if (end <= now) return Error::InvalidArgument("until", "until: must be in the future (it is " + *until + ")");
  if (end > now + kMaxPauseLength) {
    return Error::InvalidArgument("until", "until: at most " + FormatDuration(kMaxPauseLength) +
                                               " ahead; pause without until to pause until resumed");
  }
  return std::optional<TimePoint>(end);
}

}  // namespace

Result<std::optional<Job>> PauseJob(const Job& current, const PauseRequest& request, TimePoint now) {
  auto reason = PauseReason(request.reason);
  if (!reason) return reason.error();
  auto until = PauseUntil(request.until, now);
  if (!until) return until.error();
  if (!current.is_active && current.paused_reason == *reason && current.paused_until == *until) {
    return std::optional<Job>();
  }
  Job job = current;
  if (job.is_active) {
    job.is_active = false;
    job.next_run.reset();
    job.paused_at = now;
  }
  job.paused_reason = std::move(reason).value();
  job.paused_until = *until;
  job.updated_at = now;
  job.version = current.version + 1;
  return std::optional<Job>(std::move(job));
}

Job ResumeAtPauseEnd(const Job& paused, TimePoint now) {
  Job job = paused;
  const TimePoint resume_at = paused.paused_until.value_or(now);
  job.is_active = true;
  ClearPause(job);
  job.next_run = job.schedule.FirstRun(resume_at);
  job.updated_at = now;
  job.version = paused.version + 1;
  return job;
}

void NoteActivityChange(Job& job, TimePoint now) {
  ClearPause(job);
  if (!job.is_active) job.paused_at = now;
}

void ClearPause(Job& job) {
  job.paused_reason.reset();
  job.paused_at.reset();
  job.paused_until.reset();
}

}  // namespace jobsched::core
