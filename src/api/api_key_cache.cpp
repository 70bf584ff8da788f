#include "api/api_key_cache.hpp"

#include <cstring>

#include <spdlog/spdlog.h>

namespace jobsched::api {
namespace {

std::uint64_t Prefix(const TokenDigest& digest) {
  std::uint64_t prefix = 0;
  std::memcpy(&prefix, digest.data(), sizeof prefix);
  return prefix;
}

}  // namespace

ApiKeyCache::ApiKeyCache(store::ApiKeyStore& store) : store_(store), snapshot_(std::make_shared<const Snapshot>()) {}

ApiKeyCache::~ApiKeyCache() { Stop(); }

core::Result<void> ApiKeyCache::Refresh() {
  auto keys = store_.ActiveApiKeys();
  if (!keys) return keys.error();
  auto required = store_.AuthenticationRequired();
  if (!required) return required.error();
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->entries.reserve(keys->size());
  for (core::ApiKey& key : *keys) {
    const auto digest = ParseTokenHash(key.token_hash);
    if (!digest) {
      // A row nobody could authenticate with; the others still count.
      spdlog::warn("API key '{}' has a malformed token hash in the database; it is ignored", key.name);
      continue;
    }
    snapshot->by_prefix.emplace(Prefix(*digest), snapshot->entries.size());
    snapshot->entries.push_back(
        Entry{*digest, AuthenticatedKey{std::move(key.name), key.role, std::move(key.namespace_name), key.rate_limit,
                                        key.expires_at, key.id}});
  }
  // Names point into the entries, which no longer move.
  for (std::size_t i = 0; i < snapshot->entries.size(); ++i)
    snapshot->by_name.emplace(snapshot->entries[i].key.name, i);
  const std::size_t before = size();
  const std::size_t after = snapshot->entries.size();
  snapshot_.store(std::move(snapshot));
  required_.store(*required);
  if (before != after) spdlog::info("API keys: {} active", after);
  const bool locked_out = *required && after == 0;
  if (locked_out && !warned_without_keys_) {
    spdlog::warn(
        "authentication is required for this database (an API key existed) but no API key is active: every "
        "request but the open routes gets 401. Create one with `jobsched keys create --name NAME --role admin`, "
        "or, to serve without authentication on purpose, `jobsched keys disable-auth`");
  }
  warned_without_keys_ = locked_out;
  return core::Ok();
}

void ApiKeyCache::Start(std::chrono::milliseconds interval) {
  core::MutexLock lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, interval] { Loop(interval); });
}

void ApiKeyCache::Stop() {
  {
    core::MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ApiKeyCache::Loop(std::chrono::milliseconds interval) {
  core::MutexLock lock(mutex_);
  for (;;) {
    if (wake_.wait_for(lock.native(), interval, [this] {
          mutex_.AssertHeld();
          return stopping_;
        }))
      return;
    lock.Unlock();
    if (auto refreshed = Refresh(); !refreshed) {
      spdlog::warn("API keys: cannot refresh, keeping the {} read before: {}", size(), refreshed.error().message);
    }
    lock.Lock();
  }
}

std::optional<AuthenticatedKey> ApiKeyCache::Find(std::string_view token) const {
  if (!IsWellFormedToken(token)) return std::nullopt;
  const std::shared_ptr<const Snapshot> snapshot = snapshot_.load();
  if (snapshot->entries.empty()) return std::nullopt;
  const TokenDigest digest = DigestToken(token);
  const auto [first, last] = snapshot->by_prefix.equal_range(Prefix(digest));
  for (auto it = first; it != last; ++it) {
    const Entry& entry = snapshot->entries[it->second];
    if (DigestsEqual(entry.digest, digest)) return entry.key;
  }
  return std::nullopt;
}

std::optional<AuthenticatedKey> ApiKeyCache::FindByName(std::string_view name) const {
  const std::shared_ptr<const Snapshot> snapshot = snapshot_.load();
  const auto found = snapshot->by_name.find(name);
  if (found == snapshot->by_name.end()) return std::nullopt;
  return snapshot->entries[found->second].key;
}

std::size_t ApiKeyCache::size() const { return snapshot_.load()->entries.size(); }

}  // namespace jobsched::api
