// SqliteJobStore::CheckAlerts: the late and silence checks of the scheduler
// role (docs/decisions/0011-alerts.md), in one writer transaction. SQLite's
// single writer decides one check at a time.
#include <memory>
#include <string>
#include <vector>

#include "codec/alert_rule_codec.hpp"
#include "store/alert_rows.hpp"
#include "store/sqlite/sqlite_alerts.hpp"
#include "store/sqlite/sqlite_job_store.hpp"

namespace jobsched::store::sqlite {
namespace {

using core::ToUnixMs;

// The rule's JSON names late_after (silent_for) exactly when it watches late
// (silent): core::ValidateAlertRule. So a LIKE selects the jobs to look at
// without decoding every rule.
const std::string kRule = "coalesce(jobs.alerts, namespace_alert_rules.rule)";

class SqliteCheckRows final : public AlertCheckRows {
 public:
  explicit SqliteCheckRows(SqliteConnection& db) : db_(db) {}

  core::Result<std::vector<std::pair<AlertSubject, AlertRunFacts>>> LateRuns(core::TimePoint now,
                                                                             std::size_t limit) override {
    static const std::string kSelect =
        "SELECT " + std::string(kAlertSubjectColumns) +
        ", runs.id, runs.state, runs.scheduled_for, runs.error FROM runs JOIN jobs ON jobs.id = runs.job_id" +
        std::string(kAlertSubjectJoins) +
        " WHERE runs.state = 'queued' AND runs.attempt = 1 AND runs.scheduled_for <= ?1 - 1000 AND " + kRule +
        " LIKE '%\"late_after\"%' AND NOT EXISTS (SELECT 1 FROM alerts WHERE alerts.run_id = runs.id AND "
        "alerts.event = 'late') ORDER BY runs.scheduled_for LIMIT ?2";
    auto select = db_.Cached(kSelect);
    if (!select) return select.error();
    (*select)->Bind(1, ToUnixMs(now)).Bind(2, static_cast<std::int64_t>(limit));
    std::vector<std::pair<AlertSubject, AlertRunFacts>> late;
    constexpr int kRun = kAlertSubjectColumnCount;
    for (;;) {
      auto row = (*select)->Step();
      if (!row) return row.error();
      if (!*row) break;
      const Statement& statement = **select;
      AlertRunFacts run{statement.ColumnInt(kRun), core::RunState::kQueued,
                        core::FromUnixMs(statement.ColumnInt(kRun + 2)), AlertRow{statement}.Text(kRun + 3), now};
      late.emplace_back(AlertSubjectFromColumns(AlertRow{statement}), std::move(run));
    }
    (*select)->Reset();
    return late;
  }

  core::Result<std::vector<AlertSubject>> SilentJobs(core::TimePoint now, std::size_t limit) override {
    static const std::string kSelect =
        "SELECT " + std::string(kAlertSubjectColumns) +
        " FROM job_alert_state JOIN jobs ON jobs.id = job_alert_state.job_id LEFT JOIN namespace_alert_rules "
        "ON namespace_alert_rules.namespace = jobs.namespace WHERE job_alert_state.silent_at <= ?1 "
        "ORDER BY job_alert_state.silent_at LIMIT ?2";
    return Subjects(kSelect, ToUnixMs(now), limit);
  }

  core::Result<std::vector<AlertSubject>> UnwatchedJobs(std::size_t limit) override {
    // Jobs with a rule of their own (jobs_with_alerts), then those of
    // namespaces with a default rule.
    static const std::string kSelect =
        "SELECT " + std::string(kAlertSubjectColumns) + " FROM jobs" + std::string(kAlertSubjectJoins) +
        " WHERE job_alert_state.job_id IS NULL AND ((jobs.alerts IS NOT NULL AND jobs.alerts LIKE "
        "'%\"silent_for\"%') OR (jobs.alerts IS NULL AND namespace_alert_rules.rule LIKE '%\"silent_for\"%')) "
        "AND ?1 = ?1 LIMIT ?2";
    return Subjects(kSelect, 0, limit);
  }

  core::Result<void> Write(const AlertWrite& write, std::vector<RaisedAlert>& raised) override {
    return WriteAlertRows(db_, write, raised);
  }

  core::Result<void> Unwatch(core::JobId job_id) override {
    auto update = db_.Cached("UPDATE job_alert_state SET silent_at = NULL WHERE job_id = ?1");
    if (!update) return update.error();
    (*update)->Bind(1, job_id);
    return (*update)->Run();
  }

 private:
  core::Result<std::vector<AlertSubject>> Subjects(const std::string& sql, std::int64_t first, std::size_t limit) {
    auto select = db_.Cached(sql);
    if (!select) return select.error();
    (*select)->Bind(1, first).Bind(2, static_cast<std::int64_t>(limit));
    std::vector<AlertSubject> subjects;
    for (;;) {
      auto row = (*select)->Step();
      if (!row) return row.error();
      if (!*row) break;
      subjects.push_back(AlertSubjectFromColumns(AlertRow{**select}));
    }
    (*select)->Reset();
    return subjects;
  }

  SqliteConnection& db_;
};

}  // namespace

void SqliteJobStore::CheckAlerts(core::TimePoint now, std::size_t limit, CheckDone done) {
  auto raised = std::make_shared<std::vector<RaisedAlert>>();
  writer_->Submit<std::size_t>(
      [now, limit, raised](SqliteConnection& db) -> core::Result<std::size_t> {
        SqliteCheckRows rows(db);
        return RunAlertChecks(rows, now, limit, *raised);
      },
      [this, raised, done = std::move(done)](core::Result<std::size_t> checked) {
        if (checked) raised_alerts_.Report(*raised);
        done(std::move(checked));
      });
}

core::Result<std::optional<core::AlertRule>> SqliteJobStore::GetNamespaceAlertRule(const std::string& job_namespace) {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  auto select = (**reader).Cached("SELECT rule FROM namespace_alert_rules WHERE namespace = ?1");
  if (!select) return select.error();
  (*select)->Bind(1, job_namespace);
  auto row = (*select)->Step();
  if (!row) return row.error();
  if (!*row) return std::optional<core::AlertRule>{};
  auto rule = codec::DecodeAlertRule((*select)->ColumnText(0));
  if (!rule) return core::Error::Internal("stored namespace alert rule is bad: " + rule.error().message);
  return std::optional<core::AlertRule>{std::move(rule).value()};
}

void SqliteJobStore::SetNamespaceAlertRule(std::string job_namespace, std::optional<core::AlertRule> rule,
                                           core::TimePoint now, std::function<void(core::Result<bool>)> done) {
  writer_->Submit<bool>(
      [job_namespace = std::move(job_namespace), rule = std::move(rule),
       now](SqliteConnection& db) -> core::Result<bool> {
        auto removed = db.Cached("DELETE FROM namespace_alert_rules WHERE namespace = ?1");
        if (!removed) return removed.error();
        (*removed)->Bind(1, job_namespace);
        if (auto ran = (*removed)->Run(); !ran) return ran.error();
        const bool had = db.Changes() == 1;
        if (!rule) return had;
        auto insert = db.Cached("INSERT INTO namespace_alert_rules (namespace, rule, updated_at) VALUES (?1, ?2, ?3)");
        if (!insert) return insert.error();
        (*insert)->Bind(1, job_namespace).Bind(2, codec::EncodeAlertRule(*rule)).Bind(3, ToUnixMs(now));
        if (auto ran = (*insert)->Run(); !ran) return ran.error();
        return had;
      },
      std::move(done));
}

}  // namespace jobsched::store::sqlite
