#pragma once

#include <string_view>

namespace jobsched::api {

// docs/openapi.yaml, embedded at build time, as written and as JSON.
std::string_view OpenApiYaml();
std::string_view OpenApiJson();

}  // namespace jobsched::api
