#include "api/trusted_proxies.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace jobsched::api {

core::Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies proxies;
  for (const std::string_view entry : core::SplitList(list)) {
    if (entry.empty()) continue;
    auto block = core::Cidr::Parse(entry);
    if (!block) {
      return core::Error::InvalidArgument("trusted_proxies", "trusted_proxies: '" + std::string(entry.substr(0, 64)) +
                                                                 "' is not an address or CIDR block");
    }
    proxies.blocks_.push_back(*block);
  }
  return proxies;
}

bool TrustedProxies::Trusts(const core::IpAddress& address) const {
  return std::any_of(blocks_.begin(), blocks_.end(), [&](const core::Cidr& block) { return block.Contains(address); });
}

std::string TrustedProxies::ClientAddress(std::string_view peer,
                                          const std::vector<std::string_view>& forwarded_for) const {
  const auto peer_address = core::IpAddress::Parse(peer);
  if (blocks_.empty() || !peer_address || !Trusts(*peer_address)) return std::string(peer);
  std::vector<std::string_view> hops;
  for (const std::string_view header : forwarded_for) {
    for (const std::string_view entry : core::SplitList(header)) hops.push_back(entry);
  }
  std::string client(peer);
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    const auto address = core::IpAddress::Parse(*hop);
    if (!address) return client;
    client = address->ToString();
    if (!Trusts(*address)) return client;
  }
  return client;
}

bool TrustedProxies::ForwardedOverTls(std::string_view peer,
                                      const std::vector<std::string_view>& forwarded_proto) const {
  const auto peer_address = core::IpAddress::Parse(peer);
  if (blocks_.empty() || !peer_address || !Trusts(*peer_address)) return false;
  std::string_view last;
  for (const std::string_view header : forwarded_proto) {
    for (const std::string_view entry : core::SplitList(header)) {
      if (!entry.empty()) last = entry;
    }
  }
  return core::EqualsIgnoringCase(last, "https");
}

}  // namespace jobsched::api
