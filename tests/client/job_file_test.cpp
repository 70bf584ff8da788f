#include "client/job_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <boost/json/parse.hpp>

#include "testing/temp_dir.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;

VariableLookup Environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (name == "TOKEN") return std::string("s3cret");
    return std::nullopt;
  };
}

JobSet Read(const char* text, const std::string& default_namespace = "default") {
  JobSet set;
  ReadJobFile(text, "jobs.yaml", Environment(), default_namespace, set);
  return set;
}

TEST(ReadJobFile, MapsEachEntryToACreateRequestInItsNamespace) {
  JobSet set = Read(
      "namespace: team-a\n"
      "jobs:\n"
      "  - name: nightly\n"
      "    cron: '0 2 * * *'\n"
      "    task: {type: http, url: https://x, headers: {Authorization: 'Bearer ${TOKEN}'}}\n"
      "  - name: other\n"
      "    namespace: team-b\n"
      "    every: 15m\n");

  ASSERT_TRUE(set.problems.empty()) << set.problems.front().Text();
  ASSERT_EQ(set.jobs.size(), 2u);
  EXPECT_EQ(set.jobs[0].namespace_name, "team-a");
  EXPECT_EQ(set.jobs[0].line, 3);
  EXPECT_EQ(set.jobs[0].body,
            json::parse(R"({"name":"nightly","cron":"0 2 * * *","task":{"type":"http","url":"https://x",)"
                        R"("headers":{"Authorization":"Bearer s3cret"}},"namespace":"team-a"})"));
  EXPECT_EQ(set.jobs[1].namespace_name, "team-b");
  EXPECT_EQ(set.Namespaces(), (std::vector<std::string>{"team-a", "team-b"}));
}

TEST(ReadJobFile, TakesAListOrOneJobAndIgnoresWhatTheServiceWritesBack) {
  JobSet list = Read("- {name: a, every: 1h}\n- {name: b, every: 2h}\n");
  JobSet one = Read("id: 7\nname: c\ninterval: daily\nnext_run: 2026-01-01T00:00:00Z\nversion: 3\n", "ops");

  EXPECT_EQ(list.jobs.size(), 2u);
  ASSERT_EQ(one.jobs.size(), 1u);
  EXPECT_EQ(one.jobs[0].body, json::parse(R"({"name":"c","interval":"daily","namespace":"ops"})"));
}

TEST(ReadJobFile, NamesTheFileLineJobAndFieldOfEachMistake) {
  JobSet set = Read(
      "jobs:\n"
      "  - name: a\n"
      "    intervall: daily\n"
      "  - name: b\n"
      "    every: 1h\n"
      "    task:\n"
      "      headers: {X: '${MISSING}'}\n"
      "  - every: 1h\n");

  ASSERT_EQ(set.problems.size(), 3u);
  EXPECT_EQ(set.problems[0].Text(), "jobs.yaml:3: job 'a': unknown field 'intervall'; did you mean 'interval'?");
  EXPECT_EQ(set.problems[1].Text(), "jobs.yaml:7: job 'b': task.headers.X: environment variable MISSING is not set");
  EXPECT_EQ(set.problems[2].field, "name");
  EXPECT_TRUE(set.jobs.empty());
}

TEST(ReadJobFile, ReportsAYamlErrorWithItsLine) {
  JobSet set = Read("jobs:\n  - name: [a\n");

  ASSERT_EQ(set.problems.size(), 1u);
  EXPECT_EQ(set.problems[0].Text().rfind("jobs.yaml:3: not valid YAML: ", 0), 0u) << set.problems[0].Text();
}

TEST(DesiredJob, FindsTheLineOfAFieldOrOfWhatEnclosesIt) {
  JobSet set = Read("name: a\nevery: 1h\ntask:\n  type: http\n  to: [x, y]\n");

  ASSERT_EQ(set.jobs.size(), 1u);
  EXPECT_EQ(set.jobs[0].LineOf("task.type"), 4);
  EXPECT_EQ(set.jobs[0].LineOf("task.to[1]"), 5);
  EXPECT_EQ(set.jobs[0].LineOf("task.url"), 3);
  EXPECT_EQ(set.jobs[0].LineOf("nothing"), 1);
}

void Write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

TEST(LoadJobFiles, ReadsAFoldersJobFilesInNameOrderAndRefusesAJobListedTwice) {
  jobsched::testing::TempDir dir;
  Write(dir.File("b.yaml"), "name: second\nevery: 1h\n");
  Write(dir.File("a/c.yml"), "name: first\nevery: 1h\n");
  Write(dir.File("notes.txt"), "not a job");

  JobSet set = LoadJobFiles({dir.path().string()}, Environment(), "default");
  Write(dir.File("z.json"), R"({"name": "first", "every": "2h"})");
  JobSet twice = LoadJobFiles({dir.path().string()}, Environment(), "default");

  ASSERT_TRUE(set.problems.empty());
  ASSERT_EQ(set.jobs.size(), 2u);
  EXPECT_EQ(set.jobs[0].name, "first");
  EXPECT_EQ(set.jobs[1].name, "second");
  ASSERT_EQ(twice.problems.size(), 1u);
  EXPECT_NE(twice.problems[0].Text().find("'default/first' is listed twice (also at " + dir.File("a/c.yml") + ":1)"),
            std::string::npos)
      << twice.problems[0].Text();
}

TEST(LoadJobFiles, SaysWhichFileCannotBeRead) {
  JobSet set = LoadJobFiles({"/nonexistent/jobs.yaml"}, Environment(), "default");

  ASSERT_EQ(set.problems.size(), 1u);
  EXPECT_EQ(set.problems[0].Text(), "/nonexistent/jobs.yaml: cannot read the file");
}

}  // namespace
}  // namespace jobsched::client
