#include "store/sqlite/sqlite_rows.hpp"

#include "codec/alert_rule_codec.hpp"
#include "codec/labels_codec.hpp"
#include "codec/retry_codec.hpp"
#include "codec/task_codec.hpp"
#include "store/job_store.hpp"

namespace jobsched::store::sqlite {

using core::FromUnixMs;

core::Result<core::Job> JobFromRow(const Statement& row, int first) {
  auto column = [first](int index) { return first + index; };
  auto schedule = core::Schedule::Restore(row.ColumnText(column(2)), row.ColumnText(column(3)),
                                          row.ColumnText(column(14)), OptionalTime(row.ColumnOptionalInt(column(4))),
                                          OptionalTime(row.ColumnOptionalInt(column(5))));
  if (!schedule) return schedule.error();
  std::optional<core::Task> task;
  if (const std::string text = row.ColumnText(column(6)); !text.empty()) {
    auto decoded = codec::DecodeTask(text);
    if (!decoded) return core::Error::Internal("stored job has a bad task: " + decoded.error().message);
    task = std::move(decoded).value();
  }
  core::Job job;
  job.id = row.ColumnInt(column(0));
  job.name = row.ColumnText(column(1));
  job.schedule = std::move(schedule).value();
  job.task = std::move(task);
  job.is_active = row.ColumnInt(column(7)) != 0;
  job.last_run = OptionalTime(row.ColumnOptionalInt(column(8)));
  job.next_run = OptionalTime(row.ColumnOptionalInt(column(9)));
  job.created_at = FromUnixMs(row.ColumnInt(column(10)));
  job.updated_at = FromUnixMs(row.ColumnInt(column(11)));
  job.version = row.ColumnInt(column(12));
  job.timeout = core::Milliseconds{row.ColumnInt(column(13))};
  const auto misfire = core::ParseMisfirePolicy(row.ColumnText(column(16)));
  if (!misfire) return core::Error::Internal("stored job has an unknown misfire policy");
  job.misfire = *misfire;
  job.catchup_window = core::Milliseconds{row.ColumnInt(column(17))};
  const auto overlap = core::ParseOverlapPolicy(row.ColumnText(column(18)));
  if (!overlap) return core::Error::Internal("stored job has an unknown overlap policy");
  job.overlap = *overlap;
  job.jitter = core::Milliseconds{row.ColumnInt(column(19))};
  job.namespace_name = row.ColumnText(column(20));
  if (auto reason = row.ColumnOptionalText(column(22))) job.paused_reason = std::move(*reason);
  job.paused_at = OptionalTime(row.ColumnOptionalInt(column(23)));
  job.paused_until = OptionalTime(row.ColumnOptionalInt(column(24)));
  if (const std::string retry = row.ColumnText(column(15)); !retry.empty()) {
    auto policy = codec::DecodeRetryPolicy(retry);
    if (!policy) return core::Error::Internal("stored job has a bad retry policy: " + policy.error().message);
    job.retry = *policy;
  }
  auto labels = codec::DecodeLabels(row.ColumnText(column(21)));
  if (!labels) return core::Error::Internal("stored job has bad labels: " + labels.error().message);
  job.labels = std::move(labels).value();
  if (auto alerts = row.ColumnOptionalText(column(25))) {
    auto rule = codec::DecodeAlertRule(*alerts);
    if (!rule) return core::Error::Internal("stored job has a bad alert rule: " + rule.error().message);
    job.alerts = std::move(rule).value();
  }
  return job;
}

core::Result<core::Run> RunFromRow(const Statement& row, int first) {
  auto column = [first](int index) { return first + index; };
  const auto trigger = core::ParseRunTrigger(row.ColumnText(column(3)));
  const auto state = core::ParseRunState(row.ColumnText(column(4)));
  if (!trigger || !state) return core::Error::Internal("stored run has an unknown trigger or state");
  core::Run run;
  run.id = row.ColumnInt(column(0));
  run.job_id = row.ColumnInt(column(1));
  run.scheduled_for = FromUnixMs(row.ColumnInt(column(2)));
  run.trigger = *trigger;
  run.state = *state;
  run.attempt = static_cast<int>(row.ColumnInt(column(5)));
  run.created_at = FromUnixMs(row.ColumnInt(column(6)));
  run.started_at = OptionalTime(row.ColumnOptionalInt(column(7)));
  run.finished_at = OptionalTime(row.ColumnOptionalInt(column(8)));
  run.duration_ms = row.ColumnOptionalInt(column(9));
  run.output = row.ColumnText(column(10));
  run.error = row.ColumnText(column(11));
  run.jitter = core::Milliseconds{row.ColumnInt(column(12))};
  run.cancel_requested_at = OptionalTime(row.ColumnOptionalInt(column(13)));
  return run;
}

core::Result<StatementUse> SelectJob(SqliteConnection& db, core::JobId id) {
  static const std::string kSql =
      "SELECT " + std::string(kJobColumns) + ", jobs.row_version FROM jobs WHERE jobs.id = ?";
  auto statement = db.Cached(kSql);
  if (!statement) return statement.error();
  (*statement)->Bind(1, id);
  auto row = (*statement)->Step();
  if (!row) return row.error();
  if (!*row) return core::Error::NotFound("job " + std::to_string(id) + " does not exist");
  return statement;
}

core::Result<core::Job> ReadJob(SqliteConnection& db, core::JobId id) {
  auto row = SelectJob(db, id);
  if (!row) return row.error();
  return JobFromRow(**row);
}

core::Result<core::Run> ReadRun(SqliteConnection& db, core::RunId id) {
  static const std::string kSql = "SELECT " + std::string(kRunColumns) + " FROM runs WHERE runs.id = ?";
  auto statement = db.Cached(kSql);
  if (!statement) return statement.error();
  (*statement)->Bind(1, id);
  auto row = (*statement)->Step();
  if (!row) return row.error();
  if (!*row) return RunNotFound(id);
  return RunFromRow(**statement);
}

}  // namespace jobsched::store::sqlite
