#include "codec/retry_codec.hpp"

#include <charconv>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/duration.hpp"

namespace jobsched::codec {
namespace {

namespace json = boost::json;

core::Result<core::Milliseconds> DurationMember(const json::value& value, const std::string& field) {
  if (!value.is_string()) return core::Error::InvalidArgument(field, field + ": must be a duration such as \"10s\"");
  return core::ParseDuration(std::string_view(value.as_string().data(), value.as_string().size()), field);
}

}  // namespace

core::Result<core::RetryPolicy> DecodeRetryPolicy(std::string_view text) {
  json::error_code error;
  json::value document = json::parse(json::string_view(text.data(), text.size()), error);
  if (error || !document.is_object()) {
    return core::Error::InvalidArgument("retry", "retry: must be an object such as {\"max_attempts\": 3}");
  }
  core::RetryPolicy policy;
  for (const auto& member : document.as_object()) {
    const std::string_view key(member.key().data(), member.key().size());
    const json::value& value = member.value();
    const std::string field = "retry." + std::string(key.substr(0, 64));
    if (key == "max_attempts") {
      if (!value.is_int64()) return core::Error::InvalidArgument(field, field + ": must be an integer");
      policy.max_attempts = static_cast<int>(std::clamp<std::int64_t>(value.as_int64(), -1, 1'000'000));
    } else if (key == "initial_delay" || key == "max_delay") {
      auto delay = DurationMember(value, field);
      if (!delay) return delay.error();
      (key == "initial_delay" ? policy.initial_delay : policy.max_delay) = *delay;
    } else if (key == "jitter") {
      if (!value.is_number()) return core::Error::InvalidArgument(field, field + ": must be a number from 0 to 1");
      policy.jitter = value.to_number<double>();
    } else {
      return core::Error::InvalidArgument(field, field +
                                                     ": unknown field; a retry policy has max_attempts, "
                                                     "initial_delay, max_delay and jitter");
    }
  }
  if (auto valid = core::ValidateRetryPolicy(policy); !valid) return valid.error();
  return policy;
}

std::string EncodeRetryPolicy(const core::RetryPolicy& policy) {
  std::string out;
  AppendRetryPolicy(out, policy);
  return out;
}

void AppendRetryPolicy(std::string& out, const core::RetryPolicy& policy) {
  // Written by hand: every job in every response carries one, and building
  // a JSON object per job cost a third of GET /jobs.
  char number[32];
  out += "{\"max_attempts\":";
  const auto attempts = std::to_chars(number, number + sizeof number, policy.max_attempts);
  out.append(number, attempts.ptr);
  out += ",\"initial_delay\":\"";
  out += core::FormatDuration(policy.initial_delay);
  out += "\",\"max_delay\":\"";
  out += core::FormatDuration(policy.max_delay);
  out += "\",\"jitter\":";
  const auto jitter = std::to_chars(number, number + sizeof number, policy.jitter);
  if (jitter.ec == std::errc()) {
    out.append(number, jitter.ptr);
  } else {
    out += '0';
  }
  out += '}';
}

}  // namespace jobsched::codec
