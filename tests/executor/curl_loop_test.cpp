#include "executor/curl_loop.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stop_token>

#include "executor/http/http_task_runner.hpp"
#include "result_collector.hpp"
#include "testing/http_endpoint.hpp"

namespace jobsched::executor {
namespace {

using namespace std::chrono_literals;
using jobsched::testing::Answer;

core::HttpTask SlowRequest(const jobsched::testing::HttpEndpoint& endpoint) {
  core::HttpTask task;
  task.url = endpoint.Url("/slow");
  return task;
}

// The endpoints of these tests listen on loopback, which webhooks may not
// reach by default.
http::HttpRunnerOptions LoopbackAllowed() {
  http::HttpRunnerOptions options;
  options.hosts = http::TaskHostPolicy::Parse("127.0.0.1").value();
  return options;
}

RunContext LongContext() {
  RunContext context;
  context.timeout = 60s;
  return context;
}

TEST(CurlLoop, CancelsTransfersInFlightWhenDestroyed) {
  jobsched::testing::HttpEndpoint endpoint;
  endpoint.SetResponse(Answer(200, "", 60s));
  auto loop = CurlLoop::Create();
  ASSERT_TRUE(loop.ok()) << loop.error().message;
  http::HttpTaskRunner runner(**loop, LoopbackAllowed());
  testing::ResultCollector collector;
  runner.Start(SlowRequest(endpoint), LongContext(), collector.Callback());
  runner.Start(SlowRequest(endpoint), LongContext(), collector.Callback());

  loop->reset();

  // Already there: the destructor runs every callback before it returns.
  ASSERT_EQ(collector.Count(), 2U);
  for (const TaskResult& result : collector.Results()) EXPECT_EQ(result.outcome, RunOutcome::kCancelled);
}

TEST(CurlLoop, CountsTransfersUntilTheyComplete) {
  jobsched::testing::HttpEndpoint endpoint;
  endpoint.SetResponse(Answer(200, "", 60s));
  auto loop = CurlLoop::Create().value();
  http::HttpTaskRunner runner(*loop, LoopbackAllowed());
  std::stop_source stop;
  RunContext context = LongContext();
  context.stop = stop.get_token();
  testing::ResultCollector collector;

  runner.Start(SlowRequest(endpoint), context, collector.Callback());
  const std::size_t while_running = loop->ActiveTransfers();
  stop.request_stop();
  ASSERT_TRUE(collector.WaitFor(1));

  EXPECT_EQ(while_running, 1U);
  EXPECT_EQ(loop->ActiveTransfers(), 0U);
}

}  // namespace
}  // namespace jobsched::executor
