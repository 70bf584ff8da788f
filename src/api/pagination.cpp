#include "api/pagination.hpp"

namespace jobsched::api {
namespace {

constexpr std::int64_t kDefaultPageSize = 100;
constexpr std::int64_t kMaxPageSize = 1000;

}  // namespace

core::Result<PageRequest> ParsePageRequest(const QueryParams& params) {
  auto limit = params.GetInt("limit", kDefaultPageSize, 1, kMaxPageSize);
  if (!limit) return limit.error();
  PageRequest page;
  page.limit = static_cast<std::size_t>(*limit);
  if (params.Get("cursor")) {
    // Cursors are ids today; clients must treat them as opaque, since only
    // the Link header's URL is a promise.
    auto cursor = params.GetInt("cursor", 0, 0, INT64_MAX);
    if (!cursor) return core::Error::InvalidArgument("cursor", "cursor: not a cursor this service issued");
    page.cursor = *cursor;
  }
  return page;
}

void SetNextPageLink(HttpResponse& response, std::string_view path, std::size_t limit, std::int64_t cursor,
                     std::string_view extra_query) {
  SetNextPageLink(response, path, limit, std::to_string(cursor), extra_query);
}

void SetNextPageLink(HttpResponse& response, std::string_view path, std::size_t limit, std::string_view cursor,
                     std::string_view extra_query) {
  std::string next = "<" + std::string(path) + "?limit=" + std::to_string(limit) + "&cursor=" + std::string(cursor);
  if (!extra_query.empty()) {
    next += '&';
    next += extra_query;
  }
  next += ">; rel=\"next\"";
  response.SetHeader("Link", std::move(next));
}

}  // namespace jobsched::api
