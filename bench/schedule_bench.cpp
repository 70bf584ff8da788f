// Hot path of the scheduler: computing a job's next run. Each NextAfter
// benchmark feeds its result back in as the next `after`, so it walks forward
// through real dates (month ends, DST transitions) instead of repeating one
// cached case.

#include <chrono>

#include <benchmark/benchmark.h>
#include <date/date.h>
#include <date/tz.h>

#include "core/cron_expression.hpp"

namespace {

using jobsched::core::CronExpression;
using jobsched::core::TimePoint;

constexpr TimePoint kStart{date::sys_days{date::year{2026} / 1 / 1}};
// Walking past this returns to kStart, keeping the dates realistic.
constexpr TimePoint kWrapAt{date::sys_days{date::year{2036} / 1 / 1}};

void WalkNextAfter(benchmark::State& state, const char* text, const date::time_zone* zone) {
  const auto cron = CronExpression::Parse(text);
  if (!cron) {
    state.SkipWithError(cron.error().message.c_str());
    return;
  }
  TimePoint after = kStart;
  for (auto _ : state) {
    const auto next = cron->NextAfter(after, zone);
    benchmark::DoNotOptimize(next);
    after = next && *next < kWrapAt ? *next : kStart;
  }
}

void BM_CronNextAfter_6FieldBerlin(benchmark::State& state) {
  WalkNextAfter(state, "0 30 9 * * MON-FRI", date::locate_zone("Europe/Berlin"));
}
BENCHMARK(BM_CronNextAfter_6FieldBerlin);

void BM_CronNextAfter_5FieldUtc(benchmark::State& state) { WalkNextAfter(state, "*/15 9-17 * * MON-FRI", nullptr); }
BENCHMARK(BM_CronNextAfter_5FieldUtc);

// Every minute in Berlin: dominated by the zone lookups, and crosses each
// DST transition many times per run.
void BM_CronNextAfter_EveryMinuteBerlin(benchmark::State& state) {
  WalkNextAfter(state, "* * * * *", date::locate_zone("Europe/Berlin"));
}
BENCHMARK(BM_CronNextAfter_EveryMinuteBerlin);

void BM_CronParse(benchmark::State& state) {
  for (auto _ : state) {
    auto cron = CronExpression::Parse("0 30 9 1-15,L * MON-FRI");
    benchmark::DoNotOptimize(cron);
  }
}
BENCHMARK(BM_CronParse);

}  // namespace
