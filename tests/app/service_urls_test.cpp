#include "app/service_urls.hpp"

#include <gtest/gtest.h>

namespace jobsched::app {
namespace {

TEST(ServiceUrls, NameTheApiTheDocsAndTheConsoleOnThePortListenedOn) {
  Config config;
  config.listen = {"127.0.0.1", 0};

  const auto urls = ServiceUrls(config, 8123);

  ASSERT_EQ(urls.size(), 3u);
  EXPECT_EQ(urls[0].what, "API");
  EXPECT_EQ(urls[0].url, "http://127.0.0.1:8123/jobs");
  EXPECT_EQ(urls[1].what, "docs");
  EXPECT_EQ(urls[1].url, "http://127.0.0.1:8123/docs (OpenAPI: http://127.0.0.1:8123/openapi.json)");
  EXPECT_EQ(urls[2].what, "console");
  EXPECT_EQ(urls[2].url, "http://127.0.0.1:8123/ui/");
}

TEST(PublicBaseUrl, IsThePublicUrlWithoutItsTrailingSlash) {
  Config config;
  config.public_url = "https://jobs.example.com/sched/";

  EXPECT_EQ(PublicBaseUrl(config), "https://jobs.example.com/sched");
}

TEST(PublicBaseUrl, IsTheListenAddressOnlyWhenItNamesOneHostAndPort) {
  Config one;
  one.listen = {"10.0.0.5", 8000};
  Config six;
  six.listen = {"fd00::5", 8000};
  Config any;
  any.listen = {"0.0.0.0", 8000};
  Config picked;
  picked.listen = {"127.0.0.1", 0};

  EXPECT_EQ(PublicBaseUrl(one), "http://10.0.0.5:8000");
  EXPECT_EQ(PublicBaseUrl(six), "http://[fd00::5]:8000");
  EXPECT_EQ(PublicBaseUrl(any), "");
  EXPECT_EQ(PublicBaseUrl(picked), "");
}

TEST(ServiceUrls, ShowEveryInterfaceAsLoopbackAndBracketIpv6) {
  Config any;
  any.listen = {"0.0.0.0", 8000};
  Config any6;
  any6.listen = {"::", 8000};

  EXPECT_EQ(ServiceUrls(any, 8000)[0].url, "http://127.0.0.1:8000/jobs");
  EXPECT_EQ(ServiceUrls(any6, 8000)[0].url, "http://[::1]:8000/jobs");
}

TEST(ServiceUrls, AreNoneWithoutTheApiRole) {
  Config worker;
  worker.roles = {false, true, true};

  EXPECT_TRUE(ServiceUrls(worker, 8000).empty());
}

TEST(ResolveLogFormat, AutoIsTextOnATerminalAndJsonElsewhereAndAnExplicitFormatWins) {
  EXPECT_EQ(ResolveLogFormat(LogFormat::kAuto, true), LogFormat::kText);
  EXPECT_EQ(ResolveLogFormat(LogFormat::kAuto, false), LogFormat::kJson);
  EXPECT_EQ(ResolveLogFormat(LogFormat::kJson, true), LogFormat::kJson);
  EXPECT_EQ(ResolveLogFormat(LogFormat::kText, false), LogFormat::kText);
}

}  // namespace
}  // namespace jobsched::app
