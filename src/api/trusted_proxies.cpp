#include "api/trusted_proxies.hpp"

#include <algorithm>

namespace jobsched::api {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The comma-separated entries of `list`, trimmed, in order.
std::vector<std::string_view> Entries(std::string_view list) {
  std::vector<std::string_view> entries;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    entries.push_back(Trim(list.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return entries;
}

}  // namespace

core::Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies proxies;
  for (const std::string_view entry : Entries(list)) {
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
    for (const std::string_view entry : Entries(header)) hops.push_back(entry);
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

}  // namespace jobsched::api
