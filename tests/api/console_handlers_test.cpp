#include "api/console_handlers.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>

#include <openssl/evp.h>
#include <zlib.h>

#include "api/console_assets.hpp"
#include "testing/temp_dir.hpp"

namespace jobsched::api {
namespace {

constexpr std::string_view kIndex = R"(<!DOCTYPE html>
<html lang="en"><head>
<link rel="stylesheet" href="/ui/assets/{{version}}/console.css">
<script type="importmap">
{"imports": {"preact": "/ui/assets/{{version}}/preact.mjs"}}
</script>
<script type="module" src="/ui/assets/{{version}}/main.js"></script>
{{modulepreload}}
</head><body><div id="app"></div></body></html>
)";

void Write(const std::filesystem::path& path, std::string_view text) { std::ofstream(path, std::ios::binary) << text; }

HttpResponse Get(const Router& router, std::string path,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpRequest request;
  request.method = "GET";
  request.path = path;
  request.target = std::move(path);
  request.headers = std::move(headers);
  std::optional<HttpResponse> answer;
  router.Dispatch(std::move(request), [&answer](HttpResponse response) { answer = std::move(response); });
  EXPECT_TRUE(answer.has_value());
  return answer.value_or(HttpResponse{});
}

std::string Gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out(data.size() * 20 + 1024, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

// The CSP source for `text`, computed here independently of the code under test.
std::string ExpectedHashSource(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  unsigned char base64[64] = {};
  EVP_EncodeBlock(base64, digest, static_cast<int>(size));
  return "'sha256-" + std::string(reinterpret_cast<char*>(base64)) + "'";
}

// The version the page's module script names.
std::string VersionIn(const std::string& html) {
  std::smatch match;
  EXPECT_TRUE(std::regex_search(html, match, std::regex(R"re(src="/ui/assets/([^/]+)/main\.js")re"))) << html;
  return match.size() > 1 ? match[1].str() : std::string();
}

class ConsoleHandlersTest : public ::testing::Test {
 protected:
  ConsoleHandlersTest() {
    Write(dir_.path() / "index.html", kIndex);
    // Long enough that gzip pays.
    std::string script = "export const greeting = 'hello';\n";
    for (int i = 0; i < 50; ++i) script += "console.log(greeting, " + std::to_string(i) + ");\n";
    script_ = script;
    Write(dir_.path() / "main.js", script_);
    Write(dir_.path() / "console.css", "body { color: black; }\n");
    Write(dir_.path() / "preact.mjs", "export const h = 1;\n");
    Write(dir_.path() / "logo.png", std::string("\x89PNG\r\n\x1a\n", 8) + std::string(300, 'x'));
    Write(dir_.path() / "notes.txt", "not served");
  }

  Router Serve(std::string dev_dir = {}) {
    Router router;
    RegisterConsoleHandlers(router, ConsoleOptions{dir_.path().string(), std::move(dev_dir)});
    return router;
  }

  jobsched::testing::TempDir dir_;
  std::string script_;
};

TEST_F(ConsoleHandlersTest, TheRootRedirectsToTheConsole) {
  const HttpResponse response = Get(Serve(), "/");

  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(response.Header("Location"), "/ui/");
}

TEST_F(ConsoleHandlersTest, EveryPageAnswersTheIndexWithTheVersionFilledIn) {
  const Router router = Serve();

  for (const char* path : {"/ui/", "/ui", "/ui/jobs", "/ui/jobs/new", "/ui/jobs/42", "/ui/jobs/42/edit", "/ui/runs",
                           "/ui/runs/7", "/ui/admin", "/ui/signin"}) {
    const HttpResponse response = Get(router, path);
    EXPECT_EQ(response.status, 200) << path;
    EXPECT_EQ(response.Header("Content-Type"), "text/html; charset=utf-8") << path;
    EXPECT_EQ(response.Header("Cache-Control"), "no-cache") << path;
    EXPECT_FALSE(response.Header("ETag").empty()) << path;
    EXPECT_EQ(response.body.find("{{version}}"), std::string::npos) << path;
    EXPECT_TRUE(std::regex_match(VersionIn(response.body), std::regex("[0-9a-f]{12}"))) << path;
  }
}

TEST_F(ConsoleHandlersTest, ThePageAsksForEveryModuleAtOnce) {
  const std::string page = Get(Serve(), "/ui/jobs").body;
  const std::string version = VersionIn(page);

  EXPECT_NE(page.find("<link rel=\"modulepreload\" href=\"/ui/assets/" + version + "/main.js\">"), std::string::npos)
      << page;
  EXPECT_NE(page.find("<link rel=\"modulepreload\" href=\"/ui/assets/" + version + "/preact.mjs\">"), std::string::npos)
      << page;
  EXPECT_EQ(page.find("modulepreload\" href=\"/ui/assets/" + version + "/console.css"), std::string::npos) << page;
  EXPECT_EQ(page.find("{{modulepreload}}"), std::string::npos) << page;
}

TEST_F(ConsoleHandlersTest, AssetsOfTheCurrentVersionAreCachedForAYearWithTheirContentType) {
  const Router router = Serve();
  const std::string version = VersionIn(Get(router, "/ui/").body);

  const HttpResponse script = Get(router, "/ui/assets/" + version + "/main.js");
  const HttpResponse style = Get(router, "/ui/assets/" + version + "/console.css");
  const HttpResponse image = Get(router, "/ui/assets/" + version + "/logo.png");

  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.body, script_);
  EXPECT_EQ(script.Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(script.Header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(style.Header("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(image.Header("Content-Type"), "image/png");
}

TEST_F(ConsoleHandlersTest, AnotherVersionOrAnUnknownFileIsNotFound) {
  const Router router = Serve();
  const std::string version = VersionIn(Get(router, "/ui/").body);

  for (const std::string& path :
       {std::string("/ui/assets/0123456789ab/main.js"), "/ui/assets/" + version + "/nothing.js",
        "/ui/assets/" + version + "/notes.txt", "/ui/assets/" + version + "/index.html"}) {
    const HttpResponse response = Get(router, path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.Header("Content-Type"), "application/problem+json") << path;
    EXPECT_FALSE(response.Header("Content-Security-Policy").empty()) << path;
  }
}

TEST_F(ConsoleHandlersTest, TheVersionChangesWhenAnyFileChanges) {
  const std::string before = VersionIn(Get(Serve(), "/ui/").body);
  Write(dir_.path() / "console.css", "body { color: navy; }\n");

  const std::string after = VersionIn(Get(Serve(), "/ui/").body);

  EXPECT_NE(before, after);
}

TEST_F(ConsoleHandlersTest, AMatchingIfNoneMatchAnswers304WithoutABody) {
  const Router router = Serve();
  const HttpResponse page = Get(router, "/ui/jobs");
  const std::string version = VersionIn(page.body);
  const HttpResponse asset = Get(router, "/ui/assets/" + version + "/main.js");

  const HttpResponse page_again = Get(router, "/ui/runs", {{"If-None-Match", std::string(page.Header("ETag"))}});
  const HttpResponse asset_again =
      Get(router, "/ui/assets/" + version + "/main.js", {{"If-None-Match", std::string(asset.Header("ETag"))}});
  const HttpResponse stale = Get(router, "/ui/jobs", {{"If-None-Match", "\"0000000000000000\""}});

  EXPECT_EQ(page_again.status, 304);
  EXPECT_TRUE(page_again.body.empty());
  EXPECT_EQ(page_again.Header("ETag"), page.Header("ETag"));
  EXPECT_EQ(asset_again.status, 304);
  EXPECT_TRUE(asset_again.body.empty());
  EXPECT_EQ(stale.status, 200);
}

TEST_F(ConsoleHandlersTest, TextIsGzippedForClientsThatAcceptIt) {
  const Router router = Serve();
  const std::string path = "/ui/assets/" + VersionIn(Get(router, "/ui/").body) + "/main.js";

  const HttpResponse gzipped = Get(router, path, {{"Accept-Encoding", "br, gzip, deflate"}});
  const HttpResponse plain = Get(router, path);

  EXPECT_EQ(gzipped.Header("Content-Encoding"), "gzip");
  EXPECT_LT(gzipped.body.size(), script_.size());
  EXPECT_EQ(Gunzip(gzipped.body), script_);
  EXPECT_EQ(gzipped.Header("Vary"), "Accept-Encoding");
  EXPECT_EQ(plain.Header("Content-Encoding"), "");
  EXPECT_EQ(plain.body, script_);
  EXPECT_EQ(plain.Header("Vary"), "Accept-Encoding");
  EXPECT_NE(gzipped.Header("ETag"), plain.Header("ETag")) << "two representations need two strong tags";
}

TEST_F(ConsoleHandlersTest, GzipIsSentOnlyWhenTheClientDoesNotRefuseIt) {
  struct Case {
    const char* accept_encoding;
    bool gzip;
  };
  const Case cases[] = {
      {"gzip", true},       {"GZIP", true},      {"deflate, gzip;q=0.5", true},
      {"*", true},          {"gzip;q=0", false}, {"gzip; q=0.0", false},
      {"identity", false},  {"", false},         {"*, gzip;q=0", false},
      {"br, *;q=0", false}, {"x-gzip", false},
  };
  const Router router = Serve();
  const std::string path = "/ui/assets/" + VersionIn(Get(router, "/ui/").body) + "/main.js";

  for (const Case& c : cases) {
    const HttpResponse response = Get(router, path, {{"Accept-Encoding", c.accept_encoding}});
    EXPECT_EQ(response.Header("Content-Encoding") == "gzip", c.gzip) << c.accept_encoding;
  }
}

TEST_F(ConsoleHandlersTest, ImagesAreNotGzipped) {
  const Router router = Serve();
  const std::string path = "/ui/assets/" + VersionIn(Get(router, "/ui/").body) + "/logo.png";

  const HttpResponse response = Get(router, path, {{"Accept-Encoding", "gzip"}});

  EXPECT_EQ(response.Header("Content-Encoding"), "");
  EXPECT_EQ(response.Header("Vary"), "");
}

TEST_F(ConsoleHandlersTest, EveryAnswerCarriesTheSecurityHeaders) {
  const Router router = Serve();
  const std::string version = VersionIn(Get(router, "/ui/").body);

  for (const std::string& path : {std::string("/"), std::string("/ui/jobs"), "/ui/assets/" + version + "/main.js",
                                  "/ui/assets/" + version + "/missing.js"}) {
    const HttpResponse response = Get(router, path);
    const std::string policy(response.Header("Content-Security-Policy"));
    EXPECT_NE(policy.find("default-src 'none'"), std::string::npos) << path;
    EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << path;
    EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << path;
    EXPECT_EQ(policy.find("unsafe-eval"), std::string::npos) << path;
    EXPECT_EQ(response.Header("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(response.Header("Referrer-Policy"), "no-referrer") << path;
    EXPECT_EQ(response.Header("Cross-Origin-Opener-Policy"), "same-origin") << path;
  }
}

TEST_F(ConsoleHandlersTest, ThePolicyAllowsTheInlineImportMapByItsHash) {
  const HttpResponse page = Get(Serve(), "/ui/");
  const std::optional<std::string_view> import_map = InlineImportMap(page.body);
  ASSERT_TRUE(import_map.has_value());
  const std::string policy(page.Header("Content-Security-Policy"));

  EXPECT_NE(import_map->find("/ui/assets/" + VersionIn(page.body) + "/preact.mjs"), std::string_view::npos);
  EXPECT_NE(policy.find("script-src 'self' " + ExpectedHashSource(*import_map) + ";"), std::string::npos) << policy;
}

TEST_F(ConsoleHandlersTest, ADevelopmentFolderIsReadOnEveryRequestAndNeverCached) {
  jobsched::testing::TempDir dev;
  Write(dev.path() / "index.html", kIndex);
  Write(dev.path() / "main.js", "export const v = 1;\n");
  const Router router = Serve(dev.path().string());

  const HttpResponse page = Get(router, "/ui/");
  const HttpResponse first = Get(router, "/ui/assets/dev/main.js");
  Write(dev.path() / "main.js", "export const v = 2;\n");
  const HttpResponse second = Get(router, "/ui/assets/dev/main.js");
  const HttpResponse vendor = Get(router, "/ui/assets/dev/preact.mjs", {{"Accept-Encoding", "gzip"}});

  EXPECT_EQ(VersionIn(page.body), "dev");
  EXPECT_EQ(page.Header("Cache-Control"), "no-store");
  EXPECT_EQ(first.body, "export const v = 1;\n");
  EXPECT_EQ(second.body, "export const v = 2;\n");
  EXPECT_EQ(second.Header("Cache-Control"), "no-store");
  EXPECT_EQ(vendor.status, 200) << "vendor files come from the installed folder";
  EXPECT_EQ(vendor.body, "export const h = 1;\n");
}

TEST(ConsoleHandlers, WithoutTheFilesThePagesSayWhy) {
  jobsched::testing::TempDir empty;
  Router router;
  RegisterConsoleHandlers(router, ConsoleOptions{(empty.path() / "console").string(), {}});

  const HttpResponse page = Get(router, "/ui/jobs");
  const HttpResponse asset = Get(router, "/ui/assets/0123456789ab/main.js");

  EXPECT_EQ(page.status, 503);
  EXPECT_EQ(page.Header("Content-Type"), "application/problem+json");
  EXPECT_NE(page.body.find("console"), std::string::npos);
  EXPECT_EQ(asset.status, 503);
}

// The folder the build fills (scripts/build-console.mjs): every asset the page
// links, and every chunk the bundle imports, is served; the page loads the
// bundle alone, with no import map.
TEST(ConsoleHandlers, TheBuiltConsoleServesEveryFileItsPageNames) {
  Router router;
  RegisterConsoleHandlers(router, ConsoleOptions{JOBSCHED_BUILT_CONSOLE_DIR, {}});
  const HttpResponse page = Get(router, "/ui/");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.body.find("importmap"), std::string::npos) << page.body;
  const std::regex url(R"re("(/ui/assets/[^"]+)")re");

  std::string bundle_path;
  bool early = false;
  int linked = 0;
  for (std::sregex_iterator it(page.body.begin(), page.body.end(), url), end; it != end; ++it, ++linked) {
    const HttpResponse asset = Get(router, (*it)[1].str());
    EXPECT_EQ(asset.status, 200) << (*it)[1].str();
    if ((*it)[1].str().ends_with("/main.js")) bundle_path = (*it)[1].str();
    // The first screen's requests, sent before the bundle runs; bundled on its own: no import.
    if ((*it)[1].str().ends_with("/early.js")) {
      early = true;
      EXPECT_EQ(asset.body.find("import"), std::string::npos) << asset.body;
    }
  }
  EXPECT_EQ(linked, 5) << page.body;  // the icon, two stylesheets, early.js, the bundle
  EXPECT_TRUE(early) << page.body;
  ASSERT_FALSE(bundle_path.empty()) << page.body;

  const std::string bundle = Get(router, bundle_path).body;
  const std::string folder = bundle_path.substr(0, bundle_path.rfind('/') + 1);
  const std::regex chunk(R"re("\./(chunk-[A-Za-z0-9]+\.js)")re");
  int chunks = 0;
  for (std::sregex_iterator it(bundle.begin(), bundle.end(), chunk), end; it != end; ++it, ++chunks) {
    EXPECT_EQ(Get(router, folder + (*it)[1].str()).status, 200) << (*it)[1].str();
  }
  EXPECT_GE(chunks, 1) << "uPlot is loaded on demand, from a chunk of its own";
}

}  // namespace
}  // namespace jobsched::api
