#include "api/console_handlers.hpp"

#include <array>
#include <cctype>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "api/console_assets.hpp"
#include "api/json_response.hpp"
#include "api/problem.hpp"

namespace jobsched::api {
namespace {

// Every page of the console; each answers index.html. Literal paths come
// before captures, so that /ui/jobs/new is not counted as /ui/jobs/{id}.
constexpr std::array<std::string_view, 9> kPages{
    "/ui",      "/ui/jobs",      "/ui/jobs/new", "/ui/jobs/{id}", "/ui/jobs/{id}/edit",
    "/ui/runs", "/ui/runs/{id}", "/ui/admin",    "/ui/signin",
};

// Assets are named by the version of the build they belong to: whatever is
// cached under one version is right for as long as anyone keeps it.
constexpr std::string_view kAssetCacheControl = "public, max-age=31536000, immutable";
// The version of a development folder, whose files change under it.
constexpr std::string_view kDevVersion = "dev";
// For answers that come before (or without) a bundle: nothing may load.
constexpr std::string_view kFallbackPolicy = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'";

// The bundle to serve a request from, or why there is none.
using BundleSource = std::function<core::Result<std::shared_ptr<const ConsoleBundle>>()>;

BundleSource MakeSource(const ConsoleOptions& options) {
  if (!options.dev_dir.empty()) {
    // Read on every request: an edit shows on the next reload.
    return [options]() -> core::Result<std::shared_ptr<const ConsoleBundle>> {
      auto bundle = LoadConsoleBundle(options.dir, options.dev_dir, std::string(kDevVersion), false);
      if (!bundle) return bundle.error();
      return std::make_shared<const ConsoleBundle>(std::move(*bundle));
    };
  }
  // Read and compressed on first use, then kept: a node nobody opens the
  // console on holds none of it (with Swagger UI's, about 3 MB of memory),
  // and start-up does not wait for the compression (about 20 ms).
  struct Lazy {
    std::once_flag once;
    std::optional<core::Result<std::shared_ptr<const ConsoleBundle>>> bundle;
  };
  auto lazy = std::make_shared<Lazy>();
  // Said once at start; the pages then answer 503 with the same words.
  if (!options.dir.empty() && !std::filesystem::exists(options.dir + "/index.html")) {
    spdlog::warn("web console unavailable: the console's index.html is not in {}", options.dir);
  }
  return [lazy, dir = options.dir]() -> core::Result<std::shared_ptr<const ConsoleBundle>> {
    std::call_once(lazy->once, [&] {
      auto loaded = LoadConsoleBundle(dir, std::nullopt, std::nullopt, true);
      if (loaded) {
        lazy->bundle.emplace(std::make_shared<const ConsoleBundle>(std::move(*loaded)));
      } else {
        lazy->bundle.emplace(loaded.error());
      }
    });
    return *lazy->bundle;
  };
}

void AddSecurityHeaders(HttpResponse& response, std::string_view policy) {
  response.SetHeader("Content-Security-Policy", std::string(policy));
  response.SetHeader("X-Content-Type-Options", "nosniff");
  response.SetHeader("Referrer-Policy", "no-referrer");
  response.SetHeader("Cross-Origin-Opener-Policy", "same-origin");
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Whether the parameters of an Accept-Encoding item say q=0 ("not
// acceptable", RFC 9110 12.4.2): 0, 0.0, 0.000.
bool QualityIsZero(std::string_view params) {
  const std::size_t q = params.find("q=");
  if (q == std::string_view::npos) return false;
  const std::string_view value = Trim(params.substr(q + 2, params.find(';', q) - q - 2));
  return !value.empty() && value.find_first_not_of("0.") == std::string_view::npos;
}

// Whether Accept-Encoding allows gzip: named, or `*`, without q=0.
bool AcceptsGzip(std::string_view header) {
  bool star = false;
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    const std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const std::size_t semicolon = item.find(';');
    std::string coding(Trim(item.substr(0, semicolon)));
    for (char& c : coding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool refused = semicolon != std::string_view::npos && QualityIsZero(item.substr(semicolon + 1));
    if (coding == "gzip") return !refused;
    if (coding == "*") star = !refused;
  }
  return star;
}

// 200 with the file (gzipped when the client takes it), or 304 when its
// If-None-Match names the representation it would get.
HttpResponse FileResponse(const HttpRequest& request, const ConsoleFile& file, std::string_view cache_control) {
  const bool gzip = !file.gzipped.empty() && AcceptsGzip(request.Header("Accept-Encoding"));
  // Each encoding is its own representation, with its own strong tag.
  std::string etag = gzip ? file.etag.substr(0, file.etag.size() - 1) + "-gzip\"" : file.etag;
  HttpResponse response;
  if (IfNoneMatchHolds(request.Header("If-None-Match"), etag)) {
    response.status = 304;
  } else {
    response.SetHeader("Content-Type", file.content_type);
    response.body = gzip ? file.gzipped : file.body;
    if (gzip) response.SetHeader("Content-Encoding", "gzip");
  }
  response.SetHeader("ETag", std::move(etag));
  response.SetHeader("Cache-Control", std::string(cache_control));
  if (!file.gzipped.empty()) response.SetHeader("Vary", "Accept-Encoding");
  return response;
}

HttpResponse Unavailable(const core::Error& error) {
  HttpResponse response = ProblemResponse(503, error.message);
  AddSecurityHeaders(response, kFallbackPolicy);
  return response;
}

HttpResponse PageResponse(const HttpRequest& request, const ConsoleBundle& bundle, bool dev) {
  HttpResponse response = FileResponse(request, bundle.index, dev ? "no-store" : "no-cache");
  AddSecurityHeaders(response, bundle.content_security_policy);
  return response;
}

HttpResponse AssetResponse(const HttpRequest& request, const PathParams& params, const ConsoleBundle& bundle,
                           bool dev) {
  const std::string& version = params.find("version")->second;
  const std::string& name = params.find("file")->second;
  auto found = bundle.assets.find(name);
  HttpResponse response;
  if (version != bundle.version) {
    // An old page asking for the files of another build: they are gone.
    response = ProblemResponse(404, "no console version '" + version.substr(0, 32) + "' here; this build serves " +
                                        bundle.version + ": reload the page");
  } else if (found == bundle.assets.end()) {
    response = ProblemResponse(404, "no console file '" + name.substr(0, 64) + "'");
  } else {
    response = FileResponse(request, found->second, dev ? "no-store" : kAssetCacheControl);
  }
  AddSecurityHeaders(response, bundle.content_security_policy);
  return response;
}

}  // namespace

void RegisterConsoleHandlers(Router& router, const ConsoleOptions& options) {
  const bool dev = !options.dev_dir.empty();
  BundleSource source = MakeSource(options);
  router.Add("GET", "/", [](HttpRequest&&, const PathParams&, const Responder& respond) {
    HttpResponse response;
    response.status = 302;
    response.SetHeader("Location", "/ui/");
    response.SetHeader("Cache-Control", "no-cache");
    AddSecurityHeaders(response, kFallbackPolicy);
    respond(std::move(response));
  });
  for (std::string_view page : kPages) {
    router.Add("GET", std::string(page),
               [source, dev](HttpRequest&& request, const PathParams&, const Responder& respond) {
                 auto bundle = source();
                 respond(bundle ? PageResponse(request, **bundle, dev) : Unavailable(bundle.error()));
               });
  }
  router.Add("GET", "/ui/assets/{version}/{file}",
             [source, dev](HttpRequest&& request, const PathParams& params, const Responder& respond) {
               auto bundle = source();
               respond(bundle ? AssetResponse(request, params, **bundle, dev) : Unavailable(bundle.error()));
             });
}

}  // namespace jobsched::api
