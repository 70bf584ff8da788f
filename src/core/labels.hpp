#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace jobsched::core {

// A job's labels: key to value, ordered by key, with Kubernetes' rules
// (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/).
using Labels = std::map<std::string, std::string>;

constexpr std::size_t kMaxLabels = 64;              // per job
constexpr std::size_t kMaxLabelNameLength = 63;     // a key's name, and a value
constexpr std::size_t kMaxLabelPrefixLength = 253;  // a key's optional DNS subdomain prefix

// A key is an optional prefix and '/' and a name. The name: 1 to 63
// characters of [A-Za-z0-9-_.], beginning and ending with a letter or digit.
// The prefix: a DNS subdomain (dot-separated lower-case labels of [a-z0-9-],
// each beginning and ending with [a-z0-9]), at most 253 characters. Fails with
// kInvalidArgument, field `field`, saying what is wrong.
Result<void> ValidateLabelKey(std::string_view key, const std::string& field);

// A value: empty, or 1 to 63 characters with the rules of a key's name.
Result<void> ValidateLabelValue(std::string_view value, const std::string& field);

// Every key and value of `labels`, and at most kMaxLabels of them. The error's
// field is "labels.<key>" (or "labels" for too many).
Result<void> ValidateLabels(const Labels& labels);

}  // namespace jobsched::core
