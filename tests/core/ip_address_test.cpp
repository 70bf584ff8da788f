#include "core/ip_address.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace jobsched::core {
namespace {

std::optional<std::string_view> RangeOf(const std::string& text) {
  const auto address = IpAddress::Parse(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address ? NonPublicRange(*address) : std::nullopt;
}

TEST(IpAddress, ParsesBothFamiliesAndPrintsThemBack) {
  EXPECT_EQ(IpAddress::Parse("192.0.2.1")->ToString(), "192.0.2.1");
  EXPECT_TRUE(IpAddress::Parse("192.0.2.1")->is_v4());
  EXPECT_EQ(IpAddress::Parse("2001:DB8:0::1")->ToString(), "2001:db8::1");
  EXPECT_FALSE(IpAddress::Parse("2001:db8::1")->is_v4());
}

TEST(IpAddress, RefusesWhatIsNotAPlainAddress) {
  for (const char* text :
       {"", "localhost", "[::1]", "127.0.0.1:80", "fe80::1%eth0", "127.1", "0x7f000001", "256.0.0.1", "1.2.3.4 "}) {
    EXPECT_FALSE(IpAddress::Parse(text).has_value()) << text;
  }
}

TEST(IpAddress, UnmapsIpv4MappedIpv6Addresses) {
  const auto mapped = IpAddress::Parse("::ffff:127.0.0.1");

  ASSERT_TRUE(mapped.has_value());
  EXPECT_FALSE(mapped->is_v4());
  EXPECT_EQ(mapped->Unmapped(), IpAddress::V4(127, 0, 0, 1));
  EXPECT_EQ(IpAddress::Parse("::1")->Unmapped(), *IpAddress::Parse("::1"));
}

TEST(IpAddress, ReadsSocketAddressesOfBothFamilies) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_addr.s_addr = htonl(0x0A000001);  // 10.0.0.1
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_addr = in6addr_loopback;

  EXPECT_EQ(IpAddress::FromSocketAddress(reinterpret_cast<sockaddr*>(&v4), sizeof v4), IpAddress::V4(10, 0, 0, 1));
  EXPECT_EQ(IpAddress::FromSocketAddress(reinterpret_cast<sockaddr*>(&v6), sizeof v6), IpAddress::Parse("::1"));
  EXPECT_FALSE(IpAddress::FromSocketAddress(reinterpret_cast<sockaddr*>(&v4), 4).has_value());
  sockaddr unix_address{};
  unix_address.sa_family = AF_UNIX;
  EXPECT_FALSE(IpAddress::FromSocketAddress(&unix_address, sizeof unix_address).has_value());
}

TEST(NonPublicRange, NamesEveryNonPublicIpv4Range) {
  const std::pair<const char*, const char*> cases[] = {
      {"127.0.0.1", "loopback"},
      {"127.255.255.254", "loopback"},
      {"10.0.0.1", "private"},
      {"172.16.0.1", "private"},
      {"172.31.255.255", "private"},
      {"192.168.1.1", "private"},
      {"169.254.169.254", "link-local (cloud metadata)"},
      {"169.254.1.1", "link-local"},
      {"100.64.0.1", "shared address space (CGNAT)"},
      {"100.127.255.255", "shared address space (CGNAT)"},
      {"0.0.0.0", "unspecified"},
      {"0.1.2.3", "unspecified"},
      {"224.0.0.1", "multicast"},
      {"239.255.255.250", "multicast"},
      {"255.255.255.255", "broadcast"},
      {"240.0.0.1", "reserved"},
      {"192.0.2.10", "reserved"},
      {"198.18.0.1", "reserved"},
  };
  for (const auto& [address, range] : cases) EXPECT_EQ(RangeOf(address), std::string_view(range)) << address;
}

TEST(NonPublicRange, LetsPublicIpv4AddressesThrough) {
  for (const char* address : {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0",
                              "169.253.255.255", "192.169.0.1", "11.0.0.1", "223.255.255.255"}) {
    EXPECT_EQ(RangeOf(address), std::nullopt) << address;
  }
}

TEST(NonPublicRange, NamesEveryNonPublicIpv6Range) {
  const std::pair<const char*, const char*> cases[] = {
      {"::1", "loopback"},
      {"::", "unspecified"},
      {"fc00::1", "unique local"},
      {"fd12:3456::1", "unique local"},
      {"fd00:ec2::254", "unique local"},
      {"fe80::1", "link-local"},
      {"febf::1", "link-local"},
      {"ff02::1", "multicast"},
      {"::7f00:1", "reserved"},  // IPv4-compatible 127.0.0.1
      {"2001:db8::1", "reserved"},
  };
  for (const auto& [address, range] : cases) EXPECT_EQ(RangeOf(address), std::string_view(range)) << address;
}

TEST(NonPublicRange, JudgesIpv6FormsOfIpv4AddressesByTheIpv4Address) {
  const std::pair<const char*, const char*> cases[] = {
      {"::ffff:127.0.0.1", "loopback"},
      {"::ffff:7f00:1", "loopback"},
      {"::ffff:10.0.0.1", "private"},
      {"::ffff:169.254.169.254", "link-local (cloud metadata)"},
      {"64:ff9b::a00:1", "private"},   // NAT64 of 10.0.0.1
      {"2002:7f00:1::1", "loopback"},  // 6to4 of 127.0.0.1
      {"2002:a9fe:a9fe::", "link-local (cloud metadata)"},
  };
  for (const auto& [address, range] : cases) EXPECT_EQ(RangeOf(address), std::string_view(range)) << address;
  EXPECT_EQ(RangeOf("::ffff:8.8.8.8"), std::nullopt);
  EXPECT_EQ(RangeOf("64:ff9b::808:808"), std::nullopt);
}

// Issue #14: a webhook reached [::ffff:0:7f00:1], [::ffff:0:a00:1] and [64:ff9b:1::a00:1].
TEST(NonPublicRange, JudgesIpv4TranslatedAddressesByTheIpv4Address) {
  const std::pair<const char*, const char*> cases[] = {
      {"::ffff:0:7f00:1", "loopback"},  // SIIT (::ffff:0:0/96) of 127.0.0.1
      {"::ffff:0:a00:1", "private"},    // of 10.0.0.1
      {"::ffff:0:a9fe:a9fe", "link-local (cloud metadata)"},
  };
  for (const auto& [address, range] : cases) EXPECT_EQ(RangeOf(address), std::string_view(range)) << address;
  EXPECT_EQ(RangeOf("::ffff:0:808:808"), std::nullopt);
}

TEST(NonPublicRange, RefusesTunnelAndLocalTranslationPrefixesWhateverTheyCarry) {
  // Local-use NAT64 (RFC 8215) places the IPv4 address where its operator
  // chose, and Teredo reaches a host through a relay: neither can be judged.
  const std::pair<const char*, const char*> cases[] = {
      {"64:ff9b:1::a00:1", "local-use NAT64"},
      {"64:ff9b:1::808:808", "local-use NAT64"},
      {"64:ff9b:1:ffff::1", "local-use NAT64"},
      {"2001::1", "Teredo"},
      {"2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"},
  };
  for (const auto& [address, range] : cases) EXPECT_EQ(RangeOf(address), std::string_view(range)) << address;
  EXPECT_EQ(RangeOf("2001:1::1"), std::nullopt);  // just past Teredo's /32
}

TEST(NonPublicRange, TakesOnlyGlobalUnicastIpv6AsPublic) {
  // Outside 2000::/3 nothing is allocated for the internet.
  for (const char* address : {"64:ff9b:2::1", "4000::1", "e000::1", "1::1"}) {
    EXPECT_EQ(RangeOf(address), std::string_view("reserved")) << address;
  }
  EXPECT_EQ(RangeOf("2c0f:fb50::1"), std::nullopt);
}

TEST(NonPublicRange, LetsPublicIpv6AddressesThrough) {
  for (const char* address : {"2001:4860:4860::8888", "2606:4700:4700::1111", "2a00:1450:4001::1"}) {
    EXPECT_EQ(RangeOf(address), std::nullopt) << address;
  }
}

TEST(Cidr, ContainsTheAddressesOfItsPrefix) {
  const auto block = Cidr::Parse("10.1.0.0/16");

  ASSERT_TRUE(block.has_value());
  EXPECT_TRUE(block->Contains(IpAddress::V4(10, 1, 0, 0)));
  EXPECT_TRUE(block->Contains(IpAddress::V4(10, 1, 255, 255)));
  EXPECT_FALSE(block->Contains(IpAddress::V4(10, 2, 0, 0)));
  EXPECT_FALSE(block->Contains(*IpAddress::Parse("::1")));
}

TEST(Cidr, HandlesPrefixesThatAreNotWholeBytes) {
  const auto cgnat = Cidr::Parse("100.64.0.0/10");
  const auto ula = Cidr::Parse("fc00::/7");

  EXPECT_TRUE(cgnat->Contains(IpAddress::V4(100, 127, 1, 1)));
  EXPECT_FALSE(cgnat->Contains(IpAddress::V4(100, 128, 0, 0)));
  EXPECT_TRUE(ula->Contains(*IpAddress::Parse("fdff::1")));
  EXPECT_FALSE(ula->Contains(*IpAddress::Parse("fe00::1")));
}

TEST(Cidr, TakesASingleAddressAsABlockOfOne) {
  const auto one = Cidr::Parse("127.0.0.1");
  const auto v6 = Cidr::Parse("::1");

  EXPECT_TRUE(one->Contains(IpAddress::V4(127, 0, 0, 1)));
  EXPECT_FALSE(one->Contains(IpAddress::V4(127, 0, 0, 2)));
  EXPECT_TRUE(v6->Contains(*IpAddress::Parse("::1")));
  EXPECT_EQ(one->ToString(), "127.0.0.1/32");
}

TEST(Cidr, MatchesIpv4MappedAddressesAsIpv4) {
  const auto block = Cidr::Parse("127.0.0.0/8");
  const auto mapped_block = Cidr::Parse("::ffff:10.0.0.0/104");

  EXPECT_TRUE(block->Contains(*IpAddress::Parse("::ffff:127.0.0.1")));
  EXPECT_TRUE(mapped_block->Contains(IpAddress::V4(10, 9, 8, 7)));
  EXPECT_FALSE(mapped_block->Contains(IpAddress::V4(11, 0, 0, 1)));
}

TEST(Cidr, RefusesMalformedBlocks) {
  for (const char* text :
       {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8x", "host/8", "10.0.0/8"}) {
    EXPECT_FALSE(Cidr::Parse(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace jobsched::core
