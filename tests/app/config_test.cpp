#include "app/config.hpp"

#include <gtest/gtest.h>

namespace jobsched::app {
namespace {

TEST(IsLoopbackHost, OnlyThisMachineCanReachLoopbackAddresses) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "::", "192.0.2.10", "10.0.0.1", "2001:db8::1", "::ffff:127.0.0.1",
                           "example.com", ""}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

}  // namespace
}  // namespace jobsched::app
