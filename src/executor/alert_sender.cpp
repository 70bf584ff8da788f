#include "executor/alert_sender.hpp"

#include <algorithm>
#include <future>
#include <utility>

#include <spdlog/spdlog.h>

#include "codec/alert_message.hpp"
#include "core/text.hpp"

namespace jobsched::executor {
namespace {

constexpr std::chrono::milliseconds kStoreRetryPause{500};
constexpr std::string_view kAlertIdHeader = "Jobsched-Alert-Id";

std::string_view ChannelType(const core::AlertChannel& channel) {
  return std::holds_alternative<core::EmailChannel>(channel) ? "email" : "webhook";
}

codec::AlertFacts FactsOf(const store::Alert& alert, const std::string& console_url) {
  codec::AlertFacts facts;
  facts.alert_id = alert.id;
  facts.event = alert.event;
  facts.raised_at = alert.raised_at;
  facts.job_id = alert.job_id;
  facts.job_name = alert.job_name;
  facts.job_namespace = alert.namespace_name;
  facts.run_id = alert.run_id;
  facts.run_state = alert.run_state;
  facts.scheduled_for = alert.scheduled_for;
  facts.error = alert.error;
  facts.lateness = alert.lateness;
  facts.consecutive_failures = alert.consecutive_failures;
  facts.silent_for = alert.silent_for;
  if (!console_url.empty()) {
    facts.link = console_url + (alert.run_id ? "/ui/runs/" + std::to_string(*alert.run_id)
                                             : "/ui/jobs/" + std::to_string(alert.job_id));
  }
  return facts;
}

// The wait before attempt `attempts + 1`: first_backoff, doubling, capped.
std::chrono::milliseconds Backoff(const AlertSenderOptions& options, int attempts) {
  std::chrono::milliseconds delay = options.first_backoff;
  for (int i = 1; i < attempts && delay < options.max_backoff; ++i) delay *= 2;
  return std::min(delay, options.max_backoff);
}

}  // namespace

core::Task AlertDeliveryTask(const store::Alert& alert, const std::string& console_url) {
  const codec::AlertFacts facts = FactsOf(alert, console_url);
  const codec::AlertText text = codec::DescribeAlert(facts);
  if (std::holds_alternative<core::EmailChannel>(alert.channel)) {
    return core::ChannelTask(alert.channel, text.subject, text.body);
  }
  const auto& webhook = std::get<core::WebhookChannel>(alert.channel);
  core::Task task = core::ChannelTask(alert.channel, text.subject, codec::AlertPayload(facts, webhook.format));
  auto& http = std::get<core::HttpTask>(task);
  std::erase_if(http.headers,
                [](const auto& header) { return core::EqualsIgnoringCase(header.first, kAlertIdHeader); });
  http.headers.emplace_back(std::string(kAlertIdHeader), std::to_string(alert.id));
  return task;
}

AlertSender::AlertSender(store::AlertStore& store, const core::Clock& clock, TaskRunners runners,
                         AlertSenderOptions options)
    : store_(store), clock_(clock), runners_(runners), options_(std::move(options)) {}

AlertSender::~AlertSender() { Stop(); }

void AlertSender::Start() {
  core::MutexLock lock(mutex_);
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
}

void AlertSender::Notify() {
  {
    core::MutexLock lock(mutex_);
    notified_ = true;
  }
  changed_.notify_all();
}

void AlertSender::Stop() {
  {
    core::MutexLock lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  stop_.request_stop();
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  core::MutexLock lock(mutex_);
  changed_.wait(lock.native(), [this] {
    mutex_.AssertHeld();
    return in_flight_ == 0;
  });
}

bool AlertSender::WaitForWork() {
  // Read before writing: a claim is a write transaction, and an idle node
  // (SQLite above all) should not commit one a second for nothing.
  const auto due = store_.NextAlertDue();
  const core::TimePoint now = clock_.Now();
  std::chrono::milliseconds nap = options_.idle_nap;
  if (!due) {
    spdlog::warn("alerts: cannot read when alerts are due: {}", due.error().message);
    nap = kStoreRetryPause;
  } else if (*due) {
    nap = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(**due - now), std::chrono::milliseconds{0},
                     options_.idle_nap);
  }
  core::MutexLock lock(mutex_);
  if (!notified_ && nap.count() > 0) {
    changed_.wait_for(lock.native(), nap, [this] {
      mutex_.AssertHeld();
      return stopping_ || notified_;
    });
    // Woken by time: what is due is read again first.
    if (!notified_ && !stopping_) return false;
  }
  notified_ = false;
  return !stopping_;
}

void AlertSender::Loop() {
  for (;;) {
    if (!WaitForWork()) {
      core::MutexLock lock(mutex_);
      if (stopping_) return;
      continue;
    }
    const core::TimePoint now = clock_.Now();
    std::promise<core::Result<std::vector<store::Alert>>> claimed_promise;
    store_.ClaimAlerts(options_.owner, options_.batch, now, now + options_.lease,
                       [&claimed_promise](auto result) { claimed_promise.set_value(std::move(result)); });
    auto claimed = claimed_promise.get_future().get();
    if (!claimed) {
      spdlog::warn("alerts: cannot claim alerts to send: {}", claimed.error().message);
      continue;
    }
    for (const store::Alert& alert : *claimed) Send(alert);
    // Each batch is sent before the next is claimed: a slow receiver holds
    // up alerts, never runs.
    core::MutexLock lock(mutex_);
    changed_.wait(lock.native(), [this] {
      mutex_.AssertHeld();
      return in_flight_ == 0;
    });
    if (claimed->size() == options_.batch) notified_ = true;
  }
}

void AlertSender::Send(const store::Alert& alert) {
  {
    core::MutexLock lock(mutex_);
    ++in_flight_;
  }
  const core::Task task = AlertDeliveryTask(alert, options_.console_url);
  TaskRunner* runner = runners_.For(task);
  if (runner == nullptr) {
    Record(alert, TaskResult::Failed(std::holds_alternative<core::EmailChannel>(alert.channel)
                                         ? "no SMTP server is configured (--smtp-url)"
                                         : "this node runs no webhooks"));
    return;
  }
  RunContext context;
  context.run_id = alert.id;  // the Idempotency-Key: an alert's deliveries share it
  context.job_id = alert.job_id;
  context.attempt = alert.attempts;
  context.timeout = options_.timeout;
  context.stop = stop_.get_token();
  runner->Start(task, context, [this, alert](const TaskResult& result) { Record(alert, result); });
}

void AlertSender::Record(const store::Alert& alert, const TaskResult& result) {
  const core::TimePoint now = clock_.Now();
  const std::string_view channel = ChannelType(alert.channel);
  store::AlertAttempt attempt{alert.id, result.outcome == RunOutcome::kSucceeded, now, result.error, std::nullopt};
  if (result.outcome == RunOutcome::kCancelled) {
    attempt.retry_at = now;  // shutting down: not a failure of the channel
  } else if (!attempt.sent && alert.attempts < options_.max_attempts) {
    attempt.retry_at = now + Backoff(options_, alert.attempts);
  }
  if (attempt.sent) {
    spdlog::info("alert {} sent: {} of job {} ({}) by {}, attempt {}", alert.id, core::ToString(alert.event),
                 alert.job_id, alert.job_name, channel, alert.attempts);
    if (options_.on_sent) options_.on_sent(channel);
  } else if (result.outcome != RunOutcome::kCancelled) {
    const bool final = !attempt.retry_at;
    spdlog::warn("alert {} not sent: {} of job {} by {}, attempt {}: {}{}", alert.id, core::ToString(alert.event),
                 alert.job_id, channel, alert.attempts, result.error, final ? "; failed for good" : "; will try again");
    if (options_.on_failed) options_.on_failed(channel, final);
  }
  store_.RecordAlertAttempt(options_.owner, attempt, [this, id = alert.id](const core::Result<void>& recorded) {
    if (!recorded) spdlog::warn("alerts: cannot record the delivery of alert {}: {}", id, recorded.error().message);
    {
      core::MutexLock lock(mutex_);
      --in_flight_;
    }
    changed_.notify_all();
  });
}

}  // namespace jobsched::executor
