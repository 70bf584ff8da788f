#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace jobsched::store::sqlite {

// When SQLite's writer resets the WAL, and how long such a reset may hold up
// writes (docs/decisions/0006). The checkpointer thread copies the WAL back
// into the database (PASSIVE) all the time, but a WAL only starts over from
// its beginning when a writer finds it fully copied and no reader still in
// it, which under constant reads and writes almost never happens by chance:
// the file then grows without end. So once a commit leaves the WAL larger
// than `restart_bytes`, the writer runs a RESTART checkpoint between two
// group commits, which copies the little the checkpointer has not and waits
// (at most `wait`) for the readers still in the WAL; the next commit then
// writes from the beginning of the file again.
//
// Pure: the writer passes the WAL's size and the time; tests use a fake clock.
// Used by the writer thread only.
struct WalLimits {
  // A commit that leaves more than this in the WAL asks for a restart. Under
  // SQLite's journal_size_limit (64 MiB), so a WAL never needs trimming.
  std::int64_t restart_bytes = std::int64_t{16} << 20;
  // How long a restart may wait for readers still in the WAL: writes queue
  // meanwhile, so this bounds the stall.
  std::chrono::milliseconds wait{20};
  // Past this, readers have kept the WAL from restarting several times (each
  // reader short, but always one in the WAL): a restart may wait
  // `urgent_wait`, a longer stall, so that every reader in the WAL finishes
  // (new readers read the database file once the WAL is copied) and the WAL
  // stays bounded.
  std::int64_t urgent_bytes = std::int64_t{96} << 20;
  std::chrono::milliseconds urgent_wait{200};
  // After readers kept a restart from finishing, the next try waits this long
  // (commits meanwhile do not ask), so a busy reader does not stall every
  // commit; doubled after each refusal in a row, up to `max_retry_after`: a
  // reader that stays for long (a backup's `VACUUM INTO`) costs a stall now
  // and then, not every few commits, while nothing can shrink the WAL anyway.
  std::chrono::milliseconds retry_after{100};
  std::chrono::milliseconds max_retry_after{2'000};
};

class WalPolicy {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit WalPolicy(WalLimits limits = {}) : limits_(limits) {}

  // After a commit left `wal_bytes` in the WAL, at `now`: how long the
  // writer's RESTART checkpoint may wait for readers, or nullopt when the
  // writer should not try one now.
  std::optional<std::chrono::milliseconds> RestartWait(std::int64_t wal_bytes, TimePoint now) const;

  // The outcome of the restart RestartWait asked for: done (the next commit
  // starts the WAL over), or refused because readers stayed in it (or another
  // checkpoint held its lock) past the wait.
  void Restarted();
  void Refused(TimePoint now);

  const WalLimits& limits() const { return limits_; }

 private:
  const WalLimits limits_;
  std::optional<TimePoint> retry_at_;      // set while backing off after a refusal
  std::chrono::milliseconds back_off_{0};  // the last back-off; zero after a restart
};

}  // namespace jobsched::store::sqlite
