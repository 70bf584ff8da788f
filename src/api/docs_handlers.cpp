#include "api/docs_handlers.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>

#include "api/json_response.hpp"
#include "api/openapi_document.hpp"
#include "api/problem.hpp"

namespace jobsched::api {
namespace {

struct Asset {
  std::string_view name;
  std::string_view content_type;
};

constexpr std::array<Asset, 4> kAssets{{
    {"swagger-ui.css", "text/css; charset=utf-8"},
    {"swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
    {"swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8"},
    {"favicon-32x32.png", "image/png"},
}};

constexpr std::string_view kPage = R"(<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>jobsched API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.onload = function () {
      window.ui = SwaggerUIBundle({
        url: "/openapi.json",
        dom_id: "#swagger-ui",
        deepLinking: true,
        // No badge from validator.swagger.io: the page asks nothing of other hosts.
        validatorUrl: null,
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        layout: "StandaloneLayout"
      });
    };
  </script>
</body>
</html>
)";

struct LoadedAsset {
  std::string content_type;
  std::string body;
  std::string etag;
};

using Assets = std::map<std::string, LoadedAsset, std::less<>>;

Assets LoadAssets(const std::string& folder) {
  Assets assets;
  for (const Asset& asset : kAssets) {
    std::ifstream file(folder + "/" + std::string(asset.name), std::ios::binary);
    if (!file) continue;
    std::ostringstream content;
    content << file.rdbuf();
    std::string body = std::move(content).str();
    std::string etag = ContentETag(body);
    assets.emplace(std::string(asset.name), LoadedAsset{std::string(asset.content_type), std::move(body), etag});
  }
  return assets;
}

// Swagger UI's files (1.8 MB), read at the first request for one: a node
// nobody reads the documentation on never holds them.
class LazyAssets {
 public:
  explicit LazyAssets(std::string folder) : folder_(std::move(folder)) {}

  const Assets& Get() {
    std::call_once(once_, [this] { assets_ = LoadAssets(folder_); });
    return assets_;
  }

 private:
  const std::string folder_;
  std::once_flag once_;
  Assets assets_;
};

bool AllAssetsInstalled(const std::string& folder) {
  return std::all_of(kAssets.begin(), kAssets.end(), [&](const Asset& asset) {
    return std::filesystem::is_regular_file(folder + "/" + std::string(asset.name));
  });
}

HttpResponse Document(const HttpRequest& request, std::string_view text, std::string_view content_type) {
  HttpResponse response = CacheableJsonResponse(request, std::string(text), ContentETag(text));
  if (response.status == 200) response.SetHeader("Content-Type", std::string(content_type));
  return response;
}

}  // namespace

void RegisterDocsHandlers(Router& router, const std::string& assets_dir) {
  auto assets = std::make_shared<LazyAssets>(assets_dir);
  const bool complete = AllAssetsInstalled(assets_dir);
  router.Add("GET", "/openapi.json", [](HttpRequest&& request, const PathParams&, const Responder& respond) {
    respond(Document(request, OpenApiJson(), "application/json"));
  });
  router.Add("GET", "/openapi.yaml", [](HttpRequest&& request, const PathParams&, const Responder& respond) {
    respond(Document(request, OpenApiYaml(), "application/yaml"));
  });
  router.Add("GET", "/docs",
             [complete, assets_dir](HttpRequest&& request, const PathParams&, const Responder& respond) {
               if (!complete) {
                 return respond(ProblemResponse(503, "Swagger UI's assets are not installed in " + assets_dir +
                                                         "; build with npm available, or set --docs-dir"));
               }
               respond(Document(request, kPage, "text/html; charset=utf-8"));
             });
  router.Add("GET", "/docs/{file}",
             [assets](HttpRequest&& request, const PathParams& params, const Responder& respond) {
               const Assets& files = assets->Get();
               auto found = files.find(params.find("file")->second);
               if (found == files.end()) return respond(ProblemResponse(404, "no such documentation asset"));
               HttpResponse response;
               if (request.Header("If-None-Match") == found->second.etag) {
                 response.status = 304;
               } else {
                 response.SetHeader("Content-Type", found->second.content_type);
                 response.body = found->second.body;
               }
               response.SetHeader("ETag", found->second.etag);
               // The assets change only with a new build; a day is safe, and revalidation is cheap.
               response.SetHeader("Cache-Control", "public, max-age=86400");
               respond(std::move(response));
             });
  router.Add("GET", "/swagger", [](HttpRequest&&, const PathParams&, const Responder& respond) {
    HttpResponse response;
    response.status = 308;
    response.SetHeader("Location", "/docs");
    respond(std::move(response));
  });
}

}  // namespace jobsched::api
