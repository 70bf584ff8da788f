// JobCache's protocol, step by step: the interleavings of a reader and a
// writer that could leave a stale job behind, each shown not to.
#include "store/job_cache.hpp"

#include <gtest/gtest.h>

namespace jobsched::store {
namespace {

core::Job Version(core::JobId id, std::int64_t version) {
  core::Job job;
  job.id = id;
  job.name = "v" + std::to_string(version);
  job.version = version;
  return job;
}

TEST(JobCache, KeepsWhatWasReadAndForgetsItWhenInvalidated) {
  JobCache cache;
  EXPECT_FALSE(cache.Find(1).has_value());

  cache.Keep(Version(1, 1), cache.Ticket());
  ASSERT_TRUE(cache.Find(1).has_value());
  EXPECT_EQ(cache.Find(1)->version, 1);

  cache.Invalidate(1);
  EXPECT_FALSE(cache.Find(1).has_value());
}

// The reader took its ticket, then read the old row; the writer committed
// and invalidated before the reader kept it: the old row must not be kept.
TEST(JobCache, AReadOlderThanAnInvalidationIsNotKept) {
  JobCache cache;
  const auto ticket = cache.Ticket();
  const core::Job read_before_commit = Version(1, 1);
  cache.Invalidate(1);  // writer: committed version 2

  cache.Keep(read_before_commit, ticket);

  EXPECT_FALSE(cache.Find(1).has_value());
}

// The reader kept the old row before the writer's invalidation ran (the
// commit happened meanwhile): the invalidation erases it.
TEST(JobCache, AReadKeptBeforeTheInvalidationIsErasedByIt) {
  JobCache cache;
  cache.Keep(Version(1, 1), cache.Ticket());

  cache.Invalidate(1);

  EXPECT_FALSE(cache.Find(1).has_value());
}

// Any invalidation makes in-flight reads unkeepable, whichever job they read:
// the ticket says only that nothing was written since, not what.
TEST(JobCache, AnInvalidationOfAnotherJobAlsoStopsAnInFlightRead) {
  JobCache cache;
  const auto ticket = cache.Ticket();
  cache.Invalidate(2);

  cache.Keep(Version(1, 1), ticket);

  EXPECT_FALSE(cache.Find(1).has_value());
  cache.Keep(Version(1, 1), cache.Ticket());
  EXPECT_TRUE(cache.Find(1).has_value());
}

TEST(JobCache, InvalidatesEveryJobOfABatchAndKeepsTheOthers) {
  JobCache cache;
  for (core::JobId id = 1; id <= 4; ++id) cache.Keep(Version(id, 1), cache.Ticket());

  const std::vector<core::JobId> fired{1, 3};
  cache.Invalidate(fired);

  EXPECT_FALSE(cache.Find(1).has_value());
  EXPECT_TRUE(cache.Find(2).has_value());
  EXPECT_FALSE(cache.Find(3).has_value());
  EXPECT_TRUE(cache.Find(4).has_value());
}

TEST(JobCache, StaysWithinItsCapacity) {
  JobCache cache(3);
  for (core::JobId id = 1; id <= 10; ++id) cache.Keep(Version(id, 1), cache.Ticket());

  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.Find(10).has_value());  // the newest is always kept
}

}  // namespace
}  // namespace jobsched::store
