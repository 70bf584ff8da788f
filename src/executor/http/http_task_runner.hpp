#pragma once

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "executor/curl_loop.hpp"
#include "executor/http/task_host_policy.hpp"
#include "executor/task_runner.hpp"

namespace jobsched::executor::http {

struct HttpRunnerOptions {
  // Sent as User-Agent unless the job sets its own. Empty means
  // "jobsched/<version>".
  std::string user_agent;
  // Which hosts webhooks may reach (the allow_task_hosts setting). The
  // default, only public addresses, is the safe one: the service must not
  // become a way into the network it runs in.
  TaskHostPolicy hosts;
  // The time in signatures (Jobsched-Signature's t=); the system clock when
  // null. Must outlive the runner.
  const core::Clock* clock = nullptr;
};

// Calls webhooks (core::HttpTask) on a shared CurlLoop.
//
// Every request carries `Idempotency-Key: <run id>`, `Jobsched-Job-Id` and
// `Jobsched-Attempt`; job headers with those names, or with Content-Length or
// Transfer-Encoding, are dropped. Only http and https are spoken, redirects are
// not followed, proxies are not used, and the attempt's timeout (or the
// task's, if shorter) bounds the whole exchange. Every address curl is about
// to connect to, after DNS, is checked against `options.hosts`; a refused one
// fails the run naming the address and the setting, and nothing is sent.
// A task with a signing secret gets `Jobsched-Signature: t=<unix seconds>,
// v1=<hex HMAC-SHA256 of "<t>.<body>">` (WebhookSignature), computed anew
// for every attempt; a job header of that name is dropped too. Success is the expected status, or any 2xx when the task
// names none. The output is "HTTP <status>\n" and the start of the response
// body; the download stops once kMaxOutputBytes are in.
class HttpTaskRunner final : public TaskRunner {
 public:
  // `loop` must outlive this runner. Tasks in flight do not need the runner:
  // destroying it lets them finish; destroying the loop cancels them.
  explicit HttpTaskRunner(CurlLoop& loop, HttpRunnerOptions options = {});

  void Start(const core::Task& task, const RunContext& context, DoneCallback done) override;

 private:
  CurlLoop& loop_;
  HttpRunnerOptions options_;
  std::shared_ptr<const TaskHostPolicy> hosts_;  // options_.hosts, shared with the requests in flight
};

}  // namespace jobsched::executor::http
