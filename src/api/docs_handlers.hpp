#pragma once

#include <string>

#include "api/router.hpp"

namespace jobsched::api {

// The API's documentation: GET /openapi.json and /openapi.yaml (the contract
// in docs/openapi.yaml), GET /docs (Swagger UI, working with no internet: its
// assets are served from `assets_dir`, installed from npm at build time) and
// GET /swagger, the original service's path, redirected to /docs. The assets
// are read once, here; when they are missing, /docs answers 503 and says so.
void RegisterDocsHandlers(Router& router, const std::string& assets_dir);

}  // namespace jobsched::api
