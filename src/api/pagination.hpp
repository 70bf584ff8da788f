#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_message.hpp"
#include "api/query_params.hpp"
#include "core/result.hpp"

namespace jobsched::api {

// Keyset pagination shared by every list: `limit` (1-1000, default 100) and
// an opaque `cursor` taken from the previous page's Link header. The body
// stays a plain JSON array, so simple clients keep working.
struct PageRequest {
  std::size_t limit = 100;
  std::optional<std::int64_t> cursor;  // the last id of the previous page
};

// Fails with kInvalidArgument naming "limit" or "cursor".
core::Result<PageRequest> ParsePageRequest(const QueryParams& params);

// Adds `Link: <path?limit=N&cursor=C&extra>; rel="next"`. `extra_query` holds
// the filters the next page must keep ("is_active=true"), or is empty.
void SetNextPageLink(HttpResponse& response, std::string_view path, std::size_t limit, std::int64_t cursor,
                     std::string_view extra_query);
// The same with a cursor of any form (URL-safe as it is).
void SetNextPageLink(HttpResponse& response, std::string_view path, std::size_t limit, std::string_view cursor,
                     std::string_view extra_query);

}  // namespace jobsched::api
