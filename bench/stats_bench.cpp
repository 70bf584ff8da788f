// GET /stats's store read on a big SQLite file (bench/stats.sh seeds it):
// times JobStore::Stats for each window, as the handler asks it (core::SpanOf
// at `now`), with no cache in between, and prints p50, p99 and max.
//
// Usage: stats_bench DATABASE NOW_MS [ROUNDS] [NAMESPACE]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "core/stats_window.hpp"
#include "store/sqlite/sqlite_job_store.hpp"

namespace {

using namespace jobsched;
using Clock = std::chrono::steady_clock;

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> sorted, int percent) {
  std::sort(sorted.begin(), sorted.end());
  const std::size_t rank = (sorted.size() * static_cast<std::size_t>(percent) + 99) / 100;
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

int Run(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DATABASE NOW_MS [ROUNDS] [NAMESPACE]\n", argv[0]);
    return 1;
  }
  const core::TimePoint now = core::FromUnixMs(std::strtoll(argv[2], nullptr, 10));
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 50;
  std::optional<std::string> job_namespace;
  if (argc > 4) job_namespace = argv[4];
  auto store = store::sqlite::SqliteJobStore::Open({.path = argv[1]});
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.error().message.c_str());
    return 1;
  }
  std::printf("%-4s %8s %9s %9s %9s %12s %8s\n", "win", "rounds", "p50 ms", "p99 ms", "max ms", "ended runs",
              "buckets");
  for (const core::StatsWindow window : {core::StatsWindow::kHour, core::StatsWindow::kDay, core::StatsWindow::kWeek}) {
    const core::StatsSpan span = core::SpanOf(window, now);
    store::StatsQuery query;
    query.job_namespace = job_namespace;
    query.from = span.from;
    query.to = span.to;
    query.bucket_width = span.bucket_width;
    query.now = now;
    std::vector<double> times;
    std::int64_t ended = 0;
    std::size_t buckets = 0;
    for (int round = 0; round < rounds; ++round) {
      const auto started = Clock::now();
      auto stats = (*store)->Stats(query);
      times.push_back(Millis(Clock::now() - started));
      if (!stats.ok()) {
        std::fprintf(stderr, "stats: %s\n", stats.error().message.c_str());
        return 1;
      }
      ended = 0;
      for (const auto& [state, count] : stats->runs) {
        if (state != core::RunState::kQueued && state != core::RunState::kRunning) ended += count;
      }
      buckets = core::FillSeries(span, stats->buckets).size();
    }
    std::printf("%-4s %8d %9.2f %9.2f %9.2f %12lld %8zu\n", std::string(core::ToString(window)).c_str(), rounds,
                Percentile(times, 50), Percentile(times, 99), *std::max_element(times.begin(), times.end()),
                static_cast<long long>(ended), buckets);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "stats_bench: %s\n", error.what());
  } catch (...) {
    std::fprintf(stderr, "stats_bench: an unknown exception\n");
  }
  return 1;
}
