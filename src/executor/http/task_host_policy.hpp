#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.hpp"
#include "core/result.hpp"

namespace jobsched::executor::http {

using core::Cidr;
using core::IpAddress;
using core::NonPublicRange;

// Which hosts webhooks may reach, so that a job cannot make the service call
// what only the service can reach (server-side request forgery): by default
// only public addresses, and never the cloud metadata host names.
//
// The operator opens more with `allow_task_hosts`, a comma-separated list of
//   - CIDR blocks or single addresses: "10.1.0.0/16", "127.0.0.1", "fd00::/8";
//     matched against the address actually connected to, after DNS;
//   - host names: "hooks.internal", or "*.corp.example" for every name below
//     corp.example (not corp.example itself); matched, without case and
//     trailing dot, against the host written in the task's URL, before DNS.
//     Every address such a name resolves to is then allowed: the operator
//     vouches for the name (and for whoever controls its DNS).
// Immutable after Parse, so any thread may use it.
class TaskHostPolicy {
 public:
  // Only public addresses.
  TaskHostPolicy() = default;

  // Parses an allow_task_hosts value; "" allows nothing more. Spaces around
  // entries are ignored. Fails with kInvalidArgument naming the first entry
  // that is neither an address block nor a host name.
  static core::Result<TaskHostPolicy> Parse(std::string_view allow_list);

  // Whether `host`, a URL's host (a name, or an address literal with or
  // without brackets), is allowed by name, so that its addresses need no check.
  bool AllowsHostName(std::string_view host) const;

  // Why `host` must not even be looked up (a cloud metadata name such as
  // metadata.google.internal), unless it is allowed by name; nullopt otherwise.
  std::optional<std::string_view> RefusedHostName(std::string_view host) const;

  // Why a connection to `address` is refused (the kind of range, as
  // NonPublicRange names it); nullopt when the address is public or in an
  // allowed block.
  std::optional<std::string_view> RefusedAddress(const IpAddress& address) const;

 private:
  std::vector<Cidr> blocks_;
  std::vector<std::string> names_;     // lower case, no trailing dot
  std::vector<std::string> suffixes_;  // ".corp.example" for "*.corp.example"
};

}  // namespace jobsched::executor::http
