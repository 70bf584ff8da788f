#include "core/stats_window.hpp"

#include <algorithm>
#include <chrono>

namespace jobsched::core {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

struct WindowShape {
  StatsWindow window;
  std::string_view name;
  Milliseconds length;
  Milliseconds bucket_width;
};

constexpr WindowShape kShapes[] = {
    {StatsWindow::kHour, "1h", hours{1}, minutes{1}},
    {StatsWindow::kDay, "24h", hours{24}, minutes{15}},
    {StatsWindow::kWeek, "7d", hours{24 * 7}, hours{2}},
};

const WindowShape& ShapeOf(StatsWindow window) {
  for (const WindowShape& shape : kShapes) {
    if (shape.window == window) return shape;
  }
  return kShapes[1];
}

// The start of the bucket of width `width` that holds `t` (epoch-aligned,
// also for instants before the epoch).
TimePoint AlignDown(TimePoint t, Milliseconds width) {
  const std::int64_t ms = ToUnixMs(t);
  const std::int64_t step = width.count();
  std::int64_t start = ms / step * step;
  if (start > ms) start -= step;
  return FromUnixMs(start);
}

}  // namespace

std::optional<StatsWindow> ParseStatsWindow(std::string_view text) {
  for (const WindowShape& shape : kShapes) {
    if (shape.name == text) return shape.window;
  }
  return std::nullopt;
}

std::string_view ToString(StatsWindow window) { return ShapeOf(window).name; }

StatsSpan SpanOf(StatsWindow window, TimePoint now) {
  const WindowShape& shape = ShapeOf(window);
  StatsSpan span;
  span.bucket_width = shape.bucket_width;
  span.from = AlignDown(now - shape.length, shape.bucket_width);
  span.to = now;
  span.buckets = static_cast<std::size_t>((AlignDown(now, shape.bucket_width) - span.from) / shape.bucket_width) + 1;
  return span;
}

bool IsRollupBucketing(TimePoint from, Milliseconds width) {
  for (const WindowShape& shape : kShapes) {
    if (shape.bucket_width == width) return ToUnixMs(from) % width.count() == 0;
  }
  return false;
}

std::vector<StatsBucket> FillSeries(const StatsSpan& span, const std::vector<StatsBucket>& sparse) {
  std::vector<StatsBucket> series(span.buckets);
  for (std::size_t i = 0; i < series.size(); ++i) series[i].at = span.BucketStart(i);
  for (const StatsBucket& bucket : sparse) {
    if (bucket.at < span.from) continue;
    const auto index = static_cast<std::size_t>((bucket.at - span.from) / span.bucket_width);
    if (index >= series.size()) continue;
    StatsBucket& point = series[index];
    point.runs += bucket.runs;
    point.failed += bucket.failed;
    if (bucket.lateness_p50_ms) point.lateness_p50_ms = bucket.lateness_p50_ms;
    if (bucket.lateness_p99_ms) point.lateness_p99_ms = bucket.lateness_p99_ms;
  }
  return series;
}

LatenessPercentiles PercentilesOf(std::vector<LatenessCount> histogram) {
  std::sort(histogram.begin(), histogram.end(),
            [](const LatenessCount& a, const LatenessCount& b) { return a.value_ms < b.value_ms; });
  // One entry per value, none below one start.
  std::vector<LatenessCount> merged;
  for (const LatenessCount& entry : histogram) {
    if (!merged.empty() && merged.back().value_ms == entry.value_ms) {
      merged.back().count += entry.count;
    } else {
      merged.push_back(entry);
    }
  }
  std::erase_if(merged, [](const LatenessCount& entry) { return entry.count <= 0; });
  std::int64_t total = 0;
  for (const LatenessCount& entry : merged) total += entry.count;
  LatenessPercentiles percentiles;
  if (total == 0) return percentiles;
  const std::int64_t rank50 = (total * 50 + 99) / 100;
  const std::int64_t rank99 = (total * 99 + 99) / 100;
  std::int64_t seen = 0;
  for (const LatenessCount& entry : merged) {
    seen += entry.count;
    if (!percentiles.p50_ms && seen >= rank50) percentiles.p50_ms = entry.value_ms;
    if (seen >= rank99) {
      percentiles.p99_ms = entry.value_ms;
      break;
    }
  }
  return percentiles;
}

}  // namespace jobsched::core
