#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_message.hpp"
#include "api/json_response.hpp"
#include "api/pagination.hpp"
#include "api/problem.hpp"
#include "core/result.hpp"

namespace jobsched::api {

// Answers one page of a keyset-paged list: `listed` was read with a limit
// one above the page's `limit`, so an extra row says a next page exists. The
// page goes out with its ETag (a 304 when it matches) and, when more follow,
// a Link to `path` with the last row's id as the cursor, keeping `filters`.
// `encode` turns the rows into the JSON body.
template <typename Row, typename Encode>
void RespondWithKeysetPage(const HttpRequest& request, core::Result<std::vector<Row>> listed, std::size_t limit,
                           Encode encode, std::string_view path, std::string_view filters, const Responder& respond) {
  if (!listed) return respond(ProblemResponse(listed.error()));
  const bool has_more = listed->size() > limit;
  if (has_more) listed->pop_back();
  std::string body = encode(*listed);
  std::string etag = ContentETag(body);
  HttpResponse response = CacheableJsonResponse(request, std::move(body), std::move(etag));
  if (has_more) SetNextPageLink(response, path, limit, listed->back().id, filters);
  respond(std::move(response));
}

}  // namespace jobsched::api
