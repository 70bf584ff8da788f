#include "store/sqlite/sqlite_memory.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace jobsched::store::sqlite {
namespace {

// Each block starts with its capacity; 16 bytes keep malloc's alignment.
constexpr std::size_t kHeader = 16;
constexpr std::size_t kSmallestClass = 32;
constexpr int kClasses = 8;  // 32, 64, ... 4096 bytes
static_assert(kSmallestClass << (kClasses - 1) == SqliteMemory::kLargestCached);

int ClassOf(std::size_t bytes) {
  int index = 0;
  while ((kSmallestClass << index) < bytes) ++index;
  return index;
}

std::size_t CapacityFor(std::size_t bytes) {
  if (bytes <= SqliteMemory::kLargestCached) return kSmallestClass << ClassOf(bytes);
  return (bytes + 7) & ~std::size_t{7};
}

std::size_t& CapacityOf(void* block) { return *reinterpret_cast<std::size_t*>(static_cast<char*>(block) - kHeader); }

struct FreeBlock {
  FreeBlock* next;
};

// One thread's kept blocks, a list per size class.
struct Cache {
  FreeBlock* heads[kClasses] = {};
  std::size_t counts[kClasses] = {};
  ~Cache();
  void Trim();
};

// Whether this thread's cache may be used: SQLite may still free memory on
// a thread after its cache was destroyed (thread-local destructors run in
// no fixed order); that memory then goes straight back to malloc.
enum class CacheState : unsigned char { kUnused, kAlive, kGone };
thread_local CacheState t_state = CacheState::kUnused;
thread_local Cache t_cache;

Cache::~Cache() {
  t_state = CacheState::kGone;
  Trim();
}

void Cache::Trim() {
  for (int index = 0; index < kClasses; ++index) {
    while (heads[index] != nullptr) {
      FreeBlock* next = heads[index]->next;
      std::free(reinterpret_cast<char*>(heads[index]) - kHeader);
      heads[index] = next;
    }
    counts[index] = 0;
  }
}

Cache* ThisThreadCache() {
  if (t_state == CacheState::kGone) return nullptr;
  t_state = CacheState::kAlive;
  return &t_cache;
}

void* NewBlock(std::size_t capacity) {
  void* raw = std::malloc(kHeader + capacity);
  if (raw == nullptr) return nullptr;
  void* block = static_cast<char*>(raw) + kHeader;
  CapacityOf(block) = capacity;
  return block;
}

int InitMemory(void* /*unused*/) { return SQLITE_OK; }
void ShutdownMemory(void* /*unused*/) {}

}  // namespace

void* SqliteMemory::Malloc(int bytes) {
  const std::size_t wanted = bytes > 0 ? static_cast<std::size_t>(bytes) : 1;
  const std::size_t capacity = CapacityFor(wanted);
  if (capacity <= kLargestCached) {
    if (Cache* cache = ThisThreadCache(); cache != nullptr) {
      const int index = ClassOf(capacity);
      if (FreeBlock* block = cache->heads[index]; block != nullptr) {
        cache->heads[index] = block->next;
        --cache->counts[index];
        return block;
      }
    }
  }
  return NewBlock(capacity);
}

void SqliteMemory::Free(void* block) {
  if (block == nullptr) return;
  const std::size_t capacity = CapacityOf(block);
  if (capacity <= kLargestCached) {
    if (Cache* cache = ThisThreadCache(); cache != nullptr) {
      const int index = ClassOf(capacity);
      if (cache->counts[index] < kCachedPerClass && (cache->counts[index] + 1) * capacity <= kCachedBytesPerClass) {
        auto* kept = static_cast<FreeBlock*>(block);
        kept->next = cache->heads[index];
        cache->heads[index] = kept;
        ++cache->counts[index];
        return;
      }
    }
  }
  std::free(static_cast<char*>(block) - kHeader);
}

void* SqliteMemory::Realloc(void* block, int bytes) {
  if (block == nullptr) return Malloc(bytes);
  const std::size_t capacity = CapacityOf(block);
  const std::size_t wanted = bytes > 0 ? static_cast<std::size_t>(bytes) : 1;
  if (wanted <= capacity) return block;
  const std::size_t grown = CapacityFor(wanted);
  if (capacity > kLargestCached) {
    // Never cached: let malloc grow it in place where it can.
    void* raw = std::realloc(static_cast<char*>(block) - kHeader, kHeader + grown);
    if (raw == nullptr) return nullptr;
    void* moved = static_cast<char*>(raw) + kHeader;
    CapacityOf(moved) = grown;
    return moved;
  }
  void* moved = Malloc(bytes);
  if (moved == nullptr) return nullptr;  // SQLite keeps the old block, as with realloc
  std::memcpy(moved, block, capacity);
  Free(block);
  return moved;
}

int SqliteMemory::Size(void* block) { return block == nullptr ? 0 : static_cast<int>(CapacityOf(block)); }

int SqliteMemory::Roundup(int bytes) {
  return static_cast<int>(CapacityFor(bytes > 0 ? static_cast<std::size_t>(bytes) : 1));
}

std::size_t SqliteMemory::CachedOnThisThread() {
  Cache* cache = ThisThreadCache();
  std::size_t total = 0;
  if (cache != nullptr)
    for (const std::size_t count : cache->counts) total += count;
  return total;
}

void SqliteMemory::TrimThisThread() {
  if (Cache* cache = ThisThreadCache(); cache != nullptr) cache->Trim();
}

const sqlite3_mem_methods& SqliteMemory::Methods() {
  static const sqlite3_mem_methods methods = {
      &SqliteMemory::Malloc,  &SqliteMemory::Free, &SqliteMemory::Realloc, &SqliteMemory::Size,
      &SqliteMemory::Roundup, &InitMemory,         &ShutdownMemory,        nullptr};
  return methods;
}

}  // namespace jobsched::store::sqlite
