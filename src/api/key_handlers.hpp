#pragma once

#include <string>
#include "api/router.hpp"

#include "core/api_key.hpp"
#include "core/clock.hpp"
#include "store/api_key_store.hpp"

namespace jobsched::api {

// API keys over HTTP, for admin keys (the console's Admin page; AccessControl
// refuses the others):
//   GET /keys            every key, revoked ones too, by name; never a token or its hash
//   POST /keys           {"name", "role", "namespace", "expires_in", "rate_limit"}
//                        -> 201 the key and its "token", shown this once
//   DELETE /keys/{name}  revokes it -> 200 the revoked key
// Keys are checked as `jobsched keys create` checks them (api::PrepareKey). A
// key made or revoked here counts at every node's next key refresh. `store`
// and `clock` must outlive the router.
void RegisterKeyHandlers(Router& router, store::ApiKeyStore& store, const core::Clock& clock);

// A key's JSON as GET /keys shows it (never its token or hash); also its
// before/after in the audit log.
std::string EncodeKey(const core::ApiKey& key);

}  // namespace jobsched::api
