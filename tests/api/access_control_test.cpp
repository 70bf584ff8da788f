#include "api/access_control.hpp"

#include <gtest/gtest.h>

#include <string>

#include "api/api_token.hpp"
#include "testing/fake_api_key_store.hpp"
#include "testing/fake_clock.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::api {
namespace {

using namespace std::chrono_literals;
using jobsched::testing::At;

const Router::Route kListJobs{"GET", "/jobs"};
const Router::Route kCreateJob{"POST", "/jobs"};
const Router::Route kHealth{"GET", "/healthz"};
const Router::Route kReady{"GET", "/readyz"};
const Router::Route kMetrics{"GET", "/metrics"};
const Router::Route kDocs{"GET", "/docs"};
const Router::Route kConsole{"GET", "/ui/jobs"};

// A token that IsWellFormedToken accepts, different for each `seed`.
std::string Token(char seed) { return "jsk_" + std::string(43, seed); }

HttpRequest Request(const Router::Route& route, std::string token = {}, std::string address = "192.0.2.1") {
  HttpRequest request;
  request.method = route.method;
  request.path = route.pattern;
  request.target = route.pattern;
  request.remote_address = std::move(address);
  if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
  return request;
}

class AccessControlTest : public ::testing::Test {
 protected:
  void AddKey(const std::string& name, core::Role role, char seed, std::string namespace_name = "default",
              std::optional<std::int64_t> rate_limit = std::nullopt,
              std::optional<core::TimePoint> expires_at = std::nullopt) {
    core::ApiKey key;
    key.name = name;
    key.role = role;
    key.namespace_name = std::move(namespace_name);
    key.token_hash = HashToken(Token(seed));
    key.rate_limit = rate_limit;
    key.created_at = clock_.Now();
    key.expires_at = expires_at;
    ASSERT_TRUE(store::CreateApiKeyAndWait(keys_store_, key).ok());
    ASSERT_TRUE(keys_.Refresh().ok());
  }

  AccessControl Control(AccessOptions options = {}) {
    options.keys = &keys_;
    return AccessControl(std::move(options), clock_);
  }

  static std::string HeaderOf(const AccessControl::Verdict& verdict, std::string_view name) {
    for (const auto& [header, value] : verdict.headers) {
      if (header == name) return value;
    }
    return {};
  }

  jobsched::testing::FakeClock clock_{At("2026-11-27T10:00:00Z")};
  jobsched::testing::FakeApiKeyStore keys_store_;
  ApiKeyCache keys_{keys_store_};
};

TEST_F(AccessControlTest, WithoutKeysEveryoneIsAnAnonymousCallerWithFullAccess) {
  AccessControl control = Control();
  HttpRequest request = Request(kCreateJob, "not a token at all");

  const auto verdict = control.Check(request, &kCreateJob);

  EXPECT_FALSE(control.AuthenticationOn());
  EXPECT_FALSE(verdict.refusal.has_value());
  EXPECT_TRUE(request.caller.key_name.empty());
  EXPECT_TRUE(request.caller.all_namespaces);
  EXPECT_EQ(request.caller.home_namespace, "default");
  EXPECT_EQ(HeaderOf(verdict, "RateLimit-Limit"), "6000");
}

TEST_F(AccessControlTest, RequiredKeysRefuseEveryoneWhileNoneExists) {
  AccessOptions options;
  options.require_keys = true;
  AccessControl control = Control(options);
  HttpRequest request = Request(kListJobs);

  const auto verdict = control.Check(request, &kListJobs);

  ASSERT_TRUE(verdict.refusal.has_value());
  EXPECT_EQ(verdict.refusal->status, 401);
  EXPECT_EQ(verdict.refusal->Header("WWW-Authenticate"), "Bearer realm=\"jobsched\"");
  EXPECT_EQ(verdict.refusal->Header("Content-Type"), "application/problem+json");
}

TEST_F(AccessControlTest, AKeyTurnsAuthenticationOnAndAMissingOneIsRefused) {
  AddKey("ci", core::Role::kWrite, 'a');
  AccessControl control = Control();
  HttpRequest request = Request(kListJobs);

  const auto verdict = control.Check(request, &kListJobs);

  EXPECT_TRUE(control.AuthenticationOn());
  ASSERT_TRUE(verdict.refusal.has_value());
  EXPECT_EQ(verdict.refusal->status, 401);
  EXPECT_NE(verdict.refusal->body.find("\"code\":\"unauthenticated\""), std::string::npos);
}

// Issue #14: revoking the only key turned authentication off on loopback.
TEST_F(AccessControlTest, RevokingTheLastKeyLeavesAuthenticationOn) {
  AddKey("ci", core::Role::kWrite, 'a');
  ASSERT_TRUE(store::RevokeApiKeyAndWait(keys_store_, "ci", clock_.Now()).ok());
  ASSERT_TRUE(keys_.Refresh().ok());
  AccessControl control = Control();
  HttpRequest anonymous = Request(kCreateJob);
  HttpRequest revoked = Request(kCreateJob, Token('a'));

  const auto anonymous_verdict = control.Check(anonymous, &kCreateJob);
  const auto revoked_verdict = control.Check(revoked, &kCreateJob);

  EXPECT_EQ(keys_.size(), 0u);
  EXPECT_TRUE(control.AuthenticationOn());
  ASSERT_TRUE(anonymous_verdict.refusal.has_value());
  EXPECT_EQ(anonymous_verdict.refusal->status, 401);
  ASSERT_TRUE(revoked_verdict.refusal.has_value());
  EXPECT_EQ(revoked_verdict.refusal->status, 401);
}

TEST_F(AccessControlTest, DisablingAuthenticationDeliberatelyOpensAServiceWithoutKeysAgain) {
  AddKey("ci", core::Role::kWrite, 'a');
  ASSERT_TRUE(store::RevokeApiKeyAndWait(keys_store_, "ci", clock_.Now()).ok());
  ASSERT_TRUE(store::DisableAuthenticationAndWait(keys_store_).ok());
  ASSERT_TRUE(keys_.Refresh().ok());
  AccessControl control = Control();
  HttpRequest request = Request(kCreateJob);

  const auto verdict = control.Check(request, &kCreateJob);

  EXPECT_FALSE(control.AuthenticationOn());
  EXPECT_FALSE(verdict.refusal.has_value());
}

TEST_F(AccessControlTest, UnknownMalformedAndRevokedTokensAreInvalid) {
  AddKey("ci", core::Role::kWrite, 'a');
  AddKey("old", core::Role::kAdmin, 'o');
  ASSERT_TRUE(store::RevokeApiKeyAndWait(keys_store_, "old", clock_.Now()).ok());
  ASSERT_TRUE(keys_.Refresh().ok());
  AccessControl control = Control();

  for (const std::string& token : {Token('b'), std::string("jsk_short"), Token('o'), std::string(5000, 'x')}) {
    HttpRequest request = Request(kListJobs, token);
    const auto verdict = control.Check(request, &kListJobs);

    ASSERT_TRUE(verdict.refusal.has_value()) << token;
    EXPECT_EQ(verdict.refusal->status, 401) << token;
    EXPECT_EQ(verdict.refusal->Header("WWW-Authenticate"), "Bearer realm=\"jobsched\", error=\"invalid_token\"");
  }
}

// Expiry is checked against the clock on every request: a key stops working
// at its instant, not at the cache's next refresh.
TEST_F(AccessControlTest, AKeyWorksUntilItExpiresAndThenIsInvalidSayingWhen) {
  AddKey("temp", core::Role::kRead, 't', "default", std::nullopt, At("2026-11-27T11:00:00Z"));
  AccessControl control = Control();

  clock_.Set(At("2026-11-27T10:59:59.999Z"));
  HttpRequest before = Request(kListJobs, Token('t'));
  EXPECT_FALSE(control.Check(before, &kListJobs).refusal.has_value());
  EXPECT_EQ(before.caller.key_name, "temp");

  clock_.Set(At("2026-11-27T11:00:00Z"));
  HttpRequest after = Request(kListJobs, Token('t'));
  const auto verdict = control.Check(after, &kListJobs);
  ASSERT_TRUE(verdict.refusal.has_value());
  EXPECT_EQ(verdict.refusal->status, 401);
  EXPECT_EQ(verdict.refusal->Header("WWW-Authenticate"), "Bearer realm=\"jobsched\", error=\"invalid_token\"");
  EXPECT_NE(verdict.refusal->body.find("expired at 2026-11-27T11:00:00Z"), std::string::npos) << verdict.refusal->body;
  EXPECT_TRUE(after.caller.key_name.empty());
}

TEST_F(AccessControlTest, EachRoleReachesWhatItsRoleAllows) {
  AddKey("reader", core::Role::kRead, 'r');
  AddKey("writer", core::Role::kWrite, 'w');
  AddKey("admin", core::Role::kAdmin, 'x');
  AccessControl control = Control();
  struct Case {
    char key;
    const Router::Route* route;
    int refused_with;  // 0: allowed
  };
  const Case cases[] = {
      {'r', &kListJobs, 0}, {'r', &kCreateJob, 403}, {'r', &kMetrics, 0},   {'w', &kListJobs, 0}, {'w', &kCreateJob, 0},
      {'w', &kMetrics, 0},  {'x', &kListJobs, 0},    {'x', &kCreateJob, 0}, {'x', &kMetrics, 0},
  };

  for (const Case& c : cases) {
    HttpRequest request = Request(*c.route, Token(c.key));
    const auto verdict = control.Check(request, c.route);

    const int status = verdict.refusal ? verdict.refusal->status : 0;
    EXPECT_EQ(status, c.refused_with) << c.key << " " << c.route->method << " " << c.route->pattern;
  }
}

TEST_F(AccessControlTest, ARoleTooLowIsForbiddenSayingWhatIsNeeded) {
  AddKey("reader", core::Role::kRead, 'r');
  AccessControl control = Control();
  HttpRequest request = Request(kCreateJob, Token('r'));

  const auto verdict = control.Check(request, &kCreateJob);

  ASSERT_TRUE(verdict.refusal.has_value());
  EXPECT_EQ(verdict.refusal->status, 403);
  EXPECT_NE(verdict.refusal->body.find("needs write"), std::string::npos) << verdict.refusal->body;
  EXPECT_NE(verdict.refusal->body.find("\"code\":\"permission_denied\""), std::string::npos);
}

TEST_F(AccessControlTest, ReadAndWriteKeysAreConfinedToTheirNamespaceAdminsAreNot) {
  AddKey("team-a-writer", core::Role::kWrite, 'w', "team-a");
  AddKey("root", core::Role::kAdmin, 'x', "ops");
  AccessControl control = Control();
  HttpRequest writer = Request(kCreateJob, Token('w'));
  HttpRequest admin = Request(kCreateJob, Token('x'));

  (void)control.Check(writer, &kCreateJob);
  (void)control.Check(admin, &kCreateJob);

  EXPECT_EQ(writer.caller.key_name, "team-a-writer");
  EXPECT_EQ(writer.caller.home_namespace, "team-a");
  EXPECT_FALSE(writer.caller.all_namespaces);
  EXPECT_FALSE(writer.caller.admin);
  EXPECT_TRUE(writer.caller.MayAccess("team-a"));
  EXPECT_FALSE(writer.caller.MayAccess("default"));
  EXPECT_EQ(admin.caller.home_namespace, "ops");
  EXPECT_TRUE(admin.caller.all_namespaces);
  EXPECT_TRUE(admin.caller.admin);
  EXPECT_TRUE(admin.caller.MayAccess("team-a"));
}

TEST_F(AccessControlTest, OpenRoutesFollowTheSettingsWhileHealthAndTheConsoleAreAlwaysOpen) {
  AddKey("ci", core::Role::kRead, 'a');
  AccessControl defaults = Control();
  AccessOptions flipped;
  flipped.public_metrics = true;
  flipped.public_readyz = false;
  flipped.public_docs = false;
  AccessControl closed = Control(flipped);
  auto refused = [](const AccessControl& control, const Router::Route& route) {
    HttpRequest request = Request(route);
    return control.Check(request, &route).refusal.has_value();
  };

  EXPECT_FALSE(refused(defaults, kHealth));
  EXPECT_FALSE(refused(defaults, kReady));
  EXPECT_FALSE(refused(defaults, kDocs));
  EXPECT_TRUE(refused(defaults, kMetrics));
  EXPECT_FALSE(refused(closed, kHealth));
  EXPECT_TRUE(refused(closed, kReady));
  EXPECT_TRUE(refused(closed, kDocs));
  EXPECT_FALSE(refused(closed, kMetrics));
  EXPECT_FALSE(refused(defaults, kConsole));
  EXPECT_FALSE(refused(closed, kConsole));
}

TEST_F(AccessControlTest, APathWithoutARouteStillNeedsAKey) {
  AddKey("ci", core::Role::kRead, 'a');
  AccessControl control = Control();
  HttpRequest anonymous = Request(Router::Route{"GET", "/nowhere"});
  HttpRequest keyed = Request(Router::Route{"GET", "/nowhere"}, Token('a'));

  EXPECT_EQ(control.Check(anonymous, nullptr).refusal->status, 401);
  EXPECT_FALSE(control.Check(keyed, nullptr).refusal.has_value());
}

TEST_F(AccessControlTest, AKeyOverItsLimitGets429WithRetryAfterAndOthersGoOn) {
  AddKey("small", core::Role::kRead, 's', "default", 2);
  AddKey("other", core::Role::kRead, 'o', "default", 2);
  AccessOptions options;
  options.rate_limit.window = 60s;
  AccessControl control = Control(options);
  auto check = [&](char key) {
    HttpRequest request = Request(kListJobs, Token(key));
    return control.Check(request, &kListJobs);
  };

  EXPECT_FALSE(check('s').refusal.has_value());
  const auto last = check('s');
  const auto over = check('s');

  EXPECT_FALSE(last.refusal.has_value());
  EXPECT_EQ(HeaderOf(last, "RateLimit-Remaining"), "0");
  ASSERT_TRUE(over.refusal.has_value());
  EXPECT_EQ(over.refusal->status, 429);
  EXPECT_EQ(over.refusal->Header("Retry-After"), "30");
  EXPECT_EQ(HeaderOf(over, "RateLimit-Limit"), "2");
  EXPECT_EQ(HeaderOf(over, "RateLimit-Remaining"), "0");
  EXPECT_EQ(HeaderOf(over, "RateLimit-Reset"), "60");
  EXPECT_FALSE(check('o').refusal.has_value());

  clock_.Advance(30s);
  EXPECT_FALSE(check('s').refusal.has_value());
}

TEST_F(AccessControlTest, AKeyWithoutALimitIsNeverLimited) {
  AddKey("batch", core::Role::kRead, 'b', "default", 0);
  AccessOptions options;
  options.rate_limit.default_limit = 1;
  AccessControl control = Control(options);

  for (int i = 0; i < 50; ++i) {
    HttpRequest request = Request(kListJobs, Token('b'));
    const auto verdict = control.Check(request, &kListJobs);
    ASSERT_FALSE(verdict.refusal.has_value()) << i;
    ASSERT_TRUE(verdict.headers.empty());
  }
}

TEST_F(AccessControlTest, AnonymousClientsBehindATrustedProxyHaveBucketsOfTheirOwn) {
  AccessOptions options;
  options.rate_limit.default_limit = 1;
  options.trusted_proxies = *TrustedProxies::Parse("127.0.0.1");
  AccessControl control = Control(options);
  const auto check = [&](std::string peer, std::string forwarded) {
    HttpRequest request = Request(kListJobs, {}, std::move(peer));
    request.headers.emplace_back("X-Forwarded-For", std::move(forwarded));
    return control.Check(request, &kListJobs);
  };

  EXPECT_FALSE(check("127.0.0.1", "203.0.113.1").refusal.has_value());
  EXPECT_FALSE(check("127.0.0.1", "203.0.113.2").refusal.has_value());  // another client, another bucket
  EXPECT_TRUE(check("127.0.0.1", "203.0.113.1").refusal.has_value());   // the first one's is empty
  // A client that is no proxy cannot pick its bucket by sending the header.
  EXPECT_FALSE(check("198.51.100.7", "203.0.113.3").refusal.has_value());
  EXPECT_TRUE(check("198.51.100.7", "203.0.113.4").refusal.has_value());
}

TEST_F(AccessControlTest, GuessingTokensIsLimitedByAddress) {
  AddKey("ci", core::Role::kRead, 'a');
  AccessOptions options;
  options.rate_limit.default_limit = 3;
  AccessControl control = Control(options);
  auto status = [&](const std::string& address) {
    HttpRequest request = Request(kListJobs, Token('z'), address);
    return control.Check(request, &kListJobs).refusal->status;
  };

  EXPECT_EQ(status("192.0.2.1"), 401);
  EXPECT_EQ(status("192.0.2.1"), 401);
  EXPECT_EQ(status("192.0.2.1"), 401);
  EXPECT_EQ(status("192.0.2.1"), 429);
  EXPECT_EQ(status("192.0.2.2"), 401);
}

TEST_F(AccessControlTest, ProbesAreNeverCharged) {
  AccessOptions options;
  options.rate_limit.default_limit = 1;
  AccessControl control = Control(options);

  for (int i = 0; i < 10; ++i) {
    for (const Router::Route* route : {&kHealth, &kReady}) {
      HttpRequest request = Request(*route);
      const auto verdict = control.Check(request, route);
      ASSERT_FALSE(verdict.refusal.has_value());
      ASSERT_TRUE(verdict.headers.empty());
    }
  }
}

}  // namespace
}  // namespace jobsched::api
