#include "api/query_params.hpp"

#include <gtest/gtest.h>

namespace jobsched::api {
namespace {

// Browsers' forms and URLSearchParams write a space as '+': the console's
// search box sends "q=e+in+the".
TEST(QueryParams, APlusIsASpaceAndAnEncodedPlusIsAPlus) {
  auto params = QueryParams::Parse("q=e+in+the&tz=%2B01%3A00&name=a%20b");

  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->Get("q"), "e in the");
  EXPECT_EQ(params->Get("tz"), "+01:00");
  EXPECT_EQ(params->Get("name"), "a b");
}

TEST(QueryParams, TheFirstOfARepeatedNameWinsAndAFlagHasAnEmptyValue) {
  auto params = QueryParams::Parse("limit=5&limit=7&flag");

  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params->Get("limit"), "5");
  EXPECT_EQ(params->Get("flag"), "");
  EXPECT_FALSE(params->Get("other").has_value());
}

TEST(QueryParams, RefusesMalformedPercentEncoding) {
  auto params = QueryParams::Parse("q=%zz");

  ASSERT_FALSE(params.ok());
  EXPECT_EQ(params.error().field, "query");
}

}  // namespace
}  // namespace jobsched::api
