#include "api/router.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace jobsched::api {
namespace {

HttpRequest Request(std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.target = request.path;
  return request;
}

// Dispatches synchronously and returns what the handler answered.
HttpResponse Dispatch(const Router& router, HttpRequest request) {
  std::optional<HttpResponse> answer;
  router.Dispatch(std::move(request), [&answer](HttpResponse response) { answer = std::move(response); });
  EXPECT_TRUE(answer.has_value());
  return answer.value_or(HttpResponse{});
}

Router::Handler Echo(std::string name) {
  return [name](HttpRequest&&, const PathParams& params, Responder respond) {
    HttpResponse response;
    response.body = name;
    for (const auto& [key, value] : params) response.body += " " + key + "=" + value;
    respond(std::move(response));
  };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add("GET", "/jobs", Echo("list"));
    router_.Add("POST", "/jobs", Echo("create"));
    router_.Add("GET", "/jobs/{id}", Echo("get"));
    router_.Add("GET", "/jobs/{id}/runs/{run_id}", Echo("run"));
  }
  Router router_;
};

TEST_F(RouterTest, DispatchesByMethodAndPath) {
  EXPECT_EQ(Dispatch(router_, Request("GET", "/jobs")).body, "list");
  EXPECT_EQ(Dispatch(router_, Request("POST", "/jobs")).body, "create");
}

TEST_F(RouterTest, CapturesPathParameters) {
  EXPECT_EQ(Dispatch(router_, Request("GET", "/jobs/42")).body, "get id=42");
  EXPECT_EQ(Dispatch(router_, Request("GET", "/jobs/42/runs/7")).body, "run id=42 run_id=7");
}

TEST_F(RouterTest, IgnoresATrailingSlashLikeTheOriginalService) {
  EXPECT_EQ(Dispatch(router_, Request("GET", "/jobs/")).body, "list");
  EXPECT_EQ(Dispatch(router_, Request("GET", "/jobs/1/")).body, "get id=1");
}

TEST_F(RouterTest, AnswersUnknownPathsWith404Problem) {
  for (const char* path : {"/", "/nope", "/jobs/1/2", "/jobs//", "//jobs"}) {
    const HttpResponse response = Dispatch(router_, Request("GET", path));

    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.Header("Content-Type"), "application/problem+json") << path;
  }
}

TEST_F(RouterTest, AnswersWrongMethodWith405AndAllow) {
  const HttpResponse response = Dispatch(router_, Request("DELETE", "/jobs"));

  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.Header("Allow"), "GET, POST");
  EXPECT_EQ(response.Header("Content-Type"), "application/problem+json");
}

TEST_F(RouterTest, ServesHeadWithTheGetRoute) {
  EXPECT_EQ(Dispatch(router_, Request("HEAD", "/jobs/3")).body, "get id=3");
}

// Issue #14: every method name became a metric label.
TEST_F(RouterTest, LabelsOnlyMethodsItHasRoutesForAndEverythingElseAsOther) {
  EXPECT_EQ(router_.MethodLabel("GET"), "GET");
  EXPECT_EQ(router_.MethodLabel("POST"), "POST");
  EXPECT_EQ(router_.MethodLabel("HEAD"), "HEAD");
  for (const char* method : {"DELETE", "PATCH", "get", "MXYZ", "", "GETX"}) {
    EXPECT_EQ(router_.MethodLabel(method), "other") << method;
  }
}

TEST_F(RouterTest, ListsEveryRegisteredRoute) {
  const auto routes = router_.Routes();

  ASSERT_EQ(routes.size(), 4u);
  EXPECT_EQ(routes[2].method, "GET");
  EXPECT_EQ(routes[2].pattern, "/jobs/{id}");
}

}  // namespace
}  // namespace jobsched::api
