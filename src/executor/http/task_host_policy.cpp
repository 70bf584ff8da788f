#include "executor/http/task_host_policy.hpp"

#include <algorithm>
#include <array>

#include "core/text.hpp"

namespace jobsched::executor::http {
namespace {

// Names under which clouds serve instance metadata (credentials, among other
// things). They resolve to link-local addresses, which are refused anyway;
// refusing the names too makes the error plain and covers a resolver that
// answers with something else.
constexpr std::array<std::string_view, 6> kMetadataHostNames{
    "metadata",      "metadata.google.internal",   "metadata.goog",
    "instance-data", "instance-data.ec2.internal", "metadata.azure.internal"};

std::string Normalized(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string lower(host);
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return lower;
}

bool IsHostNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

bool LooksLikeHostName(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), IsHostNameChar);
}

// "[fd00::]/8" -> "fd00::/8": an IPv6 address may be written as in a URL.
std::string Unbracketed(std::string_view entry) {
  const std::size_t close = entry.find(']');
  if (entry.front() != '[' || close == std::string_view::npos) return std::string(entry);
  return std::string(entry.substr(1, close - 1)) + std::string(entry.substr(close + 1));
}

bool IsDigitsAndDots(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

}  // namespace

core::Result<TaskHostPolicy> TaskHostPolicy::Parse(std::string_view allow_list) {
  TaskHostPolicy policy;
  for (const std::string_view entry : core::SplitList(allow_list)) {
    if (entry.empty()) continue;
    if (auto block = Cidr::Parse(Unbracketed(entry))) {
      policy.blocks_.push_back(*block);
      continue;
    }
    const std::string name = Normalized(entry);
    if (name.rfind("*.", 0) == 0 && LooksLikeHostName(name.substr(2))) {
      policy.suffixes_.push_back(name.substr(1));
    } else if (LooksLikeHostName(name) && !IsDigitsAndDots(name)) {  // "10.0.0" is a broken address
      policy.names_.push_back(name);
    } else {
      return core::Error::InvalidArgument(
          "allow_task_hosts", "'" + std::string(entry.substr(0, 64)) +
                                  "' is neither an address block (10.0.0.0/8, 127.0.0.1, fd00::/8) nor a host name "
                                  "(hooks.internal, *.corp.example)");
    }
  }
  return policy;
}

bool TaskHostPolicy::AllowsHostName(std::string_view host) const {
  const std::string name = Normalized(host);
  if (name.empty()) return false;
  if (std::find(names_.begin(), names_.end(), name) != names_.end()) return true;
  return std::any_of(suffixes_.begin(), suffixes_.end(), [&name](const std::string& suffix) {
    return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  });
}

std::optional<std::string_view> TaskHostPolicy::RefusedHostName(std::string_view host) const {
  if (AllowsHostName(host)) return std::nullopt;
  const std::string name = Normalized(host);
  if (std::find(kMetadataHostNames.begin(), kMetadataHostNames.end(), name) != kMetadataHostNames.end()) {
    return "cloud metadata host name";
  }
  return std::nullopt;
}

std::optional<std::string_view> TaskHostPolicy::RefusedAddress(const IpAddress& address) const {
  const auto range = NonPublicRange(address);
  if (!range) return std::nullopt;
  const bool allowed =
      std::any_of(blocks_.begin(), blocks_.end(), [&address](const Cidr& block) { return block.Contains(address); });
  if (allowed) return std::nullopt;
  return range;
}

}  // namespace jobsched::executor::http
