// AccessControl for requests that come with the console's session cookie
// (docs/decisions/0008): authentication as the session's key, the CSRF
// token and Origin checks on changes, and sign-in's own rules. Keys and
// sessions live in a real SQLite file.
#include "api/access_control.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "api/api_token.hpp"
#include "api/session_secrets.hpp"
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/wait.hpp"
#include "testing/fake_clock.hpp"
#include "testing/temp_dir.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::api {
namespace {

using namespace std::chrono_literals;
using jobsched::testing::At;

const Router::Route kListJobs{"GET", "/jobs"};
const Router::Route kCreateJob{"POST", "/jobs"};
const Router::Route kPauseJob{"POST", "/jobs/{id}/pause"};
const Router::Route kDeleteJob{"DELETE", "/jobs/{id}"};
const Router::Route kSignIn{"POST", "/sessions"};
const Router::Route kSignOut{"DELETE", "/session"};
const Router::Route kListKeys{"GET", "/keys"};
constexpr std::string_view kHost = "jobsched.test:8000";
constexpr std::string_view kOrigin = "http://jobsched.test:8000";

std::string Token(char seed) { return "jsk_" + std::string(43, seed); }

class AccessControlSessionTest : public ::testing::Test {
 protected:
  AccessControlSessionTest() {
    auto store = store::sqlite::SqliteJobStore::Open({.path = dir_.File("jobs.db")});
    EXPECT_TRUE(store.ok());
    store_ = std::move(store).value();
    keys_ = std::make_unique<ApiKeyCache>(*store_);
    sessions_ = std::make_unique<SessionManager>(*store_, clock_);
  }

  void AddKey(const std::string& name, core::Role role, char seed, std::string namespace_name = "default",
              std::optional<core::TimePoint> expires_at = std::nullopt) {
    core::ApiKey key;
    key.name = name;
    key.role = role;
    key.namespace_name = std::move(namespace_name);
    key.token_hash = HashToken(Token(seed));
    key.created_at = clock_.Now();
    key.expires_at = expires_at;
    ASSERT_TRUE(store::CreateApiKeyAndWait(*store_, key).ok());
    ASSERT_TRUE(keys_->Refresh().ok());
  }

  // A session of key `name`: its id (the cookie's value).
  std::string SignIn(const std::string& name) {
    auto created = store::Wait<CreatedSession>([&](auto done) { sessions_->Create(name, std::move(done)); });
    EXPECT_TRUE(created.ok());
    return created.ok() ? created->id : std::string();
  }

  AccessControl Control(AccessOptions options = {}) {
    options.keys = keys_.get();
    options.sessions = sessions_.get();
    return AccessControl(std::move(options), clock_);
  }

  // A request as the console sends it: from its own origin, with the cookie
  // and, when given, the CSRF token.
  static HttpRequest Browser(const Router::Route& route, const std::string& session_id, std::string csrf = {},
                             std::string_view origin = kOrigin) {
    HttpRequest request;
    request.method = route.method;
    request.path = route.pattern;
    request.target = route.pattern;
    request.remote_address = "192.0.2.1";
    request.headers.emplace_back("Host", std::string(kHost));
    if (!origin.empty()) request.headers.emplace_back("Origin", std::string(origin));
    request.headers.emplace_back("Cookie", "theme=dark; jobsched_session=" + session_id);
    if (!csrf.empty()) request.headers.emplace_back("X-CSRF-Token", std::move(csrf));
    return request;
  }

  static std::string Field(const HttpResponse& response) {
    const std::size_t at = response.body.find("\"field\":\"");
    if (at == std::string::npos) return {};
    const std::size_t start = at + 9;
    return response.body.substr(start, response.body.find('"', start) - start);
  }

  jobsched::testing::TempDir dir_;
  jobsched::testing::FakeClock clock_{At("2026-11-27T10:00:00Z")};
  std::unique_ptr<store::sqlite::SqliteJobStore> store_;
  std::unique_ptr<ApiKeyCache> keys_;
  std::unique_ptr<SessionManager> sessions_;
};

TEST_F(AccessControlSessionTest, TheCookieAuthenticatesAsTheSessionsKey) {
  AddKey("console", core::Role::kWrite, 'w', "team-a", At("2026-11-27T15:00:00Z"));
  const std::string id = SignIn("console");
  AccessControl control = Control();
  HttpRequest request = Browser(kListJobs, id);

  const auto verdict = control.Check(request, &kListJobs);

  EXPECT_FALSE(verdict.refusal.has_value());
  EXPECT_EQ(request.caller.key_name, "console");
  EXPECT_EQ(request.caller.role, core::Role::kWrite);
  EXPECT_EQ(request.caller.home_namespace, "team-a");
  EXPECT_FALSE(request.caller.all_namespaces);
  ASSERT_TRUE(request.caller.session.has_value());
  EXPECT_EQ(request.caller.session->id_hash, HashToken(id));
  EXPECT_EQ(request.caller.session->csrf_token, CsrfTokenFor(id));
  // The key expires before the session's idle expiry: the session ends with it.
  EXPECT_EQ(request.caller.session->expires_at, At("2026-11-27T15:00:00Z"));
}

TEST_F(AccessControlSessionTest, TheSessionsKeyIsChargedNotTheAddress) {
  AddKey("console", core::Role::kRead, 'r');
  const std::string id = SignIn("console");
  AccessOptions options;
  options.rate_limit.default_limit = 1;
  AccessControl control = Control(options);
  HttpRequest anonymous = Browser(kListJobs, std::string(43, 'Q'));  // no such session: the address pays
  ASSERT_EQ(control.Check(anonymous, &kListJobs).refusal->status, 401);
  HttpRequest request = Browser(kListJobs, id);

  const auto verdict = control.Check(request, &kListJobs);

  EXPECT_FALSE(verdict.refusal.has_value()) << "the address's bucket is empty, the key's is not";
}

TEST_F(AccessControlSessionTest, AChangeWithTheCookieNeedsTheSessionsCsrfToken) {
  AddKey("console", core::Role::kWrite, 'w');
  const std::string id = SignIn("console");
  const std::string other = SignIn("console");
  AccessControl control = Control();
  HttpRequest without = Browser(kCreateJob, id);
  HttpRequest wrong = Browser(kCreateJob, id, CsrfTokenFor(other));
  HttpRequest right = Browser(kCreateJob, id, CsrfTokenFor(id));

  const auto refused = control.Check(without, &kCreateJob);
  const auto mismatched = control.Check(wrong, &kCreateJob);
  const auto allowed = control.Check(right, &kCreateJob);

  ASSERT_TRUE(refused.refusal.has_value());
  EXPECT_EQ(refused.refusal->status, 403);
  EXPECT_EQ(Field(*refused.refusal), "X-CSRF-Token");
  EXPECT_NE(refused.refusal->body.find("X-CSRF-Token header"), std::string::npos) << refused.refusal->body;
  EXPECT_TRUE(without.caller.key_name.empty());
  ASSERT_TRUE(mismatched.refusal.has_value());
  EXPECT_EQ(mismatched.refusal->status, 403);
  EXPECT_EQ(Field(*mismatched.refusal), "X-CSRF-Token");
  EXPECT_FALSE(allowed.refusal.has_value());
  EXPECT_EQ(right.caller.key_name, "console");
}

TEST_F(AccessControlSessionTest, EveryMethodButGetAndHeadIsAChange) {
  AddKey("console", core::Role::kAdmin, 'x');
  const std::string id = SignIn("console");
  AccessControl control = Control();

  for (const Router::Route* route : {&kCreateJob, &kPauseJob, &kDeleteJob, &kSignOut}) {
    HttpRequest request = Browser(*route, id);
    const auto verdict = control.Check(request, route);
    ASSERT_TRUE(verdict.refusal.has_value()) << route->method << " " << route->pattern;
    EXPECT_EQ(verdict.refusal->status, 403) << route->method << " " << route->pattern;
  }
  HttpRequest head = Browser(Router::Route{"HEAD", "/jobs"}, id);
  EXPECT_FALSE(control.Check(head, &kListJobs).refusal.has_value());
}

// A form another site posts: the browser sends its Origin (and, were
// SameSite not Strict, the cookie), but never the token.
TEST_F(AccessControlSessionTest, AChangeFromAnotherOriginIsRefusedEvenWithTheToken) {
  AddKey("console", core::Role::kAdmin, 'x');
  const std::string id = SignIn("console");
  AccessControl control = Control();

  for (const std::string_view origin :
       {"http://evil.example", "https://jobsched.test:8000", "http://jobsched.test:8001", "null"}) {
    HttpRequest request = Browser(kCreateJob, id, CsrfTokenFor(id), origin);
    const auto verdict = control.Check(request, &kCreateJob);

    ASSERT_TRUE(verdict.refusal.has_value()) << origin;
    EXPECT_EQ(verdict.refusal->status, 403) << origin;
    EXPECT_EQ(Field(*verdict.refusal), "Origin") << origin;
    EXPECT_NE(verdict.refusal->body.find("http://jobsched.test:8000"), std::string::npos) << verdict.refusal->body;
  }
}

TEST_F(AccessControlSessionTest, WithoutAnOriginTheTokenSuffices) {
  AddKey("console", core::Role::kWrite, 'w');
  const std::string id = SignIn("console");
  AccessControl control = Control();
  HttpRequest request = Browser(kCreateJob, id, CsrfTokenFor(id), "");

  EXPECT_FALSE(control.Check(request, &kCreateJob).refusal.has_value());
}

TEST_F(AccessControlSessionTest, BehindATrustedTlsProxyTheOriginIsHttps) {
  AddKey("console", core::Role::kWrite, 'w');
  const std::string id = SignIn("console");
  AccessOptions options;
  options.trusted_proxies = *TrustedProxies::Parse("192.0.2.1");
  AccessControl control = Control(options);
  HttpRequest https = Browser(kCreateJob, id, CsrfTokenFor(id), "https://jobsched.test:8000");
  https.headers.emplace_back("X-Forwarded-Proto", "https");
  HttpRequest http = Browser(kCreateJob, id, CsrfTokenFor(id), "http://jobsched.test:8000");
  http.headers.emplace_back("X-Forwarded-Proto", "https");

  EXPECT_FALSE(control.Check(https, &kCreateJob).refusal.has_value());
  EXPECT_EQ(control.Check(http, &kCreateJob).refusal->status, 403);
}

TEST_F(AccessControlSessionTest, BearerTokensNeedNeitherTokenNorOrigin) {
  AddKey("ci", core::Role::kWrite, 'w');
  AccessControl control = Control();
  HttpRequest request;
  request.method = "POST";
  request.path = "/jobs";
  request.remote_address = "192.0.2.1";
  request.headers.emplace_back("Authorization", "Bearer " + Token('w'));
  request.headers.emplace_back("Origin", "http://evil.example");

  const auto verdict = control.Check(request, &kCreateJob);

  EXPECT_FALSE(verdict.refusal.has_value());
  EXPECT_FALSE(request.caller.session.has_value());
}

TEST_F(AccessControlSessionTest, AnAuthorizationHeaderIsUsedInsteadOfTheCookie) {
  AddKey("console", core::Role::kAdmin, 'x');
  const std::string id = SignIn("console");
  AccessControl control = Control();
  HttpRequest request = Browser(kListJobs, id);
  request.headers.emplace_back("Authorization", "Bearer " + Token('z'));

  const auto verdict = control.Check(request, &kListJobs);

  ASSERT_TRUE(verdict.refusal.has_value());
  EXPECT_EQ(verdict.refusal->status, 401);
}

TEST_F(AccessControlSessionTest, TheSessionsRoleIsItsKeys) {
  AddKey("viewer", core::Role::kRead, 'r');
  const std::string id = SignIn("viewer");
  AccessControl control = Control();
  HttpRequest write = Browser(kCreateJob, id, CsrfTokenFor(id));
  HttpRequest keys = Browser(kListKeys, id);

  const auto write_verdict = control.Check(write, &kCreateJob);
  const auto keys_verdict = control.Check(keys, &kListKeys);

  EXPECT_EQ(write_verdict.refusal->status, 403);
  EXPECT_NE(write_verdict.refusal->body.find("needs write"), std::string::npos);
  EXPECT_EQ(keys_verdict.refusal->status, 403);
  EXPECT_NE(keys_verdict.refusal->body.find("needs admin"), std::string::npos);
}

TEST_F(AccessControlSessionTest, RevokingTheKeyEndsItsSessionsAtTheNextKeyRefresh) {
  AddKey("console", core::Role::kWrite, 'w');
  const std::string id = SignIn("console");
  AccessControl control = Control();
  ASSERT_TRUE(store::RevokeApiKeyAndWait(*store_, "console", clock_.Now()).ok());
  HttpRequest before_refresh = Browser(kListJobs, id);
  EXPECT_FALSE(control.Check(before_refresh, &kListJobs).refusal.has_value());

  ASSERT_TRUE(keys_->Refresh().ok());
  HttpRequest after = Browser(kListJobs, id);
  const auto verdict = control.Check(after, &kListJobs);

  ASSERT_TRUE(verdict.refusal.has_value());
  EXPECT_EQ(verdict.refusal->status, 401);
  EXPECT_NE(verdict.refusal->body.find("'console' was revoked or has expired"), std::string::npos)
      << verdict.refusal->body;
  EXPECT_EQ(verdict.refusal->Header("WWW-Authenticate"), "Bearer realm=\"jobsched\"");
}

TEST_F(AccessControlSessionTest, AnExpiredKeyEndsItsSessionsAtItsInstant) {
  AddKey("temp", core::Role::kRead, 't', "default", At("2026-11-27T11:00:00Z"));
  const std::string id = SignIn("temp");
  AccessControl control = Control();
  clock_.Set(At("2026-11-27T11:00:00Z"));
  HttpRequest request = Browser(kListJobs, id);

  EXPECT_EQ(control.Check(request, &kListJobs).refusal->status, 401);
}

TEST_F(AccessControlSessionTest, AnEndedOrUnknownSessionIs401AndChargedToTheAddress) {
  AddKey("console", core::Role::kWrite, 'w');
  AccessOptions options;
  options.rate_limit.default_limit = 2;
  AccessControl control = Control(options);
  auto status = [&](const std::string& cookie) {
    HttpRequest request = Browser(kListJobs, cookie);
    return control.Check(request, &kListJobs).refusal->status;
  };

  EXPECT_EQ(status(std::string(43, 'Q')), 401);
  EXPECT_EQ(status("garbage"), 401);
  EXPECT_EQ(status(std::string(43, 'Q')), 429);
}

TEST_F(AccessControlSessionTest, UnusedSessionsEndAfterTheIdleTimeout) {
  AddKey("console", core::Role::kRead, 'r');
  const std::string id = SignIn("console");
  AccessControl control = Control();
  clock_.Advance(12h);
  HttpRequest request = Browser(kListJobs, id);

  const auto verdict = control.Check(request, &kListJobs);

  ASSERT_TRUE(verdict.refusal.has_value());
  EXPECT_EQ(verdict.refusal->status, 401);
  EXPECT_NE(verdict.refusal->body.find("session has ended"), std::string::npos) << verdict.refusal->body;
}

TEST_F(AccessControlSessionTest, WithoutAuthenticationTheCookieIsIgnored) {
  AccessControl control = Control();
  HttpRequest request = Browser(kCreateJob, std::string(43, 'Q'));

  const auto verdict = control.Check(request, &kCreateJob);

  EXPECT_FALSE(control.AuthenticationOn());
  EXPECT_FALSE(verdict.refusal.has_value());
  EXPECT_TRUE(request.caller.admin);
}

TEST_F(AccessControlSessionTest, SignInIsOpenButRefusesAnotherSitesOrigin) {
  AddKey("console", core::Role::kRead, 'r');
  AccessControl control = Control();
  HttpRequest own = Browser(kSignIn, "", "", kOrigin);
  HttpRequest no_origin = Browser(kSignIn, "", "", "");
  HttpRequest foreign = Browser(kSignIn, "", "", "http://evil.example");

  EXPECT_FALSE(control.Check(own, &kSignIn).refusal.has_value());
  EXPECT_FALSE(control.Check(no_origin, &kSignIn).refusal.has_value());
  const auto refused = control.Check(foreign, &kSignIn);
  ASSERT_TRUE(refused.refusal.has_value());
  EXPECT_EQ(refused.refusal->status, 403);
  EXPECT_EQ(Field(*refused.refusal), "Origin");
}

TEST_F(AccessControlSessionTest, SignInIsChargedToTheAddressSoKeysCannotBeGuessedFast) {
  AddKey("console", core::Role::kRead, 'r');
  AccessOptions options;
  options.rate_limit.default_limit = 2;
  AccessControl control = Control(options);
  auto refused = [&] {
    HttpRequest request = Browser(kSignIn, "", "", kOrigin);
    return control.Check(request, &kSignIn).refusal;
  };

  EXPECT_FALSE(refused().has_value());
  EXPECT_FALSE(refused().has_value());
  const auto third = refused();
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->status, 429);
}

}  // namespace
}  // namespace jobsched::api
