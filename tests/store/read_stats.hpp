#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/stats_window.hpp"
#include "store/job_store.hpp"

namespace jobsched::store::testing {

// JobStore::Stats as GET /stats asks it: the window's span at `now`, every
// namespace or one. A failure fails the test and reads as all zeros.
inline StoreStats ReadStats(JobStore& store, core::TimePoint now,
                            std::optional<std::string> job_namespace = std::nullopt,
                            core::StatsWindow window = core::StatsWindow::kHour) {
  const core::StatsSpan span = core::SpanOf(window, now);
  StatsQuery query;
  query.job_namespace = std::move(job_namespace);
  query.from = span.from;
  query.to = span.to;
  query.bucket_width = span.bucket_width;
  query.now = now;
  auto stats = store.Stats(query);
  EXPECT_TRUE(stats.ok()) << (stats.ok() ? "" : stats.error().message);
  return stats.ok() ? *stats : StoreStats{};
}

}  // namespace jobsched::store::testing
