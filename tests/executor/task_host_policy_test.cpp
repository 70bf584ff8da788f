#include "executor/http/task_host_policy.hpp"

#include <gtest/gtest.h>

namespace jobsched::executor::http {
namespace {

IpAddress Address(const char* text) { return IpAddress::Parse(text).value(); }

TEST(TaskHostPolicy, RefusesNonPublicAddressesByDefault) {
  const TaskHostPolicy policy;

  EXPECT_EQ(policy.RefusedAddress(Address("127.0.0.1")), "loopback");
  EXPECT_EQ(policy.RefusedAddress(Address("::1")), "loopback");
  EXPECT_EQ(policy.RefusedAddress(Address("::ffff:127.0.0.1")), "loopback");
  EXPECT_EQ(policy.RefusedAddress(Address("10.0.0.1")), "private");
  EXPECT_EQ(policy.RefusedAddress(Address("169.254.169.254")), "link-local (cloud metadata)");
  EXPECT_EQ(policy.RefusedAddress(Address("93.184.216.34")), std::nullopt);
  EXPECT_FALSE(policy.AllowsHostName("localhost"));
}

TEST(TaskHostPolicy, OpensExactlyTheListedBlocks) {
  const auto policy = TaskHostPolicy::Parse("127.0.0.1, 10.1.0.0/16,fd00::/8");

  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->RefusedAddress(Address("127.0.0.1")), std::nullopt);
  EXPECT_EQ(policy->RefusedAddress(Address("::ffff:127.0.0.1")), std::nullopt);
  EXPECT_EQ(policy->RefusedAddress(Address("127.0.0.2")), "loopback");
  EXPECT_EQ(policy->RefusedAddress(Address("::1")), "loopback");
  EXPECT_EQ(policy->RefusedAddress(Address("10.1.200.3")), std::nullopt);
  EXPECT_EQ(policy->RefusedAddress(Address("10.2.0.1")), "private");
  EXPECT_EQ(policy->RefusedAddress(Address("fd00::5")), std::nullopt);
  EXPECT_EQ(policy->RefusedAddress(Address("fc00::5")), "unique local");
  EXPECT_EQ(policy->RefusedAddress(Address("169.254.169.254")), "link-local (cloud metadata)");
}

TEST(TaskHostPolicy, AcceptsBracketedIpv6Entries) {
  const auto policy = TaskHostPolicy::Parse("[::1],[fd00::]/8");

  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->RefusedAddress(Address("::1")), std::nullopt);
  EXPECT_EQ(policy->RefusedAddress(Address("fd00::1")), std::nullopt);
}

TEST(TaskHostPolicy, AllowsListedHostNamesWithoutCaseOrTrailingDot) {
  const auto policy = TaskHostPolicy::Parse("localhost,Hooks.Internal.");

  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_TRUE(policy->AllowsHostName("localhost"));
  EXPECT_TRUE(policy->AllowsHostName("LOCALHOST."));
  EXPECT_TRUE(policy->AllowsHostName("hooks.internal"));
  EXPECT_FALSE(policy->AllowsHostName("a.hooks.internal"));
  EXPECT_FALSE(policy->AllowsHostName("hooks.internal.evil.example"));
  EXPECT_FALSE(policy->AllowsHostName("127.0.0.1"));
  // A name opens no addresses for other names.
  EXPECT_EQ(policy->RefusedAddress(Address("127.0.0.1")), "loopback");
}

TEST(TaskHostPolicy, AllowsEveryNameBelowAWildcard) {
  const auto policy = TaskHostPolicy::Parse("*.corp.example");

  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_TRUE(policy->AllowsHostName("hooks.corp.example"));
  EXPECT_TRUE(policy->AllowsHostName("a.b.corp.example"));
  EXPECT_FALSE(policy->AllowsHostName("corp.example"));
  EXPECT_FALSE(policy->AllowsHostName("evilcorp.example"));
}

TEST(TaskHostPolicy, RefusesCloudMetadataHostNamesUnlessListed) {
  const TaskHostPolicy policy;
  const auto opened = TaskHostPolicy::Parse("metadata.google.internal");

  EXPECT_EQ(policy.RefusedHostName("metadata.google.internal"), "cloud metadata host name");
  EXPECT_EQ(policy.RefusedHostName("METADATA.google.internal."), "cloud metadata host name");
  EXPECT_EQ(policy.RefusedHostName("metadata"), "cloud metadata host name");
  EXPECT_EQ(policy.RefusedHostName("example.com"), std::nullopt);
  EXPECT_EQ(opened->RefusedHostName("metadata.google.internal"), std::nullopt);
}

TEST(TaskHostPolicy, IgnoresEmptyEntriesAndSpaces) {
  const auto policy = TaskHostPolicy::Parse(" , 127.0.0.0/8 ,, ");

  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->RefusedAddress(Address("127.1.2.3")), std::nullopt);
  EXPECT_TRUE(TaskHostPolicy::Parse("").ok());
}

TEST(TaskHostPolicy, RefusesEntriesThatAreNeitherBlocksNorNames) {
  for (const char* entry :
       {"10.0.0.0/33", "10.0.0", "host name", "http://example.com", "*.", "a..b", "ex@mple", "10.0.0.0/8/8"}) {
    const auto policy = TaskHostPolicy::Parse(entry);

    EXPECT_FALSE(policy.ok()) << entry;
    if (!policy.ok()) {
      EXPECT_EQ(policy.error().field, "allow_task_hosts");
      EXPECT_NE(policy.error().message.find(entry), std::string::npos) << policy.error().message;
    }
  }
}

}  // namespace
}  // namespace jobsched::executor::http
