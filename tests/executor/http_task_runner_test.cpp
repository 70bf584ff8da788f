#include "executor/http/http_task_runner.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <stop_token>

#include "executor/http/webhook_signature.hpp"
#include "result_collector.hpp"
#include "testing/fake_clock.hpp"
#include "testing/http_endpoint.hpp"

namespace jobsched::executor::http {
namespace {

using namespace std::chrono_literals;
using jobsched::testing::Answer;
using jobsched::testing::EndpointResponse;
using jobsched::testing::HttpEndpoint;

class HttpTaskRunnerTest : public ::testing::Test {
 protected:
  HttpTaskRunnerTest() : loop_(CurlLoop::Create().value()) {}

  core::HttpTask Post(std::string path = "/hook") const {
    core::HttpTask task;
    task.method = "POST";
    task.url = endpoint_.Url(path);
    return task;
  }

  static RunContext Context(std::int64_t run_id = 42) {
    RunContext context;
    context.run_id = run_id;
    context.job_id = 7;
    context.attempt = 3;
    context.timeout = 10s;
    return context;
  }

  TaskResult Run(const core::HttpTask& task, const RunContext& context = Context()) {
    return executor::testing::RunAndWait(runner_, task, context);
  }

  // The endpoint listens on loopback, which webhooks may not reach by default.
  static HttpRunnerOptions LoopbackAllowed() {
    HttpRunnerOptions options;
    options.hosts = TaskHostPolicy::Parse("127.0.0.1").value();
    return options;
  }

  HttpEndpoint endpoint_;
  std::unique_ptr<CurlLoop> loop_;
  HttpTaskRunner runner_{*loop_, LoopbackAllowed()};
};

TEST_F(HttpTaskRunnerTest, SendsTheRunIdAsIdempotencyKeyWithJobIdAndAttempt) {
  endpoint_.SetResponse(Answer(200, "thanks"));

  TaskResult result = Run(Post());

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_EQ(result.output, "HTTP 200\nthanks");
  ASSERT_EQ(endpoint_.RequestCount(), 1U);
  const auto request = endpoint_.Requests()[0];
  EXPECT_EQ(request.Header("Idempotency-Key"), "42");
  EXPECT_EQ(request.Header("Jobsched-Job-Id"), "7");
  EXPECT_EQ(request.Header("Jobsched-Attempt"), "3");
  EXPECT_EQ(request.Header("User-Agent").value_or("").rfind("jobsched/", 0), 0U);
}

TEST_F(HttpTaskRunnerTest, SendsTheMethodBodyAndCustomHeaders) {
  core::HttpTask task = Post("/things/1?x=y");
  task.method = "PUT";
  task.body = R"({"hello":"world"})";
  task.headers = {{"Content-Type", "application/json"}, {"X-Trace", "abc"}, {"X-Empty", ""}};

  TaskResult result = Run(task);

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  ASSERT_EQ(endpoint_.RequestCount(), 1U);
  const auto request = endpoint_.Requests()[0];
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.target, "/things/1?x=y");
  EXPECT_EQ(request.body, R"({"hello":"world"})");
  EXPECT_EQ(request.Header("Content-Type"), "application/json");
  EXPECT_EQ(request.Header("X-Trace"), "abc");
  EXPECT_EQ(request.Header("X-Empty"), "");
  EXPECT_EQ(request.Header("Expect"), std::nullopt);
}

TEST_F(HttpTaskRunnerTest, SendsEachMethodAsIs) {
  for (const std::string method : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}) {
    core::HttpTask task = Post();
    task.method = method;

    TaskResult result = Run(task);

    EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << method << ": " << result.error;
  }
  const auto requests = endpoint_.Requests();
  ASSERT_EQ(requests.size(), 6U);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[2].method, "PUT");
  EXPECT_EQ(requests[2].Header("Content-Length"), "0");
  EXPECT_EQ(requests[3].method, "PATCH");
  EXPECT_EQ(requests[4].method, "DELETE");
  EXPECT_EQ(requests[5].method, "HEAD");
}

TEST_F(HttpTaskRunnerTest, SendsNoFormContentTypeTheJobDidNotAskFor) {
  core::HttpTask task = Post();
  task.body = "payload";

  TaskResult result = Run(task);

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_EQ(endpoint_.Requests().at(0).Header("Content-Type"), std::nullopt);
}

TEST_F(HttpTaskRunnerTest, KeepsItsOwnIdempotencyKeyWhenTheJobSetsOne) {
  core::HttpTask task = Post();
  task.headers = {{"idempotency-key", "forged"}, {"Jobsched-Attempt", "99"}};

  TaskResult result = Run(task);

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  const auto request = endpoint_.Requests().at(0);
  EXPECT_EQ(request.Header("Idempotency-Key"), "42");
  EXPECT_EQ(request.Header("Jobsched-Attempt"), "3");
}

TEST_F(HttpTaskRunnerTest, FailsWithTheStatusWhenTheAnswerIsNot2xx) {
  endpoint_.SetResponse(Answer(503, "try later"));

  TaskResult result = Run(Post());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error, "HTTP 503 Service Unavailable (expected 2xx)");
  EXPECT_EQ(result.output, "HTTP 503\ntry later");
}

TEST_F(HttpTaskRunnerTest, FailsWhenTheStatusIsNotTheExpectedOne) {
  endpoint_.SetResponse(Answer(200));
  core::HttpTask task = Post();
  task.expect_status = 201;

  TaskResult result = Run(task);

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error, "HTTP 200 OK (expected 201)");
}

TEST_F(HttpTaskRunnerTest, SucceedsWithTheExpectedStatusEvenOutside2xx) {
  endpoint_.SetResponse(Answer(404, "gone, as it should be"));
  core::HttpTask task = Post();
  task.expect_status = 404;

  TaskResult result = Run(task);

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
}

TEST_F(HttpTaskRunnerTest, DoesNotFollowRedirects) {
  EndpointResponse redirect = Answer(302);
  redirect.headers = {{"Location", endpoint_.Url("/elsewhere")}};
  endpoint_.SetResponse(redirect);

  TaskResult result = Run(Post());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error, "HTTP 302 Found (expected 2xx)");
  EXPECT_EQ(endpoint_.RequestCount(), 1U);
}

TEST_F(HttpTaskRunnerTest, FailsWhenTheConnectionIsRefused) {
  core::HttpTask task = Post();
  task.url = "http://127.0.0.1:" + std::to_string(jobsched::testing::UnusedLoopbackPort()) + "/hook";

  TaskResult result = Run(task);

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error.rfind("connection refused: ", 0), 0U) << result.error;
}

TEST_F(HttpTaskRunnerTest, RefusesProtocolsOtherThanHttp) {
  core::HttpTask task = Post();
  task.url = "file:///etc/passwd";

  TaskResult result = Run(task);

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error.rfind("unsupported protocol", 0), 0U) << result.error;
  EXPECT_EQ(result.output, "");
}

TEST_F(HttpTaskRunnerTest, TimesOutOnASlowEndpoint) {
  endpoint_.SetResponse(Answer(200, "", 60s));
  RunContext context = Context();
  context.timeout = 200ms;

  TaskResult result = Run(Post(), context);

  EXPECT_EQ(result.outcome, RunOutcome::kTimedOut);
  EXPECT_EQ(result.error, "timed out after 200 ms");
}

TEST_F(HttpTaskRunnerTest, UsesTheTaskTimeoutWhenShorterThanTheAttempts) {
  endpoint_.SetResponse(Answer(200, "", 60s));
  core::HttpTask task = Post();
  task.timeout = 150ms;

  TaskResult result = Run(task);

  EXPECT_EQ(result.outcome, RunOutcome::kTimedOut);
  EXPECT_EQ(result.error, "timed out after 150 ms");
}

TEST_F(HttpTaskRunnerTest, CapsTheOutputOfAHugeResponse) {
  endpoint_.SetResponse(Answer(200, std::string(8 * 1024 * 1024, 'z')));

  TaskResult result = Run(Post());

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_EQ(result.output.size(), kMaxOutputBytes);
  EXPECT_EQ(result.output.substr(0, 12), "HTTP 200\nzzz");
}

TEST_F(HttpTaskRunnerTest, EndsAsCancelledWhenStopIsRequested) {
  endpoint_.SetResponse(Answer(200, "", 60s));
  std::stop_source stop;
  RunContext context = Context();
  context.stop = stop.get_token();
  executor::testing::ResultCollector collector;

  runner_.Start(Post(), context, collector.Callback());
  stop.request_stop();

  ASSERT_TRUE(collector.WaitFor(1));
  EXPECT_EQ(collector.Results()[0].outcome, RunOutcome::kCancelled);
}

TEST_F(HttpTaskRunnerTest, DoesNotEvenConnectWhenStoppedBeforeStart) {
  std::stop_source stop;
  stop.request_stop();
  RunContext context = Context();
  context.stop = stop.get_token();

  TaskResult result = Run(Post(), context);

  EXPECT_EQ(result.outcome, RunOutcome::kCancelled);
}

TEST_F(HttpTaskRunnerTest, RefusesLoopbackByDefaultAndSendsNothing) {
  HttpTaskRunner strict(*loop_);

  TaskResult result = executor::testing::RunAndWait(strict, Post(), Context());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error.rfind("refused to connect to 127.0.0.1 (loopback): ", 0), 0U) << result.error;
  EXPECT_NE(result.error.find("allow_task_hosts (--allow-task-hosts"), std::string::npos) << result.error;
  EXPECT_EQ(endpoint_.RequestCount(), 0U);
}

TEST_F(HttpTaskRunnerTest, ChecksTheAddressAHostNameResolvesTo) {
  HttpTaskRunner strict(*loop_);
  core::HttpTask task = Post();
  task.url = "http://localhost:" + std::to_string(endpoint_.port()) + "/hook";

  TaskResult result = executor::testing::RunAndWait(strict, task, Context());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error.rfind("refused to connect to ", 0), 0U) << result.error;
  EXPECT_NE(result.error.find("(loopback)"), std::string::npos) << result.error;
  EXPECT_EQ(endpoint_.RequestCount(), 0U);
}

TEST_F(HttpTaskRunnerTest, RefusesPrivateLinkLocalAndMappedAddresses) {
  HttpTaskRunner strict(*loop_);
  const std::pair<std::string, std::string> cases[] = {
      {"http://10.0.0.1/hook", "10.0.0.1 (private)"},
      {"http://169.254.169.254/latest/meta-data/", "169.254.169.254 (link-local (cloud metadata))"},
      {"http://100.64.0.1/", "100.64.0.1 (shared address space (CGNAT))"},
      {"http://0.0.0.0:" + std::to_string(endpoint_.port()) + "/", "0.0.0.0 (unspecified)"},
      {"http://[::1]:" + std::to_string(endpoint_.port()) + "/", "::1 (loopback)"},
      {"http://[::ffff:127.0.0.1]:" + std::to_string(endpoint_.port()) + "/", "::ffff:127.0.0.1 (loopback)"},
      {"http://2130706433:" + std::to_string(endpoint_.port()) + "/", "127.0.0.1 (loopback)"},
  };
  for (const auto& [url, refused] : cases) {
    core::HttpTask task = Post();
    task.url = url;

    TaskResult result = executor::testing::RunAndWait(strict, task, Context());

    EXPECT_EQ(result.outcome, RunOutcome::kFailed) << url;
    EXPECT_EQ(result.error.rfind("refused to connect to " + refused + ": ", 0), 0U) << result.error;
  }
  EXPECT_EQ(endpoint_.RequestCount(), 0U);
}

TEST_F(HttpTaskRunnerTest, RefusesCloudMetadataHostNamesBeforeLookingThemUp) {
  HttpTaskRunner strict(*loop_);
  core::HttpTask task = Post();
  task.url = "http://metadata.google.internal/computeMetadata/v1/";

  TaskResult result = executor::testing::RunAndWait(strict, task, Context());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error.rfind("refused to connect to metadata.google.internal (cloud metadata host name): ", 0), 0U)
      << result.error;
}

TEST_F(HttpTaskRunnerTest, ReachesAHostNameTheOperatorListed) {
  HttpRunnerOptions options;
  options.hosts = TaskHostPolicy::Parse("localhost").value();
  HttpTaskRunner runner(*loop_, options);
  core::HttpTask task = Post();
  task.url = "http://localhost:" + std::to_string(endpoint_.port()) + "/hook";

  TaskResult result = executor::testing::RunAndWait(runner, task, Context());

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_EQ(endpoint_.RequestCount(), 1U);
}

TEST_F(HttpTaskRunnerTest, ReachesAnAddressInAListedBlock) {
  HttpRunnerOptions options;
  options.hosts = TaskHostPolicy::Parse("10.0.0.0/8, 127.0.0.0/8").value();
  HttpTaskRunner runner(*loop_, options);

  TaskResult result = executor::testing::RunAndWait(runner, Post(), Context());

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
}

TEST_F(HttpTaskRunnerTest, SignsTheBodyAndTheTimeWhenTheTaskHasASigningSecret) {
  jobsched::testing::FakeClock clock(core::FromUnixMs(1'767'225'600'250));
  HttpRunnerOptions options = LoopbackAllowed();
  options.clock = &clock;
  HttpTaskRunner runner(*loop_, options);
  core::HttpTask task = Post();
  task.body = R"({"hello":"world"})";
  task.signing_secret = "whsec-0123456789abcdef";
  task.headers = {{"Jobsched-Signature", "forged"}};

  TaskResult result = executor::testing::RunAndWait(runner, task, Context());

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  ASSERT_EQ(endpoint_.RequestCount(), 1U);
  // The value Python's hmac computes for this secret, time and body (webhook_signature_test.cpp).
  EXPECT_EQ(endpoint_.Requests()[0].Header("Jobsched-Signature"),
            "t=1767225600,v1=4a88dc0c7f6648820b28e088b43e393fa006d43a1b0ad1a8ab777efdc8a2f94d");
}

TEST_F(HttpTaskRunnerTest, SendsNoSignatureWithoutASigningSecret) {
  TaskResult result = Run(Post());

  EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  EXPECT_EQ(endpoint_.Requests().at(0).Header("Jobsched-Signature"), std::nullopt);
}

TEST_F(HttpTaskRunnerTest, FailsOnOtherTaskKinds) {
  TaskResult result = executor::testing::RunAndWait(runner_, core::NoopTask{}, Context());

  EXPECT_EQ(result.outcome, RunOutcome::kFailed);
  EXPECT_EQ(result.error, "the http runner cannot run a noop task");
}

TEST_F(HttpTaskRunnerTest, RunsManyRequestsConcurrentlyOnOneLoop) {
  // Each answer takes 300 ms: one after the other, 100 would need 30 s.
  endpoint_.SetResponse(Answer(200, "ok", 300ms));
  executor::testing::ResultCollector collector;
  const auto started = std::chrono::steady_clock::now();

  for (int run_id = 1; run_id <= 100; ++run_id) runner_.Start(Post(), Context(run_id), collector.Callback());

  ASSERT_TRUE(collector.WaitFor(100, 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  for (const TaskResult& result : collector.Results()) {
    EXPECT_EQ(result.outcome, RunOutcome::kSucceeded) << result.error;
  }
  std::set<std::string> keys;
  for (const auto& request : endpoint_.Requests()) keys.insert(request.Header("Idempotency-Key").value_or(""));
  EXPECT_EQ(keys.size(), 100U);
  EXPECT_EQ(loop_->ActiveTransfers(), 0U);
}

}  // namespace
}  // namespace jobsched::executor::http
