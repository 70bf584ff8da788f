#pragma once

#include <chrono>

namespace jobsched::store::sqlite {

// Spaces SQLite's group commits under sustained load, so that each takes in
// more writes (docs/decisions/0006). A commit writes every page it changed to
// the WAL in full; the hot pages (the end of the runs table and of its
// queue indexes, the due-jobs index) are changed by nearly every write, so
// ten commits of one run each write them ten times where one commit of ten
// runs writes them once. Up to `burst` commits go at once, as they come;
// past that, one every `spacing`: a write waits at most `spacing` longer,
// and only while commits come faster than one per `spacing`.
//
// Not while there is a backlog: when a firing or a claim fills its batch
// (more is due or queued than it took), commits are big anyway, and a pause
// between them would only slow the backlog down (a claim waits for the
// finishes that free its slots, and each for its commit: 256 runs per two
// paced commits). The store then calls Backlog(), and for `backlog_for`
// commits go as they come.
//
// Pure (a token bucket on the times passed in); used by the writer thread only.
class CommitPacer {
 public:
  using Clock = std::chrono::steady_clock;

  // `spacing` zero: no pacing. `burst` at least 1.
  CommitPacer(std::chrono::microseconds spacing, int burst,
              std::chrono::microseconds backlog_for = std::chrono::milliseconds{100})
      : spacing_(spacing), burst_window_(spacing * (burst > 1 ? burst - 1 : 0)), backlog_for_(backlog_for) {}

  // The earliest time the next commit may start, given it is `now`.
  Clock::time_point NextCommitAt(Clock::time_point now) const {
    if (now < backlog_until_) return now;
    const Clock::time_point allowed = credit_until_ - burst_window_;
    return allowed > now ? allowed : now;
  }

  // A commit started at `now`. One that started before its time (the writer
  // goes early when enough writes wait: GroupCommitQueue's `enough`) owes no
  // more than a full bucket: otherwise a burst of early commits would run the
  // bucket seconds ahead of the clock, and the writes after it would wait
  // those seconds (a write must wait at most `spacing`).
  void Started(Clock::time_point now) {
    const Clock::time_point from = credit_until_ > now ? credit_until_ : now;
    const Clock::time_point cap = now + burst_window_ + spacing_;
    credit_until_ = from + spacing_ < cap ? from + spacing_ : cap;
  }

  // At `now`, a write found more work than its batch took.
  void Backlog(Clock::time_point now) { backlog_until_ = now + backlog_for_; }

 private:
  const std::chrono::microseconds spacing_;
  const std::chrono::microseconds burst_window_;
  const std::chrono::microseconds backlog_for_;
  // The bucket, as the time at which it would be full again (GCRA).
  Clock::time_point credit_until_{};
  Clock::time_point backlog_until_{};
};

}  // namespace jobsched::store::sqlite
