#include "api/query_params.hpp"

#include <cctype>
#include <charconv>

#include <boost/url/parse_query.hpp>

namespace jobsched::api {

core::Result<QueryParams> QueryParams::Parse(std::string_view query) {
  QueryParams params;
  if (query.empty()) return params;
  auto parsed = boost::urls::parse_query(boost::core::string_view(query.data(), query.size()));
  if (!parsed) return core::Error::InvalidArgument("query", "malformed query string: " + parsed.error().message());
  for (const auto& param : *parsed) {
    // Parsed views are still percent-encoded; store the decoded text. A '+'
    // is a space, as browsers' forms and URLSearchParams write one
    // (application/x-www-form-urlencoded); a '+' itself comes as %2B.
    const boost::urls::encoding_opts plus_is_space(true);
    params.values_.emplace(param.key.decode(plus_is_space),
                           param.has_value ? param.value.decode(plus_is_space) : std::string());
  }
  return params;
}

std::optional<std::string_view> QueryParams::Get(std::string_view name) const {
  auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  return std::string_view(found->second);
}

core::Result<std::int64_t> QueryParams::GetInt(std::string_view name, std::int64_t fallback, std::int64_t min,
                                               std::int64_t max) const {
  auto text = Get(name);
  if (!text) return fallback;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return core::Error::InvalidArgument(std::string(name), std::string(name) + ": must be an integer from " +
                                                               std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

core::Result<std::optional<bool>> QueryParams::GetBool(std::string_view name) const {
  auto text = Get(name);
  if (!text) return std::optional<bool>{};
  if (*text == "true") return std::optional<bool>{true};
  if (*text == "false") return std::optional<bool>{false};
  return core::Error::InvalidArgument(std::string(name), std::string(name) + ": must be true or false");
}

}  // namespace jobsched::api
