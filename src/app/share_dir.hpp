#pragma once

#include <string>

namespace jobsched::app {

// The folder of the files installed with the binary under `name` (Swagger
// UI's assets, the web console): share/NAME next to it in a build tree, or
// PREFIX/share/jobsched/NAME where `cmake --install` puts them.
std::string DefaultShareDir(const std::string& name);

}  // namespace jobsched::app
