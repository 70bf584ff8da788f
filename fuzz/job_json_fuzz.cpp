// A job body, as POST /jobs and PATCH /jobs/{id} receive it: decoded as a
// create request and validated at a fixed `now`, and decoded as a merge
// patch and applied to fixed jobs (and to the job the body creates, if it
// does). Every job that comes out is encoded, and the encoding must be JSON.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>

#include "api/json_codec.hpp"
#include "core/job.hpp"
#include "core/job_patch.hpp"
#include "core/job_validation.hpp"
#include "core/time.hpp"
#include "fuzz_check.hpp"

namespace {

using jobsched::core::Job;
using jobsched::core::TimePoint;

const TimePoint kNow = jobsched::core::FromUnixMs(1796292000000);  // 2026-12-03T10:00:00Z

// Jobs as they exist before a patch: the original's request, and one that
// sets almost everything (cron in a zone with DST, a window, a task, retries).
std::vector<Job> ExistingJobs() {
  std::vector<Job> jobs;
  for (const std::string_view body : {
           std::string_view(R"({"name": "Number Crunching", "interval": "weekly"})"),
           std::string_view(R"({"name": "report", "cron": "30 2 * * MON-FRI", "timezone": "Europe/Berlin",
                "start_at": "2026-01-01T00:00:00Z", "end_at": "2027-01-01T00:00:00Z", "timeout": "5m",
                "task": {"type": "http", "url": "https://example.com/hook", "method": "POST"},
                "retry": {"max_attempts": 3, "initial_delay": "10s"}, "misfire": "run_all",
                "catchup_window": "2h", "overlap": "queue", "jitter": "30s"})"),
       }) {
    auto request = jobsched::api::DecodeJobRequest(body);
    FUZZ_CHECK(request.ok(), "the fixed jobs decode");
    auto job = jobsched::core::ValidateNewJob(*request, kNow - std::chrono::hours(24 * 30));
    FUZZ_CHECK(job.ok(), "the fixed jobs are valid");
    job->id = static_cast<jobsched::core::JobId>(jobs.size() + 1);
    jobs.push_back(std::move(*job));
  }
  return jobs;
}

void CheckEncodes(const Job& job) {
  const std::string json = jobsched::api::EncodeJob(job);
  boost::system::error_code error;
  const auto value = boost::json::parse(json, error);
  FUZZ_CHECK(!error && value.is_object(), "EncodeJob writes a JSON object");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<Job> existing = ExistingJobs();
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  std::optional<Job> created;
  if (auto request = jobsched::api::DecodeJobRequest(body)) {
    if (auto job = jobsched::core::ValidateNewJob(*request, kNow)) {
      CheckEncodes(*job);
      job->id = 3;
      created = std::move(*job);
    }
  }

  auto patch = jobsched::api::DecodeJobPatch(body);
  if (!patch) return 0;
  std::vector<Job> targets = existing;
  if (created) targets.push_back(*created);
  for (const Job& current : targets) {
    auto patched = jobsched::core::ApplyJobPatch(current, *patch, kNow + std::chrono::minutes(5));
    if (!patched) continue;
    FUZZ_CHECK(patched->id == current.id, "a patch keeps the id");
    FUZZ_CHECK(patched->created_at == current.created_at, "a patch keeps created_at");
    FUZZ_CHECK(patched->version == current.version || patched->version == current.version + 1,
               "a patch bumps the version by at most one");
    CheckEncodes(*patched);
  }
  return 0;
}
