#pragma once

#include <string>

#include "executor/curl_loop.hpp"
#include "executor/task_runner.hpp"

namespace jobsched::executor::http {

struct HttpRunnerOptions {
  // Sent as User-Agent unless the job sets its own. Empty means
  // "jobsched/<version>".
  std::string user_agent;
};

// Calls webhooks (core::HttpTask) on a shared CurlLoop.
//
// Every request carries `Idempotency-Key: <run id>`, `Jobsched-Job-Id` and
// `Jobsched-Attempt`; job headers with those names, or with Content-Length or
// Transfer-Encoding, are dropped. Only http and https are spoken, redirects are
// not followed, and the attempt's timeout (or the task's, if shorter) bounds
// the whole exchange. Success is the expected status, or any 2xx when the task
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
};

}  // namespace jobsched::executor::http
