// Alerts raised in PostgreSQL transactions (docs/decisions/0011-alerts.md),
// and PostgresAlertStore: the sender's claims and outcomes, GET /alerts.
#include "store/postgres/pg_alerts.hpp"

#include <map>
#include <string>
#include <utility>

#include "codec/alert_rule_codec.hpp"
#include "store/alert_rows.hpp"
#include "store/postgres/postgres_alert_store.hpp"
#include "store/row_columns.hpp"

namespace jobsched::store::postgres {
namespace {

using core::ToUnixMs;

std::vector<std::optional<std::int64_t>> Ids(const std::vector<core::RunId>& ids) { return {ids.begin(), ids.end()}; }

// The state rows of the runs' jobs that have a rule, made when missing and
// locked in job order, so that two nodes ending runs of one job decide one
// after the other.
core::Result<void> LockAlertStates(PgConnection& db, const std::vector<core::RunId>& run_ids) {
  static const std::string kCreate =
      "INSERT INTO job_alert_state (job_id, watched_since) SELECT DISTINCT jobs.id, jobs.created_at FROM runs JOIN "
      "jobs ON jobs.id = runs.job_id" +
      std::string(kAlertSubjectJoins) + " WHERE runs.id = ANY($1::bigint[]) AND " + std::string(kHasAlertRule) +
      " ORDER BY jobs.id ON CONFLICT DO NOTHING";
  if (auto created = db.Query(kCreate, PgParams().AddArray(Ids(run_ids))); !created) return created.error();
  auto locked = db.Query(
      "SELECT job_id FROM job_alert_state WHERE job_id IN (SELECT job_id FROM runs WHERE id = ANY($1::bigint[])) "
      "ORDER BY job_id FOR NO KEY UPDATE",
      PgParams().AddArray(Ids(run_ids)));
  if (!locked) return locked.error();
  return core::Ok();
}

}  // namespace

core::Result<void> WriteAlertRows(PgConnection& db, const AlertWrite& write, std::vector<RaisedAlert>& raised) {
  auto upserted = db.Query(
      "INSERT INTO job_alert_state (job_id, consecutive_failures, failure_alerted, last_raised_at, last_success_at, "
      "silence_alerted_at, watched_since, silent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      "ON CONFLICT (job_id) DO UPDATE SET consecutive_failures = excluded.consecutive_failures, "
      "failure_alerted = excluded.failure_alerted, last_raised_at = excluded.last_raised_at, "
      "last_success_at = excluded.last_success_at, silence_alerted_at = excluded.silence_alerted_at, "
      "watched_since = excluded.watched_since, silent_at = excluded.silent_at",
      PgParams()
          .Add(write.job_id)
          .Add(std::int64_t{write.state.consecutive_failures})
          .Add(std::int64_t{write.state.failure_alerted ? 1 : 0})
          .Add(OptionalMs(write.state.last_raised_at))
          .Add(OptionalMs(write.state.last_success_at))
          .Add(OptionalMs(write.state.silence_alerted_at))
          .Add(ToUnixMs(write.watched_since))
          .Add(OptionalMs(write.silent_at)));
  if (!upserted) return upserted.error();
  bool inserted = false;
  for (const Alert& alert : write.alerts) {
    PgParams params;
    params.Add(alert.job_id)
        .Add(alert.namespace_name)
        .Add(alert.job_name)
        .Add(core::ToString(alert.event))
        .Add(ToUnixMs(alert.raised_at))
        .Add(alert.run_id);
    if (alert.run_state) {
      params.Add(core::ToString(*alert.run_state));
    } else {
      params.AddNull();
    }
    params.Add(OptionalMs(alert.scheduled_for))
        .Add(alert.error)
        .Add(OptionalMs(alert.lateness))
        .Add(std::int64_t{alert.consecutive_failures})
        .Add(OptionalMs(alert.silent_for))
        .Add(std::int64_t{alert.channel_index})
        .Add(codec::EncodeAlertChannel(alert.channel));
    auto one = db.Query(
        "INSERT INTO alerts (job_id, namespace, job_name, event, raised_at, run_id, run_state, scheduled_for, error, "
        "lateness_ms, consecutive_failures, silent_for_ms, channel_index, channel, next_attempt_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $5) ON CONFLICT DO NOTHING",
        params);
    if (!one) return one.error();
    inserted = inserted || one->affected() == 1;
  }
  if (write.raised && inserted) raised.push_back(*write.raised);
  return core::Ok();
}

core::Result<void> RaiseRunEndAlerts(PgConnection& db, const std::vector<core::RunId>& run_ids,
                                     std::vector<RaisedAlert>& raised) {
  if (run_ids.empty()) return core::Ok();
  if (auto locked = LockAlertStates(db, run_ids); !locked) return locked;
  static const std::string kSelect = "SELECT " + std::string(kAlertSubjectColumns) +
                                     ", runs.id, runs.state, runs.scheduled_for, runs.error, runs.finished_at FROM "
                                     "runs JOIN jobs ON jobs.id = runs.job_id" +
                                     std::string(kAlertSubjectJoins) + " WHERE runs.id = ANY($1::bigint[]) AND " +
                                     std::string(kHasAlertRule) +
                                     " AND runs.state <> 'cancelled' ORDER BY jobs.id, runs.finished_at, runs.id";
  auto selected = db.Query(kSelect, PgParams().AddArray(Ids(run_ids)));
  if (!selected) return selected.error();
  // A job with several outcomes in one batch decides each from the state
  // the one before left.
  std::map<core::JobId, AlertWrite> latest;
  constexpr int kRun = kAlertSubjectColumnCount;
  for (int row = 0; row < selected->rows(); ++row) {
    AlertSubject subject = AlertSubjectFromColumns(AlertRow{*selected, row});
    if (const auto before = latest.find(subject.job_id); before != latest.end()) subject.state = before->second.state;
    const auto state = core::ParseRunState(selected->Text(row, kRun + 1));
    if (!state) return core::Error::Internal("stored run has an unknown state");
    const AlertRunFacts run{selected->Int(row, kRun), *state, core::FromUnixMs(selected->Int(row, kRun + 2)),
                            std::string(selected->Text(row, kRun + 3)),
                            core::FromUnixMs(selected->OptionalInt(row, kRun + 4).value_or(0))};
    auto write = DecideRunEnded(subject, run);
    if (!write) return write.error();
    if (auto written = WriteAlertRows(db, *write, raised); !written) return written;
    latest[subject.job_id] = std::move(write).value();
  }
  return core::Ok();
}

PostgresAlertStore::PostgresAlertStore(std::shared_ptr<PgDatabase> database) : database_(std::move(database)) {}

void PostgresAlertStore::ClaimAlerts(const std::string& owner, std::size_t limit, core::TimePoint now,
                                     core::TimePoint lease_until, AlertsClaimed done) {
  database_->writer().Submit<std::vector<Alert>>(
      [owner, limit, now, lease_until](PgConnection& db) -> core::Result<std::vector<Alert>> {
        static const std::string kClaim =
            "WITH due AS (SELECT id FROM alerts WHERE state IN ('pending', 'sending') AND next_attempt_at <= $3 "
            "AND (state = 'pending' OR lease_expires_at < $3) ORDER BY next_attempt_at, id LIMIT $4 "
            "FOR UPDATE SKIP LOCKED) "
            "UPDATE alerts SET state = 'sending', lease_owner = $1, lease_expires_at = $2, attempts = attempts + 1 "
            "FROM due WHERE alerts.id = due.id RETURNING " +
            std::string(kAlertColumns);
        auto claimed = db.Query(
            kClaim,
            PgParams().Add(owner).Add(ToUnixMs(lease_until)).Add(ToUnixMs(now)).Add(static_cast<std::int64_t>(limit)));
        if (!claimed) return claimed.error();
        std::vector<Alert> alerts;
        for (int row = 0; row < claimed->rows(); ++row) {
          auto alert = AlertFromColumns(AlertRow{*claimed, row});
          if (!alert) return alert.error();
          alerts.push_back(std::move(alert).value());
        }
        return alerts;
      },
      std::move(done));
}

void PostgresAlertStore::RecordAlertAttempt(const std::string& owner, AlertAttempt attempt, AlertWritten done) {
  database_->outcome_writer().Submit<bool>(
      [owner, attempt = std::move(attempt)](PgConnection& db) -> core::Result<bool> {
        auto updated = db.Query(
            "UPDATE alerts SET state = CASE WHEN $1 THEN 'sent' WHEN $2::bigint IS NULL THEN 'failed' "
            "ELSE 'pending' END, sent_at = CASE WHEN $1 THEN $3::bigint END, "
            "next_attempt_at = coalesce($2::bigint, next_attempt_at), "
            "last_error = CASE WHEN $1 THEN last_error ELSE $4 END, lease_owner = NULL, lease_expires_at = NULL "
            "WHERE id = $5 AND state = 'sending' AND lease_owner = $6",
            PgParams()
                .Add(attempt.sent)
                .Add(OptionalMs(attempt.retry_at))
                .Add(ToUnixMs(attempt.at))
                .Add(attempt.error)
                .Add(attempt.id)
                .Add(owner));
        if (!updated) return updated.error();
        return updated->affected() == 1;
      },
      [done = std::move(done)](const core::Result<bool>& recorded) {
        if (!recorded) return done(recorded.error());
        done(core::Ok());
      });
}

core::Result<std::optional<core::TimePoint>> PostgresAlertStore::NextAlertDue() {
  return database_->readers().Read<std::optional<core::TimePoint>>(
      [](PgConnection& db) -> core::Result<std::optional<core::TimePoint>> {
        auto selected = db.Query(
            "SELECT min(CASE WHEN state = 'pending' THEN next_attempt_at ELSE lease_expires_at END) FROM alerts "
            "WHERE state IN ('pending', 'sending')");
        if (!selected) return selected.error();
        const auto due = selected->OptionalInt(0, 0);
        if (!due) return std::optional<core::TimePoint>{};
        return std::optional<core::TimePoint>{core::FromUnixMs(*due)};
      });
}

core::Result<std::vector<Alert>> PostgresAlertStore::ListAlerts(const AlertListQuery& query) {
  return database_->readers().Read<std::vector<Alert>>([query](PgConnection& db) -> core::Result<std::vector<Alert>> {
    static const std::string kSelect =
        "SELECT " + std::string(kAlertColumns) +
        " FROM alerts WHERE ($1::bigint IS NULL OR job_id = $1) AND ($2::text IS NULL OR event = $2) "
        "AND ($3::text IS NULL OR state = $3) AND ($4::text IS NULL OR namespace = $4) "
        "AND ($5::bigint IS NULL OR id < $5) ORDER BY id DESC LIMIT $6";
    PgParams params;
    params.Add(query.job_id);
    const auto optional_text = [&params](const std::optional<std::string_view>& text) {
      if (text) {
        params.Add(*text);
      } else {
        params.AddNull();
      }
    };
    optional_text(query.event ? std::optional(core::ToString(*query.event)) : std::nullopt);
    optional_text(query.state ? std::optional(ToString(*query.state)) : std::nullopt);
    optional_text(query.job_namespace ? std::optional<std::string_view>(*query.job_namespace) : std::nullopt);
    params.Add(query.before_id).Add(static_cast<std::int64_t>(query.limit));
    auto selected = db.Query(kSelect, params);
    if (!selected) return selected.error();
    std::vector<Alert> alerts;
    for (int row = 0; row < selected->rows(); ++row) {
      auto alert = AlertFromColumns(AlertRow{*selected, row});
      if (!alert) return alert.error();
      alerts.push_back(std::move(alert).value());
    }
    return alerts;
  });
}

void PostgresAlertStore::SetRaisedObserver(RaisedObserver observer) {
  database_->raised_alerts().Set(std::move(observer));
}

}  // namespace jobsched::store::postgres
