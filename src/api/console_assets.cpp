#include "api/console_assets.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <openssl/evp.h>
#include <zlib.h>

#include "api/json_response.hpp"

namespace jobsched::api {
namespace {

struct FileType {
  std::string_view extension;
  std::string_view content_type;
  bool compressible;
};

constexpr std::array<FileType, 9> kFileTypes{{
    {".html", "text/html; charset=utf-8", true},
    {".js", "text/javascript; charset=utf-8", true},
    {".mjs", "text/javascript; charset=utf-8", true},
    {".css", "text/css; charset=utf-8", true},
    {".svg", "image/svg+xml", true},
    {".json", "application/json", true},
    {".png", "image/png", false},
    {".ico", "image/x-icon", false},
    {".woff2", "font/woff2", false},
}};

const FileType* TypeOf(std::string_view name) {
  for (const FileType& type : kFileTypes) {
    if (name.size() > type.extension.size() && name.ends_with(type.extension)) return &type;
  }
  return nullptr;
}

using Sources = std::map<std::string, std::string, std::less<>>;  // file name -> content

// Adds (or replaces) every servable file of `folder` to `sources`.
core::Result<void> ReadFolder(const std::string& folder, Sources& sources) {
  std::error_code error;
  std::filesystem::directory_iterator entries(folder, error);
  if (error) return core::Error::Unavailable("cannot read the console folder " + folder + ": " + error.message());
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file(error) || TypeOf(name) == nullptr) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    std::ostringstream content;
    if (!file || !(content << file.rdbuf())) {
      return core::Error::Unavailable("cannot read " + entry.path().string());
    }
    sources.insert_or_assign(name, std::move(content).str());
  }
  return core::Ok();
}

std::string Sha256(std::string_view text) {
  std::string digest(EVP_MAX_MD_SIZE, '\0');
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), reinterpret_cast<unsigned char*>(digest.data()), &size, EVP_sha256(), nullptr);
  digest.resize(size);
  return digest;
}

// The version: a hash over names and contents, so that renaming a file
// changes it as much as editing one. Lengths go in too, so that no two
// different sets of files hash the same text.
std::string VersionOf(const Sources& sources) {
  std::string all;
  for (const auto& [name, content] : sources) {
    all += name + '\0' + std::to_string(content.size()) + '\0';
    all += content;
  }
  const std::string digest = Sha256(all);
  constexpr char kHex[] = "0123456789abcdef";
  std::string version;
  for (std::size_t i = 0; i < 6; ++i) {
    version += kHex[static_cast<unsigned char>(digest[i]) >> 4];
    version += kHex[static_cast<unsigned char>(digest[i]) & 0xF];
  }
  return version;
}

ConsoleFile MakeFile(std::string_view name, std::string body, bool compress) {
  const FileType* type = TypeOf(name);
  ConsoleFile file;
  file.content_type = std::string(type->content_type);
  file.etag = ContentETag(body);
  if (compress && type->compressible) {
    std::string gzipped = Gzip(body);
    // Tiny files can grow; then the plain body is the better answer.
    if (!gzipped.empty() && gzipped.size() < body.size()) file.gzipped = std::move(gzipped);
  }
  file.body = std::move(body);
  return file;
}

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string ContentSecurityPolicy(const std::optional<std::string_view>& import_map) {
  std::string script_src = "script-src 'self'";
  if (import_map) script_src += " '" + CspHashSource(*import_map) + "'";
  return "default-src 'none'; " + script_src +
         "; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
         "form-action 'self'; frame-ancestors 'none'";
}

}  // namespace

std::string_view ConsoleContentType(std::string_view file_name) {
  const FileType* type = TypeOf(file_name);
  return type == nullptr ? std::string_view() : type->content_type;
}

std::string Gzip(std::string_view text) {
  z_stream stream{};
  // windowBits 15 + 16: the gzip wrapper (RFC 1952) rather than zlib's own.
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&stream, static_cast<uLong>(text.size())) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return result == Z_STREAM_END ? out : std::string();
}

std::optional<std::string_view> InlineImportMap(std::string_view html) {
  constexpr std::string_view kOpen = "<script type=\"importmap\">";
  const std::size_t open = html.find(kOpen);
  if (open == std::string_view::npos) return std::nullopt;
  const std::size_t begin = open + kOpen.size();
  const std::size_t end = html.find("</script>", begin);
  if (end == std::string_view::npos) return std::nullopt;
  return html.substr(begin, end - begin);
}

std::string CspHashSource(std::string_view text) {
  const std::string digest = Sha256(text);
  std::string base64(4 * ((digest.size() + 2) / 3) + 1, '\0');
  const int size =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(base64.data()),
                      reinterpret_cast<const unsigned char*>(digest.data()), static_cast<int>(digest.size()));
  base64.resize(static_cast<std::size_t>(size));
  return "sha256-" + base64;
}

namespace {

// A modulepreload link for every module among `sources`, in name order.
std::string ModulePreloadLinks(const Sources& sources) {
  std::string links;
  for (const auto& entry : sources) {
    const std::string& name = entry.first;
    const bool module = name.ends_with(".js") || name.ends_with(".mjs");
    if (!module) continue;
    if (!links.empty()) links += '\n';
    links += "<link rel=\"modulepreload\" href=\"/ui/assets/" + std::string(kVersionPlaceholder) + "/" + name + "\">";
  }
  return links;
}

}  // namespace

core::Result<ConsoleBundle> LoadConsoleBundle(const std::string& folder, const std::optional<std::string>& overlay,
                                              const std::optional<std::string>& fixed_version, bool compress) {
  Sources sources;
  if (auto read = ReadFolder(folder, sources); !read && !overlay) return read.error();
  if (overlay) {
    if (auto read = ReadFolder(*overlay, sources); !read) return read.error();
  }
  auto index = sources.find("index.html");
  if (index == sources.end()) {
    return core::Error::Unavailable("the console's index.html is not in " + (overlay ? *overlay + " or " : "") +
                                    folder + "; build with npm available, or set --console-dir");
  }
  ConsoleBundle bundle;
  bundle.version = fixed_version ? *fixed_version : VersionOf(sources);
  std::string page = ReplaceAll(index->second, kModulePreloadPlaceholder, ModulePreloadLinks(sources));
  page = ReplaceAll(std::move(page), kVersionPlaceholder, bundle.version);
  bundle.content_security_policy = ContentSecurityPolicy(InlineImportMap(page));
  bundle.index = MakeFile("index.html", std::move(page), compress);
  sources.erase(index);
  for (auto& [name, content] : sources) bundle.assets.emplace(name, MakeFile(name, std::move(content), compress));
  return bundle;
}

}  // namespace jobsched::api
