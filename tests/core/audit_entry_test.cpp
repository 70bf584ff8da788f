#include "core/audit_entry.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "testing/time_literals.hpp"

namespace jobsched::core {
namespace {

using jobsched::testing::At;

TEST(AuditActions, AreTheIssuesNineEachOnce) {
  const std::set<std::string_view> actions(AuditActions().begin(), AuditActions().end());

  EXPECT_EQ(actions.size(), AuditActions().size());
  EXPECT_EQ(actions,
            (std::set<std::string_view>{"job.created", "job.updated", "job.paused", "job.resumed", "job.deleted",
                                        "job.run_now", "job.backfilled", "key.created", "key.revoked"}));
}

TEST(AuditActions, KnowsTheirOwnAndNoOther) {
  EXPECT_TRUE(IsAuditAction("job.paused"));
  EXPECT_TRUE(IsAuditAction("key.revoked"));
  EXPECT_FALSE(IsAuditAction("job.paused "));
  EXPECT_FALSE(IsAuditAction("JOB.PAUSED"));
  EXPECT_FALSE(IsAuditAction(""));
  EXPECT_FALSE(IsAuditAction("run.cancelled"));
}

TEST(AuditActor, IsTheKeysNameOrLocalWithoutOne) {
  EXPECT_EQ(AuditActor("deploy-bot"), "deploy-bot");
  EXPECT_EQ(AuditActor(""), "local");
}

TEST(CheckAuditRange, RefusesAnUntilNotAfterSinceNamingIt) {
  const auto since = At("2026-12-07T09:00:00Z");

  auto same = CheckAuditRange(since, since);
  auto earlier = CheckAuditRange(since, At("2026-12-07T08:00:00Z"));

  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().field, "until");
  EXPECT_FALSE(earlier.ok());
  EXPECT_TRUE(CheckAuditRange(since, At("2026-12-07T09:00:00.001Z")).ok());
  EXPECT_TRUE(CheckAuditRange(std::nullopt, since).ok());
  EXPECT_TRUE(CheckAuditRange(since, std::nullopt).ok());
}

}  // namespace
}  // namespace jobsched::core
