#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/alert_rule.hpp"
#include "core/annotated_mutex.hpp"
#include "core/job.hpp"
#include "core/result.hpp"
#include "core/run.hpp"
#include "core/time.hpp"

namespace jobsched::store {

using AlertId = std::int64_t;

// Where an alert's delivery stands: pending (waiting for its next attempt),
// sending (a node holds it under a lease), sent, or failed for good.
enum class AlertDelivery { kPending, kSending, kSent, kFailed };

std::string_view ToString(AlertDelivery delivery);
std::optional<AlertDelivery> ParseAlertDelivery(std::string_view text);

// An alert to one channel, as raised (docs/decisions/0011-alerts.md): one row
// per alert and channel, with what the message says, kept as it was when
// raised, and its delivery.
struct Alert {
  AlertId id = 0;
  core::JobId job_id = 0;
  std::string namespace_name;
  std::string job_name;
  core::AlertEvent event = core::AlertEvent::kFailed;
  core::TimePoint raised_at;
  std::optional<core::RunId> run_id;
  std::optional<core::RunState> run_state;
  std::optional<core::TimePoint> scheduled_for;
  std::string error;                             // the run's, when it failed or was skipped
  std::optional<core::Milliseconds> lateness;    // late: how late the run was when raised
  int consecutive_failures = 0;                  // failed: the streak's length
  std::optional<core::Milliseconds> silent_for;  // silent: the window that passed
  int channel_index = 0;                         // in the rule it was raised by
  core::AlertChannel channel;                    // with its secrets
  AlertDelivery state = AlertDelivery::kPending;
  int attempts = 0;  // deliveries begun (claims)
  core::TimePoint next_attempt_at;
  std::string last_error;
  std::optional<core::TimePoint> sent_at;
};

// What a raise tells the service's metrics and log after its commit: one per
// alert raised (whatever the number of its channels).
struct RaisedAlert {
  core::AlertEvent event = core::AlertEvent::kFailed;
  core::JobId job_id = 0;
  std::string job_name;
  std::optional<core::RunId> run_id;
  std::size_t channels = 0;
};

// One page of GET /alerts: newest first, before `before_id`.
struct AlertListQuery {
  std::optional<core::JobId> job_id;
  std::optional<core::AlertEvent> event;
  std::optional<AlertDelivery> state;
  std::optional<std::string> job_namespace;
  std::optional<AlertId> before_id;
  std::size_t limit = 100;
};

// How one delivery attempt ended, as the sender reports it.
struct AlertAttempt {
  AlertId id = 0;
  bool sent = false;
  core::TimePoint at;
  std::string error;                        // when not sent
  std::optional<core::TimePoint> retry_at;  // not sent: when to try again; none: failed for good
};

// Where a store reports the alerts each commit raised: to the observer set
// last, if any. Thread-safe.
class RaisedAlertRelay {
 public:
  using Observer = std::function<void(const std::vector<RaisedAlert>&)>;
  void Set(Observer observer) EXCLUDES(mutex_);
  // Calls the observer with `raised`, unless it is empty.
  void Report(const std::vector<RaisedAlert>& raised) const EXCLUDES(mutex_);

 private:
  mutable core::Mutex mutex_;
  Observer observer_ GUARDED_BY(mutex_);
};

// Alerts are raised inside the stores' own transactions (the outcome of a
// run: RunQueue::FinishRun, JobStore::FireDueJobs for skipped occurrences;
// the checks below). This is the rest: delivering them, reading them.
class AlertStore {
 public:
  virtual ~AlertStore() = default;

  using AlertsClaimed = std::function<void(core::Result<std::vector<Alert>>)>;
  using AlertWritten = std::function<void(core::Result<void>)>;
  using RaisedObserver = RaisedAlertRelay::Observer;
  using CheckDone = std::function<void(core::Result<std::size_t>)>;

  // Marks up to `limit` alerts due at `now` (pending with next_attempt_at
  // reached, or sending with a lease expired before `now`: their node died)
  // as sending for `owner` until `lease_until`, counting an attempt, oldest
  // first, and returns them. An alert is handed to exactly one caller.
  virtual void ClaimAlerts(const std::string& owner, std::size_t limit, core::TimePoint now,
                           core::TimePoint lease_until, AlertsClaimed done) = 0;

  // Records how the attempt on an alert `owner` holds ended: sent; pending
  // again until `retry_at`; or failed for good. Answers ok without writing
  // when the owner lost it meanwhile (its lease expired and someone else
  // took it): the other delivery decides.
  virtual void RecordAlertAttempt(const std::string& owner, AlertAttempt attempt, AlertWritten done) = 0;

  // The checks of the scheduler role, in one transaction: up to `limit`
  // queued runs not started `late_after` past their scheduled time
  // (core::OnRunNotStarted; one late alert per run), up to `limit` jobs
  // past their silent_at (core::OnSilenceCheck), and up to `limit` jobs
  // whose rule watches for silence and that were not watched yet (watched
  // from `now` on). Answers how many alerts it raised. Safe on several
  // nodes at once: a run's late alert is unique, and a job's state row is
  // locked while it is decided.
  virtual void CheckAlerts(core::TimePoint now, std::size_t limit, CheckDone done) = 0;

  // A namespace's default rule, for its jobs without one of their own; none
  // when it has none.
  virtual core::Result<std::optional<core::AlertRule>> GetNamespaceAlertRule(const std::string& job_namespace) = 0;
  // Sets (rule given) or removes (nullopt) a namespace's default rule;
  // answers whether it had one before.
  virtual void SetNamespaceAlertRule(std::string job_namespace, std::optional<core::AlertRule> rule,
                                     core::TimePoint now, std::function<void(core::Result<bool>)> done) = 0;

  // When the next alert is due for a claim: the earliest next_attempt_at of
  // a pending alert or lease expiry of one being sent; none when every
  // alert is delivered. A read: the sender asks before it claims.
  virtual core::Result<std::optional<core::TimePoint>> NextAlertDue() = 0;

  // GET /alerts: one page, newest first.
  virtual core::Result<std::vector<Alert>> ListAlerts(const AlertListQuery& query) = 0;

  // Called after each commit that raised alerts, with them (the store's
  // writer thread: keep it short). Set before the store is used.
  virtual void SetRaisedObserver(RaisedObserver observer) = 0;
};

}  // namespace jobsched::store
