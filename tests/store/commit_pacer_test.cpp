// CommitPacer: how SQLite's writer spaces its commits under load, on a clock
// the test moves by hand.
#include "store/sqlite/commit_pacer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace jobsched::store::sqlite {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using TimePoint = CommitPacer::Clock::time_point;

class CommitPacerTest : public ::testing::Test {
 protected:
  // Starts a commit as soon as the pacer allows; returns when that was.
  TimePoint Commit() {
    const TimePoint at = pacer_.NextCommitAt(now_);
    now_ = at;
    pacer_.Started(at);
    return at;
  }

  CommitPacer pacer_{milliseconds{10}, 3};
  TimePoint now_{std::chrono::hours{1}};
};

TEST_F(CommitPacerTest, AnIdleWriterCommitsAtOnce) { EXPECT_EQ(pacer_.NextCommitAt(now_), now_); }

// A burst of POST /jobs made the writer commit early (64 writes waiting)
// thousands of times in a row; each charged a full spacing, the bucket ran
// half a minute ahead of the clock, and every write after the burst (claims,
// the heartbeat, a single create) waited that long: SIGTERM then took over
// 10 s in bench/api.sh.
TEST_F(CommitPacerTest, CommitsThatWentEarlyDelayTheNextByAtMostOneSpacing) {
  for (int i = 0; i < 3000; ++i) {
    now_ += microseconds{500};  // far faster than one per spacing
    pacer_.Started(now_);
  }
  EXPECT_LE(pacer_.NextCommitAt(now_), now_ + milliseconds{10});
  now_ += milliseconds{10};
  EXPECT_EQ(pacer_.NextCommitAt(now_), now_);
}

TEST_F(CommitPacerTest, ABurstOfCommitsGoesAtOnce) {
  const TimePoint start = now_;

  EXPECT_EQ(Commit(), start);
  EXPECT_EQ(Commit(), start);
  EXPECT_EQ(Commit(), start);
}

TEST_F(CommitPacerTest, PastTheBurstCommitsAreSpacedBySpacing) {
  const TimePoint start = now_;
  for (int i = 0; i < 3; ++i) (void)Commit();

  EXPECT_EQ(Commit(), start + milliseconds{10});
  EXPECT_EQ(Commit(), start + milliseconds{20});
  EXPECT_EQ(Commit(), start + milliseconds{30});
}

TEST_F(CommitPacerTest, CommitsSlowerThanTheSpacingNeverWait) {
  for (int i = 0; i < 20; ++i) {
    now_ += milliseconds{11};
    EXPECT_EQ(pacer_.NextCommitAt(now_), now_);
    pacer_.Started(now_);
  }
}

TEST_F(CommitPacerTest, AQuietSpellRefillsTheBurst) {
  for (int i = 0; i < 6; ++i) (void)Commit();

  now_ += milliseconds{60};
  const TimePoint quiet_end = now_;

  EXPECT_EQ(Commit(), quiet_end);
  EXPECT_EQ(Commit(), quiet_end);
  EXPECT_EQ(Commit(), quiet_end);
  EXPECT_EQ(Commit(), quiet_end + milliseconds{10});
}

TEST_F(CommitPacerTest, ABacklogLetsCommitsGoAsTheyComeForAWhile) {
  for (int i = 0; i < 3; ++i) (void)Commit();

  pacer_.Backlog(now_);
  const TimePoint backlog = now_;
  int held = 0;
  for (int i = 0; i < 20; ++i) {
    now_ += milliseconds{1};
    if (Commit() != now_) ++held;
  }
  now_ = backlog + milliseconds{100};
  EXPECT_EQ(held, 0) << "twenty commits in 20 ms, none held";
  EXPECT_LE(pacer_.NextCommitAt(now_), now_ + milliseconds{10})
      << "the commits the backlog let through are owed for one spacing at most";

  const TimePoint first = Commit();
  bool held_again = false;
  for (int i = 0; i < 4; ++i) held_again = held_again || Commit() > first;
  EXPECT_TRUE(held_again) << "paced again once the backlog is over";
}

TEST(CommitPacer, ZeroSpacingNeverHoldsACommit) {
  CommitPacer pacer(microseconds{0}, 1);
  const TimePoint now{std::chrono::hours{1}};

  for (int i = 0; i < 5; ++i) pacer.Started(now);

  EXPECT_EQ(pacer.NextCommitAt(now), now);
}

}  // namespace
}  // namespace jobsched::store::sqlite
