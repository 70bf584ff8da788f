#pragma once

#include "api/access_control.hpp"
#include "api/api_key_cache.hpp"
#include "api/router.hpp"
#include "api/session_manager.hpp"
#include "core/clock.hpp"

namespace jobsched::api {

// The console's sign-in (docs/decisions/0008):
//   POST /sessions {"token": "jsk_..."}  exchanges an API key for a session:
//                                        201 Session + Set-Cookie; 401 for a
//                                        key that is unknown, revoked or expired
//   GET /session                         who the caller is (cookie, bearer
//                                        token, or no authentication at all)
//   DELETE /session                      signs out: 204 and a cookie that expires
// AccessControl has authenticated each request before (POST /sessions is
// open; the other two need a key or a session). `keys` may be null (no
// keys: every sign-in is refused). Everything must outlive the router.
void RegisterSessionHandlers(Router& router, SessionManager& sessions, const ApiKeyCache* keys,
                             const AccessControl& access, const core::Clock& clock);

}  // namespace jobsched::api
