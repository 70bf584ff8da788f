#include "app/database_lock.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "testing/temp_dir.hpp"

namespace jobsched::app {
namespace {

TEST(DatabaseLock, CreatesTheLockFileForTheOwnerOnlyWhateverTheUmask) {
  jobsched::testing::TempDir dir;
  const mode_t previous = ::umask(0);
  auto lock = DatabaseLock::Acquire(dir.File("jobs.db"));
  ::umask(previous);

  ASSERT_TRUE(lock.ok()) << lock.error().message;
  struct stat status {};
  ASSERT_EQ(::stat(dir.File("jobs.db.lock").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0600u);
}

TEST(DatabaseLock, RefusesASecondHolderOfTheSameDatabase) {
  jobsched::testing::TempDir dir;
  auto first = DatabaseLock::Acquire(dir.File("jobs.db"));

  auto second = DatabaseLock::Acquire(dir.File("jobs.db"));

  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(second.error().message.find("another `jobsched serve`"), std::string::npos) << second.error().message;
}

}  // namespace
}  // namespace jobsched::app
