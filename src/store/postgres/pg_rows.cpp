#include "store/postgres/pg_rows.hpp"

#include <string>

#include "codec/alert_rule_codec.hpp"
#include "codec/labels_codec.hpp"
#include "codec/retry_codec.hpp"
#include "codec/task_codec.hpp"
#include "store/job_store.hpp"

namespace jobsched::store::postgres {

using core::FromUnixMs;

core::Result<core::Job> JobFromRow(const PgResult& result, int row, int first) {
  auto text = [&](int index) { return std::string(result.Text(row, first + index)); };
  auto optional_int = [&](int index) { return result.OptionalInt(row, first + index); };
  auto integer = [&](int index) { return result.Int(row, first + index); };
  auto schedule =
      core::Schedule::Restore(text(2), text(3), text(14), OptionalTime(optional_int(4)), OptionalTime(optional_int(5)));
  if (!schedule) return schedule.error();
  std::optional<core::Task> task;
  if (const std::string encoded = text(6); !encoded.empty()) {
    auto decoded = codec::DecodeTask(encoded);
    if (!decoded) return core::Error::Internal("stored job has a bad task: " + decoded.error().message);
    task = std::move(decoded).value();
  }
  core::Job job;
  job.id = integer(0);
  job.name = text(1);
  job.schedule = std::move(schedule).value();
  job.task = std::move(task);
  job.is_active = result.Bool(row, first + 7);
  job.last_run = OptionalTime(optional_int(8));
  job.next_run = OptionalTime(optional_int(9));
  job.created_at = FromUnixMs(integer(10));
  job.updated_at = FromUnixMs(integer(11));
  job.version = integer(12);
  job.timeout = core::Milliseconds{integer(13)};
  const auto misfire = core::ParseMisfirePolicy(result.Text(row, first + 16));
  if (!misfire) return core::Error::Internal("stored job has an unknown misfire policy");
  job.misfire = *misfire;
  job.catchup_window = core::Milliseconds{integer(17)};
  const auto overlap = core::ParseOverlapPolicy(result.Text(row, first + 18));
  if (!overlap) return core::Error::Internal("stored job has an unknown overlap policy");
  job.overlap = *overlap;
  job.jitter = core::Milliseconds{integer(19)};
  job.namespace_name = text(20);
  if (!result.IsNull(row, first + 22)) job.paused_reason = text(22);
  job.paused_at = OptionalTime(optional_int(23));
  job.paused_until = OptionalTime(optional_int(24));
  if (const std::string retry = text(15); !retry.empty()) {
    auto policy = codec::DecodeRetryPolicy(retry);
    if (!policy) return core::Error::Internal("stored job has a bad retry policy: " + policy.error().message);
    job.retry = *policy;
  }
  auto labels = codec::DecodeLabels(text(21));
  if (!labels) return core::Error::Internal("stored job has bad labels: " + labels.error().message);
  job.labels = std::move(labels).value();
  if (!result.IsNull(row, first + 25)) {
    auto rule = codec::DecodeAlertRule(text(25));
    if (!rule) return core::Error::Internal("stored job has a bad alert rule: " + rule.error().message);
    job.alerts = std::move(rule).value();
  }
  return job;
}

core::Result<core::Run> RunFromRow(const PgResult& result, int row, int first) {
  auto column = [first](int index) { return first + index; };
  const auto trigger = core::ParseRunTrigger(result.Text(row, column(3)));
  const auto state = core::ParseRunState(result.Text(row, column(4)));
  if (!trigger || !state) return core::Error::Internal("stored run has an unknown trigger or state");
  core::Run run;
  run.id = result.Int(row, column(0));
  run.job_id = result.Int(row, column(1));
  run.scheduled_for = FromUnixMs(result.Int(row, column(2)));
  run.trigger = *trigger;
  run.state = *state;
  run.attempt = static_cast<int>(result.Int(row, column(5)));
  run.created_at = FromUnixMs(result.Int(row, column(6)));
  run.started_at = OptionalTime(result.OptionalInt(row, column(7)));
  run.finished_at = OptionalTime(result.OptionalInt(row, column(8)));
  run.duration_ms = result.OptionalInt(row, column(9));
  run.output = std::string(result.Text(row, column(10)));
  run.error = std::string(result.Text(row, column(11)));
  run.jitter = core::Milliseconds{result.Int(row, column(12))};
  run.cancel_requested_at = OptionalTime(result.OptionalInt(row, column(13)));
  return run;
}

core::Result<core::Job> ReadJob(PgConnection& db, core::JobId id, RowLock lock) {
  static const std::string kSelect = "SELECT " + std::string(kJobColumns) + " FROM jobs WHERE jobs.id = $1";
  static const std::string kForUpdate = kSelect + " FOR NO KEY UPDATE";
  static const std::string kForDelete = kSelect + " FOR UPDATE";
  const std::string& sql = lock == RowLock::kNone ? kSelect : lock == RowLock::kForUpdate ? kForUpdate : kForDelete;
  auto selected = db.Query(sql, PgParams().Add(id));
  if (!selected) return selected.error();
  if (selected->rows() == 0) return core::Error::NotFound("job " + std::to_string(id) + " does not exist");
  return JobFromRow(*selected, 0);
}

core::Result<core::Run> ReadRun(PgConnection& db, core::RunId id, RowLock lock) {
  static const std::string kSelect = "SELECT " + std::string(kRunColumns) + " FROM runs WHERE runs.id = $1";
  static const std::string kForUpdate = kSelect + " FOR NO KEY UPDATE";
  static const std::string kForDelete = kSelect + " FOR UPDATE";
  const std::string& sql = lock == RowLock::kNone ? kSelect : lock == RowLock::kForUpdate ? kForUpdate : kForDelete;
  auto selected = db.Query(sql, PgParams().Add(id));
  if (!selected) return selected.error();
  if (selected->rows() == 0) return RunNotFound(id);
  return RunFromRow(*selected, 0);
}

}  // namespace jobsched::store::postgres
