#pragma once

#include <string>

#include "api/router.hpp"

namespace jobsched::api {

// Where the web console's files come from.
struct ConsoleOptions {
  // The folder the build fills (build/share/console, or
  // PREFIX/share/jobsched/console once installed): web/ and the vendor
  // files (Preact, htm, signals, uPlot). Read once, at the first request
  // for the console.
  std::string dir;
  // --console-dir: a folder of the console's own files (web/ of a source
  // tree) read on every request and never cached, for development; the
  // vendor files still come from `dir`. Empty in production.
  std::string dev_dir;
};

// The web console (docs/decisions/0008-web-console.md): GET / redirects to
// /ui/; the page routes (/ui/, /ui/jobs, /ui/jobs/new, /ui/jobs/{id},
// /ui/jobs/{id}/edit, /ui/runs, /ui/runs/{id}, /ui/admin, /ui/signin) all
// answer index.html (no-cache, with an ETag), whose router picks the view;
// /ui/assets/{version}/{file} answers the modules, stylesheets and vendor
// files, cached for a year (the version changes with any file). Text is
// sent gzipped to clients that accept it. Every answer carries the
// console's Content-Security-Policy, nosniff, Referrer-Policy and
// Cross-Origin-Opener-Policy. The pages hold no data: the routes are open
// (access_policy.cpp); the API they call enforces keys and roles.
//
// Without the files (no index.html in `dir`), the pages answer 503 saying
// so; an unknown version or file answers 404.
void RegisterConsoleHandlers(Router& router, const ConsoleOptions& options);

}  // namespace jobsched::api
