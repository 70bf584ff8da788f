#include "api/request_origin.hpp"

#include <gtest/gtest.h>

namespace jobsched::api {
namespace {

TrustedProxies Proxies(std::string_view list) { return *TrustedProxies::Parse(list); }

HttpRequest Request(std::string host, std::string peer = "127.0.0.1", std::string forwarded_proto = {}) {
  HttpRequest request;
  request.remote_address = std::move(peer);
  if (!host.empty()) request.headers.emplace_back("Host", std::move(host));
  if (!forwarded_proto.empty()) request.headers.emplace_back("X-Forwarded-Proto", std::move(forwarded_proto));
  return request;
}

TEST(RequestOrigin, TheOwnOriginIsHttpAndTheHost) {
  EXPECT_EQ(OwnOrigin(Request("jobsched.test:8000"), Proxies("")), "http://jobsched.test:8000");
  EXPECT_EQ(OwnOrigin(Request("Jobsched.Test"), Proxies("")), "http://jobsched.test");
  EXPECT_EQ(OwnOrigin(Request("[::1]:8000"), Proxies("")), "http://[::1]:8000");
  EXPECT_EQ(OwnOrigin(Request(""), Proxies("")), "");
}

TEST(RequestOrigin, HttpsOnlyWhenATrustedProxySaysSo) {
  EXPECT_EQ(OwnOrigin(Request("example.com", "127.0.0.1", "https"), Proxies("127.0.0.1")), "https://example.com");
  EXPECT_EQ(OwnOrigin(Request("example.com", "203.0.113.1", "https"), Proxies("127.0.0.1")), "http://example.com");
  EXPECT_EQ(OwnOrigin(Request("example.com", "127.0.0.1", "https"), Proxies("")), "http://example.com");
  EXPECT_TRUE(CameOverTls(Request("example.com", "127.0.0.1", "https"), Proxies("127.0.0.1")));
  EXPECT_FALSE(CameOverTls(Request("example.com", "127.0.0.1", "http"), Proxies("127.0.0.1")));
}

TEST(RequestOrigin, DefaultPortsAreTheSameOrigin) {
  EXPECT_TRUE(IsOwnOrigin("http://example.com", Request("example.com:80"), Proxies("")));
  EXPECT_TRUE(IsOwnOrigin("http://example.com:80", Request("example.com"), Proxies("")));
  EXPECT_TRUE(
      IsOwnOrigin("https://example.com", Request("example.com:443", "127.0.0.1", "https"), Proxies("127.0.0.1")));
}

TEST(RequestOrigin, OnlyTheSameSchemeHostAndPortAreOurs) {
  const HttpRequest request = Request("jobsched.test:8000");

  EXPECT_TRUE(IsOwnOrigin("http://jobsched.test:8000", request, Proxies("")));
  EXPECT_TRUE(IsOwnOrigin("HTTP://JOBSCHED.TEST:8000", request, Proxies("")));
  EXPECT_FALSE(IsOwnOrigin("https://jobsched.test:8000", request, Proxies("")));
  EXPECT_FALSE(IsOwnOrigin("http://jobsched.test:8001", request, Proxies("")));
  EXPECT_FALSE(IsOwnOrigin("http://evil.example", request, Proxies("")));
  EXPECT_FALSE(IsOwnOrigin("http://jobsched.test:8000.evil.example", request, Proxies("")));
  EXPECT_FALSE(IsOwnOrigin("null", request, Proxies("")));
  EXPECT_FALSE(IsOwnOrigin("http://jobsched.test:8000/", request, Proxies("")));
  EXPECT_FALSE(IsOwnOrigin("http://user@jobsched.test:8000", request, Proxies("")));
  EXPECT_FALSE(IsOwnOrigin("", request, Proxies("")));
}

TEST(RequestOrigin, WithoutAHostNoOriginIsOurs) {
  EXPECT_FALSE(IsOwnOrigin("http://", Request(""), Proxies("")));
  EXPECT_FALSE(IsOwnOrigin("http://example.com", Request(""), Proxies("")));
}

}  // namespace
}  // namespace jobsched::api
