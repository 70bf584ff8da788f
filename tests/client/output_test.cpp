#include "client/output.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "testing/time_literals.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;
using jobsched::testing::At;

const char* kJob =
    R"({"id":3,"name":"report","namespace":"team-a","interval":null,"cron":"0 9 * * *","timezone":"Europe/Berlin",)"
    R"("task":null,"timeout":"1m","retry":{"max_attempts":1,"initial_delay":"10s","max_delay":"10m","jitter":0.1},)"
    R"("misfire":"run_once","catchup_window":"1h","overlap":"skip","jitter":"0s","is_active":false,)"
    R"("last_run":null,"next_run":null,"created_at":"2026-11-27T09:00:00Z","updated_at":"2026-11-27T09:00:00Z",)"
    R"("version":2})";

TableStyle Style() { return TableStyle{false, At("2026-11-27T10:00:00Z")}; }

TEST(ParseOutputFormat, KnowsTheFiveFormats) {
  EXPECT_EQ(*ParseOutputFormat("jsonl"), OutputFormat::kJsonl);
  EXPECT_EQ(*ParseOutputFormat("name"), OutputFormat::kName);
  EXPECT_EQ(ParseOutputFormat("xml").error().field, "-o");
}

TEST(Render, JsonIsTheServicesJsonIndentedWithItsNumbersAsWritten) {
  const json::value job = json::parse(kJob);

  const std::string text = Render(job, Resource::kJob, OutputFormat::kJson, Style());

  EXPECT_EQ(json::parse(text), job);
  EXPECT_NE(text.find("\n  \"name\": \"report\","), std::string::npos) << text;
  EXPECT_NE(text.find("\"jitter\": 0.1"), std::string::npos) << text;
}

TEST(Render, JsonlAndNamePrintOneLinePerItem) {
  json::array jobs{json::parse(kJob), json::parse(kJob)};
  jobs[1].as_object()["name"] = "other";

  EXPECT_EQ(Render(jobs, Resource::kJob, OutputFormat::kName, Style()), "team-a/report\nteam-a/other\n");
  const std::string lines = Render(jobs, Resource::kJob, OutputFormat::kJsonl, Style());
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2);
  EXPECT_EQ(json::parse(lines.substr(0, lines.find('\n'))), jobs[0]);
}

TEST(Render, JsonlOfNextRunsIsOneOccurrencePerLine) {
  const json::value next = json::parse(
      R"({"job_id":1,"timezone":"UTC","is_active":true,"next_runs":[{"utc":"2026-11-28T10:00:00Z","local":"x"},)"
      R"({"utc":"2026-11-29T10:00:00Z","local":"y"}]})");

  EXPECT_EQ(Render(next, Resource::kNextRuns, OutputFormat::kName, Style()),
            "2026-11-28T10:00:00Z\n2026-11-29T10:00:00Z\n");
}

TEST(Render, ATableOfJobsShowsScheduleStateAndTimes) {
  json::array jobs{json::parse(kJob)};

  const std::string table = Render(jobs, Resource::kJob, OutputFormat::kTable, Style());

  EXPECT_EQ(table,
            "ID  NAMESPACE  NAME    SCHEDULE                        STATE   NEXT RUN  LAST RUN\n"
            "3   team-a     report  cron 0 9 * * * (Europe/Berlin)  paused  -         -\n");
}

TEST(Render, OneObjectInATableIsMemberPerLineWithRelativeTimes) {
  const std::string text = Render(json::parse(kJob), Resource::kJob, OutputFormat::kTable, Style());

  EXPECT_NE(text.find("name:           report\n"), std::string::npos) << text;
  EXPECT_NE(text.find("created_at:     1h ago (2026-11-27 09:00:00Z)\n"), std::string::npos) << text;
}

TEST(DescribeSchedule, SpellsEachKind) {
  EXPECT_EQ(DescribeSchedule(json::parse(R"({"interval":"weekly"})").as_object()), "weekly");
  EXPECT_EQ(DescribeSchedule(json::parse(R"({"interval":null,"every":"15m"})").as_object()), "every 15m");
  EXPECT_EQ(DescribeSchedule(json::parse(R"({"interval":null,"at":"2026-12-24T18:00:00Z"})").as_object()),
            "at 2026-12-24T18:00:00Z");
}

}  // namespace
}  // namespace jobsched::client
