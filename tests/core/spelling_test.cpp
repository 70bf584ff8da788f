#include "core/spelling.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string_view>

namespace jobsched::core {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("interval", "interval"), 0u);
  EXPECT_EQ(EditDistance("intervall", "interval"), 1u);  // an insertion
  EXPECT_EQ(EditDistance("intrval", "interval"), 1u);    // a deletion
  EXPECT_EQ(EditDistance("interwal", "interval"), 1u);   // a substitution
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
}

TEST(ClosestSpelling, SuggestsOnlyNearMisses) {
  constexpr std::array<std::string_view, 3> kFields{"interval", "every", "cron"};
  const auto same = [](std::string_view field) { return field; };

  EXPECT_EQ(ClosestSpelling("intervall", kFields, same), "interval");
  EXPECT_EQ(ClosestSpelling("evry", kFields, same), "every");
  EXPECT_EQ(ClosestSpelling("schedule", kFields, same), "");  // nothing within two edits
}

}  // namespace
}  // namespace jobsched::core
