#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace jobsched::api {

// Decoded query parameters of one request. When a name repeats, the first
// value wins.
class QueryParams {
 public:
  // Fails with kInvalidArgument on malformed percent-encoding.
  static core::Result<QueryParams> Parse(std::string_view query);

  std::optional<std::string_view> Get(std::string_view name) const;

  // An integer in [min, max]; `fallback` when absent. Fails naming `name`.
  core::Result<std::int64_t> GetInt(std::string_view name, std::int64_t fallback, std::int64_t min,
                                    std::int64_t max) const;
  // "true" or "false"; nullopt when absent. Fails naming `name`.
  core::Result<std::optional<bool>> GetBool(std::string_view name) const;

  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace jobsched::api
