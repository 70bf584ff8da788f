// PostgresAlertStore::CheckAlerts: the late and silence checks of the
// scheduler role (docs/decisions/0011-alerts.md), in one transaction of the
// main writer. Several nodes may check at once: a job's state row is locked
// while its alerts are decided (silent jobs: the ones another node holds are
// skipped), and a run's late alert is unique.
#include <string>
#include <vector>

#include "codec/alert_rule_codec.hpp"
#include "store/alert_rows.hpp"
#include "store/postgres/pg_alerts.hpp"
#include "store/postgres/postgres_alert_store.hpp"

namespace jobsched::store::postgres {
namespace {

using core::ToUnixMs;

const std::string kRule = "coalesce(jobs.alerts, namespace_alert_rules.rule)";

std::vector<std::optional<std::int64_t>> Column(const PgResult& result, int column) {
  std::vector<std::optional<std::int64_t>> values;
  for (int row = 0; row < result.rows(); ++row) values.emplace_back(result.Int(row, column));
  return values;
}

class PgCheckRows final : public AlertCheckRows {
 public:
  explicit PgCheckRows(PgConnection& db) : db_(db) {}

  core::Result<std::vector<std::pair<AlertSubject, AlertRunFacts>>> LateRuns(core::TimePoint now,
                                                                             std::size_t limit) override {
    static const std::string kCandidates =
        "SELECT DISTINCT jobs.id, jobs.created_at FROM runs JOIN jobs ON jobs.id = runs.job_id "
        "LEFT JOIN namespace_alert_rules ON namespace_alert_rules.namespace = jobs.namespace "
        "WHERE runs.state = 'queued' AND runs.attempt = 1 AND runs.scheduled_for <= $1::bigint - 1000 AND " +
        kRule + " LIKE '%\"late_after\"%' ORDER BY jobs.id LIMIT $2";
    auto candidates = db_.Query(kCandidates, PgParams().Add(ToUnixMs(now)).Add(static_cast<std::int64_t>(limit)));
    if (!candidates) return candidates.error();
    if (candidates->rows() == 0) return std::vector<std::pair<AlertSubject, AlertRunFacts>>{};
    // Their state rows, made when missing and locked in job order: the
    // late alerts of a job are decided by one node at a time.
    const auto job_ids = Column(*candidates, 0);
    auto made = db_.Query(
        "INSERT INTO job_alert_state (job_id, watched_since) SELECT id, created_at FROM jobs "
        "WHERE id = ANY($1::bigint[]) ORDER BY id ON CONFLICT DO NOTHING",
        PgParams().AddArray(job_ids));
    if (!made) return made.error();
    auto locked = db_.Query(
        "SELECT job_id FROM job_alert_state WHERE job_id = ANY($1::bigint[]) ORDER BY job_id FOR NO KEY UPDATE",
        PgParams().AddArray(job_ids));
    if (!locked) return locked.error();
    static const std::string kSelect =
        "SELECT " + std::string(kAlertSubjectColumns) +
        ", runs.id, runs.state, runs.scheduled_for, runs.error FROM runs JOIN jobs ON jobs.id = runs.job_id" +
        std::string(kAlertSubjectJoins) +
        " WHERE jobs.id = ANY($3::bigint[]) AND runs.state = 'queued' AND runs.attempt = 1 AND "
        "runs.scheduled_for <= $1::bigint - 1000 AND NOT EXISTS (SELECT 1 FROM alerts WHERE alerts.run_id = "
        "runs.id AND alerts.event = 'late') ORDER BY runs.scheduled_for LIMIT $2";
    auto selected =
        db_.Query(kSelect, PgParams().Add(ToUnixMs(now)).Add(static_cast<std::int64_t>(limit)).AddArray(job_ids));
    if (!selected) return selected.error();
    std::vector<std::pair<AlertSubject, AlertRunFacts>> late;
    constexpr int kRun = kAlertSubjectColumnCount;
    for (int row = 0; row < selected->rows(); ++row) {
      AlertRunFacts run{selected->Int(row, kRun), core::RunState::kQueued,
                        core::FromUnixMs(selected->Int(row, kRun + 2)), std::string(selected->Text(row, kRun + 3)),
                        now};
      late.emplace_back(AlertSubjectFromColumns(AlertRow{*selected, row}), std::move(run));
    }
    return late;
  }

  core::Result<std::vector<AlertSubject>> SilentJobs(core::TimePoint now, std::size_t limit) override {
    // Locked, skipping those another node decides now.
    auto locked = db_.Query(
        "SELECT job_id FROM job_alert_state WHERE silent_at <= $1 ORDER BY job_id LIMIT $2 "
        "FOR NO KEY UPDATE SKIP LOCKED",
        PgParams().Add(ToUnixMs(now)).Add(static_cast<std::int64_t>(limit)));
    if (!locked) return locked.error();
    if (locked->rows() == 0) return std::vector<AlertSubject>{};
    static const std::string kSelect = "SELECT " + std::string(kAlertSubjectColumns) + " FROM jobs" +
                                       std::string(kAlertSubjectJoins) +
                                       " WHERE jobs.id = ANY($1::bigint[]) AND job_alert_state.silent_at <= $2 "
                                       "ORDER BY jobs.id";
    return Subjects(kSelect, PgParams().AddArray(Column(*locked, 0)).Add(ToUnixMs(now)));
  }

  core::Result<std::vector<AlertSubject>> UnwatchedJobs(std::size_t limit) override {
    // Made here, so that of two nodes only the one whose insert wins watches a job.
    static const std::string kMake =
        "INSERT INTO job_alert_state (job_id, watched_since) SELECT jobs.id, jobs.created_at FROM jobs "
        "LEFT JOIN namespace_alert_rules ON namespace_alert_rules.namespace = jobs.namespace "
        "WHERE NOT EXISTS (SELECT 1 FROM job_alert_state s WHERE s.job_id = jobs.id) AND "
        "((jobs.alerts IS NOT NULL AND jobs.alerts LIKE '%\"silent_for\"%') OR (jobs.alerts IS NULL AND "
        "namespace_alert_rules.rule LIKE '%\"silent_for\"%')) ORDER BY jobs.id LIMIT $1 "
        "ON CONFLICT DO NOTHING RETURNING job_id";
    auto made = db_.Query(kMake, PgParams().Add(static_cast<std::int64_t>(limit)));
    if (!made) return made.error();
    if (made->rows() == 0) return std::vector<AlertSubject>{};
    static const std::string kSelect = "SELECT " + std::string(kAlertSubjectColumns) + " FROM jobs" +
                                       std::string(kAlertSubjectJoins) + " WHERE jobs.id = ANY($1::bigint[])";
    return Subjects(kSelect, PgParams().AddArray(Column(*made, 0)));
  }

  core::Result<void> Write(const AlertWrite& write, std::vector<RaisedAlert>& raised) override {
    return WriteAlertRows(db_, write, raised);
  }

  core::Result<void> Unwatch(core::JobId job_id) override {
    auto updated = db_.Query("UPDATE job_alert_state SET silent_at = NULL WHERE job_id = $1", PgParams().Add(job_id));
    if (!updated) return updated.error();
    return core::Ok();
  }

 private:
  core::Result<std::vector<AlertSubject>> Subjects(const std::string& sql, const PgParams& params) {
    auto selected = db_.Query(sql, params);
    if (!selected) return selected.error();
    std::vector<AlertSubject> subjects;
    for (int row = 0; row < selected->rows(); ++row)
      subjects.push_back(AlertSubjectFromColumns(AlertRow{*selected, row}));
    return subjects;
  }

  PgConnection& db_;
};

}  // namespace

void PostgresAlertStore::CheckAlerts(core::TimePoint now, std::size_t limit, CheckDone done) {
  auto raised = std::make_shared<std::vector<RaisedAlert>>();
  database_->writer().Submit<std::size_t>(
      [now, limit, raised](PgConnection& db) -> core::Result<std::size_t> {
        raised->clear();  // a transaction tried again raises afresh
        PgCheckRows rows(db);
        return RunAlertChecks(rows, now, limit, *raised);
      },
      // The relay, not the database: this runs on the writer's thread, and a
      // callback holding the last reference to the database would destroy it
      // there, joining that very thread. The database's writers are joined
      // before its relay goes, so the pointer outlives every callback.
      [relay = &database_->raised_alerts(), raised, done = std::move(done)](core::Result<std::size_t> checked) {
        if (checked) relay->Report(*raised);
        done(std::move(checked));
      });
}

core::Result<std::optional<core::AlertRule>> PostgresAlertStore::GetNamespaceAlertRule(
    const std::string& job_namespace) {
  return database_->readers().Read<std::optional<core::AlertRule>>(
      [&job_namespace](PgConnection& db) -> core::Result<std::optional<core::AlertRule>> {
        auto selected =
            db.Query("SELECT rule FROM namespace_alert_rules WHERE namespace = $1", PgParams().Add(job_namespace));
        if (!selected) return selected.error();
        if (selected->rows() == 0) return std::optional<core::AlertRule>{};
        auto rule = codec::DecodeAlertRule(selected->Text(0, 0));
        if (!rule) return core::Error::Internal("stored namespace alert rule is bad: " + rule.error().message);
        return std::optional<core::AlertRule>{std::move(rule).value()};
      });
}

void PostgresAlertStore::SetNamespaceAlertRule(std::string job_namespace, std::optional<core::AlertRule> rule,
                                               core::TimePoint now, std::function<void(core::Result<bool>)> done) {
  database_->writer().Submit<bool>(
      [job_namespace = std::move(job_namespace), rule = std::move(rule), now](PgConnection& db) -> core::Result<bool> {
        auto removed =
            db.Query("DELETE FROM namespace_alert_rules WHERE namespace = $1", PgParams().Add(job_namespace));
        if (!removed) return removed.error();
        const bool had = removed->affected() == 1;
        if (!rule) return had;
        auto inserted = db.Query("INSERT INTO namespace_alert_rules (namespace, rule, updated_at) VALUES ($1, $2, $3)",
                                 PgParams().Add(job_namespace).Add(codec::EncodeAlertRule(*rule)).Add(ToUnixMs(now)));
        if (!inserted) return inserted.error();
        return had;
      },
      std::move(done));
}

}  // namespace jobsched::store::postgres
