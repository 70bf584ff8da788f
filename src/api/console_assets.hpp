#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace jobsched::api {

// One file of the web console as it is served.
struct ConsoleFile {
  std::string content_type;  // "text/javascript; charset=utf-8", ...
  std::string body;
  // The body gzipped, for clients that accept it; empty for files not worth
  // compressing (images) or when compression was not asked for.
  std::string gzipped;
  std::string etag;  // a strong ETag of `body` ("<16 hex digits>")
};

// The console's files, read from disk once (see LoadConsoleBundle).
// Immutable once built: handlers share it between threads without locks.
struct ConsoleBundle {
  // The first 12 hex digits of a SHA-256 over every file's name and
  // content: part of every asset's URL, /ui/assets/{version}/{file}, so that
  // a new build never meets an old cached file.
  std::string version;
  // Every file but index.html, by its flat name ("main.js", "preact.mjs").
  std::map<std::string, ConsoleFile, std::less<>> assets;
  // index.html with `{{version}}` replaced by `version`.
  ConsoleFile index;
  // The Content-Security-Policy of every console answer: the import map,
  // the page's only inline script, is allowed by its SHA-256.
  std::string content_security_policy;
};

// The placeholder index.html holds wherever the version belongs (the import
// map, the module script, the stylesheet).
inline constexpr std::string_view kVersionPlaceholder = "{{version}}";
// Where index.html wants a <link rel="modulepreload"> for each of the
// console's modules (.js, .mjs): the browser then fetches them all at once
// instead of finding the import graph one level at a time, which on a first
// visit held the first useful paint back by about 400 ms (bench/console.sh).
inline constexpr std::string_view kModulePreloadPlaceholder = "{{modulepreload}}";

// Reads the console from `folder`: index.html and every file beside it with
// a known extension (html, js, mjs, css, svg, png, ico, json, woff2); other
// files and subfolders are ignored. With `overlay` (a development folder,
// see --console-dir), its files replace or add to those of `folder`; the
// vendor files (Preact, uPlot) then still come from `folder`. With
// `fixed_version`, that is the version instead of the hash. Text files are
// gzipped when `compress`. kUnavailable, naming the folder, when there is
// no index.html in either or a file cannot be read.
core::Result<ConsoleBundle> LoadConsoleBundle(const std::string& folder, const std::optional<std::string>& overlay,
                                              const std::optional<std::string>& fixed_version, bool compress);

// The Content-Type the console serves a file name with; empty for an
// extension it does not serve.
std::string_view ConsoleContentType(std::string_view file_name);

// `text` gzipped (RFC 1952) with zlib at its best compression.
std::string Gzip(std::string_view text);

// The content of the first `<script type="importmap">` element of `html`,
// exactly as written (what the CSP hash covers); nullopt when there is none.
std::optional<std::string_view> InlineImportMap(std::string_view html);

// "sha256-<base64 of SHA-256(text)>": a CSP hash source for an inline script.
std::string CspHashSource(std::string_view text);

}  // namespace jobsched::api
