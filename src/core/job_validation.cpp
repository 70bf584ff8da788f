#include "core/job_validation.hpp"

#include <chrono>

#include "core/duration.hpp"

namespace jobsched::core {
namespace {

// Counts code points, or returns nullopt when `text` is not valid UTF-8.
std::optional<std::size_t> CountUtf8CodePoints(const std::string& text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    if (lead < 0x80) length = 1;
    else if ((lead >> 5) == 0x6) length = 2;
    else if ((lead >> 4) == 0xE) length = 3;
    else if ((lead >> 3) == 0x1E) length = 4;
    else return std::nullopt;
    if (i + length > text.size()) return std::nullopt;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return std::nullopt;
    }
    i += length;
    ++count;
  }
  return count;
}

Result<Schedule> ScheduleFromRequest(const JobRequest& request, TimePoint now) {
  const int schedule_fields = (request.interval ? 1 : 0) + (request.every ? 1 : 0);
  if (schedule_fields == 0) {
    return Error::InvalidArgument("interval", "a job needs exactly one schedule field: interval or every");
  }
  if (schedule_fields > 1) {
    return Error::InvalidArgument("every", "interval and every cannot both be set; choose one schedule field");
  }
  if (request.every) {
    auto period = ParseDuration(*request.every, "every");
    if (!period) return period.error();
    return Schedule::Every(*period);
  }
  auto interval = ParseNamedInterval(*request.interval);
  if (!interval) {
    return Error::InvalidArgument(
        "interval", "interval: unknown value '" + request.interval->substr(0, 64) +
                        "'; expected one of hourly, daily, weekly, monthly, hourly_for_today");
  }
  Schedule schedule = Schedule::Interval(*interval);
  if (*interval == NamedInterval::kHourlyForToday) {
    // "For today" ends at the next UTC midnight after creation.
    const TimePoint midnight = std::chrono::floor<std::chrono::days>(now) + std::chrono::days{1};
    schedule = schedule.WithWindow(std::nullopt, midnight);
  }
  return schedule;
}

}  // namespace

Result<void> ValidateJobName(const std::string& name) {
  const auto length = CountUtf8CodePoints(name);
  if (!length) return Error::InvalidArgument("name", "name: not valid UTF-8");
  if (*length == 0) return Error::InvalidArgument("name", "name: must not be empty");
  if (*length > kMaxJobNameLength) {
    return Error::InvalidArgument("name", "name: at most " + std::to_string(kMaxJobNameLength) +
                                              " characters, got " + std::to_string(*length));
  }
  bool only_space = true;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return Error::InvalidArgument("name", "name: must not contain control characters");
    if (c != ' ') only_space = false;
  }
  if (only_space) return Error::InvalidArgument("name", "name: must not be only white space");
  return Ok();
}

Result<Job> ValidateNewJob(const JobRequest& request, TimePoint now) {
  if (!request.name) return Error::InvalidArgument("name", "name: required");
  if (auto valid = ValidateJobName(*request.name); !valid) return valid.error();
  if (request.task) {
    if (auto valid = ValidateTask(*request.task); !valid) return valid.error();
  }
  auto schedule = ScheduleFromRequest(request, now);
  if (!schedule) return schedule.error();

  Job job;
  job.name = *request.name;
  job.schedule = std::move(schedule).value();
  job.task = request.task;
  job.is_active = request.is_active.value_or(true);
  job.created_at = now;
  job.updated_at = now;
  job.next_run = job.is_active ? job.schedule.FirstRun(now) : std::nullopt;
  return job;
}

}  // namespace jobsched::core
