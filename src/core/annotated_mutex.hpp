#pragma once

#include <condition_variable>
#include <mutex>
#include <shared_mutex>

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
#define REQUIRES_SHARED(...) JOBSCHED_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) JOBSCHED_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) JOBSCHED_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) JOBSCHED_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) JOBSCHED_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) JOBSCHED_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
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

// A std::shared_mutex that clang's analysis knows as a capability: many
// readers (ReaderMutexLock) or one writer (WriterMutexLock).
class CAPABILITY("mutex") SharedMutex {
 public:
  void Lock() ACQUIRE() { mutex_.lock(); }
  void Unlock() RELEASE() { mutex_.unlock(); }
  void LockShared() ACQUIRE_SHARED() { mutex_.lock_shared(); }
  void UnlockShared() RELEASE_SHARED() { mutex_.unlock_shared(); }

 private:
  std::shared_mutex mutex_;
};

// Holds `mutex` shared from construction to destruction, like std::shared_lock.
class SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex& mutex) ACQUIRE_SHARED(mutex) : mutex_(mutex) { mutex_.LockShared(); }
  ~ReaderMutexLock() RELEASE_GENERIC() { mutex_.UnlockShared(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex& mutex_;
};

// Holds `mutex` exclusively from construction to destruction, like
// std::unique_lock of a std::shared_mutex.
class SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.Lock(); }
  ~WriterMutexLock() RELEASE() { mutex_.Unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex& mutex_;
};

}  // namespace jobsched::core
