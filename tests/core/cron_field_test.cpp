#include "core/cron_field.hpp"

#include <array>
#include <string_view>

#include <gtest/gtest.h>

namespace jobsched::core::cron {
namespace {

TEST(CronField, SelectsValuesRangesAndSteps) {
  const Result<FieldValues> values = ParseField("1,10-12,20-30/5,50/4", kMinute);

  ASSERT_TRUE(values.ok()) << values.error().message;
  std::uint64_t expected = 0;
  for (const int minute : {1, 10, 11, 12, 20, 25, 30, 50, 54, 58}) expected |= std::uint64_t{1} << minute;
  EXPECT_EQ(values->bits, expected);
  EXPECT_TRUE(values->restricted);
}

TEST(CronField, CountsOnlyABareStarOrQuestionMarkAsUnrestricted) {
  EXPECT_FALSE(ParseField("*", kDayOfWeek)->restricted);
  EXPECT_FALSE(ParseField("?", kDayOfMonth)->restricted);
  EXPECT_TRUE(ParseField("*/2", kDayOfWeek)->restricted);
}

TEST(CronField, TakesNamesInAnyCase) {
  const Result<FieldValues> values = ParseField("jan,Mar-MAY", kMonth);

  ASSERT_TRUE(values.ok()) << values.error().message;
  EXPECT_EQ(values->bits, (1u << 1) | (1u << 3) | (1u << 4) | (1u << 5));
}

TEST(CronField, RecordsLastDayOffsets) {
  const Result<FieldValues> values = ParseField("L,L-3", kDayOfMonth);

  ASSERT_TRUE(values.ok()) << values.error().message;
  EXPECT_EQ(values->last_offsets, (1u << 0) | (1u << 3));
  EXPECT_EQ(values->bits, 0u);
}

TEST(CronField, NamesTheFieldAndTheValueItRefuses) {
  const Result<FieldValues> values = ParseField("5,24", kHour);

  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(values.error().message, "cron: hour field: value 24 out of range 0-23");
}

TEST(CronField, SplitsOnAnyWhitespaceAndCountsBeyondTheMaximum) {
  std::array<std::string_view, kMaxFields> fields;

  EXPECT_EQ(SplitFields("  0\t5 \n * * 1 ", fields), 5);
  EXPECT_EQ(fields[0], "0");
  EXPECT_EQ(fields[1], "5");
  EXPECT_EQ(fields[4], "1");
  EXPECT_EQ(SplitFields("1 2 3 4 5 6 7 8", fields), 8);
  EXPECT_EQ(SplitFields("   ", fields), 0);
}

}  // namespace
}  // namespace jobsched::core::cron
