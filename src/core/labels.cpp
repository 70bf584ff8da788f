#include "core/labels.hpp"

namespace jobsched::core {
namespace {

bool IsAlphanumeric(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool IsNameCharacter(char c) { return IsAlphanumeric(c) || c == '-' || c == '_' || c == '.'; }

// What is wrong with `text` as a label name or value, or "" when nothing is.
std::string NameProblem(std::string_view text, bool may_be_empty) {
  if (text.empty()) return may_be_empty ? "" : "must not be empty";
  if (text.size() > kMaxLabelNameLength) {
    return "at most " + std::to_string(kMaxLabelNameLength) + " characters, got " + std::to_string(text.size());
  }
  if (!IsAlphanumeric(text.front()) || !IsAlphanumeric(text.back())) {
    return "must begin and end with a letter or digit";
  }
  for (const char c : text) {
    if (!IsNameCharacter(c)) return "may hold only letters, digits, '-', '_' and '.'";
  }
  return "";
}

bool IsLowerAlphanumeric(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// A DNS subdomain (RFC 1123), as Kubernetes checks a key's prefix.
std::string PrefixProblem(std::string_view prefix) {
  if (prefix.empty()) return "the prefix before '/' must not be empty";
  if (prefix.size() > kMaxLabelPrefixLength) {
    return "the prefix is at most " + std::to_string(kMaxLabelPrefixLength) + " characters";
  }
  std::size_t start = 0;
  while (start <= prefix.size()) {
    const std::size_t dot = std::min(prefix.find('.', start), prefix.size());
    const std::string_view part = prefix.substr(start, dot - start);
    if (part.empty() || !IsLowerAlphanumeric(part.front()) || !IsLowerAlphanumeric(part.back())) {
      return "the prefix must be a DNS subdomain: lower-case letters, digits, '-' and '.', each part beginning and "
             "ending with a letter or digit";
    }
    for (const char c : part) {
      if (!IsLowerAlphanumeric(c) && c != '-') {
        return "the prefix must be a DNS subdomain: lower-case letters, digits, '-' and '.'";
      }
    }
    start = dot + 1;
  }
  return "";
}

// `text` shortened for an error message (it may be long or hold anything).
std::string Shown(std::string_view text) {
  return "'" + std::string(text.substr(0, 64)) + (text.size() > 64 ? "...'" : "'");
}

}  // namespace

Result<void> ValidateLabelKey(std::string_view key, const std::string& field) {
  const std::size_t slash = key.find('/');
  std::string problem;
  if (slash == std::string_view::npos) {
    problem = NameProblem(key, false);
  } else {
    problem = PrefixProblem(key.substr(0, slash));
    if (problem.empty()) problem = NameProblem(key.substr(slash + 1), false);
  }
  if (problem.empty()) return Ok();
  return Error::InvalidArgument(field, field + ": key " + Shown(key) + ": " + problem);
}

Result<void> ValidateLabelValue(std::string_view value, const std::string& field) {
  const std::string problem = NameProblem(value, true);
  if (problem.empty()) return Ok();
  return Error::InvalidArgument(field, field + ": value " + Shown(value) + ": " + problem);
}

Result<void> ValidateLabels(const Labels& labels) {
  if (labels.size() > kMaxLabels) {
    return Error::InvalidArgument(
        "labels", "labels: at most " + std::to_string(kMaxLabels) + " per job, got " + std::to_string(labels.size()));
  }
  for (const auto& [key, value] : labels) {
    const std::string field = "labels." + key.substr(0, 64);
    if (auto valid = ValidateLabelKey(key, field); !valid) return valid.error();
    if (auto valid = ValidateLabelValue(value, field); !valid) return valid.error();
  }
  return Ok();
}

}  // namespace jobsched::core
