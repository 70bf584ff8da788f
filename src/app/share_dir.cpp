#include "app/share_dir.hpp"

#include <filesystem>
#include <system_error>

namespace jobsched::app {

// Files installed with the binary (Swagger UI's assets, the web console):
// next to it in a build tree (build/jobsched, build/share/NAME), or where
// `cmake --install` puts them (PREFIX/bin/jobsched, PREFIX/share/jobsched/NAME).
std::string DefaultShareDir(const std::string& name) {
  std::error_code error;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "share/" + name;
  const std::filesystem::path build_tree = exe.parent_path() / "share" / name;
  const std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "jobsched" / name;
  if (!std::filesystem::is_directory(build_tree, error) && std::filesystem::is_directory(installed, error)) {
    return installed.string();
  }
  return build_tree.string();
}

}  // namespace jobsched::app
