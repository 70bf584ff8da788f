#include "core/stats_window.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "testing/time_literals.hpp"

namespace jobsched::core {
namespace {

using jobsched::testing::At;
using std::chrono::hours;
using std::chrono::minutes;

TEST(StatsWindow, ParsesTheThreeWindowsAndNothingElse) {
  EXPECT_EQ(ParseStatsWindow("1h"), StatsWindow::kHour);
  EXPECT_EQ(ParseStatsWindow("24h"), StatsWindow::kDay);
  EXPECT_EQ(ParseStatsWindow("7d"), StatsWindow::kWeek);
  for (const char* bad : {"", "1H", "60m", "1d", "24h ", "7"}) EXPECT_FALSE(ParseStatsWindow(bad)) << bad;
  EXPECT_EQ(ToString(StatsWindow::kDay), "24h");
}

TEST(StatsWindow, CutsEachWindowIntoBucketsOfItsWidthAlignedToTheEpoch) {
  struct Case {
    StatsWindow window;
    Milliseconds width;
    const char* from;
    std::size_t buckets;
  };
  const TimePoint now = At("2026-12-07T10:37:20Z");
  const Case cases[] = {
      {StatsWindow::kHour, minutes{1}, "2026-12-07T09:37:00Z", 61},
      {StatsWindow::kDay, minutes{15}, "2026-12-06T10:30:00Z", 97},
      {StatsWindow::kWeek, hours{2}, "2026-11-30T10:00:00Z", 85},
  };

  for (const Case& c : cases) {
    const StatsSpan span = SpanOf(c.window, now);

    EXPECT_EQ(span.bucket_width, c.width) << ToString(c.window);
    EXPECT_EQ(span.from, At(c.from)) << ToString(c.window);
    EXPECT_EQ(span.to, now);
    EXPECT_EQ(span.buckets, c.buckets) << ToString(c.window);
    EXPECT_LE(span.BucketStart(span.buckets - 1), now);
    EXPECT_GT(span.BucketStart(span.buckets - 1) + c.width, now);
  }
}

TEST(StatsWindow, CoversExactlyTheWindowWhenNowIsOnABucketBoundary) {
  const StatsSpan span = SpanOf(StatsWindow::kHour, At("2026-12-07T10:00:00Z"));

  EXPECT_EQ(span.from, At("2026-12-07T09:00:00Z"));
  EXPECT_EQ(span.buckets, 61u);  // the last one, at now, has just begun
}

TEST(FillSeries, PutsEveryBucketInPlaceAndFillsTheGapsWithZeroAndNull) {
  const StatsSpan span = SpanOf(StatsWindow::kHour, At("2026-12-07T10:00:30Z"));
  const std::vector<StatsBucket> sparse = {
      {At("2026-12-07T09:59:00Z"), 4, 1, std::nullopt, std::nullopt},
      {At("2026-12-07T09:01:00Z"), 2, 0, 100, 250},
  };

  const std::vector<StatsBucket> series = FillSeries(span, sparse);

  ASSERT_EQ(series.size(), 61u);
  EXPECT_EQ(series[0].at, At("2026-12-07T09:00:00Z"));
  EXPECT_EQ(series[0].runs, 0);
  EXPECT_EQ(series[0].lateness_p50_ms, std::nullopt);
  EXPECT_EQ(series[1].runs, 2);
  EXPECT_EQ(series[1].lateness_p50_ms, 100);
  EXPECT_EQ(series[1].lateness_p99_ms, 250);
  EXPECT_EQ(series[59].at, At("2026-12-07T09:59:00Z"));
  EXPECT_EQ(series[59].runs, 4);
  EXPECT_EQ(series[59].failed, 1);
  EXPECT_EQ(series[60].at, At("2026-12-07T10:00:00Z"));
  EXPECT_EQ(series[60].runs, 0);
}

TEST(FillSeries, MergesEntriesOfOneBucketAndDropsThoseOutsideTheSpan) {
  const StatsSpan span = SpanOf(StatsWindow::kHour, At("2026-12-07T10:00:30Z"));
  const std::vector<StatsBucket> sparse = {
      {At("2026-12-07T09:30:00Z"), 3, 2, std::nullopt, std::nullopt},
      {At("2026-12-07T09:30:00Z"), 0, 0, 40, 90},
      {At("2026-12-07T08:59:00Z"), 7, 7, 1, 1},
      {At("2026-12-07T10:01:00Z"), 7, 7, 1, 1},
  };

  const std::vector<StatsBucket> series = FillSeries(span, sparse);

  EXPECT_EQ(series[30].runs, 3);
  EXPECT_EQ(series[30].failed, 2);
  EXPECT_EQ(series[30].lateness_p50_ms, 40);
  EXPECT_EQ(series[30].lateness_p99_ms, 90);
  std::int64_t total = 0;
  for (const StatsBucket& bucket : series) total += bucket.runs;
  EXPECT_EQ(total, 3);
}

TEST(IsRollupBucketing, TakesTheWidthsOfTheWindowsAlignedToTheEpoch) {
  for (const StatsWindow window : {StatsWindow::kHour, StatsWindow::kDay, StatsWindow::kWeek}) {
    const StatsSpan span = SpanOf(window, At("2026-12-07T10:00:30Z"));
    EXPECT_TRUE(IsRollupBucketing(span.from, span.bucket_width));
    EXPECT_FALSE(IsRollupBucketing(span.from + Milliseconds{1}, span.bucket_width));
  }
  EXPECT_FALSE(IsRollupBucketing(At("2026-12-07T10:00:00Z"), Milliseconds{30'000}));
}

TEST(PercentilesOf, PicksTheNearestRankOfAHistogram) {
  // 100 starts: 10, 20, ... 1000 ms, one each, in no order.
  std::vector<LatenessCount> histogram;
  for (int i = 100; i >= 1; --i) histogram.push_back({i * 10, 1});

  const LatenessPercentiles percentiles = PercentilesOf(histogram);

  EXPECT_EQ(percentiles.p50_ms, 500);  // rank 50
  EXPECT_EQ(percentiles.p99_ms, 990);  // rank 99
}

TEST(PercentilesOf, CountsEachStartOfAValueAndAddsEntriesOfOneValue) {
  // 5 ms twice (in two entries), 7 ms once, 100 ms once: ranks 2 and 4 of 4.
  const std::vector<LatenessCount> histogram = {{100, 1}, {5, 1}, {7, 1}, {5, 1}};

  const LatenessPercentiles percentiles = PercentilesOf(histogram);

  EXPECT_EQ(percentiles.p50_ms, 5);
  EXPECT_EQ(percentiles.p99_ms, 100);
}

TEST(PercentilesOf, LeavesOutValuesWhoseStartsWereTakenBack) {
  // A retried start: +1 and -1 at 900 ms (in two shards), and a negative lateness.
  const std::vector<LatenessCount> histogram = {{900, 1}, {-1200, 3}, {900, -1}, {40, 0}, {20, 1}};

  const LatenessPercentiles percentiles = PercentilesOf(histogram);

  EXPECT_EQ(percentiles.p50_ms, -1200);  // rank 2 of 4
  EXPECT_EQ(percentiles.p99_ms, 20);     // rank 4
}

TEST(PercentilesOf, AnswersNullWithoutStarts) {
  EXPECT_EQ(PercentilesOf({}).p50_ms, std::nullopt);
  EXPECT_EQ(PercentilesOf({{300, 0}, {400, -1}}).p99_ms, std::nullopt);
}

}  // namespace
}  // namespace jobsched::core
