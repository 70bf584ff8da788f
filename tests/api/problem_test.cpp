#include "api/problem.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace jobsched::api {
namespace {

TEST(ProblemResponse, WritesTheStatusTitleDetailFieldAndCode) {
  const HttpResponse response = ProblemResponse(400, "name: must not be empty", "name", "invalid_argument");

  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.Header("Content-Type"), "application/problem+json");
  const auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body.at("title").as_string(), "Bad Request");
  EXPECT_EQ(body.at("status").as_int64(), 400);
  EXPECT_EQ(body.at("detail").as_string(), "name: must not be empty");
  EXPECT_EQ(body.at("field").as_string(), "name");
  EXPECT_EQ(body.at("code").as_string(), "invalid_argument");
}

// A request path with a byte that is not UTF-8 ("GET /jobs\xf3") is quoted in
// the 404's detail; the body must still be JSON (found by fuzz/http_request_fuzz).
TEST(ProblemResponse, ReplacesBytesThatAreNotUtf8SoTheBodyStaysJson) {
  const HttpResponse response = ProblemResponse(404, "no route for /jobs\xf3//1", "bad\xff", "not_found");

  boost::system::error_code error;
  const auto body = boost::json::parse(response.body, error);
  ASSERT_FALSE(error) << response.body;
  EXPECT_EQ(body.as_object().at("detail").as_string(), "no route for /jobs\xef\xbf\xbd//1");
  EXPECT_EQ(body.as_object().at("field").as_string(), "bad\xef\xbf\xbd");
}

}  // namespace
}  // namespace jobsched::api
