#include "api/http_message.hpp"

#include <cctype>

#include <algorithm>

#include "core/text.hpp"

namespace jobsched::api {
namespace {

std::string_view FindHeader(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (core::EqualsIgnoringCase(key, name)) return value;
  }
  return {};
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const { return FindHeader(headers, name); }

std::vector<std::string_view> HttpRequest::HeaderValues(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [key, value] : headers) {
    if (core::EqualsIgnoringCase(key, name)) values.emplace_back(value);
  }
  return values;
}

std::string_view HttpResponse::Header(std::string_view name) const { return FindHeader(headers, name); }

HttpResponse& HttpResponse::SetHeader(std::string name, std::string value) {
  for (auto& [key, existing] : headers) {
    if (core::EqualsIgnoringCase(key, name)) {
      existing = std::move(value);
      return *this;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::string MediaType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  std::string lower(media);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

}  // namespace jobsched::api
