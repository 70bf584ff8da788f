#include "api/about_handlers.hpp"

#include <memory>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/json_response.hpp"
#include "api/problem.hpp"

namespace jobsched::api {
namespace {

namespace json = boost::json;

std::string EncodeNodes(const std::vector<store::NodeStatus>& nodes) {
  json::array list;
  list.reserve(nodes.size());
  for (const store::NodeStatus& node : nodes) {
    json::object object;
    object["id"] = node.id;
    object["alive_until"] = core::FormatRfc3339(node.alive_until);
    object["running_runs"] = node.running_runs;
    list.push_back(std::move(object));
  }
  return json::serialize(list);
}

std::string EncodeAbout(const AboutInfo& about) {
  json::object body;
  body["version"] = about.version;
  body["database"] = about.database;
  json::array roles;
  for (const std::string& role : about.roles) roles.push_back(json::value(role));
  body["roles"] = std::move(roles);
  json::object settings;
  for (const auto& [key, value] : about.settings) {
    settings[key] = std::visit([](const auto& each) { return json::value(each); }, value);
  }
  body["settings"] = std::move(settings);
  return json::serialize(body);
}

}  // namespace

void RegisterAboutHandlers(Router& router, store::NodeStore& nodes, const AboutInfo& about) {
  router.Add("GET", "/nodes", [&nodes](HttpRequest&& request, const PathParams&, const Responder& respond) {
    auto listed = nodes.ListNodes();
    if (!listed) return respond(ProblemResponse(listed.error()));
    std::string body = EncodeNodes(*listed);
    std::string etag = ContentETag(body);
    respond(CacheableJsonResponse(request, std::move(body), std::move(etag)));
  });
  // The answer never changes while the process runs: encoded once.
  auto encoded = std::make_shared<const std::string>(EncodeAbout(about));
  router.Add("GET", "/about", [encoded](HttpRequest&& request, const PathParams&, const Responder& respond) {
    respond(CacheableJsonResponse(request, *encoded, ContentETag(*encoded)));
  });
}

}  // namespace jobsched::api
