#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sockaddr;

namespace jobsched::core {

// An IPv4 or an IPv6 address, in network byte order. Pure value; no lookups.
class IpAddress {
 public:
  // "192.0.2.1", "2001:db8::1" or "::ffff:10.0.0.1": no brackets, no port,
  // no zone ("%eth0"). nullopt for anything else.
  static std::optional<IpAddress> Parse(std::string_view text);
  // The address of an AF_INET or AF_INET6 socket address of `length` bytes;
  // nullopt for another family or a short length.
  static std::optional<IpAddress> FromSocketAddress(const sockaddr* address, std::size_t length);
  static IpAddress V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);

  bool is_v4() const { return v4_; }
  // 4 bytes are used for IPv4, 16 for IPv6.
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }

  // The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d);
  // the address itself otherwise. Linux connects an IPv6 socket to such an
  // address over IPv4, so every check looks at the unmapped form.
  IpAddress Unmapped() const;

  // "127.0.0.1", "::1".
  std::string ToString() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
  bool v4_ = false;
};

// Why `address` is not a public internet address, in words for an error
// message ("loopback", "private", "link-local", "shared
// address space (CGNAT)", "multicast", "broadcast", "unspecified",
// "reserved", "unique local", "local-use NAT64", "Teredo"); nullopt for a
// public address. IPv6 forms that carry an IPv4 address (IPv4-mapped
// ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96, NAT64 64:ff9b::/96, 6to4
// 2002::/16) are judged by that IPv4 address; local-use NAT64
// (64:ff9b:1::/48) and Teredo (2001::/32), whose IPv4 address cannot be told,
// are never public, nor is anything outside global unicast (2000::/3); the
// deprecated IPv4-compatible ::/96 is reserved.
std::optional<std::string_view> NonPublicRange(const IpAddress& address);

// A block of addresses, "10.0.0.0/8" or "fd00::/8"; a single address
// ("192.0.2.7", "::1") is a block of one.
class Cidr {
 public:
  // nullopt when `text` is not an address with an optional /prefix within the
  // family's length. Bits past the prefix may be set ("10.1.2.3/8" is 10/8).
  static std::optional<Cidr> Parse(std::string_view text);

  // Whether `address` (unmapped first) is in the block; an IPv4 block never
  // contains an IPv6 address, and the other way round.
  bool Contains(const IpAddress& address) const;

  // "10.0.0.0/8".
  std::string ToString() const;

 private:
  Cidr(IpAddress network, int prefix_length) : network_(network), prefix_length_(prefix_length) {}

  IpAddress network_;
  int prefix_length_ = 0;
};

}  // namespace jobsched::core
