// Cron parsing and evaluation. The input is up to three lines:
//   cron expression
//   IANA time zone (optional; UTC when absent or empty)
//   `after`, RFC 3339 (optional; 2026-03-28T12:00:00Z when absent or invalid)
// Every expression is parsed; for one that parses, in a zone that exists,
// NextAfter must keep its contract (cron_expression.hpp): a result exists for
// any `after` before year 9990, lies strictly after `after` on a whole
// second, and is also the next firing after any earlier instant from `after`
// on (checked at the result minus 1 ms).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <date/tz.h>

#include "core/cron_expression.hpp"
#include "core/schedule.hpp"
#include "core/time.hpp"
#include "fuzz_check.hpp"

namespace {

using jobsched::core::TimePoint;

// The next line of `input` (without its '\n'), consumed from `input`.
std::string_view NextLine(std::string_view& input) {
  const std::size_t end = input.find('\n');
  const std::string_view line = input.substr(0, end);
  input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
  return line;
}

TimePoint DefaultAfter() {
  return jobsched::core::FromUnixMs(1774699200000);  // 2026-03-28T12:00:00Z
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Loads the time-zone database once, so no input pays for it.
  (void)date::get_tzdb();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view expression = NextLine(input);
  const std::string_view zone_name = NextLine(input);
  const std::string_view after_text = NextLine(input);

  auto cron = jobsched::core::CronExpression::Parse(expression);
  // Schedule::Cron is what job validation calls: the same parser plus the
  // zone lookup. It must agree with the parser on what is valid.
  const auto schedule = jobsched::core::Schedule::Cron(expression, zone_name);
  if (!cron) {
    FUZZ_CHECK(!schedule.ok(), "Schedule::Cron refuses what the parser refuses");
    return 0;
  }
  FUZZ_CHECK(cron->text() == expression, "text() is the text parsed");
  if (!schedule) return 0;  // unknown time zone

  const date::time_zone* zone = date::locate_zone(schedule->timezone());
  const auto parsed_after = jobsched::core::ParseRfc3339(after_text, "after");
  const TimePoint after = parsed_after ? *parsed_after : DefaultAfter();

  const auto next = cron->NextAfter(after, zone);
  const auto year = static_cast<int>(date::year_month_day{date::floor<date::days>(after)}.year());
  if (year < 9990) FUZZ_CHECK(next.has_value(), "an accepted expression fires within nine years");
  if (!next) return 0;
  FUZZ_CHECK(*next > after, "the next firing is strictly after `after`");
  FUZZ_CHECK(jobsched::core::ToUnixMs(*next) % 1000 == 0, "firings are on whole seconds");
  const auto again = cron->NextAfter(*next - jobsched::core::Milliseconds{1}, zone);
  FUZZ_CHECK(again.has_value() && *again == *next, "no firing between `after` and the next one");
  // The schedule built from the same text agrees with the bare expression.
  FUZZ_CHECK(schedule->FirstRun(after) == next, "Schedule::FirstRun is the expression's next firing");
  return 0;
}
