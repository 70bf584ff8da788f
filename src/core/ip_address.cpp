#include "core/ip_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>

namespace jobsched::core {
namespace {

// A range of the classification tables: the first `prefix_length` bits of
// `prefix` (written out in full for readability), and what it is called.
template <std::size_t N>
struct Range {
  std::array<std::uint8_t, N> prefix;
  int prefix_length;
  std::string_view name;
};

template <std::size_t N>
bool HasPrefix(const std::uint8_t* bytes, const std::array<std::uint8_t, N>& prefix, int prefix_length) {
  const int whole = prefix_length / 8;
  if (std::memcmp(bytes, prefix.data(), static_cast<std::size_t>(whole)) != 0) return false;
  const int rest = prefix_length % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (bytes[whole] & mask) == (prefix[static_cast<std::size_t>(whole)] & mask);
}

// Order matters where ranges nest: the first match names the address.
constexpr std::array<Range<4>, 16> kV4Ranges{{
    {{0, 0, 0, 0}, 8, "unspecified"},  // "this network"; 0.0.0.0 reaches the local host on Linux
    {{10, 0, 0, 0}, 8, "private"},
    {{100, 64, 0, 0}, 10, "shared address space (CGNAT)"},
    {{127, 0, 0, 0}, 8, "loopback"},
    {{169, 254, 169, 254}, 32, "link-local (cloud metadata)"},
    {{169, 254, 0, 0}, 16, "link-local"},
    {{172, 16, 0, 0}, 12, "private"},
    {{192, 0, 0, 0}, 24, "reserved"},  // IETF protocol assignments
    {{192, 0, 2, 0}, 24, "reserved"},  // documentation
    {{192, 168, 0, 0}, 16, "private"},
    {{198, 18, 0, 0}, 15, "reserved"},  // benchmarking
    {{198, 51, 100, 0}, 24, "reserved"},
    {{203, 0, 113, 0}, 24, "reserved"},
    {{224, 0, 0, 0}, 4, "multicast"},
    {{255, 255, 255, 255}, 32, "broadcast"},
    {{240, 0, 0, 0}, 4, "reserved"},
}};

constexpr std::array<Range<16>, 8> kV6Ranges{{
    {{}, 128, "unspecified"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback"},
    {{}, 96, "reserved"},                        // IPv4-compatible, deprecated (::ffff:0:0/96 is handled before)
    {{0x01, 0x00}, 64, "reserved"},              // discard-only
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "reserved"},  // documentation
    {{0xfc}, 7, "unique local"},
    {{0xfe, 0x80}, 10, "link-local"},
    {{0xfe, 0xc0}, 10, "reserved"},  // site-local, deprecated
}};

constexpr std::array<std::uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
// IPv4-translated (SIIT, RFC 7915): ::ffff:0:a.b.c.d, a translator's view of an IPv4 host.
constexpr std::array<std::uint8_t, 12> kTranslatedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
constexpr std::array<std::uint8_t, 12> kNat64Prefix{0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
constexpr std::array<std::uint8_t, 2> k6to4Prefix{0x20, 0x02};
// Prefixes that reach an IPv4 host we cannot name: local-use NAT64 (RFC
// 8215, 64:ff9b:1::/48) puts the IPv4 address wherever its operator's prefix
// length says, and Teredo (2001::/32) tunnels through a relay to a client
// address written obfuscated. Neither is a public destination of its own.
constexpr std::array<Range<16>, 2> kTunnelRanges{{
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, "local-use NAT64"},
    {{0x20, 0x01, 0x00, 0x00}, 32, "Teredo"},
}};

std::optional<std::string_view> NonPublicV4(const std::uint8_t* bytes) {
  for (const auto& range : kV4Ranges) {
    if (HasPrefix(bytes, range.prefix, range.prefix_length)) return range.name;
  }
  return std::nullopt;
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string copy(text);  // inet_pton wants a terminated string
  IpAddress address;
  if (inet_pton(AF_INET, copy.c_str(), address.bytes_.data()) == 1) {
    address.v4_ = true;
    return address;
  }
  if (inet_pton(AF_INET6, copy.c_str(), address.bytes_.data()) == 1) return address;
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::FromSocketAddress(const sockaddr* address, std::size_t length) {
  if (address == nullptr) return std::nullopt;
  IpAddress result;
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    sockaddr_in v4;
    std::memcpy(&v4, address, sizeof v4);
    std::memcpy(result.bytes_.data(), &v4.sin_addr, 4);
    result.v4_ = true;
    return result;
  }
  if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    sockaddr_in6 v6;
    std::memcpy(&v6, address, sizeof v6);
    std::memcpy(result.bytes_.data(), &v6.sin6_addr, 16);
    return result;
  }
  return std::nullopt;
}

IpAddress IpAddress::V4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress address;
  address.bytes_ = {a, b, c, d};
  address.v4_ = true;
  return address;
}

IpAddress IpAddress::Unmapped() const {
  if (v4_ || !HasPrefix(bytes_.data(), kMappedPrefix, 96)) return *this;
  return V4(bytes_[12], bytes_[13], bytes_[14], bytes_[15]);
}

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v4_ ? AF_INET : AF_INET6, bytes_.data(), text, sizeof text);
  return text;
}

std::optional<std::string_view> NonPublicRange(const IpAddress& address) {
  const IpAddress plain = address.Unmapped();
  const std::uint8_t* bytes = plain.bytes().data();
  if (plain.is_v4()) return NonPublicV4(bytes);
  // Addresses that carry an IPv4 address reach it through a translator, so
  // they are as public as that address.
  if (HasPrefix(bytes, kTranslatedPrefix, 96)) return NonPublicV4(bytes + 12);
  if (HasPrefix(bytes, kNat64Prefix, 96)) return NonPublicV4(bytes + 12);
  if (HasPrefix(bytes, k6to4Prefix, 16)) return NonPublicV4(bytes + 2);
  for (const auto& range : kTunnelRanges) {
    if (HasPrefix(bytes, range.prefix, range.prefix_length)) return range.name;
  }
  if (bytes[0] == 0xff) return "multicast";
  for (const auto& range : kV6Ranges) {
    if (HasPrefix(bytes, range.prefix, range.prefix_length)) return range.name;
  }
  // Only global unicast (2000::/3) is allocated for the internet; whatever
  // else a future RFC carves out of the rest is not a webhook's business.
  if ((bytes[0] & 0xe0) != 0x20) return "reserved";
  return std::nullopt;
}

std::optional<Cidr> Cidr::Parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  auto network = IpAddress::Parse(text.substr(0, slash));
  if (!network) return std::nullopt;
  const int max_length = network->is_v4() ? 32 : 128;
  int prefix_length = max_length;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix_length);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || prefix_length < 0 ||
        prefix_length > max_length) {
      return std::nullopt;
    }
  }
  // A mapped network ("::ffff:10.0.0.0/104") is the IPv4 block it maps.
  if (!network->is_v4() && network->Unmapped().is_v4() && prefix_length >= 96) {
    return Cidr(network->Unmapped(), prefix_length - 96);
  }
  return Cidr(*network, prefix_length);
}

bool Cidr::Contains(const IpAddress& address) const {
  const IpAddress plain = address.Unmapped();
  if (plain.is_v4() != network_.is_v4()) return false;
  std::array<std::uint8_t, 16> prefix = network_.bytes();
  return HasPrefix(plain.bytes().data(), prefix, prefix_length_);
}

std::string Cidr::ToString() const { return network_.ToString() + "/" + std::to_string(prefix_length_); }

}  // namespace jobsched::core
