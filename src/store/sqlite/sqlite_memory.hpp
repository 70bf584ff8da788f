#pragma once

#include <cstddef>

struct sqlite3_mem_methods;

namespace jobsched::store::sqlite {

// Whether this build runs under AddressSanitizer (GCC says so with a macro,
// clang with __has_feature).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

// SQLite's allocator (SQLITE_CONFIG_MALLOC): malloc, with freed blocks of up
// to 4 KiB kept per thread for the next allocation of their size class.
//
// Why: SQLite allocates and frees in bursts of one size. A savepoint keeps
// the pages a write changes in an in-memory journal of 1 KiB chunks (about a
// hundred per create), all freed at its RELEASE; glibc's per-thread cache
// holds 7 blocks per size, so the rest went through its slower bins, and
// malloc and free were a third of the writer thread's time under POST /jobs
// (bench/README.md, "POST /jobs after the features"). A thread keeps at most
// kCachedPerClass blocks of each class, and at most kCachedBytesPerClass
// bytes of it (about half a MiB in all, and only on a thread that used that
// much); the rest is freed at once, and all of it when the thread ends.
struct SqliteMemory {
  static constexpr std::size_t kLargestCached = 4096;
  static constexpr std::size_t kCachedPerClass = 128;
  static constexpr std::size_t kCachedBytesPerClass = 128 * 1024;

  // What SQLite's xMalloc, xFree, xRealloc, xSize and xRoundup do.
  static void* Malloc(int bytes);
  static void Free(void* block);
  static void* Realloc(void* block, int bytes);
  static int Size(void* block);
  static int Roundup(int bytes);
  // Blocks this thread keeps for reuse, and giving them back to malloc (tests).
  static std::size_t CachedOnThisThread();
  static void TrimThisThread();

  // The methods to hand sqlite3_config(SQLITE_CONFIG_MALLOC, ...).
  static const sqlite3_mem_methods& Methods();
};

}  // namespace jobsched::store::sqlite
