// core::ParseDuration on any text. For every text it accepts, the canonical
// form round-trips: ParseDuration(FormatDuration(d)) == d, and formatting
// that again gives the same text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/duration.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto parsed = jobsched::core::ParseDuration(text, "every");
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().message.empty(), "a refusal says why");
    return 0;
  }

  FUZZ_CHECK(parsed->count() > 0, "accepted durations are positive");
  FUZZ_CHECK(parsed->count() <= 10LL * 366 * 24 * 3600 * 1000, "accepted durations are at most 10 years");
  const std::string canonical = jobsched::core::FormatDuration(*parsed);
  const auto reparsed = jobsched::core::ParseDuration(canonical, "every");
  FUZZ_CHECK(reparsed.ok(), "the canonical form parses");
  FUZZ_CHECK(*reparsed == *parsed, "the canonical form means the same duration");
  FUZZ_CHECK(jobsched::core::FormatDuration(*reparsed) == canonical, "the canonical form is a fixed point");
  return 0;
}
