#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.hpp"
#include "core/result.hpp"

namespace jobsched::api {

// The proxies (load balancers) whose X-Forwarded-For this service believes,
// so that anonymous callers behind them are told apart (per-address rate
// limits) instead of all counting as the proxy. Nobody is trusted unless the
// operator says so: a client that can reach the service directly could
// otherwise choose its address. Their X-Forwarded-Proto says whether the
// client used TLS (session cookies are then Secure). Immutable after Parse.
class TrustedProxies {
 public:
  TrustedProxies() = default;

  // "127.0.0.1, 10.0.0.0/8, fd00::/8": addresses and CIDR blocks,
  // comma-separated, spaces ignored; "" trusts nobody. kInvalidArgument
  // naming the first entry that is not one.
  static core::Result<TrustedProxies> Parse(std::string_view list);

  // Who sent a request that came from `peer` with these X-Forwarded-For
  // values (each a comma-separated list; every proxy appends the address it
  // saw). `peer` itself unless it is trusted; then, walking the forwarded
  // addresses from the right, the first one that is not a trusted proxy (the
  // leftmost when all are). An entry that is not an address ends the walk at
  // the hop that handed it over: anything to its left is the client's say.
  std::string ClientAddress(std::string_view peer, const std::vector<std::string_view>& forwarded_for) const;

  // Whether a request from `peer` with these X-Forwarded-Proto values came
  // to the proxy over TLS: `peer` is trusted and the last entry (what the
  // nearest proxy, the trusted one, says) is "https". This server speaks
  // plain HTTP only, so anything else is "http".
  bool ForwardedOverTls(std::string_view peer, const std::vector<std::string_view>& forwarded_proto) const;

  bool empty() const { return blocks_.empty(); }

 private:
  bool Trusts(const core::IpAddress& address) const;

  std::vector<core::Cidr> blocks_;
};

}  // namespace jobsched::api
