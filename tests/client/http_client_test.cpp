#include "client/http_client.hpp"

#include <gtest/gtest.h>

namespace jobsched::client {
namespace {

TEST(CurlCommand, NamesTheTokenByItsVariableAndQuotesForTheShell) {
  ConnectionSettings settings;
  settings.server = "https://jobs.example.com";
  settings.token = "jsk_secret_value";
  settings.cacert = "/etc/ca.pem";
  HttpCall call;
  call.method = "PATCH";
  call.target = "/jobs/3?dry_run=true";
  call.body = R"({"name":"it's"})";
  call.content_type = "application/merge-patch+json";
  call.headers = {{"If-Match", "\"3-ab\""}};

  const std::string command = CurlCommand(settings, call);

  EXPECT_EQ(command,
            "curl -sS -X PATCH -H \"Authorization: Bearer $JOBSCHED_TOKEN\" -H 'If-Match: \"3-ab\"' "
            "-H 'Content-Type: application/merge-patch+json' --data-binary '{\"name\":\"it'\\''s\"}' "
            "--cacert '/etc/ca.pem' 'https://jobs.example.com/jobs/3?dry_run=true'");
  EXPECT_EQ(command.find("jsk_secret_value"), std::string::npos);
}

TEST(CurlCommand, LeavesOutWhatIsNotThere) {
  ConnectionSettings settings;
  HttpCall call;
  call.target = "/jobs";

  EXPECT_EQ(CurlCommand(settings, call), "curl -sS 'http://127.0.0.1:8000/jobs'");
}

}  // namespace
}  // namespace jobsched::client
