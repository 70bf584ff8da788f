#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace jobsched::store::sqlite {

// What the WAL went through since the store opened, as the writer counted it
// (every commit's frames, from SQLite's WAL hook) and its checkpoints.
struct WalStats {
  std::int64_t frames_written = 0;  // WAL frames appended by commits
  std::int64_t bytes_written = 0;   // the same in bytes (page and frame header)
  std::int64_t commits = 0;
  std::int64_t wal_bytes = 0;  // what the WAL holds after the last commit
  std::int64_t largest_wal_bytes = 0;
  std::int64_t restarts = 0;                     // RESTART checkpoints that let the WAL start over
  std::int64_t refusals = 0;                     // ones readers kept from finishing within their wait
  std::chrono::microseconds longest_restart{0};  // the longest time writes waited for one
};

// What the writer and the checkpointer thread share about one database's WAL.
// Counters are written by the writer thread and read by anyone.
class WalState {
 public:
  explicit WalState(std::int64_t page_size) : frame_bytes_(page_size + kFrameHeaderBytes) {}

  // One checkpoint at a time in this process. SQLite refuses a second one at
  // once (its checkpoint lock takes no busy handler), so the writer tries this
  // first and leaves its restart for a later commit while the checkpointer
  // copies; the checkpointer simply waits for it.
  std::mutex& checkpoint_mutex() { return checkpoint_mutex_; }

  std::int64_t BytesOf(std::int64_t frames) const { return frames == 0 ? 0 : kHeaderBytes + frames * frame_bytes_; }

  // Writer thread: a commit left `wal_frames` frames in the WAL.
  void Committed(std::int64_t wal_frames);
  // Writer thread: a RESTART checkpoint done (or refused) in `took`.
  void Checkpointed(bool restarted, std::chrono::microseconds took);

  WalStats Snapshot() const;

 private:
  static constexpr std::int64_t kHeaderBytes = 32;       // the WAL file's header
  static constexpr std::int64_t kFrameHeaderBytes = 24;  // before each page

  const std::int64_t frame_bytes_;
  std::mutex checkpoint_mutex_;
  std::int64_t last_frames_ = 0;  // writer thread only
  std::atomic<std::int64_t> frames_written_{0};
  std::atomic<std::int64_t> commits_{0};
  std::atomic<std::int64_t> wal_frames_{0};
  std::atomic<std::int64_t> largest_wal_frames_{0};
  std::atomic<std::int64_t> restarts_{0};
  std::atomic<std::int64_t> refusals_{0};
  std::atomic<std::int64_t> longest_restart_us_{0};
};

}  // namespace jobsched::store::sqlite
