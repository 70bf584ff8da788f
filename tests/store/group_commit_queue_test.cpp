// GroupCommitQueue, the thread behind both databases' writers, with a
// stand-in connection: what the queue owes its callers does not depend on
// the database.
#include "store/group_commit_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <vector>

namespace jobsched::store {
namespace {

// What a "transaction" saw: the batches, in order.
struct Log {
  std::vector<std::size_t> batch_sizes;
  std::vector<std::string> applied;
};

using Queue = GroupCommitQueue<Log>;

core::Result<std::string> Await(std::future<core::Result<std::string>>& answer) { return answer.get(); }

std::future<core::Result<std::string>> SubmitNamed(Queue& queue, std::string name, bool fails = false) {
  auto answer = std::make_shared<std::promise<core::Result<std::string>>>();
  auto future = answer->get_future();
  queue.Submit<std::string>(
      [name, fails](Log& log) -> core::Result<std::string> {
        if (fails) return core::Error::Conflict(name + " refused");
        log.applied.push_back(name);
        return name;
      },
      [answer](core::Result<std::string> result) { answer->set_value(std::move(result)); });
  return future;
}

TEST(GroupCommitQueue, AnswersEachWriteWithItsOwnResultAfterItsBatch) {
  Log log;
  Queue queue(8, [&log](Queue::Batch& batch) {
    for (auto& write : batch) (void)write.apply(log);
    for (auto& write : batch) write.finish(nullptr);
  });
  auto first = SubmitNamed(queue, "a");
  auto refused = SubmitNamed(queue, "b", /*fails=*/true);
  auto third = SubmitNamed(queue, "c");

  EXPECT_EQ(*Await(first), "a");
  const auto refusal = Await(refused);
  ASSERT_FALSE(refusal.ok());
  EXPECT_EQ(refusal.error().message, "b refused");
  EXPECT_EQ(*Await(third), "c");
  EXPECT_EQ(log.applied, (std::vector<std::string>{"a", "c"}));
}

TEST(GroupCommitQueue, AWriteThatSucceededHearsTheCommitsError) {
  Log log;
  Queue queue(8, [&log](Queue::Batch& batch) {
    for (auto& write : batch) (void)write.apply(log);
    const core::Error lost = core::Error::Unavailable("commit failed");
    for (auto& write : batch) write.finish(&lost);
  });
  auto succeeded = SubmitNamed(queue, "a");
  auto refused = SubmitNamed(queue, "b", /*fails=*/true);

  const auto answer = Await(succeeded);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().message, "commit failed");
  // Its own failure explains more than the commit's.
  EXPECT_EQ(Await(refused).error().message, "b refused");
}

// A transaction that cannot even begin never runs its writes' apply: each
// still gets an answer (this once read an empty result in SqliteWriter).
TEST(GroupCommitQueue, AWriteThatNeverRanHearsWhyTheTransactionDidNotBegin) {
  Queue queue(8, [](Queue::Batch& batch) {
    const core::Error busy = core::Error::Unavailable("database is locked");
    for (auto& write : batch) write.finish(&busy);
  });
  auto answer = SubmitNamed(queue, "a");

  const auto result = Await(answer);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().message, "database is locked");
}

TEST(GroupCommitQueue, BatchesWhatQueuedUpWhileATransactionCommittedUpToTheLimit) {
  Log log;
  std::promise<void> first_batch_entered;
  std::promise<void> release_first_batch;
  auto release = release_first_batch.get_future().share();
  bool first = true;
  Queue queue(3, [&](Queue::Batch& batch) {
    log.batch_sizes.push_back(batch.size());
    if (first) {
      first = false;
      first_batch_entered.set_value();
      release.wait();  // the "commit" takes a while: the next writes queue up
    }
    for (auto& write : batch) (void)write.apply(log);
    for (auto& write : batch) write.finish(nullptr);
  });
  std::vector<std::future<core::Result<std::string>>> answers;
  answers.push_back(SubmitNamed(queue, "w0"));
  first_batch_entered.get_future().wait();
  for (int i = 1; i <= 7; ++i) answers.push_back(SubmitNamed(queue, "w" + std::to_string(i)));
  release_first_batch.set_value();
  for (auto& answer : answers) EXPECT_TRUE(Await(answer).ok());

  EXPECT_EQ(log.batch_sizes, (std::vector<std::size_t>{1, 3, 3, 1}));
  EXPECT_EQ(log.applied, (std::vector<std::string>{"w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7"}));
}

// A paced hold (SQLite's CommitPacer) ends as soon as enough writes wait: the
// hold here is an hour, so only the count can end it.
TEST(GroupCommitQueue, EnoughWaitingWritesEndAHoldEarly) {
  Log log;
  Queue queue(
      10,
      [&](Queue::Batch& batch) {
        log.batch_sizes.push_back(batch.size());
        for (auto& write : batch) (void)write.apply(log);
        for (auto& write : batch) write.finish(nullptr);
      },
      [] { return Queue::Clock::now() + std::chrono::hours(1); }, 3);
  auto first = SubmitNamed(queue, "w0");
  auto second = SubmitNamed(queue, "w1");

  // Two are not enough: still held.
  EXPECT_EQ(first.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  auto third = SubmitNamed(queue, "w2");

  EXPECT_TRUE(Await(third).ok());
  EXPECT_TRUE(Await(first).ok());
  EXPECT_TRUE(Await(second).ok());
  EXPECT_EQ(log.batch_sizes, (std::vector<std::size_t>{3}));
}

TEST(GroupCommitQueue, DestroyingItCommitsEverythingSubmittedFirst) {
  Log log;
  std::vector<std::future<core::Result<std::string>>> answers;
  {
    Queue queue(2, [&log](Queue::Batch& batch) {
      for (auto& write : batch) (void)write.apply(log);
      for (auto& write : batch) write.finish(nullptr);
    });
    for (int i = 0; i < 20; ++i) answers.push_back(SubmitNamed(queue, std::to_string(i)));
  }
  EXPECT_EQ(log.applied.size(), 20u);
  for (auto& answer : answers) {
    ASSERT_EQ(answer.wait_for(std::chrono::seconds(0)), std::future_status::ready);
    EXPECT_TRUE(answer.get().ok());
  }
}

}  // namespace
}  // namespace jobsched::store
