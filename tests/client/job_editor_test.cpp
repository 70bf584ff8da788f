#include "client/job_editor.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "client/yaml.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;

json::object Object(const char* text) { return json::parse(text).as_object(); }

const char* kJob =
    R"({"id":4,"name":"ping","namespace":"team-a","interval":null,"every":"15m","start_at":"2026-01-01T00:00:00Z",)"
    R"("task":{"type":"http","method":"POST","url":"https://x","headers":{"Authorization":"REDACTED"},"body":""},)"
    R"("timeout":"1m","is_active":true,"last_run":null,"next_run":"2026-11-27T10:15:00Z","version":3})";

TEST(EditableMembers, AreTheFileMembersButNamespaceAndNoNulls) {
  EXPECT_EQ(EditableMembers(Object(kJob)),
            Object(R"({"name":"ping","every":"15m","start_at":"2026-01-01T00:00:00Z","task":{"type":"http",)"
                   R"("method":"POST","url":"https://x","headers":{"Authorization":"REDACTED"},"body":""},)"
                   R"("timeout":"1m","is_active":true})"));
}

TEST(EditorText, SaysWhatIsEditedAndReadsBackAsTheEditableMembers) {
  const std::string text = EditorText(Object(kJob));

  EXPECT_EQ(text.rfind("# Editing job 4 (team-a/ping), version 3.\n", 0), 0u) << text;
  auto parsed = ParseYaml(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->front().value, json::value(EditableMembers(Object(kJob))));
}

TEST(EditPatch, SendsTheChangedMembersOnly) {
  json::object after = EditableMembers(Object(kJob));
  after["timeout"] = "5m";

  EXPECT_EQ(*EditPatch(EditableMembers(Object(kJob)), after), Object(R"({"timeout":"5m"})"));
  EXPECT_TRUE(EditPatch(EditableMembers(Object(kJob)), EditableMembers(Object(kJob)))->empty());
}

TEST(EditPatch, RemovesWhatCanGoAndSendsAChangedScheduleWhole) {
  json::object after = EditableMembers(Object(kJob));
  after.erase("task");
  after.erase("start_at");
  after["every"] = "5m";

  EXPECT_EQ(*EditPatch(EditableMembers(Object(kJob)), after), Object(R"({"every":"5m","task":null,"start_at":null})"));
}

TEST(EditPatch, RefusesUnknownMembersAndRemovingOnesThatCannotGo) {
  json::object unknown = EditableMembers(Object(kJob));
  unknown["intervall"] = "daily";
  json::object no_name = EditableMembers(Object(kJob));
  no_name.erase("name");

  EXPECT_EQ(EditPatch(EditableMembers(Object(kJob)), unknown).error().field, "intervall");
  EXPECT_EQ(EditPatch(EditableMembers(Object(kJob)), no_name).error().field, "name");
  EXPECT_FALSE(EditPatch(EditableMembers(Object(kJob)), json::value("text")).ok());
}

}  // namespace
}  // namespace jobsched::client
