#include "client/yaml.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace jobsched::client {
namespace {

namespace json = boost::json;

TEST(ParseYaml, ReadsScalarsByYaml12sCoreSchema) {
  auto documents = ParseYaml(
      "a: 12\nb: -3.5\nc: true\nd: ~\ne:\nf: no\ng: '12'\nh: \"true\"\ni: 0 9 * * MON\nj: 2026-01-01T00:00:00Z\n");

  ASSERT_TRUE(documents.ok()) << documents.error().message;
  ASSERT_EQ(documents->size(), 1u);
  EXPECT_EQ(documents->front().value,
            json::parse(R"({"a":12,"b":-3.5,"c":true,"d":null,"e":null,"f":"no","g":"12","h":"true",)"
                        R"("i":"0 9 * * MON","j":"2026-01-01T00:00:00Z"})"));
}

TEST(ParseYaml, RecordsTheLineOfEveryValueByJsonPointer) {
  auto documents = ParseYaml("jobs:\n  - name: a\n    task:\n      url: https://x\n  - name: b\n");

  ASSERT_TRUE(documents.ok());
  const auto& lines = documents->front().lines;
  EXPECT_EQ(lines.at("/jobs/0"), 2);
  EXPECT_EQ(lines.at("/jobs/0/task/url"), 4);
  EXPECT_EQ(lines.at("/jobs/1/name"), 5);
}

TEST(ParseYaml, ReadsSeveralDocumentsAndJson) {
  auto documents = ParseYaml("name: a\n---\n{\"name\": \"b\", \"n\": [1, 2]}\n");

  ASSERT_TRUE(documents.ok());
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_EQ(documents->at(1).value, json::parse(R"({"name":"b","n":[1,2]})"));
}

TEST(ParseYaml, NamesTheLineOfASyntaxError) {
  auto documents = ParseYaml("name: a\njobs: [1, 2\n");

  ASSERT_FALSE(documents.ok());
  EXPECT_EQ(documents.error().message.rfind("line ", 0), 0u) << documents.error().message;
}

TEST(ToYaml, QuotesStringsAYamlReaderWouldTakeForSomethingElse) {
  const json::value value = json::parse(
      R"({"a":"true","b":"12","c":"","d":"2026-01-01T00:00:00Z","e":"no","f":"plain text","g":null,"h":0.1,)"
      R"("i":[1,"x"],"j":"two\nlines"})");

  const std::string text = ToYaml(value);

  EXPECT_NE(text.find("a: \"true\""), std::string::npos) << text;
  EXPECT_NE(text.find("b: \"12\""), std::string::npos) << text;
  EXPECT_NE(text.find("d: \"2026-01-01T00:00:00Z\""), std::string::npos) << text;
  EXPECT_NE(text.find("e: \"no\""), std::string::npos) << text;
  EXPECT_NE(text.find("f: plain text"), std::string::npos) << text;
  EXPECT_NE(text.find("h: 0.1"), std::string::npos) << text;
}

TEST(ToYaml, RoundTripsThroughParseYaml) {
  const json::value value = json::parse(
      R"({"name":"report","cron":"*/5 * * * *","retry":{"max_attempts":3,"jitter":0.1},"task":null,)"
      R"("headers":{"Authorization":"REDACTED","X-N":"007"},"list":[],"map":{},"text":"a: b # c","multi":"x\ny\n"})");

  auto back = ParseYaml(ToYaml(value));

  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->front().value, value) << ToYaml(value);
}

TEST(JsonPointerChild, EscapesSlashesAndTildes) { EXPECT_EQ(JsonPointerChild("/jobs/0", "a/b~c"), "/jobs/0/a~1b~0c"); }

}  // namespace
}  // namespace jobsched::client
