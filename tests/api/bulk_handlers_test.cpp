#include "api/bulk_handlers.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>

#include <boost/json/parse.hpp>

#include "api/bulk_request.hpp"
#include "core/job_validation.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "testing/fake_clock.hpp"
#include "testing/temp_dir.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::api {
namespace {

using jobsched::testing::At;

core::Job MakeJob(int index) {
  core::JobRequest request;
  request.name = "job-" + std::to_string(index);
  request.every = "1h";
  auto job = core::ValidateNewJob(request, At("2026-11-27T10:00:00Z"));
  EXPECT_TRUE(job.ok());
  return *job;
}

class BulkHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::sqlite::SqliteJobStore::Open({.path = dir_.File("jobs.db")});
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(store).value();
    handlers_ = std::make_unique<BulkHandlers>(*store_, clock_);
    handlers_->Register(router_);
  }

  // Creates `count` jobs at once (group commit makes that quick).
  void CreateJobs(int count) {
    std::atomic<int> left = count;
    std::promise<void> all_done;
    for (int index = 0; index < count; ++index) {
      store_->CreateJob(MakeJob(index), [&](core::Result<core::Job> created) {
        EXPECT_TRUE(created.ok());
        if (--left == 0) all_done.set_value();
      });
    }
    all_done.get_future().wait();
  }

  // POSTs `body` to `path` and waits for the answer (it may come from a store thread).
  HttpResponse Post(const std::string& path, const std::string& body) {
    HttpRequest request;
    request.method = "POST";
    request.target = request.path = path;
    request.headers = {{"Content-Type", "application/json"}};
    request.body = body;
    std::promise<HttpResponse> answer;
    router_.Dispatch(std::move(request), [&answer](HttpResponse response) { answer.set_value(std::move(response)); });
    return answer.get_future().get();
  }

  jobsched::testing::TempDir dir_;
  jobsched::testing::FakeClock clock_{At("2026-11-27T12:00:00Z")};
  std::unique_ptr<store::sqlite::SqliteJobStore> store_;
  std::unique_ptr<BulkHandlers> handlers_;
  Router router_;
};

TEST_F(BulkHandlersTest, AFilterMatchingMoreThanTheCapIsRefusedWholeNamingTheFilter) {
  CreateJobs(static_cast<int>(kMaxBulkTargets) + 1);

  const HttpResponse response = Post("/jobs/bulk", R"({"action": "pause", "filter": {}})");

  EXPECT_EQ(response.status, 400);
  const auto problem = boost::json::parse(response.body).as_object();
  EXPECT_EQ(problem.at("field").as_string(), "filter");
  EXPECT_NE(std::string(problem.at("detail").as_string()).find("narrow the filter"), std::string::npos);
  store::JobListQuery paused;
  paused.is_active = false;
  EXPECT_TRUE(store_->ListJobs(paused)->empty());
}

TEST_F(BulkHandlersTest, AFilterMatchingExactlyTheCapIsAppliedInFull) {
  CreateJobs(static_cast<int>(kMaxBulkTargets));

  const HttpResponse response = Post("/jobs/bulk", R"({"action": "pause", "filter": {"is_active": true}})");

  ASSERT_EQ(response.status, 200) << response.body;
  const auto outcome = boost::json::parse(response.body).as_object();
  EXPECT_EQ(outcome.at("matched").as_int64(), static_cast<std::int64_t>(kMaxBulkTargets));
  EXPECT_EQ(outcome.at("changed").as_int64(), static_cast<std::int64_t>(kMaxBulkTargets));
  store::JobListQuery active;
  active.is_active = true;
  EXPECT_TRUE(store_->ListJobs(active)->empty());
}

TEST_F(BulkHandlersTest, NoJobsMatchingIsAnEmptyAnswer) {
  const HttpResponse response = Post("/jobs/bulk", R"({"action": "delete", "filter": {"q": "nothing"}})");

  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"matched":0,"changed":0,"unchanged":0,"failed":[]})");
}

TEST_F(BulkHandlersTest, ABodyThatIsNotJsonIsRefused) {
  const HttpResponse response = Post("/runs/bulk", "action=cancel");

  EXPECT_EQ(response.status, 400);
}

}  // namespace
}  // namespace jobsched::api
