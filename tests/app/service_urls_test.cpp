#include "app/service_urls.hpp"

#include <gtest/gtest.h>

namespace jobsched::app {
namespace {

TEST(ServiceUrls, NameTheApiAndTheDocsOnThePortListenedOn) {
  Config config;
  config.listen = {"127.0.0.1", 0};

  const auto urls = ServiceUrls(config, 8123);

  ASSERT_EQ(urls.size(), 2u);
  EXPECT_EQ(urls[0].what, "API");
  EXPECT_EQ(urls[0].url, "http://127.0.0.1:8123/jobs");
  EXPECT_EQ(urls[1].what, "docs");
  EXPECT_EQ(urls[1].url, "http://127.0.0.1:8123/docs (OpenAPI: http://127.0.0.1:8123/openapi.json)");
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
