// The decisions behind alerts (issue #18), outcome by outcome, with time in
// the test's hands.
#include "core/alert_policy.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "testing/time_literals.hpp"

namespace jobsched::core {
namespace {

using jobsched::testing::At;
using namespace std::chrono_literals;

AlertRule Rule(std::vector<AlertEvent> on, int after_failures = 1) {
  AlertRule rule;
  rule.on = std::move(on);
  rule.after_failures = after_failures;
  rule.late_after = Milliseconds{5min};
  rule.silent_for = Milliseconds{1h};
  rule.channels = {EmailChannel{{"ops@example.com"}, {}}};
  return rule;
}

// Feeds outcomes one minute apart from 10:00 and collects what each raised.
struct Outcomes {
  AlertState state;
  TimePoint at = At("2026-12-07T10:00:00Z");

  std::vector<std::optional<AlertEvent>> Feed(const AlertRule& rule, const std::vector<RunState>& outcomes) {
    std::vector<std::optional<AlertEvent>> raised;
    for (const RunState outcome : outcomes) {
      const AlertDecision decision = OnRunEnded(rule, state, outcome, at);
      raised.push_back(decision.raise);
      state = decision.next;
      at += 1min;
    }
    return raised;
  }
};

constexpr auto kF = RunState::kFailed;
constexpr auto kT = RunState::kTimedOut;
constexpr auto kS = RunState::kSucceeded;
constexpr std::nullopt_t kNone = std::nullopt;

TEST(AlertPolicy, AStreakAlertsOnceWhenItReachesTheThresholdAndTimeoutsCountAsFailures) {
  Outcomes outcomes;

  const auto raised = outcomes.Feed(Rule({AlertEvent::kFailed}, 3), {kF, kT, kF, kF, kF});

  const std::vector<std::optional<AlertEvent>> expected{kNone, kNone, AlertEvent::kFailed, kNone, kNone};
  EXPECT_EQ(raised, expected);
  EXPECT_EQ(outcomes.state.consecutive_failures, 5);
  EXPECT_TRUE(outcomes.state.failure_alerted);
}

TEST(AlertPolicy, ASuccessEndsTheStreakSoTheCountStartsOver) {
  Outcomes outcomes;

  const auto raised = outcomes.Feed(Rule({AlertEvent::kFailed}, 3), {kF, kF, kS, kF, kF});

  EXPECT_EQ(raised, (std::vector<std::optional<AlertEvent>>(5, kNone)));
  EXPECT_EQ(outcomes.state.consecutive_failures, 2);
}

TEST(AlertPolicy, RecoveryFollowsAnAlertedStreakOnlyAndOnlyWhenWatched) {
  Outcomes watched;
  Outcomes unwatched;
  Outcomes below_threshold;

  const auto with_recovery = watched.Feed(Rule({AlertEvent::kFailed, AlertEvent::kRecovered}, 2), {kF, kF, kS, kS});
  const auto without = unwatched.Feed(Rule({AlertEvent::kFailed}, 2), {kF, kF, kS});
  const auto short_streak = below_threshold.Feed(Rule({AlertEvent::kFailed, AlertEvent::kRecovered}, 2), {kF, kS});

  const std::vector<std::optional<AlertEvent>> expected{kNone, AlertEvent::kFailed, AlertEvent::kRecovered, kNone};
  EXPECT_EQ(with_recovery, expected);
  EXPECT_EQ(without.back(), kNone);
  EXPECT_EQ(short_streak.back(), kNone);
  EXPECT_FALSE(watched.state.failure_alerted);
  EXPECT_EQ(watched.state.last_success_at, At("2026-12-07T10:03:00Z"));
}

TEST(AlertPolicy, TheQuietPeriodHoldsAlertsBackThenTheNextFailureAlerts) {
  AlertRule rule = Rule({AlertEvent::kFailed, AlertEvent::kRecovered});
  rule.quiet_period = Milliseconds{10min};
  Outcomes outcomes;

  // 10:00 alert, 10:01 recovery (never held back), 10:02-10:09 held back, 10:10 alerts again.
  std::vector<RunState> flapping{kF, kS};
  for (int i = 0; i < 4; ++i) flapping.insert(flapping.end(), {kF, kS});
  flapping.push_back(kF);
  const auto raised = outcomes.Feed(rule, flapping);

  std::vector<std::optional<AlertEvent>> expected{AlertEvent::kFailed, AlertEvent::kRecovered};
  for (int i = 0; i < 4; ++i) expected.insert(expected.end(), {kNone, kNone});
  expected.push_back(AlertEvent::kFailed);
  EXPECT_EQ(raised, expected);
}

TEST(AlertPolicy, AFailureHeldBackByTheQuietPeriodAlertsAtTheFirstFailureAfterIt) {
  AlertRule rule = Rule({AlertEvent::kFailed, AlertEvent::kSkipped});
  rule.quiet_period = Milliseconds{3min};
  Outcomes outcomes;

  const auto raised = outcomes.Feed(rule, {RunState::kSkipped, kF, kF, kF, kF});

  const std::vector<std::optional<AlertEvent>> expected{AlertEvent::kSkipped, kNone, kNone, AlertEvent::kFailed, kNone};
  EXPECT_EQ(raised, expected);
}

TEST(AlertPolicy, SkippedAlertsWhenWatchedAndCancelledNeverAlertsNorBreaksAStreak) {
  Outcomes outcomes;

  const auto raised = outcomes.Feed(Rule({AlertEvent::kFailed, AlertEvent::kSkipped}, 2),
                                    {RunState::kSkipped, kF, RunState::kCancelled, kF});
  const auto unwatched = Outcomes{}.Feed(Rule({AlertEvent::kFailed}), {RunState::kSkipped});

  const std::vector<std::optional<AlertEvent>> expected{AlertEvent::kSkipped, kNone, kNone, AlertEvent::kFailed};
  EXPECT_EQ(raised, expected);
  EXPECT_EQ(unwatched.front(), kNone);
}

TEST(AlertPolicy, ARuleThatWatchesNothingRaisesNothingButKeepsTheStreak) {
  Outcomes outcomes;

  const auto raised = outcomes.Feed(Rule({}), {kF, kF, RunState::kSkipped});

  EXPECT_EQ(raised, (std::vector<std::optional<AlertEvent>>(3, kNone)));
  EXPECT_EQ(outcomes.state.consecutive_failures, 2);
}

TEST(AlertPolicy, ARunIsLateOnceLateAfterHasPassedSinceItsScheduledTime) {
  const AlertRule rule = Rule({AlertEvent::kLate});
  const TimePoint scheduled = At("2026-12-07T10:00:00Z");

  const auto early = OnRunNotStarted(rule, {}, scheduled, scheduled + 5min - 1ms);
  const auto late = OnRunNotStarted(rule, {}, scheduled, scheduled + 5min);
  const auto unwatched = OnRunNotStarted(Rule({AlertEvent::kFailed}), {}, scheduled, scheduled + 1h);

  EXPECT_EQ(early.raise, kNone);
  EXPECT_EQ(late.raise, AlertEvent::kLate);
  EXPECT_EQ(late.next.last_raised_at, scheduled + 5min);
  EXPECT_EQ(unwatched.raise, kNone);
}

TEST(AlertPolicy, SilenceCountsFromTheLastSuccessOrFromWhenTheJobWasWatched) {
  const AlertRule rule = Rule({AlertEvent::kSilent});
  const TimePoint created = At("2026-12-07T09:00:00Z");
  AlertState succeeded;
  succeeded.last_success_at = At("2026-12-07T09:30:00Z");

  EXPECT_EQ(SilentAt(rule, {}, created), At("2026-12-07T10:00:00Z"));
  EXPECT_EQ(SilentAt(rule, succeeded, created), At("2026-12-07T10:30:00Z"));
  EXPECT_EQ(SilentAt(Rule({AlertEvent::kFailed}), {}, created), std::nullopt);
}

TEST(AlertPolicy, SilenceAlertsOncePerSilenceAndASuccessRearmsIt) {
  const AlertRule rule = Rule({AlertEvent::kSilent});
  const TimePoint created = At("2026-12-07T09:00:00Z");

  const auto before = OnSilenceCheck(rule, {}, created, At("2026-12-07T09:59:59Z"));
  const auto silent = OnSilenceCheck(rule, {}, created, At("2026-12-07T10:00:00Z"));
  const auto again = OnSilenceCheck(rule, silent.next, created, At("2026-12-07T12:00:00Z"));
  const auto success = OnRunEnded(rule, silent.next, RunState::kSucceeded, At("2026-12-07T12:30:00Z"));
  const auto rearmed = OnSilenceCheck(rule, success.next, created, At("2026-12-07T13:30:00Z"));

  EXPECT_EQ(before.raise, kNone);
  EXPECT_EQ(silent.raise, AlertEvent::kSilent);
  EXPECT_EQ(silent.next.silence_alerted_at, At("2026-12-07T10:00:00Z"));
  EXPECT_EQ(again.raise, kNone);
  EXPECT_EQ(success.raise, kNone) << "recovery answers failure alerts, not silence";
  EXPECT_EQ(rearmed.raise, AlertEvent::kSilent);
}

TEST(AlertPolicy, ASilenceHeldBackByTheQuietPeriodIsRaisedByALaterCheck) {
  AlertRule rule = Rule({AlertEvent::kSilent, AlertEvent::kFailed});
  rule.quiet_period = Milliseconds{30min};
  AlertState state;
  state.last_raised_at = At("2026-12-07T09:50:00Z");
  const TimePoint created = At("2026-12-07T09:00:00Z");

  const auto held = OnSilenceCheck(rule, state, created, At("2026-12-07T10:00:00Z"));
  const auto later = OnSilenceCheck(rule, held.next, created, At("2026-12-07T10:20:00Z"));

  EXPECT_EQ(held.raise, kNone);
  EXPECT_TRUE(held.quieted);
  EXPECT_EQ(later.raise, AlertEvent::kSilent);
}

}  // namespace
}  // namespace jobsched::core
