// Alerts in SQLite (docs/decisions/0011-alerts.md): raised in the writer's
// transaction of the outcome they are about, claimed by the sender with a
// lease (SQLite's single writer hands each to one claimer), their delivery
// recorded, and listed for GET /alerts.
#include "store/sqlite/sqlite_alerts.hpp"

#include <memory>
#include <string>

#include "codec/alert_rule_codec.hpp"
#include "store/alert_rows.hpp"
#include "store/row_columns.hpp"
#include "store/sqlite/sqlite_job_store.hpp"

namespace jobsched::store::sqlite {
namespace {

using core::ToUnixMs;

core::Result<void> UpsertState(SqliteConnection& db, const AlertWrite& write) {
  auto upsert = db.Cached(
      "INSERT INTO job_alert_state (job_id, consecutive_failures, failure_alerted, last_raised_at, last_success_at, "
      "silence_alerted_at, watched_since, silent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (job_id) DO UPDATE SET consecutive_failures = excluded.consecutive_failures, "
      "failure_alerted = excluded.failure_alerted, last_raised_at = excluded.last_raised_at, "
      "last_success_at = excluded.last_success_at, silence_alerted_at = excluded.silence_alerted_at, "
      "watched_since = excluded.watched_since, silent_at = excluded.silent_at");
  if (!upsert) return upsert.error();
  (*upsert)
      ->Bind(1, write.job_id)
      .Bind(2, std::int64_t{write.state.consecutive_failures})
      .Bind(3, std::int64_t{write.state.failure_alerted ? 1 : 0})
      .Bind(4, OptionalMs(write.state.last_raised_at))
      .Bind(5, OptionalMs(write.state.last_success_at))
      .Bind(6, OptionalMs(write.state.silence_alerted_at))
      .Bind(7, ToUnixMs(write.watched_since))
      .Bind(8, OptionalMs(write.silent_at));
  return (*upsert)->Run();
}

// Inserts the alert; false when it was not (a late alert of a run that has one).
core::Result<bool> InsertAlert(SqliteConnection& db, const Alert& alert) {
  auto insert = db.Cached(
      "INSERT INTO alerts (job_id, namespace, job_name, event, raised_at, run_id, run_state, scheduled_for, error, "
      "lateness_ms, consecutive_failures, silent_for_ms, channel_index, channel, next_attempt_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?5) ON CONFLICT DO NOTHING");
  if (!insert) return insert.error();
  (*insert)
      ->Bind(1, alert.job_id)
      .Bind(2, alert.namespace_name)
      .Bind(3, alert.job_name)
      .Bind(4, core::ToString(alert.event))
      .Bind(5, ToUnixMs(alert.raised_at))
      .Bind(6, alert.run_id)
      .Bind(8, OptionalMs(alert.scheduled_for))
      .Bind(9, alert.error)
      .Bind(10, OptionalMs(alert.lateness))
      .Bind(11, std::int64_t{alert.consecutive_failures})
      .Bind(12, OptionalMs(alert.silent_for))
      .Bind(13, std::int64_t{alert.channel_index})
      .Bind(14, codec::EncodeAlertChannel(alert.channel));
  if (alert.run_state) {
    (*insert)->Bind(7, core::ToString(*alert.run_state));
  } else {
    (*insert)->BindNull(7);
  }
  if (auto ran = (*insert)->Run(); !ran) return ran.error();
  return db.Changes() == 1;
}

}  // namespace

core::Result<void> WriteAlertRows(SqliteConnection& db, const AlertWrite& write, std::vector<RaisedAlert>& raised) {
  if (auto upserted = UpsertState(db, write); !upserted) return upserted;
  bool inserted = false;
  for (const Alert& alert : write.alerts) {
    auto one = InsertAlert(db, alert);
    if (!one) return one.error();
    inserted = inserted || *one;
  }
  if (write.raised && inserted) raised.push_back(*write.raised);
  return core::Ok();
}

core::Result<void> RaiseRunEndAlerts(SqliteConnection& db, core::RunId run_id, std::vector<RaisedAlert>& raised) {
  static const std::string kSelect =
      "SELECT " + std::string(kAlertSubjectColumns) +
      ", runs.state, runs.scheduled_for, runs.error, runs.finished_at FROM runs JOIN jobs ON jobs.id = runs.job_id" +
      std::string(kAlertSubjectJoins) + " WHERE runs.id = ?1 AND " + std::string(kHasAlertRule);
  auto select = db.Cached(kSelect);
  if (!select) return select.error();
  (*select)->Bind(1, run_id);
  auto row = (*select)->Step();
  if (!row) return row.error();
  if (!*row) return core::Ok();  // no rule: nothing to decide
  const AlertSubject subject = AlertSubjectFromColumns(AlertRow{**select});
  constexpr int kRun = kAlertSubjectColumnCount;
  const auto state = core::ParseRunState((*select)->ColumnText(kRun));
  if (!state) return core::Error::Internal("stored run has an unknown state");
  const AlertRunFacts run{run_id, *state, core::FromUnixMs((*select)->ColumnInt(kRun + 1)),
                          (*select)->ColumnOptionalText(kRun + 2).value_or(""),
                          core::FromUnixMs((*select)->ColumnOptionalInt(kRun + 3).value_or(0))};
  (*select)->Reset();
  auto write = DecideRunEnded(subject, run);
  if (!write) return write.error();
  return WriteAlertRows(db, *write, raised);
}

void SqliteJobStore::ClaimAlerts(const std::string& owner, std::size_t limit, core::TimePoint now,
                                 core::TimePoint lease_until, AlertsClaimed done) {
  writer_->Submit<std::vector<Alert>>(
      [owner, limit, now, lease_until](SqliteConnection& db) -> core::Result<std::vector<Alert>> {
        static const std::string kClaim =
            "UPDATE alerts SET state = 'sending', lease_owner = ?1, lease_expires_at = ?2, attempts = attempts + 1 "
            "WHERE id IN (SELECT id FROM alerts WHERE state IN ('pending', 'sending') AND next_attempt_at <= ?3 "
            "AND (state = 'pending' OR lease_expires_at < ?3) ORDER BY next_attempt_at, id LIMIT ?4) RETURNING " +
            std::string(kAlertColumns);
        auto claim = db.Cached(kClaim);
        if (!claim) return claim.error();
        (*claim)
            ->Bind(1, owner)
            .Bind(2, ToUnixMs(lease_until))
            .Bind(3, ToUnixMs(now))
            .Bind(4, static_cast<std::int64_t>(limit));
        std::vector<Alert> claimed;
        for (;;) {
          auto row = (*claim)->Step();
          if (!row) return row.error();
          if (!*row) break;
          auto alert = AlertFromColumns(AlertRow{**claim});
          if (!alert) return alert.error();
          claimed.push_back(std::move(alert).value());
        }
        (*claim)->Reset();
        return claimed;
      },
      std::move(done));
}

void SqliteJobStore::RecordAlertAttempt(const std::string& owner, AlertAttempt attempt, AlertWritten done) {
  writer_->Submit<bool>(
      [owner, attempt = std::move(attempt)](SqliteConnection& db) -> core::Result<bool> {
        auto update = db.Cached(
            "UPDATE alerts SET state = CASE WHEN ?1 THEN 'sent' WHEN ?2 IS NULL THEN 'failed' ELSE 'pending' END, "
            "sent_at = CASE WHEN ?1 THEN ?3 END, next_attempt_at = coalesce(?2, next_attempt_at), "
            "last_error = CASE WHEN ?1 THEN last_error ELSE ?4 END, lease_owner = NULL, lease_expires_at = NULL "
            "WHERE id = ?5 AND state = 'sending' AND lease_owner = ?6");
        if (!update) return update.error();
        (*update)
            ->Bind(1, std::int64_t{attempt.sent ? 1 : 0})
            .Bind(2, OptionalMs(attempt.retry_at))
            .Bind(3, ToUnixMs(attempt.at))
            .Bind(4, attempt.error)
            .Bind(5, attempt.id)
            .Bind(6, owner);
        if (auto ran = (*update)->Run(); !ran) return ran.error();
        return db.Changes() == 1;
      },
      [done = std::move(done)](const core::Result<bool>& recorded) {
        if (!recorded) return done(recorded.error());
        done(core::Ok());
      });
}

core::Result<std::optional<core::TimePoint>> SqliteJobStore::NextAlertDue() {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  auto select = (**reader).Cached(
      "SELECT min(CASE WHEN state = 'pending' THEN next_attempt_at ELSE lease_expires_at END) FROM alerts "
      "WHERE state IN ('pending', 'sending')");
  if (!select) return select.error();
  auto row = (*select)->Step();
  if (!row) return row.error();
  const auto due = (*select)->ColumnOptionalInt(0);
  if (!due) return std::optional<core::TimePoint>{};
  return std::optional<core::TimePoint>{core::FromUnixMs(*due)};
}

core::Result<std::vector<Alert>> SqliteJobStore::ListAlerts(const AlertListQuery& query) {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  static const std::string kSelect = "SELECT " + std::string(kAlertColumns) +
                                     " FROM alerts WHERE (?1 IS NULL OR job_id = ?1) AND (?2 IS NULL OR event = ?2) "
                                     "AND (?3 IS NULL OR state = ?3) AND (?4 IS NULL OR namespace = ?4) "
                                     "AND (?5 IS NULL OR id < ?5) ORDER BY id DESC LIMIT ?6";
  auto select = (**reader).Cached(kSelect);
  if (!select) return select.error();
  (*select)->Bind(1, query.job_id).Bind(5, query.before_id).Bind(6, static_cast<std::int64_t>(query.limit));
  if (query.event) {
    (*select)->Bind(2, core::ToString(*query.event));
  } else {
    (*select)->BindNull(2);
  }
  if (query.state) {
    (*select)->Bind(3, ToString(*query.state));
  } else {
    (*select)->BindNull(3);
  }
  if (query.job_namespace) {
    (*select)->Bind(4, *query.job_namespace);
  } else {
    (*select)->BindNull(4);
  }
  std::vector<Alert> alerts;
  for (;;) {
    auto row = (*select)->Step();
    if (!row) return row.error();
    if (!*row) break;
    auto alert = AlertFromColumns(AlertRow{**select});
    if (!alert) return alert.error();
    alerts.push_back(std::move(alert).value());
  }
  return alerts;
}

void SqliteJobStore::SetRaisedObserver(RaisedObserver observer) { raised_alerts_.Set(std::move(observer)); }

}  // namespace jobsched::store::sqlite
