#pragma once

#include <condition_variable>
#include <mutex>

// Clang's thread-safety analysis (-Wthread-safety): shared state says which
// mutex guards it, and clang checks every access at compile time
// (scripts/check-tidy.sh compiles src/ with it and fails on a finding). Under
// g++ the annotations are empty. std::mutex carries no annotations in
// libstdc++, hence this small wrapper.
#if defined(__clang__)
#define JOBSCHED_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define JOBSCHED_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) JOBSCHED_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY JOBSCHED_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) JOBSCHED_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) JOBSCHED_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) JOBSCHED_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) JOBSCHED_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) JOBSCHED_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) JOBSCHED_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) JOBSCHED_THREAD_ANNOTATION(assert_capability(x))
#define NO_THREAD_SAFETY_ANALYSIS JOBSCHED_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace jobsched::core {

// A std::mutex that clang's analysis knows as a capability.
class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mutex_.lock(); }
  void Unlock() RELEASE() { mutex_.unlock(); }
  // Tells the analysis the calling thread holds this mutex, where it cannot
  // see it: inside a condition variable's predicate, which runs under the lock.
  void AssertHeld() const ASSERT_CAPABILITY(this) {}

  // For MutexLock and condition variables only.
  std::mutex& native() { return mutex_; }

 private:
  std::mutex mutex_;
};

// Holds `mutex` from construction to destruction, like std::unique_lock; it
// may be released and taken again in between (around a blocking call), and
// condition variables wait on it.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : lock_(mutex.native()) {}
  ~MutexLock() RELEASE() = default;
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() RELEASE() { lock_.unlock(); }
  void Lock() ACQUIRE() { lock_.lock(); }

  // What std::condition_variable waits on (it unlocks and relocks it).
  std::unique_lock<std::mutex>& native() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace jobsched::core
