#include "store/sqlite/sqlite_memory.hpp"

#include <cstring>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sqlite3.h>

#include "store/sqlite/sqlite_connection.hpp"

namespace jobsched::store::sqlite {
namespace {

TEST(SqliteMemory, ABlockHoldsWhatWasAskedAndSaysSo) {
  for (const int bytes : {1, 31, 32, 33, 1000, 1024, 1025, 4096, 4097, 100000}) {
    void* block = SqliteMemory::Malloc(bytes);
    ASSERT_NE(block, nullptr);
    EXPECT_GE(SqliteMemory::Size(block), bytes);
    EXPECT_EQ(SqliteMemory::Size(block), SqliteMemory::Roundup(bytes));
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block) % 16, 0U);
    std::memset(block, 0xab, static_cast<std::size_t>(SqliteMemory::Size(block)));
    SqliteMemory::Free(block);
  }
  SqliteMemory::Free(nullptr);
  EXPECT_EQ(SqliteMemory::Size(nullptr), 0);
}

TEST(SqliteMemory, ABurstOfFreedBlocksIsReusedUpToTheCap) {
  SqliteMemory::TrimThisThread();
  // A savepoint's journal: about a hundred 1 KiB chunks, freed together.
  std::vector<void*> chunks;
  for (int i = 0; i < 100; ++i) chunks.push_back(SqliteMemory::Malloc(1024));
  for (void* chunk : chunks) SqliteMemory::Free(chunk);
  EXPECT_EQ(SqliteMemory::CachedOnThisThread(), 100U);

  std::vector<void*> again;
  for (int i = 0; i < 100; ++i) again.push_back(SqliteMemory::Malloc(1000));
  EXPECT_EQ(SqliteMemory::CachedOnThisThread(), 0U);
  // The same blocks, newest freed first.
  EXPECT_EQ(again.front(), chunks.back());
  for (void* chunk : again) SqliteMemory::Free(chunk);

  std::vector<void*> many;
  for (std::size_t i = 0; i < SqliteMemory::kCachedPerClass + 50; ++i) many.push_back(SqliteMemory::Malloc(1024));
  for (void* chunk : many) SqliteMemory::Free(chunk);
  EXPECT_EQ(SqliteMemory::CachedOnThisThread(), SqliteMemory::kCachedPerClass);
  SqliteMemory::TrimThisThread();

  // Larger blocks: fewer of them, by bytes.
  std::vector<void*> pages;
  for (int i = 0; i < 100; ++i) pages.push_back(SqliteMemory::Malloc(4000));
  for (void* page : pages) SqliteMemory::Free(page);
  EXPECT_EQ(SqliteMemory::CachedOnThisThread(), SqliteMemory::kCachedBytesPerClass / 4096);
  SqliteMemory::TrimThisThread();
}

TEST(SqliteMemory, ReallocKeepsTheContentsAcrossSizes) {
  auto* block = static_cast<unsigned char*>(SqliteMemory::Malloc(20));
  for (int i = 0; i < 20; ++i) block[i] = static_cast<unsigned char>(i);
  EXPECT_EQ(SqliteMemory::Realloc(block, 30), block);  // fits its 32 bytes
  for (const int bytes : {100, 3000, 5000, 70000}) {
    block = static_cast<unsigned char*>(SqliteMemory::Realloc(block, bytes));
    ASSERT_NE(block, nullptr);
    EXPECT_GE(SqliteMemory::Size(block), bytes);
    for (int i = 0; i < 20; ++i) ASSERT_EQ(block[i], i) << "at " << bytes << " bytes";
  }
  SqliteMemory::Free(block);
  void* fresh = SqliteMemory::Realloc(nullptr, 64);
  EXPECT_EQ(SqliteMemory::Size(fresh), 64);
  SqliteMemory::Free(fresh);
}

TEST(SqliteMemory, BlocksFreedOnAnotherThreadAreKeptThereAndFreedWhenItEnds) {
  std::vector<void*> blocks;
  for (int i = 0; i < 50; ++i) blocks.push_back(SqliteMemory::Malloc(512));
  std::size_t kept_there = 0;
  std::thread other([&] {
    for (void* block : blocks) SqliteMemory::Free(block);
    kept_there = SqliteMemory::CachedOnThisThread();
  });
  other.join();  // its cache is freed as it ends (LeakSanitizer would see a leak)
  EXPECT_EQ(kept_there, 50U);
}

TEST(SqliteMemory, IsSqlitesAllocatorOutsideAddressSanitizer) {
  if (kAddressSanitizer) GTEST_SKIP() << "SQLite keeps its own allocator under AddressSanitizer";
  ConfigureSqliteLibrary();
  void* block = sqlite3_malloc(1000);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(sqlite3_msize(block), 1024U);  // SqliteMemory's size class
  sqlite3_free(block);
}

}  // namespace
}  // namespace jobsched::store::sqlite
