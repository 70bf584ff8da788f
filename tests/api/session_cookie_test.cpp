#include "api/session_cookie.hpp"

#include <gtest/gtest.h>

namespace jobsched::api {
namespace {

HttpRequest WithCookies(std::initializer_list<std::string> headers) {
  HttpRequest request;
  for (const std::string& header : headers) request.headers.emplace_back("Cookie", header);
  return request;
}

TEST(SessionCookie, FindsTheCookieAmongOthers) {
  const HttpRequest request = WithCookies({"theme=dark; jobsched_session=abc;other=1"});

  EXPECT_EQ(CookieValue(request, "jobsched_session"), "abc");
  EXPECT_EQ(CookieValue(request, "theme"), "dark");
  EXPECT_EQ(CookieValue(request, "other"), "1");
}

TEST(SessionCookie, ReadsEveryCookieHeaderAndTakesTheFirstMatch) {
  const HttpRequest request = WithCookies({"a=1", "jobsched_session=first; jobsched_session=second"});

  EXPECT_EQ(CookieValue(request, "jobsched_session"), "first");
}

TEST(SessionCookie, NoSuchCookie) {
  EXPECT_FALSE(CookieValue(WithCookies({}), "jobsched_session").has_value());
  EXPECT_FALSE(CookieValue(WithCookies({"jobsched_session_old=x; session=y"}), "jobsched_session").has_value());
  EXPECT_FALSE(CookieValue(WithCookies({"jobsched_session"}), "jobsched_session").has_value());
}

TEST(SessionCookie, AQuotedValueLosesItsQuotes) {
  EXPECT_EQ(CookieValue(WithCookies({"jobsched_session=\"abc\""}), "jobsched_session"), "abc");
}

TEST(SessionCookie, TheSessionCookieIsHttpOnlyStrictAndSecureOverTls) {
  EXPECT_EQ(SessionCookie("abc", false), "jobsched_session=abc; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(SessionCookie("abc", true), "jobsched_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure");
}

TEST(SessionCookie, SigningOutExpiresIt) {
  EXPECT_EQ(ExpiredSessionCookie(false), "jobsched_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  EXPECT_EQ(ExpiredSessionCookie(true), "jobsched_session=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0");
}

}  // namespace
}  // namespace jobsched::api
