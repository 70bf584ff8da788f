#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "store/api_key_store.hpp"

namespace jobsched::testing {

// An ApiKeyStore in memory, answering at once on the caller's thread. Set
// `unavailable` to make every read fail as a database that went away.
class FakeApiKeyStore final : public store::ApiKeyStore {
 public:
  // Audits nothing: the audit log is the real stores' (their contract tests).
  void CreateApiKey(core::ApiKey key, std::function<void(core::Result<core::ApiKey>)> done,
                    store::Audit /*audit*/ = std::nullopt) override {
    std::unique_lock lock(mutex_);
    for (const core::ApiKey& existing : keys_) {
      if (existing.name == key.name || existing.token_hash == key.token_hash) {
        lock.unlock();
        return done(core::Error::Conflict("an API key named '" + key.name + "' exists already"));
      }
    }
    key.id = static_cast<std::int64_t>(keys_.size()) + 1;
    keys_.push_back(key);
    required_ = true;
    lock.unlock();
    done(key);
  }

  void RevokeApiKey(std::string name, core::TimePoint now, std::function<void(core::Result<core::ApiKey>)> done,
                    store::Audit /*audit*/ = std::nullopt) override {
    std::unique_lock lock(mutex_);
    for (core::ApiKey& key : keys_) {
      if (key.name != name) continue;
      if (!key.revoked_at) key.revoked_at = now;
      core::ApiKey revoked = key;
      lock.unlock();
      return done(revoked);
    }
    lock.unlock();
    done(core::Error::NotFound("no API key is named '" + name + "'"));
  }

  core::Result<std::vector<core::ApiKey>> ListApiKeys() override {
    std::lock_guard lock(mutex_);
    if (unavailable) return core::Error::Unavailable("database unavailable");
    return keys_;
  }

  core::Result<std::vector<core::ApiKey>> ActiveApiKeys() override {
    std::lock_guard lock(mutex_);
    if (unavailable) return core::Error::Unavailable("database unavailable");
    std::vector<core::ApiKey> active;
    for (const core::ApiKey& key : keys_) {
      if (!key.revoked_at) active.push_back(key);
    }
    return active;
  }

  core::Result<bool> AuthenticationRequired() override {
    std::lock_guard lock(mutex_);
    if (unavailable) return core::Error::Unavailable("database unavailable");
    return required_;
  }

  void DisableAuthentication(std::function<void(core::Result<bool>)> done) override {
    std::unique_lock lock(mutex_);
    std::vector<std::string> active;
    for (const core::ApiKey& key : keys_) {
      if (!key.revoked_at) active.push_back(key.name);
    }
    const bool was = required_;
    if (active.empty()) required_ = false;
    lock.unlock();
    if (!active.empty()) return done(store::KeysStillActive(active));
    done(was);
  }

  // Stores a row as a broken database might hold it, bypassing every check.
  void InsertRawForTest(core::ApiKey key) {
    std::lock_guard lock(mutex_);
    keys_.push_back(std::move(key));
  }

  bool unavailable = false;  // set before reads, from the test's thread

 private:
  std::mutex mutex_;
  std::vector<core::ApiKey> keys_;  // guarded by mutex_
  bool required_ = false;           // guarded by mutex_
};

}  // namespace jobsched::testing
