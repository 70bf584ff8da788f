// Alerts in the store contract, on every store (SQLite, PostgreSQL): raised
// in the transaction of the outcome they are about (FinishRun, skipped
// occurrences at fire) as the job's rule decides, one row per channel;
// claimed by one sender at a time under a lease that, once expired, makes
// them claimable again; their delivery recorded; listed newest first.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "core/alert_rule.hpp"
#include "core/job_validation.hpp"
#include "store/alert_store.hpp"
#include "store/job_store.hpp"
#include "store_backends.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

core::AlertRule FailureRule(int after_failures) {
  core::AlertRule rule;
  rule.on = {core::AlertEvent::kFailed, core::AlertEvent::kRecovered, core::AlertEvent::kSkipped};
  rule.after_failures = after_failures;
  rule.channels = {core::EmailChannel{{"ops@example.com"}, {}}, core::WebhookChannel{"https://hooks.example.com/a",
                                                                                     core::WebhookFormat::kSlack,
                                                                                     {{"Authorization", "Bearer t"}},
                                                                                     {},
                                                                                     std::string("0123456789abcdef")}};
  return rule;
}

template <typename BackendType>
class AlertStoreContract : public StoreContractTest<BackendType> {
 protected:
  JobStore& jobs() { return *this->instance_.jobs; }
  RunQueue& runs() { return *this->instance_.runs; }
  AlertStore& alerts() { return *this->instance_.alerts; }

  core::JobId Create(std::optional<core::AlertRule> rule, const char* misfire = "run_once") {
    core::JobRequest request;
    request.name = "watched " + std::to_string(++created_);
    request.every = "1m";
    request.misfire = misfire;
    request.alerts = std::move(rule);
    auto job = core::ValidateNewJob(request, At("2026-12-07T09:00:00Z"));
    EXPECT_TRUE(job.ok()) << (job.ok() ? "" : job.error().message);
    auto stored = CreateJobAndWait(jobs(), *job);
    EXPECT_TRUE(stored.ok()) << (stored.ok() ? "" : stored.error().message);
    return stored.ok() ? stored->id : 0;
  }

  // A manual run of `job`, claimed and ended in `state` at `at`; its id.
  core::RunId RunEndingIn(core::JobId job, core::RunState state, core::TimePoint at) {
    auto run = Wait<core::Run>([&](auto done) { jobs().TriggerJob(job, at, std::move(done)); });
    EXPECT_TRUE(run.ok()) << (run.ok() ? "" : run.error().message);
    auto claimed = Wait<std::vector<ClaimedRun>>(
        [&](auto done) { runs().ClaimRuns("node-a", 10, at, at + 30s, std::move(done)); });
    EXPECT_TRUE(claimed.ok());
    RunCompletion completion;
    completion.run_id = run->id;
    completion.state = state;
    completion.finished_at = at;
    completion.error = state == core::RunState::kSucceeded ? "" : "HTTP 503";
    auto finished = Wait<void>([&](auto done) { runs().FinishRun("node-a", completion, std::move(done)); });
    EXPECT_TRUE(finished.ok()) << (finished.ok() ? "" : finished.error().message);
    return run->id;
  }

  std::vector<Alert> List(AlertListQuery query = {}) {
    auto listed = alerts().ListAlerts(query);
    EXPECT_TRUE(listed.ok()) << (listed.ok() ? "" : listed.error().message);
    return listed.ok() ? *listed : std::vector<Alert>{};
  }

  std::vector<Alert> Claim(const std::string& owner, core::TimePoint now, std::size_t limit = 100) {
    auto claimed = Wait<std::vector<Alert>>(
        [&](auto done) { alerts().ClaimAlerts(owner, limit, now, now + 30s, std::move(done)); });
    EXPECT_TRUE(claimed.ok()) << (claimed.ok() ? "" : claimed.error().message);
    return claimed.ok() ? *claimed : std::vector<Alert>{};
  }

  void Record(const std::string& owner, AlertAttempt attempt) {
    EXPECT_TRUE(Wait<void>([&](auto done) { alerts().RecordAlertAttempt(owner, attempt, std::move(done)); }).ok());
  }

  std::size_t Check(const char* at) {
    auto checked = Wait<std::size_t>([&](auto done) { alerts().CheckAlerts(At(at), 100, std::move(done)); });
    EXPECT_TRUE(checked.ok()) << (checked.ok() ? "" : checked.error().message);
    return checked.ok() ? *checked : 0;
  }

  int created_ = 0;
};

core::AlertRule WatchRule(core::AlertEvent event) {
  core::AlertRule rule;
  rule.on = {event};
  if (event == core::AlertEvent::kLate) rule.late_after = core::Milliseconds{5min};
  if (event == core::AlertEvent::kSilent) rule.silent_for = core::Milliseconds{1h};
  rule.channels = {core::EmailChannel{{"ops@example.com"}, {}}};
  return rule;
}

TYPED_TEST_SUITE(AlertStoreContract, Backends);

TYPED_TEST(AlertStoreContract, AFailureStreakAlertsOnceAtTheThresholdThenItsRecovery) {
  const core::JobId job = this->Create(FailureRule(3));
  std::vector<core::RunId> failed;
  for (const char* at :
       {"2026-12-07T10:00:00Z", "2026-12-07T10:01:00Z", "2026-12-07T10:02:00Z", "2026-12-07T10:03:00Z"}) {
    failed.push_back(this->RunEndingIn(job, core::RunState::kFailed, At(at)));
  }
  const core::RunId success = this->RunEndingIn(job, core::RunState::kSucceeded, At("2026-12-07T10:04:00Z"));

  const std::vector<Alert> alerts = this->List();

  // Newest first: the recovery, then the failure at the third run, one row per channel.
  ASSERT_EQ(alerts.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    const Alert& alert = alerts[i];
    const bool recovery = i < 2;
    EXPECT_EQ(alert.event, recovery ? core::AlertEvent::kRecovered : core::AlertEvent::kFailed);
    EXPECT_EQ(alert.run_id, recovery ? success : failed[2]);
    EXPECT_EQ(alert.job_id, job);
    EXPECT_EQ(alert.channel_index, i % 2 == 0 ? 1 : 0);
    EXPECT_EQ(alert.channel, FailureRule(3).channels[alert.channel_index]);  // secrets kept for sending
    EXPECT_EQ(alert.state, AlertDelivery::kPending);
    EXPECT_EQ(alert.attempts, 0);
    EXPECT_EQ(alert.next_attempt_at, alert.raised_at);
  }
  EXPECT_EQ(alerts[2].consecutive_failures, 3);
  EXPECT_EQ(alerts[2].error, "HTTP 503");
  EXPECT_EQ(alerts[2].run_state, core::RunState::kFailed);
  EXPECT_EQ(alerts[2].raised_at, At("2026-12-07T10:02:00Z"));
  EXPECT_EQ(alerts[0].run_state, core::RunState::kSucceeded);
}

TYPED_TEST(AlertStoreContract, AJobWithoutARuleRaisesNothingAndFiltersSelect) {
  const core::JobId quiet = this->Create(std::nullopt);
  const core::JobId loud = this->Create(FailureRule(1));
  this->RunEndingIn(quiet, core::RunState::kFailed, At("2026-12-07T10:00:00Z"));
  this->RunEndingIn(loud, core::RunState::kTimedOut, At("2026-12-07T10:01:00Z"));
  this->RunEndingIn(loud, core::RunState::kSucceeded, At("2026-12-07T10:02:00Z"));

  AlertListQuery of_quiet;
  of_quiet.job_id = quiet;
  AlertListQuery failures;
  failures.event = core::AlertEvent::kFailed;
  AlertListQuery page;
  page.limit = 3;
  AlertListQuery other_namespace;
  other_namespace.job_namespace = "team-a";

  EXPECT_TRUE(this->List(of_quiet).empty());
  const auto failed = this->List(failures);
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0].run_state, core::RunState::kTimedOut);
  const auto first = this->List(page);
  ASSERT_EQ(first.size(), 3u);
  AlertListQuery next = page;
  next.before_id = first.back().id;
  EXPECT_EQ(this->List(next).size(), 1u);
  EXPECT_TRUE(this->List(other_namespace).empty());
}

TYPED_TEST(AlertStoreContract, SkippedOccurrencesAlertInTheFiringTransaction) {
  const core::JobId job = this->Create(FailureRule(1), "skip");

  // Down for five minutes: 10:01 to 10:04 were missed and are recorded as skipped.
  auto fired = FireDueJobsAndWait(this->jobs(), At("2026-12-07T09:05:30Z"), 100, core::PlanFiring);
  ASSERT_TRUE(fired.ok()) << fired.error().message;

  AlertListQuery skipped;
  skipped.event = core::AlertEvent::kSkipped;
  const auto alerts = this->List(skipped);
  // Each skipped occurrence raises, one row per channel (no quiet period).
  ASSERT_EQ(alerts.size(), 8u);
  EXPECT_EQ(alerts[0].job_id, job);
  EXPECT_EQ(alerts[0].run_state, core::RunState::kSkipped);
  EXPECT_FALSE(alerts[0].error.empty());
}

TYPED_TEST(AlertStoreContract, ASenderClaimsEachAlertOnceUntilItsLeaseExpires) {
  const core::JobId job = this->Create(FailureRule(1));
  this->RunEndingIn(job, core::RunState::kFailed, At("2026-12-07T10:00:00Z"));
  StoreInstance other_node = this->OpenInstance();

  const auto claimed = this->Claim("node-a", At("2026-12-07T10:00:01Z"));
  const auto none = Wait<std::vector<Alert>>([&](auto done) {
    other_node.alerts->ClaimAlerts("node-b", 100, At("2026-12-07T10:00:02Z"), At("2026-12-07T10:00:32Z"),
                                   std::move(done));
  });
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].state, AlertDelivery::kSending);
  EXPECT_EQ(claimed[0].attempts, 1);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  // node-a died: once its lease is over, node-b takes both.
  const auto retaken = this->Claim("node-b", At("2026-12-07T10:00:32Z"));
  ASSERT_EQ(retaken.size(), 2u);
  EXPECT_EQ(retaken[0].attempts, 2);
  // node-a's late report does not overwrite node-b's delivery.
  this->Record("node-a", AlertAttempt{claimed[0].id, true, At("2026-12-07T10:00:33Z"), "", std::nullopt});
  AlertListQuery sending;
  sending.state = AlertDelivery::kSending;
  EXPECT_EQ(this->List(sending).size(), 2u);
}

TYPED_TEST(AlertStoreContract, ADeliveryIsRecordedAsSentRetriedOrFailed) {
  const core::JobId job = this->Create(FailureRule(1));
  this->RunEndingIn(job, core::RunState::kFailed, At("2026-12-07T10:00:00Z"));
  this->RunEndingIn(job, core::RunState::kSucceeded, At("2026-12-07T10:01:00Z"));
  const auto claimed = this->Claim("node-a", At("2026-12-07T10:02:00Z"));
  ASSERT_EQ(claimed.size(), 4u);

  this->Record("node-a", AlertAttempt{claimed[0].id, true, At("2026-12-07T10:02:01Z"), "", std::nullopt});
  this->Record("node-a",
               AlertAttempt{claimed[1].id, false, At("2026-12-07T10:02:01Z"), "HTTP 500", At("2026-12-07T10:03:00Z")});
  this->Record("node-a", AlertAttempt{claimed[2].id, false, At("2026-12-07T10:02:01Z"), "refused", std::nullopt});
  this->Record("node-a", AlertAttempt{claimed[3].id, true, At("2026-12-07T10:02:01Z"), "", std::nullopt});

  std::map<AlertId, Alert> by_id;
  for (const Alert& alert : this->List()) by_id[alert.id] = alert;
  EXPECT_EQ(by_id[claimed[0].id].state, AlertDelivery::kSent);
  EXPECT_EQ(by_id[claimed[0].id].sent_at, At("2026-12-07T10:02:01Z"));
  EXPECT_EQ(by_id[claimed[1].id].state, AlertDelivery::kPending);
  EXPECT_EQ(by_id[claimed[1].id].last_error, "HTTP 500");
  EXPECT_EQ(by_id[claimed[1].id].next_attempt_at, At("2026-12-07T10:03:00Z"));
  EXPECT_EQ(by_id[claimed[2].id].state, AlertDelivery::kFailed);
  EXPECT_EQ(by_id[claimed[2].id].last_error, "refused");
  // The retry is due at 10:03, not before.
  EXPECT_TRUE(this->Claim("node-a", At("2026-12-07T10:02:59Z")).empty());
  const auto retried = this->Claim("node-a", At("2026-12-07T10:03:00Z"));
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].id, claimed[1].id);
}

TYPED_TEST(AlertStoreContract, ARunNotStartedLateAfterItsTimeAlertsOnce) {
  const core::JobId job = this->Create(WatchRule(core::AlertEvent::kLate));
  const core::JobId other = this->Create(FailureRule(1));  // watches no lateness
  auto run =
      Wait<core::Run>([&](auto done) { this->jobs().TriggerJob(job, At("2026-12-07T10:00:00Z"), std::move(done)); });
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(Wait<core::Run>([&](auto done) {
                this->jobs().TriggerJob(other, At("2026-12-07T10:00:00Z"), std::move(done));
              }).ok());

  EXPECT_EQ(this->Check("2026-12-07T10:04:59Z"), 0u);
  EXPECT_EQ(this->Check("2026-12-07T10:05:00Z"), 1u);
  EXPECT_EQ(this->Check("2026-12-07T10:06:00Z"), 0u);  // once per run

  const auto alerts = this->List();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].event, core::AlertEvent::kLate);
  EXPECT_EQ(alerts[0].run_id, run->id);
  EXPECT_EQ(alerts[0].lateness, core::Milliseconds{5min});
  EXPECT_EQ(alerts[0].scheduled_for, At("2026-12-07T10:00:00Z"));
}

TYPED_TEST(AlertStoreContract, AJobSilentForItsWindowAlertsOncePerSilence) {
  const core::JobId job = this->Create(WatchRule(core::AlertEvent::kSilent));

  EXPECT_EQ(this->Check("2026-12-07T10:00:00Z"), 0u);  // watched from now on
  EXPECT_EQ(this->Check("2026-12-07T10:59:59Z"), 0u);
  EXPECT_EQ(this->Check("2026-12-07T11:00:00Z"), 1u);
  EXPECT_EQ(this->Check("2026-12-07T12:30:00Z"), 0u);  // the same silence
  this->RunEndingIn(job, core::RunState::kSucceeded, At("2026-12-07T13:00:00Z"));
  EXPECT_EQ(this->Check("2026-12-07T13:59:59Z"), 0u);
  EXPECT_EQ(this->Check("2026-12-07T14:00:00Z"), 1u);

  const auto alerts = this->List();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].event, core::AlertEvent::kSilent);
  EXPECT_EQ(alerts[0].silent_for, core::Milliseconds{1h});
  EXPECT_EQ(alerts[0].raised_at, At("2026-12-07T14:00:00Z"));
  EXPECT_EQ(alerts[1].raised_at, At("2026-12-07T11:00:00Z"));
  EXPECT_EQ(alerts[1].run_id, std::nullopt);
}

TYPED_TEST(AlertStoreContract, AJobWithoutARuleFollowsItsNamespacesDefaultAndItsOwnRuleWins) {
  // The default of namespace "default" (namespace_alert_rules; no API sets it yet).
  ASSERT_TRUE(this->backend_
                  ->ExecuteForTest("INSERT INTO namespace_alert_rules (namespace, rule, updated_at) VALUES "
                                   "('default', '{\"on\": [\"failed\"], \"channels\": [{\"type\": \"email\", "
                                   "\"to\": [\"team@example.com\"]}]}', 0)")
                  .ok());
  const core::JobId by_default = this->Create(std::nullopt);
  core::AlertRule off;  // watches nothing: the job's own rule, which wins
  const core::JobId opted_out = this->Create(off);

  this->RunEndingIn(by_default, core::RunState::kFailed, At("2026-12-07T10:00:00Z"));
  this->RunEndingIn(opted_out, core::RunState::kFailed, At("2026-12-07T10:01:00Z"));

  const auto alerts = this->List();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].job_id, by_default);
  const core::AlertChannel team = core::EmailChannel{{"team@example.com"}, {}};
  EXPECT_EQ(alerts[0].channel, team);
}

TYPED_TEST(AlertStoreContract, ANamespacesDefaultRuleIsSetReadAndRemoved) {
  auto set = Wait<bool>([&](auto done) {
    this->alerts().SetNamespaceAlertRule("team-a", FailureRule(2), At("2026-12-07T10:00:00Z"), std::move(done));
  });
  auto replaced = Wait<bool>([&](auto done) {
    this->alerts().SetNamespaceAlertRule("team-a", FailureRule(3), At("2026-12-07T10:01:00Z"), std::move(done));
  });
  auto read = this->alerts().GetNamespaceAlertRule("team-a");
  auto other = this->alerts().GetNamespaceAlertRule("team-b");
  auto removed = Wait<bool>([&](auto done) {
    this->alerts().SetNamespaceAlertRule("team-a", std::nullopt, At("2026-12-07T10:02:00Z"), std::move(done));
  });

  ASSERT_TRUE(set.ok() && replaced.ok() && read.ok() && other.ok() && removed.ok());
  EXPECT_FALSE(*set);
  EXPECT_TRUE(*replaced);
  EXPECT_EQ(*read, FailureRule(3));  // secrets included: the store's form
  EXPECT_EQ(*other, std::nullopt);
  EXPECT_TRUE(*removed);
  EXPECT_EQ(*this->alerts().GetNamespaceAlertRule("team-a"), std::nullopt);
}

}  // namespace
}  // namespace jobsched::store::testing
