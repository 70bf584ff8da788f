#include "api/trusted_proxies.hpp"

#include <gtest/gtest.h>

namespace jobsched::api {
namespace {

TrustedProxies Parsed(std::string_view list) {
  auto proxies = TrustedProxies::Parse(list);
  EXPECT_TRUE(proxies.ok()) << proxies.error().message;
  return proxies.ok() ? *proxies : TrustedProxies{};
}

TEST(TrustedProxies, TrustsNobodyByDefaultSoForwardedAddressesAreIgnored) {
  const TrustedProxies none = Parsed("");

  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.ClientAddress("127.0.0.1", {"203.0.113.9"}), "127.0.0.1");
}

TEST(TrustedProxies, BehindATrustedProxyTheClientIsTheAddressItForwarded) {
  const TrustedProxies proxies = Parsed("127.0.0.1");

  EXPECT_EQ(proxies.ClientAddress("127.0.0.1", {"203.0.113.9"}), "203.0.113.9");
  EXPECT_EQ(proxies.ClientAddress("127.0.0.1", {}), "127.0.0.1");                     // a request of the proxy's own
  EXPECT_EQ(proxies.ClientAddress("198.51.100.1", {"203.0.113.9"}), "198.51.100.1");  // not a proxy: ignored
}

// A client may send its own X-Forwarded-For; each proxy appends what it saw,
// so only the entries added by trusted proxies, read from the right, count.
TEST(TrustedProxies, WalksFromTheRightPastTrustedHopsAndIgnoresWhatTheClientClaimed) {
  const TrustedProxies proxies = Parsed(" 127.0.0.1 , 10.0.0.0/8 ");

  EXPECT_EQ(proxies.ClientAddress("127.0.0.1", {"1.1.1.1, 203.0.113.9, 10.1.2.3"}), "203.0.113.9");
  EXPECT_EQ(proxies.ClientAddress("127.0.0.1", {"1.1.1.1", "203.0.113.9"}), "203.0.113.9");  // two headers
  EXPECT_EQ(proxies.ClientAddress("127.0.0.1", {"10.9.9.9, 10.1.2.3"}), "10.9.9.9");  // all trusted: the leftmost
}

TEST(TrustedProxies, OnlyATrustedProxySaysTheClientUsedTls) {
  const TrustedProxies proxies = Parsed("127.0.0.1");

  EXPECT_TRUE(proxies.ForwardedOverTls("127.0.0.1", {"https"}));
  EXPECT_TRUE(proxies.ForwardedOverTls("127.0.0.1", {"HTTPS"}));
  EXPECT_FALSE(proxies.ForwardedOverTls("127.0.0.1", {"http"}));
  EXPECT_FALSE(proxies.ForwardedOverTls("127.0.0.1", {}));
  EXPECT_FALSE(proxies.ForwardedOverTls("198.51.100.1", {"https"}));  // not a proxy: anyone could say it
  EXPECT_FALSE(Parsed("").ForwardedOverTls("127.0.0.1", {"https"}));
}

// The nearest proxy (the trusted one) speaks last; what the client sent before it is its own say.
TEST(TrustedProxies, TheLastForwardedProtoCounts) {
  const TrustedProxies proxies = Parsed("127.0.0.1");

  EXPECT_FALSE(proxies.ForwardedOverTls("127.0.0.1", {"https, http"}));
  EXPECT_TRUE(proxies.ForwardedOverTls("127.0.0.1", {"http", "https"}));
}

TEST(TrustedProxies, AMalformedHopEndsTheWalkAtTheHopThatHandedItOver) {
  const TrustedProxies proxies = Parsed("127.0.0.1, 10.0.0.0/8");

  EXPECT_EQ(proxies.ClientAddress("127.0.0.1", {"203.0.113.9, not-an-address, 10.1.2.3"}), "10.1.2.3");
  EXPECT_EQ(proxies.ClientAddress("127.0.0.1", {"unknown"}), "127.0.0.1");
}

TEST(TrustedProxies, IPv6AndMappedAddresses) {
  const TrustedProxies proxies = Parsed("::1, 127.0.0.1");

  EXPECT_EQ(proxies.ClientAddress("::1", {"2001:db8::7"}), "2001:db8::7");
  EXPECT_EQ(proxies.ClientAddress("::ffff:127.0.0.1", {"203.0.113.9"}), "203.0.113.9");
}

TEST(TrustedProxies, RefusesWhatIsNotAnAddressOrBlockNamingIt) {
  for (const char* bad : {"localhost", "10.0.0.0/33", "127.0.0.1, nginx", "1.2.3"}) {
    auto proxies = TrustedProxies::Parse(bad);
    ASSERT_FALSE(proxies.ok()) << bad;
    EXPECT_EQ(proxies.error().field, "trusted_proxies") << bad;
  }
}

}  // namespace
}  // namespace jobsched::api
