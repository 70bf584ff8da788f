#include "core/duration.hpp"

#include <gtest/gtest.h>

namespace jobsched::core {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, AcceptsEveryUnitAndCombinations) {
  struct Case {
    const char* text;
    Milliseconds expected;
  };
  const Case cases[] = {
      {"30s", 30s},
      {"15m", 15min},
      {"1h30m", 90min},
      {"1d", 24h},
      {"1w", 168h},
      {"250ms", 250ms},
      {"1d2h3m4s5ms", 24h + 2h + 3min + 4s + 5ms},
      {"90m", 90min},
  };
  for (const Case& c : cases) {
    auto parsed = ParseDuration(c.text, "every");

    ASSERT_TRUE(parsed.ok()) << c.text;
    EXPECT_EQ(*parsed, c.expected) << c.text;
  }
}

TEST(ParseDuration, RejectsBadInputNamingTheField) {
  for (const char* text : {"", "0s", "15", "m", "15x", "1m1h", "1h1h", "-5m", "1.5h", " 5m", "5m ",
                           "99999999999999999999s", "3661d", "300000000000w", "15250w", "521w3651d"}) {
    auto parsed = ParseDuration(text, "every");

    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().field, "every");
  }
}

TEST(FormatDuration, WritesCanonicalFormThatParsesBack) {
  EXPECT_EQ(FormatDuration(90min), "1h30m");
  EXPECT_EQ(FormatDuration(168h), "1w");
  EXPECT_EQ(FormatDuration(1500ms), "1s500ms");
  for (Milliseconds d :
       {Milliseconds{1ms}, Milliseconds{999ms}, Milliseconds{61s}, Milliseconds{25h}, Milliseconds{8 * 24h + 1ms}}) {
    auto parsed = ParseDuration(FormatDuration(d), "every");

    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, d);
  }
}

}  // namespace
}  // namespace jobsched::core
