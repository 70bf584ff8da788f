#include "client/job_ref.hpp"

#include <gtest/gtest.h>

namespace jobsched::client {
namespace {

TEST(ParseJobRef, ReadsAnIdANameOrANamespaceAndName) {
  EXPECT_EQ(ParseJobRef("42").id, 42);
  EXPECT_EQ(ParseJobRef("report").name, "report");
  EXPECT_EQ(ParseJobRef("team-a/report").namespace_name, "team-a");
  EXPECT_EQ(ParseJobRef("team-a/report").name, "report");
}

TEST(ParseJobRef, TakesWhatIsNoIdOrNamespaceAsAPlainName) {
  EXPECT_EQ(ParseJobRef("0").name, "0");
  EXPECT_EQ(ParseJobRef("42a").name, "42a");
  EXPECT_EQ(ParseJobRef("Backups/DB").name, "Backups/DB");  // "Backups" is no namespace
  EXPECT_TRUE(ParseJobRef("Backups/DB").namespace_name.empty());
}

}  // namespace
}  // namespace jobsched::client
