#include "store/migrations.hpp"

namespace jobsched::store {

int LatestVersion(std::span<const Migration> migrations) {
  int latest = 0;
  for (const Migration& migration : migrations) {
    if (migration.version > latest) latest = migration.version;
  }
  return latest;
}

}  // namespace jobsched::store
