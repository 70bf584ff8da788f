#include "client/job_ref.hpp"

#include <charconv>

#include "client/output.hpp"
#include "core/job_namespace.hpp"
#include "core/text.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;

std::string Describe(const JobRef& ref) {
  return ref.namespace_name.empty() ? "'" + ref.name + "'" : "'" + ref.namespace_name + "/" + ref.name + "'";
}

}  // namespace

JobRef ParseJobRef(std::string_view text) {
  JobRef ref;
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error == std::errc() && end == text.data() + text.size() && id > 0) {
    ref.id = id;
    return ref;
  }
  const std::size_t slash = text.find('/');
  if (slash != std::string_view::npos && core::ValidateNamespace(text.substr(0, slash)).ok()) {
    ref.namespace_name = std::string(text.substr(0, slash));
    ref.name = std::string(text.substr(slash + 1));
    return ref;
  }
  ref.name = std::string(text);
  return ref;
}

core::Result<std::int64_t> ResolveJob(const ApiClient& api, std::string_view text,
                                      const std::string& default_namespace) {
  JobRef ref = ParseJobRef(text);
  if (ref.id != 0) return ref.id;
  if (ref.namespace_name.empty()) ref.namespace_name = default_namespace;
  std::string target = "/jobs?limit=1000&name=" + core::PercentEncode(ref.name);
  if (!ref.namespace_name.empty()) target += "&namespace=" + core::PercentEncode(ref.namespace_name);
  // ?name= is a prefix filter: keep the exact matches.
  auto listed = api.GetAll(target);
  if (!listed) return listed.error();
  std::vector<const json::object*> matches;
  for (const json::value& item : *listed) {
    if (item.is_object() && MemberText(item.get_object(), "name") == ref.name) matches.push_back(&item.get_object());
  }
  if (matches.empty()) return core::Error::NotFound("no job named " + Describe(ref));
  if (matches.size() > 1) {
    std::string which;
    for (const json::object* job : matches) {
      which += (which.empty() ? "" : ", ") + JobIdentity(*job) + " (id " + MemberText(*job, "id") + ")";
    }
    return core::Error::InvalidArgument(
        "job", "several jobs are named " + Describe(ref) + ": " + which + "; give an id or namespace/name");
  }
  return matches.front()->at("id").to_number<std::int64_t>();
}

}  // namespace jobsched::client
