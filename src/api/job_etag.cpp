#include "api/job_etag.hpp"

#include <charconv>

#include "api/json_response.hpp"

namespace jobsched::api {

std::string JobETag(const core::Job& job, std::string_view body) {
  const std::string hash = ContentETag(body);  // already quoted
  // "\"<version>-<hash>\"", built in place: one allocation, not four.
  char version[24];
  const auto written = std::to_chars(version, version + sizeof version, job.version);
  std::string etag;
  etag.reserve(2 + static_cast<std::size_t>(written.ptr - version) + hash.size());
  etag += '"';
  etag.append(version, written.ptr);
  etag += '-';
  etag.append(hash, 1);
  return etag;
}

core::Result<void> CheckIfMatch(std::string_view if_match, const core::Job& job) {
  if (if_match.empty()) return core::Ok();
  std::string_view rest = if_match;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view tag = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag == "*") return core::Ok();
    if (tag.size() < 2 || tag.front() != '"') continue;
    tag = tag.substr(1);
    std::int64_t version = 0;
    const auto [end, error] = std::from_chars(tag.data(), tag.data() + tag.size(), version);
    if (error == std::errc() && end != tag.data() && (*end == '-' || *end == '"') && version == job.version) {
      return core::Ok();
    }
  }
  return core::Error{
      core::ErrorCode::kPreconditionFailed,
      "If-Match does not name the job's current version " + std::to_string(job.version) + "; read it again and retry",
      "If-Match"};
}

}  // namespace jobsched::api
