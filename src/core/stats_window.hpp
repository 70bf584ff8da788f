#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace jobsched::core {

// The windows GET /stats offers: the last hour, day or week.
enum class StatsWindow { kHour, kDay, kWeek };

// "1h", "24h" or "7d"; nullopt for anything else.
std::optional<StatsWindow> ParseStatsWindow(std::string_view text);
std::string_view ToString(StatsWindow window);

// The span a window covers at `now`, cut into buckets of one width (a minute
// for 1h, 15 minutes for 24h, 2 hours for 7d) aligned to the epoch: `from` is
// the start of the bucket that holds now − length, so the buckets cover the
// whole length and a little more, and the last one, which holds `now`, is
// still filling. `to` is now. 61, 97 or 85 buckets.
struct StatsSpan {
  TimePoint from;
  TimePoint to;
  Milliseconds bucket_width{0};
  std::size_t buckets = 0;

  // The start of bucket `index`.
  TimePoint BucketStart(std::size_t index) const { return from + bucket_width * static_cast<std::int64_t>(index); }
};

StatsSpan SpanOf(StatsWindow window, TimePoint now);

// Whether the stores keep roll-ups in buckets of this width starting at
// `from`: one of SpanOf's widths, `from` a multiple of it.
bool IsRollupBucketing(TimePoint from, Milliseconds width);

// One bucket of the series: runs that finished in it (all end states) and
// those of them that failed or timed out; the nearest-rank 50th and 99th
// percentiles of the start lateness (started_at − scheduled_for) of runs that
// started in it, null when none did.
struct StatsBucket {
  TimePoint at;  // the bucket's start
  std::int64_t runs = 0;
  std::int64_t failed = 0;
  std::optional<std::int64_t> lateness_p50_ms;
  std::optional<std::int64_t> lateness_p99_ms;
};

// One point per bucket of `span`, in order: the buckets of `sparse` (as a
// store answers them, only those with something in them, in any order) at
// their places, and empty ones (zero runs, null lateness) between them.
// Entries of one bucket are merged (counts added, a lateness taken from the
// entry that has it), so the counts and the lateness may come from separate
// reads. Entries outside the span are dropped.
std::vector<StatsBucket> FillSeries(const StatsSpan& span, const std::vector<StatsBucket>& sparse);

// The start lateness of runs as the stores keep it: how many starts had
// each value (ms, rounded down to two significant digits, so exact below
// 100 ms and within 1% above).
struct LatenessCount {
  std::int64_t value_ms = 0;
  std::int64_t count = 0;
};

// The nearest-rank 50th and 99th percentiles (the value at rank
// ceil(n * p / 100) of the n starts, in order) of a histogram whose entries
// may come in any order, a value in several entries (they are added);
// nullopt when it holds no start. Counts at or below zero count nothing.
struct LatenessPercentiles {
  std::optional<std::int64_t> p50_ms;
  std::optional<std::int64_t> p99_ms;
};
LatenessPercentiles PercentilesOf(std::vector<LatenessCount> histogram);

}  // namespace jobsched::core
