// JobCache's protocol, step by step: the interleavings of a reader and a
// writer that could leave a stale job behind, each shown not to.
#include "store/job_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace jobsched::store {
namespace {

std::shared_ptr<const JobSnapshot> Version(core::JobId id, std::int64_t version) {
  core::Job job;
  job.id = id;
  job.name = "v" + std::to_string(version);
  job.version = version;
  return std::make_shared<const JobSnapshot>(std::move(job));
}

TEST(JobCache, KeepsWhatWasReadAndForgetsItWhenInvalidated) {
  JobCache cache;
  EXPECT_EQ(cache.Find(1), nullptr);

  cache.Keep(Version(1, 1), cache.Ticket());
  ASSERT_NE(cache.Find(1), nullptr);
  EXPECT_EQ(cache.Find(1)->job().version, 1);

  cache.Invalidate(1);
  EXPECT_EQ(cache.Find(1), nullptr);
}

// The reader took its ticket, then read the old row; the writer committed
// and invalidated before the reader kept it: the old row must not be kept.
TEST(JobCache, AReadOlderThanAnInvalidationIsNotKept) {
  JobCache cache;
  const auto ticket = cache.Ticket();
  const auto read_before_commit = Version(1, 1);
  cache.Invalidate(1);  // writer: committed version 2

  cache.Keep(read_before_commit, ticket);

  EXPECT_EQ(cache.Find(1), nullptr);
}

// The reader kept the old row before the writer's invalidation ran (the
// commit happened meanwhile): the invalidation erases it.
TEST(JobCache, AReadKeptBeforeTheInvalidationIsErasedByIt) {
  JobCache cache;
  cache.Keep(Version(1, 1), cache.Ticket());

  cache.Invalidate(1);

  EXPECT_EQ(cache.Find(1), nullptr);
}

// Any invalidation makes in-flight reads unkeepable, whichever job they read:
// the ticket says only that nothing was written since, not what.
TEST(JobCache, AnInvalidationOfAnotherJobAlsoStopsAnInFlightRead) {
  JobCache cache;
  const auto ticket = cache.Ticket();
  cache.Invalidate(2);

  cache.Keep(Version(1, 1), ticket);

  EXPECT_EQ(cache.Find(1), nullptr);
  cache.Keep(Version(1, 1), cache.Ticket());
  EXPECT_NE(cache.Find(1), nullptr);
}

TEST(JobCache, InvalidatesEveryJobOfABatchAndKeepsTheOthers) {
  JobCache cache;
  for (core::JobId id = 1; id <= 4; ++id) cache.Keep(Version(id, 1), cache.Ticket());

  const std::vector<core::JobId> fired{1, 3};
  cache.Invalidate(fired);

  EXPECT_EQ(cache.Find(1), nullptr);
  EXPECT_NE(cache.Find(2), nullptr);
  EXPECT_EQ(cache.Find(3), nullptr);
  EXPECT_NE(cache.Find(4), nullptr);
}

TEST(JobCache, StaysWithinItsCapacity) {
  JobCache cache(3);
  for (core::JobId id = 1; id <= 10; ++id) cache.Keep(Version(id, 1), cache.Ticket());

  EXPECT_EQ(cache.size(), 3u);
  EXPECT_NE(cache.Find(10), nullptr);  // the newest is always kept
}

TEST(JobCache, HandsOutTheKeptSnapshotItselfWithTheFormEncodedOnce) {
  JobCache cache;
  cache.Keep(Version(1, 1), cache.Ticket());
  int encodings = 0;
  const auto encode = [&encodings](const core::Job& job) {
    ++encodings;
    return EncodedJob{job.name, "\"" + std::to_string(job.version) + "\""};
  };

  const auto first = cache.Find(1);
  const auto second = cache.Find(1);
  const EncodedJob& once = first->Encoded(encode);
  const EncodedJob& again = second->Encoded(encode);

  EXPECT_EQ(first, second);
  EXPECT_EQ(&once, &again);
  EXPECT_EQ(once.body, "v1");
  EXPECT_EQ(encodings, 1);
}

// Readers on several threads that meet a snapshot before its form is kept all get one form, the
// same bytes at the same address, however many of them encoded it meanwhile (TSan checks the
// publication).
TEST(JobCache, ReadersMeetingANewSnapshotTogetherAllGetTheOneFormItKeeps) {
  constexpr int kReaders = 8;
  const auto snapshot = Version(1, 3);
  std::atomic<int> encodings = 0;
  const auto encode = [&encodings](const core::Job& job) {
    encodings.fetch_add(1);
    return EncodedJob{job.name + " at " + std::to_string(job.version), "\"3\""};
  };
  std::atomic<int> ready = 0;
  std::vector<const EncodedJob*> seen(kReaders, nullptr);
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kReaders) std::this_thread::yield();
      seen[static_cast<std::size_t>(i)] = &snapshot->Encoded(encode);
    });
  }
  for (std::thread& reader : readers) reader.join();

  for (const EncodedJob* form : seen) EXPECT_EQ(form, seen.front());
  EXPECT_EQ(seen.front()->body, "v3 at 3");
  EXPECT_GE(encodings.load(), 1);
  EXPECT_LE(encodings.load(), kReaders);
  EXPECT_EQ(&snapshot->Encoded(encode), seen.front());  // kept: no encoding after it
}

// A changed job is a new snapshot with a form of its own: the old one's bytes cannot be served
// for it.
TEST(JobCache, AJobKeptAgainAfterAnInvalidationIsEncodedAfresh) {
  JobCache cache;
  cache.Keep(Version(1, 1), cache.Ticket());
  const auto encode = [](const core::Job& job) { return EncodedJob{job.name, ""}; };
  EXPECT_EQ(cache.Find(1)->Encoded(encode).body, "v1");

  cache.Invalidate(1);
  cache.Keep(Version(1, 2), cache.Ticket());

  EXPECT_EQ(cache.Find(1)->Encoded(encode).body, "v2");
}

}  // namespace
}  // namespace jobsched::store
