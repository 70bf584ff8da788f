#include "app/database_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace jobsched::app {

core::Result<DatabaseLock> DatabaseLock::Acquire(const std::string& database_path) {
  const std::string lock_path = database_path + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return core::Error::Unavailable("cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return core::Error::Unavailable("another `jobsched serve` is using sqlite:" + database_path + " (it holds " +
                                      lock_path +
                                      "); SQLite mode is one process: stop it first, or use "
                                      "PostgreSQL to run several nodes");
    }
    return core::Error::Unavailable("cannot lock " + lock_path + ": " + std::strerror(error));
  }
  return DatabaseLock(fd);
}

DatabaseLock::DatabaseLock(DatabaseLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DatabaseLock& DatabaseLock::operator=(DatabaseLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

DatabaseLock::~DatabaseLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace jobsched::app
