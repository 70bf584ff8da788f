#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/alert_store.hpp"
#include "store/postgres/pg_database.hpp"

namespace jobsched::store::postgres {

// Alerts in PostgreSQL, shared by every node: a claim locks due alerts with
// FOR UPDATE SKIP LOCKED, so the nodes' senders never get the same alert
// while its lease holds (docs/decisions/0011-alerts.md). Claims go through
// the main writer, delivery outcomes through the outcome writer.
class PostgresAlertStore final : public AlertStore {
 public:
  explicit PostgresAlertStore(std::shared_ptr<PgDatabase> database);

  void ClaimAlerts(const std::string& owner, std::size_t limit, core::TimePoint now, core::TimePoint lease_until,
                   AlertsClaimed done) override;
  void RecordAlertAttempt(const std::string& owner, AlertAttempt attempt, AlertWritten done) override;
  void CheckAlerts(core::TimePoint now, std::size_t limit, CheckDone done) override;
  core::Result<std::optional<core::AlertRule>> GetNamespaceAlertRule(const std::string& job_namespace) override;
  void SetNamespaceAlertRule(std::string job_namespace, std::optional<core::AlertRule> rule, core::TimePoint now,
                             std::function<void(core::Result<bool>)> done) override;
  core::Result<std::optional<core::TimePoint>> NextAlertDue() override;
  core::Result<std::vector<Alert>> ListAlerts(const AlertListQuery& query) override;
  void SetRaisedObserver(RaisedObserver observer) override;

 private:
  std::shared_ptr<PgDatabase> database_;
};

}  // namespace jobsched::store::postgres
