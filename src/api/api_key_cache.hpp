#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/api_token.hpp"
#include "core/annotated_mutex.hpp"
#include "core/api_key.hpp"
#include "core/result.hpp"
#include "store/api_key_store.hpp"

namespace jobsched::api {

// What a request authenticated with a key may do, and whom to charge for it.
struct AuthenticatedKey {
  std::string name;
  core::Role role = core::Role::kRead;
  std::string namespace_name;
  std::optional<std::int64_t> rate_limit;  // nullopt: the service's default
  // After it the key authenticates nothing (AccessControl checks it against
  // its clock, so that expiry takes effect at once, not at the next refresh).
  std::optional<core::TimePoint> expires_at;
  std::int64_t id = 0;  // api_keys.id, for the audit log
};

// The active (unrevoked) API keys, held in memory so that authenticating a
// request costs one SHA-256 and a table lookup, never a database query.
// Refresh() replaces the whole set from the store; Start() does so every
// `interval` on a thread of its own, so a key created or revoked by
// `jobsched keys` (another process, perhaps on another node) takes effect
// within one interval. Find() may be called from any thread at any time.
class ApiKeyCache {
 public:
  // `store` must outlive the cache.
  explicit ApiKeyCache(store::ApiKeyStore& store);
  ApiKeyCache(const ApiKeyCache&) = delete;
  ApiKeyCache& operator=(const ApiKeyCache&) = delete;
  ~ApiKeyCache();

  // Reads the active keys and whether the database requires authentication
  // (ApiKeyStore::AuthenticationRequired). On failure (database unavailable,
  // a corrupt row) what was read last stays in force and the error is
  // returned. Logs a warning whenever it finds authentication required with
  // no active key (every request but the open routes then gets 401), and at
  // the first refresh that finds it so.
  core::Result<void> Refresh();

  // Refreshes every `interval` until Stop(); failures are logged.
  void Start(std::chrono::milliseconds interval) EXCLUDES(mutex_);
  void Stop() EXCLUDES(mutex_);

  // The active key whose token is `token`, or nullopt (a malformed token, an
  // unknown one, a revoked one). The stored hashes are compared in constant
  // time; the table is indexed by the first 8 bytes of the SHA-256, which
  // reveal nothing an attacker could use.
  std::optional<AuthenticatedKey> Find(std::string_view token) const;

  // The active key named `name`, or nullopt (unknown, or revoked at the last
  // refresh): what a console session, which names its key, authenticates as.
  std::optional<AuthenticatedKey> FindByName(std::string_view name) const;

  // How many active keys the last successful refresh found.
  std::size_t size() const;

  // Whether the database said authentication is required at the last
  // successful refresh: an API key was ever created for it.
  bool required() const { return required_.load(); }

 private:
  struct Entry {
    TokenDigest digest;
    AuthenticatedKey key;
  };
  struct Snapshot {
    std::vector<Entry> entries;
    std::unordered_multimap<std::uint64_t, std::size_t> by_prefix;  // digest prefix -> index in entries
    std::unordered_map<std::string_view, std::size_t> by_name;      // key name (in entries) -> index
  };

  void Loop(std::chrono::milliseconds interval) EXCLUDES(mutex_);

  store::ApiKeyStore& store_;
  // Replaced whole by Refresh, read by Find: readers never wait for a refresh.
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::atomic<bool> required_{false};
  // Whether the last refresh logged "required without keys"; only Refresh
  // touches it (the refresh thread, or the caller before Start()).
  bool warned_without_keys_ = false;
  core::Mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace jobsched::api
