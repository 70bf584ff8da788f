#include "store/sqlite/sqlite_wal.hpp"

namespace jobsched::store::sqlite {

void WalState::Committed(std::int64_t wal_frames) {
  // Fewer frames than after the last commit: the WAL started over, and this
  // commit's frames are all it holds.
  const std::int64_t added = wal_frames >= last_frames_ ? wal_frames - last_frames_ : wal_frames;
  last_frames_ = wal_frames;
  frames_written_.fetch_add(added, std::memory_order_relaxed);
  commits_.fetch_add(1, std::memory_order_relaxed);
  wal_frames_.store(wal_frames, std::memory_order_relaxed);
  if (wal_frames > largest_wal_frames_.load(std::memory_order_relaxed)) {
    largest_wal_frames_.store(wal_frames, std::memory_order_relaxed);
  }
}

void WalState::Checkpointed(bool restarted, std::chrono::microseconds took) {
  (restarted ? restarts_ : refusals_).fetch_add(1, std::memory_order_relaxed);
  if (took.count() > longest_restart_us_.load(std::memory_order_relaxed)) {
    longest_restart_us_.store(took.count(), std::memory_order_relaxed);
  }
}

WalStats WalState::Snapshot() const {
  WalStats stats;
  stats.frames_written = frames_written_.load(std::memory_order_relaxed);
  stats.bytes_written = stats.frames_written * frame_bytes_;
  stats.commits = commits_.load(std::memory_order_relaxed);
  stats.wal_bytes = BytesOf(wal_frames_.load(std::memory_order_relaxed));
  stats.largest_wal_bytes = BytesOf(largest_wal_frames_.load(std::memory_order_relaxed));
  stats.restarts = restarts_.load(std::memory_order_relaxed);
  stats.refusals = refusals_.load(std::memory_order_relaxed);
  stats.longest_restart = std::chrono::microseconds{longest_restart_us_.load(std::memory_order_relaxed)};
  return stats;
}

}  // namespace jobsched::store::sqlite
