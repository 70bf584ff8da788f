#include "api/json_response.hpp"

#include <cstdint>
#include <cstring>

namespace jobsched::api {
namespace {

// Content-Type, ETag, Cache-Control, X-Request-Id and the three RateLimit-*
// of a typical answer: room for them up front instead of regrowing the
// vector three times per request.
constexpr std::size_t kTypicalHeaderCount = 8;

}  // namespace

bool IfNoneMatchHolds(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view candidate = header.substr(0, comma);
    while (!candidate.empty() && candidate.front() == ' ') candidate.remove_prefix(1);
    while (!candidate.empty() && candidate.back() == ' ') candidate.remove_suffix(1);
    if (candidate.substr(0, 2) == "W/") candidate.remove_prefix(2);
    if (candidate == "*" || candidate == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.headers.reserve(kTypicalHeaderCount);
  response.status = status;
  response.SetHeader("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

HttpResponse CacheableJsonResponse(const HttpRequest& request, std::string body, std::string etag) {
  HttpResponse response;
  response.headers.reserve(kTypicalHeaderCount);
  if (IfNoneMatchHolds(request.Header("If-None-Match"), etag)) {
    response.status = 304;
  } else {
    response = JsonResponse(200, std::move(body));
  }
  response.SetHeader("ETag", std::move(etag));
  response.SetHeader("Cache-Control", "no-cache");
  return response;
}

std::string ContentETag(std::string_view body) {
  // FNV-1a over 8-byte words (then the tail byte by byte): a content hash
  // for change detection, not for security, and 8x fewer steps than bytes.
  std::uint64_t hash = 14695981039346656037ULL;
  std::size_t i = 0;
  for (; i + 8 <= body.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, body.data() + i, 8);
    hash ^= word;
    hash *= 1099511628211ULL;
    hash ^= hash >> 29;
  }
  for (; i < body.size(); ++i) {
    hash ^= static_cast<unsigned char>(body[i]);
    hash *= 1099511628211ULL;
  }
  std::string etag(18, '"');
  constexpr char kHex[] = "0123456789abcdef";
  for (int i = 16; i >= 1; --i) {
    etag[static_cast<std::size_t>(i)] = kHex[hash & 0xF];
    hash >>= 4;
  }
  return etag;
}

}  // namespace jobsched::api
